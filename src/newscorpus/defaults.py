"""Default settings of a build, in a module that imports nothing.

The CLI needs them to describe its options before it knows which command runs; the
modules that use them (pipeline, dedup, writer) import them from here, so that
`newscorpus validate` does not load the parsing and annotation code to show a default.
"""

from __future__ import annotations

# Raw files larger than this are rejected without being read (`too_large`).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Estimated Jaccard similarity at which a body is a near duplicate of a kept one.
DEFAULT_THRESHOLD = 0.8
# A shard ends at this many rows, or past this many Arrow (uncompressed) bytes: zstd
# makes files of about a third of it, in the few hundred MB that Hub tooling expects.
DEFAULT_SHARD_ROWS = 50_000
DEFAULT_SHARD_BYTES = 512 * 1024 * 1024
