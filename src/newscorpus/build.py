"""The build: discover, process (any executor), reduce, write, publish — atomically.

The reduce step is the only place that decides order, duplicates and splits, so the output
is the same whatever schedules `process_keyed` (a local pool or Dask, see executors.py),
and whether an outcome comes fresh or from the incremental cache (cache.py). Records
stream from the reducer to spill files and from there, in id order, to the Parquet
writers (writer.py): memory stays flat whatever the corpus size.

The new folder is built beside the old one, validated, then swapped in with one atomic
rename; a failed or killed build leaves the previous folder as it was. A lock file keeps
two builds from writing the same output.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import hashlib
import marshal
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from newscorpus.cache import (
    BuildCache,
    CacheBusyError,
    StatKey,
    code_fingerprint,
    outcome_key,
    stat_key,
)
from newscorpus.defaults import (
    DEFAULT_MAX_BYTES,
    DEFAULT_SHARD_BYTES,
    DEFAULT_SHARD_ROWS,
    DEFAULT_THRESHOLD,
)
from newscorpus.errors import (
    EXIT_CHECK_FAILED,
    EXIT_INTERNAL,
    EXIT_USAGE,
    NewscorpusError,
    RejectError,
)
from newscorpus.executors import ENGINES, engine_map
from newscorpus.folder import (
    aside_path,
    check_output_folder,
    default_cache_path,
    lock_path,
    published_record_count,
    read_published_manifest,
    staging_prefix,
)
from newscorpus.ledger import LEDGER_FILE_NAME, dumps_entry
from newscorpus.pipeline import Outcome, process_bytes, process_file, read_raw
from newscorpus.publish import sha256_file, write_publication
from newscorpus.reduce import Reducer
from newscorpus.sources import RawFile, Source, discover_files, load_registry
from newscorpus.splits import SPLITS
from newscorpus.writer import SpillSorter, SplitWriter

ProgressCallback = Callable[[int, int], None]
# What the engine returns per file: (size, mtime_ns, ctime_ns, inode), sha256, outcomes.
Processed = tuple[StatKey | None, str | None, list[Outcome]]


# What `BuildCache.put` takes for one processed file: key, outcomes, path, stat, sha256.
_Put = tuple[str, list[Outcome], str, StatKey | None, str]
# Files reduced together (their signatures hashed in one batch by the duplicate index).
REDUCE_CHUNK_FILES = 64
# Files looked up in the cache per batch while planning, and cached outcomes read ahead.
PLAN_BATCH = 500
PREFETCH_HITS = 256


class BuildError(NewscorpusError, RuntimeError):
    """The build did not publish; the published folder, if any, was left as it was."""

    exit_code = EXIT_INTERNAL


class BuildUsageError(BuildError):
    """The build was asked something it refuses before any work (exit 2)."""

    exit_code = EXIT_USAGE


class OutputLockedError(BuildError):
    """Another build is writing the same output (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class PublishRefusedError(BuildError):
    """The new corpus would be empty, or would drop more than half of the published
    records without `allow_shrink` (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class InternalBuildError(BuildError):
    """Files hit a bug (our own code, a failed import, MemoryError) and `keep_going` was
    not given, or the new corpus failed its own validation (exit 3)."""

    exit_code = EXIT_INTERNAL


# Reason code of a file that hit a bug rather than being bad input.
INTERNAL_ERROR = "internal_error"


@dataclass
class BuildResult:
    """What a build did: counts per outcome and split, the rejects, where it published."""

    out_dir: Path
    files_found: int
    manifest: dict[str, Any]
    stats: dict[str, Any]
    rejects: list[dict[str, Any]] = field(default_factory=list)
    # Files processed by this build, and files whose outcomes came from the cache.
    processed: int = 0
    cached: int = 0
    # True when nothing had changed and the published folder was left as it was.
    up_to_date: bool = False
    # Ledger entries of files that hit a bug (published only with `keep_going`).
    internal_errors: list[dict[str, Any]] = field(default_factory=list)
    # Why the build ran without its cache, when it did (another build held it).
    cache_note: str | None = None

    @property
    def outcomes(self) -> dict[str, int]:
        """Ledger entries per outcome (`record`, `duplicate`, `rejected`)."""
        counts: dict[str, int] = self.manifest["ledger"]["outcomes"]
        return counts


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out_dir` for one build; fail fast if another holds it.

    The lock is an flock on a sibling file, so the kernel releases it when the holder
    dies, even by SIGKILL: a stale lock file never blocks the next build.
    """
    lock = lock_path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    handle = lock.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLockedError(
                f"another build is writing {out_dir} (lock {lock} is held); wait for it to finish"
            ) from None
        yield
    finally:
        handle.close()


_RENAME_EXCHANGE = 2


def _libc() -> ctypes.CDLL:
    """The C library's functions, from the symbols already loaded in this process.

    Not `ctypes.util.find_library`: on Linux it runs `ldconfig` in a subprocess, a
    fork of the whole build (hundreds of MB, counted again in the process tree's
    memory while it lives).
    """
    return ctypes.CDLL(None, use_errno=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(
        at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def swap_into_place(new_dir: Path, out_dir: Path) -> None:
    """Make `new_dir` the content of `out_dir` atomically; the old content is deleted.

    With RENAME_EXCHANGE there is no moment without a complete `out_dir`. Where the
    kernel lacks it, the old folder is renamed aside first and restored by the next
    build if a crash falls between the two renames (see `_recover`).
    """
    if not out_dir.exists():
        new_dir.rename(out_dir)
        return
    if _exchange(new_dir, out_dir):
        shutil.rmtree(new_dir)
        return
    aside = aside_path(out_dir)
    out_dir.rename(aside)
    new_dir.rename(out_dir)
    shutil.rmtree(aside)


def _recover(out_dir: Path) -> None:
    """Clean up what a killed build left beside `out_dir` (called under the lock)."""
    aside = aside_path(out_dir)
    if aside.exists():
        if out_dir.exists():
            shutil.rmtree(aside)
        else:
            aside.rename(out_dir)
    for stale in out_dir.parent.glob(f"{staging_prefix(out_dir)}*"):
        shutil.rmtree(stale, ignore_errors=True)


def build(
    raw_dir: str | os.PathLike[str] = "raw",
    out_dir: str | os.PathLike[str] = "processed",
    *,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    datasheet: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    shard_bytes: int = DEFAULT_SHARD_BYTES,
    near_duplicate_threshold: float | None = DEFAULT_THRESHOLD,
    keep_going: bool = False,
    allow_shrink: bool = False,
) -> BuildResult:
    """Build the corpus from `raw_dir` and publish it atomically to `out_dir`.

    Every file under `raw_dir` ends in the ledger as a record, a duplicate or a reject.
    `datasheet` names the hand-written DATASHEET.md used as the template of the published
    one (its generated section is filled in); None uses a minimal template.

    Safe by default; each refusal leaves `out_dir` exactly as it was:
    - before any work, BuildUsageError / UnsafeOutputError / RegistryError (exit 2) for a
      missing raw folder, an `out_dir` that is neither absent, empty nor a corpus this tool
      published (or is a file, or sits inside `raw_dir`), and any problem of the registry;
    - OutputLockedError when another build is writing `out_dir`;
    - InternalBuildError when a file hit a bug (not bad input: an exception from our own
      code, a failed import, MemoryError), after reading every file so that the report is
      complete; with `keep_going` the corpus is published anyway and the files are listed
      in `BuildResult.internal_errors`;
    - PublishRefusedError when the new corpus has no record, or (without `allow_shrink`)
      would hold fewer than half of the records of the one it replaces.

    `engine` schedules the per-file work: `local` (a pool of `workers` processes, default
    all cores) or `dask` (the cluster at `scheduler`, or a local one); the output bytes
    are the same. Outcomes are cached in `cache_dir` (default `.OUT.cache/` beside
    `out_dir`) unless `use_cache` is False: unchanged files are not processed again, and
    when nothing changed at all an intact `out_dir` is left as it is. A cache held by
    another build is not used (`BuildResult.cache_note` says so).

    `near_duplicate_threshold` is the estimated Jaccard similarity at which a body counts
    as a near duplicate of a kept one (None: exact duplicates only).
    """
    if near_duplicate_threshold is not None and not 0 < near_duplicate_threshold <= 1:
        raise BuildUsageError(f"near-duplicate threshold {near_duplicate_threshold} not in (0, 1]")
    raw_path, out_path = Path(raw_dir).absolute(), Path(out_dir)
    if not raw_path.is_dir():
        raise BuildUsageError(f"raw folder {raw_dir} does not exist")
    if engine not in ENGINES:
        raise BuildUsageError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    cache_path = None
    if use_cache:
        cache_path = Path(cache_dir) if cache_dir else default_cache_path(out_path)
    check_output_folder(out_path, raw_path, cache_path)
    registry = load_registry(raw_path)
    template = Path(datasheet).read_text(encoding="utf-8") if datasheet else None
    files = discover_files(raw_path, registry)
    settings = _Settings(
        workers,
        max_bytes,
        shard_rows,
        shard_bytes,
        template,
        engine,
        scheduler,
        near_duplicate_threshold,
    )
    with output_lock(out_path):
        _recover(out_path)
        # Checked again under the lock: another process may have written there meanwhile.
        check_output_folder(out_path, raw_path, cache_path)
        previous = read_published_manifest(out_path) if out_path.is_dir() else None
        store, cache_note = None, None
        if cache_path is not None:
            try:
                store = BuildCache(cache_path)
            except CacheBusyError as exc:
                cache_note = f"{exc}: built without it"
        try:
            plan = _plan(files, registry, settings, store)
            current = _up_to_date(out_path, plan, store)
            if current is not None:
                if progress is not None:
                    progress(len(files), len(files))
                return current
            staging = Path(tempfile.mkdtemp(dir=out_path.parent, prefix=staging_prefix(out_path)))
            staging.chmod(0o755)  # mkdtemp makes it private; the published folder is not
            try:
                result, fingerprint = _build_into(
                    staging, files, registry, settings, plan, store, progress
                )
                # The per-file lists are not needed any more: free them before the
                # validation, the build's last and largest allocation.
                del files, plan
                _release_free_memory()
                _refuse_unsafe_publication(result, previous, keep_going, allow_shrink)
                _check_published(staging)
                published = _fingerprint_folder(staging)
                swap_into_place(staging, out_path)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            # A build that published files hitting bugs must redo them next time, so its
            # fingerprint is not remembered (the files themselves were never cached).
            if store is not None and fingerprint is not None and not result.internal_errors:
                store.set_published(out_path.absolute(), fingerprint, _remember(result, published))
        finally:
            if store is not None:
                store.close()
    result.out_dir = out_path
    result.cache_note = cache_note
    return result


def _refuse_unsafe_publication(
    result: BuildResult,
    previous: dict[str, Any] | None,
    keep_going: bool,
    allow_shrink: bool,
) -> None:
    """Raise when the new corpus must not replace the published one (see `build`)."""
    internal = [entry for entry in result.rejects if entry["reason"] == INTERNAL_ERROR]
    result.internal_errors = internal
    if internal and not keep_going:
        listed = "\n".join(
            f"  {entry['source_file']}: {entry['message']}" for entry in internal[:20]
        )
        more = f"\n  … and {len(internal) - 20} more" if len(internal) > 20 else ""
        raise InternalBuildError(
            f"{len(internal)} file(s) hit an internal error (a bug, not bad input); "
            f"nothing was published (--keep-going publishes without them):\n{listed}{more}"
        )
    records = result.outcomes["record"]
    reasons = Counter(entry["reason"] for entry in result.rejects)
    by_reason = ", ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
    counts = (
        f"{result.files_found} file(s): {records} record(s), "
        f"{result.outcomes['duplicate']} duplicate(s), {result.outcomes['rejected']} rejected"
        + (f" ({by_reason})" if by_reason else "")
    )
    if records == 0:
        raise PublishRefusedError(
            f"no record to publish ({counts}); nothing was published"
            + ("" if previous is None else ", the published corpus is unchanged")
        )
    before = published_record_count(previous) if previous is not None else 0
    if not allow_shrink and records * 2 < before:
        raise PublishRefusedError(
            f"the new corpus would drop {before - records} of the {before} published "
            f"records ({counts}); nothing was published (--allow-shrink to publish it)"
        )


@dataclass(frozen=True)
class _Settings:
    workers: int | None
    max_bytes: int
    shard_rows: int
    shard_bytes: int
    template: str | None
    engine: str
    scheduler: str | None
    near_duplicate_threshold: float | None

    def output_key(self) -> str:
        """What, besides the inputs, shapes the output bytes (not the engine)."""
        return repr(
            (
                self.max_bytes,
                self.shard_rows,
                self.shard_bytes,
                self.template,
                self.near_duplicate_threshold,
            )
        )


class _InputFingerprint:
    """A hash of every input file's cache key and of the settings that shape the output.

    Equal fingerprints mean equal output bytes. None (`hexdigest`) when some file's
    content is unknown without reading it (a file the cache has not seen).
    """

    def __init__(self, registry: dict[str, Source], settings: _Settings) -> None:
        self._digest = hashlib.sha256()
        self._max_bytes = settings.max_bytes
        self._complete = True
        for part in (code_fingerprint(), repr(sorted(registry.items())), settings.output_key()):
            self._digest.update(part.encode("utf-8") + b"\0")

    def add(self, raw: RawFile, key: str | None) -> None:
        """Take the next file (in input order) with its outcome key, if known."""
        if _inline(raw, self._max_bytes):
            self._digest.update(f"{raw.relpath}\0{raw.problem}\0{raw.size}\0".encode())
        elif key is None:
            self._complete = False
        else:
            self._digest.update(f"{raw.relpath}\0{key}\0".encode())

    def hexdigest(self) -> str | None:
        """Return the fingerprint, or None when some file's key was unknown."""
        return self._digest.hexdigest() if self._complete else None


class _Keys(Sequence[str | None]):
    """Cache keys (hex sha256, or None) of every file: 33 bytes a file, not a ≈ 113-byte
    string and a list slot (the plan lives as long as the build, for every file)."""

    def __init__(self) -> None:
        self._digests = bytearray()
        self._known = bytearray()

    def append(self, key: str | None) -> None:
        """Add the next file's key."""
        self._digests += bytes(32) if key is None else bytes.fromhex(key)
        self._known.append(key is not None)

    def __len__(self) -> int:
        return len(self._known)

    @overload
    def __getitem__(self, index: int) -> str | None: ...

    @overload
    def __getitem__(self, index: slice) -> list[str | None]: ...

    def __getitem__(self, index: int | slice) -> str | list[str | None] | None:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not self._known[index]:
            return None
        start = 32 * (index % len(self))
        return self._digests[start : start + 32].hex()


@dataclass
class _Plan:
    """Per file: its cache key when known without processing, and whether it is a hit."""

    keys: _Keys
    hits: bytearray  # 1 for a hit
    fingerprint: str | None  # of every input and setting; None if some file must be read


def _inline(raw: RawFile, max_bytes: int) -> bool:
    """True for files decided without reading them (unsafe links, over the size limit)."""
    return raw.problem is not None or raw.size > max_bytes


def _plan(
    files: Sequence[RawFile],
    registry: dict[str, Source],
    settings: _Settings,
    store: BuildCache | None,
) -> _Plan:
    """Look every file up in the cache by its stat (no reading) and fingerprint the inputs."""
    keys = _Keys()
    hits = bytearray()
    fingerprint = _InputFingerprint(registry, settings)
    # Looked up PLAN_BATCH files at a time: one SQL statement per batch, not per file.
    for start in range(0, len(files), PLAN_BATCH):
        batch = files[start : start + PLAN_BATCH]
        batch_keys: list[str | None] = [None] * len(batch)
        if store is not None:
            stats: list[tuple[str, StatKey]] = []
            for raw in batch:
                if not _inline(raw, settings.max_bytes):
                    with contextlib.suppress(OSError):
                        stats.append((raw.path, stat_key(os.stat(raw.path))))
            known = store.known_sha256_many(stats)
            for index, raw in enumerate(batch):
                sha = known.get(raw.path)
                if sha is not None and not _inline(raw, settings.max_bytes):
                    batch_keys[index] = outcome_key(sha, raw.relpath, raw.source)
            stored = store.has_many([key for key in batch_keys if key is not None])
        else:
            stored = set()
        for raw, key in zip(batch, batch_keys, strict=True):
            hit = key is not None and key in stored
            fingerprint.add(raw, key if hit else None)
            keys.append(key)
            hits.append(hit)
    return _Plan(keys, hits, fingerprint.hexdigest() if store is not None else None)


def _fingerprint_folder(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file of a published folder, by relative path."""
    return {
        path.relative_to(folder).as_posix(): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _remember(result: BuildResult, files: dict[str, str]) -> dict[str, Any]:
    return {
        "files": files,
        "files_found": result.files_found,
        "manifest": result.manifest,
        "stats": result.stats,
        "rejects": result.rejects,
    }


def _up_to_date(out_path: Path, plan: _Plan, store: BuildCache | None) -> BuildResult | None:
    """Return the last result if nothing changed and `out_path` is intact, else None.

    Nothing changed when every input file and setting hashes to the fingerprint of the
    last build published there; intact when every file of the folder still has the
    sha256 it was published with (no file added, removed or modified).
    """
    if store is None or plan.fingerprint is None or not out_path.is_dir():
        return None
    last = store.published(out_path.absolute())
    if last is None or last[0] != plan.fingerprint:
        return None
    value = last[1]
    if _fingerprint_folder(out_path) != value["files"]:
        return None
    return BuildResult(
        out_path,
        value["files_found"],
        value["manifest"],
        value["stats"],
        value["rejects"],
        processed=0,
        cached=len(plan.keys),
        up_to_date=True,
    )


def process_keyed(raw: RawFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Processed:
    """Process one raw file (the unit an engine schedules): (stat, sha256, outcomes).

    Same outcomes as `process_file`, in their wire form (`wire_outcomes`); also returns
    what the cache needs: the file's stat taken before reading it (so a later change is
    never mistaken for this content) and the sha256 of the bytes read (None when they
    could not be read).
    """
    try:
        stat = os.stat(raw.path)
        data = read_raw(raw, max_bytes)
    except (OSError, RejectError):
        return None, None, process_file(raw, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    try:
        return stat_key(stat), sha, wire_outcomes(process_bytes(raw, data))
    except Exception:
        return None, None, process_file(raw, max_bytes)  # its internal_error reject


# The fields of a record that the reducer and the ledger read.
_WIRE_FIELDS = ("id", "source_file", "raw_sha256")


def wire_outcomes(outcomes: list[Outcome]) -> list[Outcome]:
    """Return outcomes in the form they travel in from the engine to the cache and writer.

    Each record is marshalled once, where it was made (`blob`), and only the fields the
    reducer reads stay a dict: the main process then stores, spills and passes records
    on as bytes, and decodes each once, to write it. Rejects are unchanged.
    """
    wired = []
    for outcome in outcomes:
        if outcome["kind"] == "record" and "blob" not in outcome:
            record = outcome["record"]
            outcome = {
                **outcome,
                "record": {name: record[name] for name in _WIRE_FIELDS},
                "blob": marshal.dumps(record),
            }
        wired.append(outcome)
    return wired


class _LedgerTally(list[dict[str, Any]]):
    """Stands in for the reducer's entries once they are streamed to inputs.jsonl.

    It keeps only counts of (outcome, reason) and iterates over as many minimal entries,
    which is all `ledger.summarize` reads; the build's validation checks the manifest's
    counts against the ledger file, so a divergence would fail the build, not slip by.
    """

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[tuple[str, str | None]] = Counter()

    def tally(self, entry: dict[str, Any]) -> None:
        self.counts[(entry["outcome"], entry["reason"])] += 1

    def __len__(self) -> int:
        return sum(self.counts.values())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for (outcome, reason), count in sorted(self.counts.items(), key=repr):
            for _ in range(count):
                yield {"outcome": outcome, "reason": reason}


def _build_into(
    staging: Path,
    files: Sequence[RawFile],
    registry: dict[str, Source],
    settings: _Settings,
    plan: _Plan,
    store: BuildCache | None,
    progress: ProgressCallback | None,
) -> tuple[BuildResult, str | None]:
    """Process (or take from the cache), reduce and write; return the result and the
    fingerprint of the inputs (None when not every file could be keyed)."""
    fingerprint = _InputFingerprint(registry, settings)
    spill_root = Path(tempfile.mkdtemp(dir=staging.parent, prefix=f"{staging.name}-spill-"))
    reducer = Reducer(settings.near_duplicate_threshold, spill_root)
    width = 2 if len(files) < 2_000_000 else 3  # buckets of a few thousand rows at most
    spills = {split: SpillSorter(spill_root / split, width) for split in SPLITS}
    tally = _LedgerTally()
    rejects: list[dict[str, Any]] = []
    processed = cached = 0
    worker = functools.partial(process_keyed, max_bytes=settings.max_bytes)
    # RawFiles are made again on each access (see sources.RawFiles): only for misses here.
    misses = (
        raw
        for raw in (files[index] for index, hit in enumerate(plan.hits) if not hit)
        if not _inline(raw, settings.max_bytes)
    )
    results = engine_map(worker, misses, settings.engine, settings.workers, settings.scheduler)
    try:
        with (staging / LEDGER_FILE_NAME).open("w", encoding="utf-8", newline="\n") as ledger:
            # Files are reduced in chunks (the near-duplicate index hashes a chunk's
            # signatures at once), then stored, fingerprinted and logged file by file.
            chunk: list[tuple[RawFile, str | None, list[Outcome], _Put | None]] = []
            done = 0

            def reduce_chunk() -> None:
                nonlocal done
                flat = [o for _, _, outcomes, _ in chunk for o in outcomes]
                for outcome, published in zip(flat, reducer.add_all(flat), strict=True):
                    if published is not None:
                        split, record = published
                        blob = outcome.get("blob")
                        spills[split].add_blob(
                            record["id"], blob if blob is not None else marshal.dumps(record)
                        )
                entries = reducer.entries
                first = 0
                for raw, key, outcomes, put in chunk:
                    if put is not None and store is not None:
                        store.put(*put)
                    fingerprint.add(raw, key)
                    # Stream the ledger out: per-file entries must not pile up in memory.
                    for entry in entries[first : first + len(outcomes)]:
                        ledger.write(dumps_entry(entry) + "\n")
                        tally.tally(entry)
                        if entry["outcome"] == "rejected":
                            rejects.append(entry)
                    first += len(outcomes)
                    done += 1
                    if progress is not None:
                        progress(done, len(files))
                entries.clear()
                chunk.clear()

            # The engine's generator of misses is always ahead of this loop. Cached
            # outcomes are read PREFETCH_HITS at a time (one SQL statement, pack order).
            prefetched: dict[str, list[Outcome]] = {}
            for index, (raw, key, hit) in enumerate(zip(files, plan.keys, plan.hits, strict=True)):
                put: _Put | None = None
                outcomes = None
                if hit and store is not None and key:
                    if key not in prefetched:
                        prefetched = store.get_many(_next_hits(plan, index, PREFETCH_HITS))
                    outcomes = prefetched.pop(key, None)
                if outcomes is not None:
                    cached += 1
                elif _inline(raw, settings.max_bytes):
                    outcomes = process_file(raw, settings.max_bytes)
                else:
                    # A hit that vanished from the cache since the plan is done here: the
                    # engine's results are for the planned misses only, in their order.
                    stat, sha, outcomes = (
                        process_keyed(raw, settings.max_bytes) if hit else next(results)
                    )
                    processed += 1
                    key = None if sha is None else outcome_key(sha, raw.relpath, raw.source)
                    if key is not None and sha is not None:
                        put = (key, outcomes, raw.path, stat, sha)
                chunk.append((raw, key, outcomes, put))
                if len(chunk) >= REDUCE_CHUNK_FILES:
                    reduce_chunk()
            reduce_chunk()
        # The workers are done: stop them before writing, which they would only
        # watch while holding their memory.
        _close(results)
        data_dir = staging / "data"
        data_dir.mkdir()
        split_files: dict[str, list[dict[str, Any]]] = {}
        for split in SPLITS:
            writer = SplitWriter(split, data_dir, settings.shard_rows, settings.shard_bytes)
            try:
                for record in spills[split].sorted_records():
                    # Counted here, where each published record is decoded anyway.
                    reducer.stats.add(record, split)
                    writer.write(record)
            except BaseException:
                writer.abort()
                raise
            split_files[split] = [
                {
                    "path": shard.path.relative_to(staging).as_posix(),
                    "num_rows": shard.num_rows,
                    "num_bytes": shard.num_bytes,
                }
                for shard in writer.close()
            ]
    finally:
        _close(results)
        shutil.rmtree(spill_root, ignore_errors=True)
    reducer.entries = tally
    manifest, stats = write_publication(
        staging, split_files, reducer, registry, len(files), settings.template
    )
    result = BuildResult(staging, len(files), manifest, stats, rejects, processed, cached)
    return result, fingerprint.hexdigest() if store is not None else None


def _release_free_memory() -> None:
    """Give memory freed by the build back to the system before validating.

    Records crossed the main process as ≈ 6 KB byte strings from the C allocator;
    freed, they leave holes that the allocator keeps unless asked to trim (glibc's
    malloc_trim; elsewhere nothing to do), and later allocations then start from a
    higher floor the larger the corpus.
    """
    import gc

    gc.collect()
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _close(results: Iterator[Processed]) -> None:
    """Close an engine's result generator (it shuts its workers down); idempotent."""
    close = getattr(results, "close", None)
    if close is not None:
        close()


def _next_hits(plan: _Plan, start: int, count: int) -> list[str]:
    """The keys of the next `count` cache hits from file `start` on."""
    keys: list[str] = []
    for index in range(start, len(plan.hits)):
        key = plan.keys[index] if plan.hits[index] else None
        if key is not None:
            keys.append(key)
            if len(keys) >= count:
                break
    return keys


def _check_published(folder: Path) -> None:
    from newscorpus.validate import validate_path

    report = validate_path(folder)
    if not report.ok:
        details = "\n".join(str(p) for p in report.problems[:20])
        raise InternalBuildError(
            f"the new corpus failed validation; nothing was published:\n{details}"
        )
