"""A build's settings: one frozen, documented object, in a module that imports nothing.

`BuildSettings` is what `newscorpus.build` takes (in the spirit of ftfy's
`TextFixerConfig`): every knob of a build in one immutable value, with its default and
its meaning here. The CLI needs the defaults to describe its options before it knows
which command runs, so this module imports nothing of the package: `newscorpus validate`
does not load the parsing and annotation code to show a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# Raw files larger than this are rejected without being read (`too_large`).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Estimated Jaccard similarity at which a body is a near duplicate of a kept one.
DEFAULT_THRESHOLD = 0.8
# A shard ends at this many rows, or past this many Arrow (uncompressed) bytes: zstd
# makes files of about a third of it, in the few hundred MB that Hub tooling expects.
DEFAULT_SHARD_ROWS = 50_000
DEFAULT_SHARD_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class BuildSettings:
    """Every setting of a build; `newscorpus.build(raw, out, settings, **overrides)`.

    Output-shaping settings (they change the published bytes): `max_bytes` (raw files
    larger are rejected unread, `too_large`), `shard_rows` and `shard_bytes` (a Parquet
    shard ends past either), `near_duplicate_threshold` (estimated Jaccard of 5-word
    shingles at which a body is a near duplicate of a kept one; None: exact duplicates
    only), `datasheet` (the hand-written DATASHEET.md whose generated section is filled
    in; None: a minimal template).

    Where work runs (the bytes are the same): `engine` (`local` worker processes or
    `dask`), `workers` (default: every core), `scheduler` (a Dask address; default: a
    local cluster), `cache_dir` and `use_cache` (the incremental cache; default
    `.OUT.cache/` beside the output).

    Safety (see README, "Safety rules and exit codes"): `keep_going` publishes even when
    files hit an internal error; `allow_shrink` publishes a corpus with fewer than half
    of the published records.
    """

    workers: int | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    shard_rows: int = DEFAULT_SHARD_ROWS
    shard_bytes: int = DEFAULT_SHARD_BYTES
    near_duplicate_threshold: float | None = DEFAULT_THRESHOLD
    datasheet: str | os.PathLike[str] | None = None
    engine: str = "local"
    scheduler: str | None = None
    cache_dir: str | os.PathLike[str] | None = None
    use_cache: bool = True
    keep_going: bool = False
    allow_shrink: bool = False
