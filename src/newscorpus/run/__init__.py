"""Running a build: the per-file step, executors, cache, reduce (duplicates, splits),
the Parquet writer and the build driver."""
