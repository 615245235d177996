"""The build: discover, process (any executor), reduce, write, publish — atomically.

The stages, each in its own place:

1. check the request (`--out`, the registry) before any work;
2. plan from the cache (`run/plan.py`): which files it answers, and a fingerprint;
3. `_FileOutcomes`: every file's outcomes in input order, from the cache or from the
   one scheduled unit `pipeline.process_file` on an engine (`run/executors.py`);
4. `_reduce_into_spills`: the reducer (`run/reduce.py`) decides duplicates and splits and
   writes the ledger; published records wait in spill files;
5. `_write_splits`: records in id order to the Parquet writers (`run/writer.py`);
6. `publish.manifest.write_publication`, the safety rules, a validation of the new folder
   (`check/`), then the atomic swap (`publish/swap.py`).

Memory stays flat whatever the corpus size: records stream from the reducer to spill
files and from there to the writers. A failed or killed build leaves the previous folder
as it was; a lock keeps two builds from writing the same output.
"""

from __future__ import annotations

import dataclasses
import functools
import marshal
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from newscorpus.errors import (
    BuildError,
    BuildUsageError,
    InternalBuildError,
    OutputLockedError,
    PublishRefusedError,
)
from newscorpus.publish.folder import (
    LEDGER_FILE_NAME,
    check_output_folder,
    config_dir,
    default_cache_path,
    published_record_count,
    read_published_manifest,
    sha256_file,
    staging_prefix,
)
from newscorpus.publish.manifest import write_publication
from newscorpus.publish.swap import libc, output_lock, recover_beside, swap_into_place
from newscorpus.read.sources import RawFile, Source, discover_files, load_registry
from newscorpus.record.schema import CONFIGS, DEFAULT_CONFIG
from newscorpus.record.splits import SPLITS
from newscorpus.run.cache import BuildCache, CacheBusyError, StatKey, outcome_key
from newscorpus.run.executors import ENGINES, engine_map
from newscorpus.run.pipeline import Outcome, Processed, file_outcomes, process_file
from newscorpus.run.plan import InputFingerprint, Plan, decided_unread, next_hits, plan_build
from newscorpus.run.reduce import Reducer
from newscorpus.run.writer import SpillSorter, SplitWriter
from newscorpus.settings import BuildSettings

__all__ = [
    "BuildError",
    "BuildResult",
    "BuildUsageError",
    "InternalBuildError",
    "OutputLockedError",
    "ProgressCallback",
    "PublishRefusedError",
    "build",
]

ProgressCallback = Callable[[int, int], None]
# What `BuildCache.put` takes for one processed file: key, outcomes, path, stat, sha256.
_Put = tuple[str, list[Outcome], str, StatKey | None, str]
# Files reduced together (their signatures hashed in one batch by the duplicate index).
REDUCE_CHUNK_FILES = 64
# Cached outcomes read ahead per SQL statement.
PREFETCH_HITS = 256
# Reason code of a file that hit a bug rather than being bad input.
INTERNAL_ERROR = "internal_error"
# Seconds of work between two progress lines when stderr is not a terminal (a log, CI):
# a long build, or one long file, says it is alive and how fast it goes. Read when a
# build starts (tests set it to 0: a line per file).
PROGRESS_INTERVAL = 10.0


class _ProgressLines:
    """Progress lines on a stream that is not a terminal (a terminal has the CLI's bar):
    files decided of all, records, rejects and files a second, at least every `interval`
    seconds while the build works, from the files as they are decided and from a
    heartbeat thread (a long file, the writing or the check still get their lines).

    `stage` names what the build is doing ("reading", "writing", "checking").
    """

    def __init__(self, total: int, stream: TextIO, interval: float) -> None:
        self.total, self.stream, self.interval = total, stream, interval
        self.done = self.records = self.rejects = 0
        self.stage = "reading"
        self._start = self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heart = threading.Thread(target=self._beat, name="build-progress", daemon=True)
        self._heart.start()

    def file_done(self, entries: list[dict[str, Any]]) -> None:
        """Count one decided file (its ledger entries); write a line when one is due."""
        self.done += 1
        for entry in entries:
            if entry["outcome"] == "record":
                self.records += 1
            elif entry["outcome"] == "rejected":
                self.rejects += 1
        self.tick()

    def tick(self) -> None:
        """Write a line if `interval` seconds passed since the last one."""
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.interval:
                return
            self._last = now
            rate = self.done / max(now - self._start, 1e-9)
            self.stream.write(
                f"building: {self.done}/{self.total} files, {self.records} records, "
                f"{self.rejects} rejects, {rate:.1f} files/s ({self.stage})\n"
            )
            self.stream.flush()

    def _beat(self) -> None:
        # Wakes when the next line is due (a poll at least every 50 ms with interval 0).
        while not self._stop.wait(max(0.05, self._last + self.interval - time.monotonic())):
            self.tick()

    def close(self) -> None:
        """Stop the heartbeat; idempotent."""
        self._stop.set()
        self._heart.join()


def _progress_lines(total: int) -> _ProgressLines | None:
    """The progress lines of a build with `total` files, when stderr is not a terminal."""
    stream = sys.stderr
    isatty = getattr(stream, "isatty", None)
    if stream is None or isatty is None or isatty():
        return None
    return _ProgressLines(total, stream, PROGRESS_INTERVAL)


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
    # Ledger entries of files a source's `exclude` patterns skipped (not inputs).
    excluded: list[dict[str, Any]] = field(default_factory=list)
    # What a reader noticed in files it read without rejecting them ({source_file,
    # message}): e.g. a text that looks like one story per line under the default rule.
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def outcomes(self) -> dict[str, int]:
        """Ledger entries per outcome (`record`, `duplicate`, `rejected`)."""
        counts: dict[str, int] = self.manifest["ledger"]["outcomes"]
        return counts


def build(
    raw_dir: str | os.PathLike[str] = "raw",
    out_dir: str | os.PathLike[str] = "processed",
    settings: BuildSettings | None = None,
    *,
    progress: ProgressCallback | None = None,
    **overrides: Any,
) -> BuildResult:
    """Build the corpus from `raw_dir` and publish it atomically to `out_dir`.

    `settings` (a `BuildSettings`, default: the defaults) says how; keyword `overrides`
    replace its fields (`build("raw", "out", workers=1)`). `progress(done, total)` is
    called as files are decided. Every file under `raw_dir` ends in the ledger as a
    record, a duplicate or a reject.

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

    The engine changes where the work runs, never the bytes. Outcomes are cached (see
    `BuildSettings`): unchanged files are not processed again, and when nothing changed
    at all an intact `out_dir` is left as it is. A cache held by another build is not
    used (`BuildResult.cache_note` says so).

    When stderr is not a terminal, a progress line (files done, records, rejects, files
    a second) goes there at least every `PROGRESS_INTERVAL` seconds of work.
    """
    settings = dataclasses.replace(settings or BuildSettings(), **overrides)
    threshold = settings.near_duplicate_threshold
    if threshold is not None and not 0 < threshold <= 1:
        raise BuildUsageError(f"near-duplicate threshold {threshold} not in (0, 1]")
    raw_path, out_path = Path(raw_dir).absolute(), Path(out_dir)
    if not raw_path.is_dir():
        raise BuildUsageError(f"raw folder {raw_dir} does not exist")
    if settings.engine not in ENGINES:
        raise BuildUsageError(
            f"unknown engine {settings.engine!r} (expected one of {', '.join(ENGINES)})"
        )
    cache_path = None
    if settings.use_cache:
        cache_path = Path(settings.cache_dir or default_cache_path(out_path))
    check_output_folder(out_path, raw_path, cache_path)
    registry = load_registry(raw_path)
    template = Path(settings.datasheet).read_text(encoding="utf-8") if settings.datasheet else None
    files = discover_files(raw_path, registry)
    with output_lock(out_path):
        recover_beside(out_path)
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
            key = _output_key(settings, template)
            plan = plan_build(files, registry, key, settings.max_bytes, store)
            current = _up_to_date(out_path, plan, store)
            if current is not None:
                if progress is not None:
                    progress(len(files), len(files))
                return current
            staging = Path(tempfile.mkdtemp(dir=out_path.parent, prefix=staging_prefix(out_path)))
            staging.chmod(0o755)  # mkdtemp makes it private; the published folder is not
            lines = _progress_lines(len(files))
            try:
                fingerprint = InputFingerprint(registry, key, settings.max_bytes)
                result = _build_into(
                    staging,
                    files,
                    registry,
                    settings,
                    template,
                    plan,
                    store,
                    fingerprint,
                    progress,
                    lines,
                )
                # The per-file lists are not needed any more: free them before the
                # validation, the build's last and largest allocation.
                del files, plan
                _release_free_memory()
                _refuse_unsafe_publication(result, previous, settings)
                if lines is not None:
                    lines.stage = "checking"
                _check_published(staging)
                published = _fingerprint_folder(staging)
                swap_into_place(staging, out_path)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            finally:
                if lines is not None:
                    lines.close()
            # A build that published files hitting bugs must redo them next time, so its
            # fingerprint is not remembered (the files themselves were never cached).
            digest = fingerprint.hexdigest() if store is not None else None
            if store is not None and digest is not None and not result.internal_errors:
                store.set_published(out_path.absolute(), digest, _remember(result, published))
        finally:
            if store is not None:
                store.close()
    result.out_dir = out_path
    result.cache_note = cache_note
    return result


def _output_key(settings: BuildSettings, template: str | None) -> str:
    """What, besides the inputs, shapes the output bytes (not the engine)."""
    return repr(
        (
            settings.max_bytes,
            settings.shard_rows,
            settings.shard_bytes,
            template,
            settings.near_duplicate_threshold,
        )
    )


def _refuse_unsafe_publication(
    result: BuildResult, previous: dict[str, Any] | None, settings: BuildSettings
) -> None:
    """Raise when the new corpus must not replace the published one (see `build`)."""
    internal = [entry for entry in result.rejects if entry["reason"] == INTERNAL_ERROR]
    result.internal_errors = internal
    if internal and not settings.keep_going:
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
    if not settings.allow_shrink and records * 2 < before:
        raise PublishRefusedError(
            f"the new corpus would drop {before - records} of the {before} published "
            f"records ({counts}); nothing was published (--allow-shrink to publish it)"
        )


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
        "excluded": result.excluded,
        "warnings": result.warnings,
    }


def _up_to_date(out_path: Path, plan: Plan, store: BuildCache | None) -> BuildResult | None:
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
        excluded=value.get("excluded", []),
        warnings=value.get("warnings", []),
    )


@dataclass
class _Decided:
    """One file's outcomes, and what the cache must store for it (None: nothing)."""

    raw: RawFile
    key: str | None
    outcomes: list[Outcome]
    put: _Put | None


class _FileOutcomes:
    """Every file's outcomes in input order: from the cache where the plan found them,
    else from `process_file` on the engine (planned misses, in their order)."""

    def __init__(
        self,
        files: Sequence[RawFile],
        plan: Plan,
        store: BuildCache | None,
        settings: BuildSettings,
    ) -> None:
        self._files, self._plan, self._store = files, plan, store
        self._max_bytes = settings.max_bytes
        self.processed = self.cached = 0
        worker = functools.partial(process_file, max_bytes=settings.max_bytes)
        # RawFiles are made again on each access (see sources.RawFiles): only misses here.
        misses = (
            raw
            for raw in (files[index] for index, hit in enumerate(plan.hits) if not hit)
            if not decided_unread(raw, settings.max_bytes)
        )
        self._results = engine_map(
            worker, misses, settings.engine, settings.workers, settings.scheduler
        )

    def __iter__(self) -> Iterator[_Decided]:
        plan, store = self._plan, self._store
        # The engine's generator of misses is always ahead of this loop. Cached outcomes
        # are read PREFETCH_HITS at a time (one SQL statement, pack order).
        prefetched: dict[str, list[Outcome]] = {}
        for index, (raw, key, hit) in enumerate(
            zip(self._files, plan.keys, plan.hits, strict=True)
        ):
            outcomes = None
            if hit and store is not None and key:
                if key not in prefetched:
                    prefetched = store.get_many(next_hits(plan, index, PREFETCH_HITS))
                outcomes = prefetched.pop(key, None)
            if outcomes is not None:
                self.cached += 1
                yield _Decided(raw, key, outcomes, None)
            elif decided_unread(raw, self._max_bytes):
                yield _Decided(raw, key, file_outcomes(raw, self._max_bytes), None)
            else:
                # A hit that vanished from the cache since the plan is done here: the
                # engine's results are for the planned misses only, in their order.
                processed: Processed = (
                    process_file(raw, self._max_bytes) if hit else next(self._results)
                )
                stat, sha, outcomes = processed
                self.processed += 1
                key = None if sha is None else outcome_key(sha, raw.relpath, raw.source)
                put = None if key is None or sha is None else (key, outcomes, raw.path, stat, sha)
                yield _Decided(raw, key, outcomes, put)

    def close(self) -> None:
        """Stop the engine (it shuts its workers down); idempotent."""
        close = getattr(self._results, "close", None)
        if close is not None:
            close()


def _reduce_into_spills(
    decided: Iterator[_Decided],
    reducer: Reducer,
    spills: dict[str, SpillSorter],
    store: BuildCache | None,
    fingerprint: InputFingerprint,
    on_file: Callable[[list[dict[str, Any]], list[Outcome]], None],
) -> None:
    """Reduce every file's outcomes in order; spill the published records.

    Files are reduced in chunks (the duplicate indexes look a chunk's keys up at once),
    then stored in the cache, fingerprinted and reported (`on_file` with the file's
    ledger entries and outcomes) file by file.
    """
    chunk: list[_Decided] = []

    def reduce_chunk() -> None:
        flat = [outcome for item in chunk for outcome in item.outcomes]
        for outcome, published in zip(flat, reducer.add_all(flat), strict=True):
            if published is not None:
                split, record = published
                blob = outcome.get("blob")
                spills[split].add_blob(
                    record["id"], blob if blob is not None else marshal.dumps(record)
                )
        entries = reducer.take_entries()
        first = 0
        for item in chunk:
            if item.put is not None and store is not None:
                store.put(*item.put)
            fingerprint.add(item.raw, item.key)
            on_file(entries[first : first + len(item.outcomes)], item.outcomes)
            first += len(item.outcomes)
        chunk.clear()

    for item in decided:
        chunk.append(item)
        if len(chunk) >= REDUCE_CHUNK_FILES:
            reduce_chunk()
    reduce_chunk()


def _write_splits(
    staging: Path, spills: dict[str, SpillSorter], reducer: Reducer, settings: BuildSettings
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Write each split's records, in id order, to its Parquet shards, and the rows of the
    derived configs (`record/tasks.py`) beside them; count the figures. Returns each
    config's shards per split ("default": the articles)."""
    written: dict[str, dict[str, list[dict[str, Any]]]] = {config: {} for config in CONFIGS}
    folders = {config: staging / config_dir(config) for config in CONFIGS}
    for folder in folders.values():
        folder.mkdir()
    for split in SPLITS:
        derived = [
            SplitWriter(split, folders[config], settings.shard_rows, settings.shard_bytes, config)
            for config in CONFIGS
            if config != DEFAULT_CONFIG
        ]
        articles = SplitWriter(
            split,
            folders[DEFAULT_CONFIG],
            settings.shard_rows,
            settings.shard_bytes,
            derived=derived,
        )
        writers = {DEFAULT_CONFIG: articles, **{writer.config: writer for writer in derived}}
        try:
            for record in spills[split].sorted_records():
                # Counted here, where each published record is decoded anyway.
                reducer.stats.add(record, split)
                articles.write(record)
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        for config, writer in writers.items():
            written[config][split] = [
                {
                    "path": shard.path.relative_to(staging).as_posix(),
                    "num_rows": shard.num_rows,
                    "num_bytes": shard.num_bytes,
                }
                for shard in writer.close()
            ]
    return written


def _build_into(
    staging: Path,
    files: Sequence[RawFile],
    registry: dict[str, Source],
    settings: BuildSettings,
    template: str | None,
    plan: Plan,
    store: BuildCache | None,
    fingerprint: InputFingerprint,
    progress: ProgressCallback | None,
    lines: _ProgressLines | None = None,
) -> BuildResult:
    """Process (or take from the cache), reduce, write and describe the corpus in
    `staging`; `fingerprint` takes every input as it is decided, `lines` (if any) counts
    the files and is told the stage."""
    spill_root = Path(tempfile.mkdtemp(dir=staging.parent, prefix=f"{staging.name}-spill-"))
    width = 2 if len(files) < 2_000_000 else 3  # buckets of a few thousand rows at most
    spills = {split: SpillSorter(spill_root / split, width) for split in SPLITS}
    rejects: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    warnings: list[dict[str, str]] = []
    done = 0

    def on_file(entries: list[dict[str, Any]], outcomes: list[Outcome]) -> None:
        nonlocal done
        rejects.extend(entry for entry in entries if entry["outcome"] == "rejected")
        excluded.extend(entry for entry in entries if entry["outcome"] == "excluded")
        for outcome in outcomes:
            if outcome.get("warnings"):
                where = outcome.get("source_file") or outcome["record"]["source_file"]
                warnings.extend({"source_file": where, "message": m} for m in outcome["warnings"])
        done += 1
        if progress is not None:
            progress(done, len(files))
        if lines is not None:
            lines.file_done(entries)

    decided = _FileOutcomes(files, plan, store, settings)
    try:
        with (staging / LEDGER_FILE_NAME).open("w", encoding="utf-8", newline="\n") as ledger:
            reducer = Reducer(settings.near_duplicate_threshold, spill_root, ledger)
            _reduce_into_spills(iter(decided), reducer, spills, store, fingerprint, on_file)
        # The workers are done: stop them before writing, which they would only watch
        # while holding their memory.
        decided.close()
        if lines is not None:
            lines.stage = "writing"
        config_files = _write_splits(staging, spills, reducer, settings)
    finally:
        decided.close()
        shutil.rmtree(spill_root, ignore_errors=True)
    manifest, stats = write_publication(
        staging,
        config_files,
        reducer.ledger_summary(),
        reducer.stats,
        registry,
        len(files),
        template,
    )
    return BuildResult(
        staging,
        len(files),
        manifest,
        stats,
        rejects,
        decided.processed,
        decided.cached,
        excluded=excluded,
        warnings=warnings,
    )


def _release_free_memory() -> None:
    """Give memory freed by the build back to the system before validating.

    Records crossed the main process as ≈ 6 KB byte strings from the C allocator;
    freed, they leave holes that the allocator keeps unless asked to trim (glibc's
    malloc_trim; elsewhere nothing to do), and later allocations then start from a
    higher floor the larger the corpus.
    """
    import gc

    gc.collect()
    trim = getattr(libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _check_published(folder: Path) -> None:
    """The new folder, checked before it replaces the published one. Its records were
    each validated in the worker that made them (`records_proven`): the rest of the
    folder is checked as `newscorpus validate` does."""
    from newscorpus.check.published import validate_path

    report = validate_path(folder, records_proven=True)
    if not report.ok:
        details = "\n".join(str(p) for p in report.problems[:20])
        raise InternalBuildError(
            f"the new corpus failed validation; nothing was published:\n{details}"
        )
