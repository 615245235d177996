"""The build: discover, process (any executor), reduce, write, publish — atomically.

The reduce step is the only place that decides order, duplicates and splits, so the output
is the same whatever schedules `process_file`. The new folder is built beside the old
one, validated, then swapped in with one atomic rename; a failed or killed build leaves the
previous folder as it was. A lock file keeps two builds from writing the same output.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscorpus.executors import default_workers, ordered_map
from newscorpus.ledger import LEDGER_FILE_NAME, dumps_entry
from newscorpus.pipeline import DEFAULT_MAX_BYTES, process_file
from newscorpus.publish import write_publication
from newscorpus.reduce import Reducer
from newscorpus.sources import RawFile, Source, discover, load_registry
from newscorpus.splits import SPLITS
from newscorpus.writer import DEFAULT_SHARD_ROWS, write_split

ProgressCallback = Callable[[int, int], None]


class BuildError(RuntimeError):
    """The build could not publish (locked output, invalid result); nothing was changed."""


@dataclass
class BuildResult:
    """What a build did: counts per outcome and split, the rejects, where it published."""

    out_dir: Path
    files_found: int
    manifest: dict[str, Any]
    stats: dict[str, Any]
    rejects: list[dict[str, Any]] = field(default_factory=list)

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
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(
                f"another build is writing {out_dir} (lock {lock_path} is held); "
                "wait for it to finish"
            ) from None
        yield
    finally:
        handle.close()


_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
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
    aside = out_dir.parent / f".{out_dir.name}.old"
    out_dir.rename(aside)
    new_dir.rename(out_dir)
    shutil.rmtree(aside)


def _recover(out_dir: Path) -> None:
    """Clean up what a killed build left beside `out_dir` (called under the lock)."""
    aside = out_dir.parent / f".{out_dir.name}.old"
    if aside.exists():
        if out_dir.exists():
            shutil.rmtree(aside)
        else:
            aside.rename(out_dir)
    for stale in out_dir.parent.glob(f".{out_dir.name}.build-*"):
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
) -> BuildResult:
    """Build the corpus from `raw_dir` and publish it atomically to `out_dir`.

    Every file under `raw_dir` ends in the ledger as a record, a duplicate or a reject.
    `datasheet` names the hand-written DATASHEET.md used as the template of the published
    one (its generated section is filled in); None uses a minimal template. Raises
    BuildError when the output is locked by another build or the result fails validation,
    leaving `out_dir` untouched; RegistryError when raw/sources.toml is missing or malformed.
    """
    raw_path, out_path = Path(raw_dir), Path(out_dir)
    if not raw_path.is_dir():
        raise BuildError(f"raw folder {raw_path} does not exist")
    registry = load_registry(raw_path)
    files = list(discover(raw_path, registry))
    with output_lock(out_path):
        _recover(out_path)
        staging = Path(tempfile.mkdtemp(dir=out_path.parent, prefix=f".{out_path.name}.build-"))
        staging.chmod(0o755)  # mkdtemp makes it private; the published folder is not
        try:
            result = _build_into(
                staging, files, registry, workers, max_bytes, shard_rows, datasheet, progress
            )
            _check_published(staging)
            swap_into_place(staging, out_path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    result.out_dir = out_path
    return result


def _build_into(
    staging: Path,
    files: list[RawFile],
    registry: dict[str, Source],
    workers: int | None,
    max_bytes: int,
    shard_rows: int,
    datasheet: str | os.PathLike[str] | None,
    progress: ProgressCallback | None,
) -> BuildResult:
    reducer = Reducer()
    rows: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
    worker = functools.partial(process_file, max_bytes=max_bytes)
    count = workers if workers is not None else default_workers()
    for done, outcomes in enumerate(ordered_map(worker, files, count), start=1):
        for outcome in outcomes:
            published = reducer.add(outcome)
            if published is not None:
                rows[published[0]].append(published[1])
        if progress is not None:
            progress(done, len(files))
    data_dir = staging / "data"
    data_dir.mkdir()
    split_files: dict[str, list[dict[str, Any]]] = {}
    for split in SPLITS:
        shards = write_split(split, rows[split], data_dir, shard_rows)
        split_files[split] = [_shard_info(path, staging) for path in shards]
    ledger_path = staging / LEDGER_FILE_NAME
    with ledger_path.open("w", encoding="utf-8", newline="\n") as handle:
        for entry in reducer.entries:
            handle.write(dumps_entry(entry) + "\n")
    template = Path(datasheet).read_text(encoding="utf-8") if datasheet else None
    manifest, stats = write_publication(
        staging, split_files, reducer, registry, len(files), template
    )
    rejects = [e for e in reducer.entries if e["outcome"] == "rejected"]
    return BuildResult(staging, len(files), manifest, stats, rejects)


def _shard_info(path: Path, root: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    metadata = pq.read_metadata(path)
    table = pq.read_table(path)
    return {
        "path": path.relative_to(root).as_posix(),
        "num_rows": metadata.num_rows,
        "num_bytes": table.nbytes,
    }


def _check_published(folder: Path) -> None:
    from newscorpus.validate import validate_path

    report = validate_path(folder)
    if not report.ok:
        details = "\n".join(str(p) for p in report.problems[:20])
        raise BuildError(f"the new corpus failed validation; nothing was published:\n{details}")
