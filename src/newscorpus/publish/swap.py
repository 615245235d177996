"""Publishing atomically: the lock on an output, the swap of a new folder into its
place, and the clean-up of what a killed build left beside it."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from newscorpus.errors import OutputLockedError
from newscorpus.publish.folder import aside_path, lock_path, staging_prefix


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


def libc() -> ctypes.CDLL:
    """The C library's functions, from the symbols already loaded in this process.

    Not `ctypes.util.find_library`: on Linux it runs `ldconfig` in a subprocess, a
    fork of the whole build (hundreds of MB, counted again in the process tree's
    memory while it lives).
    """
    return ctypes.CDLL(None, use_errno=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    renameat2 = getattr(libc(), "renameat2", None)
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
    build if a crash falls between the two renames (see `recover_beside`).
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


def recover_beside(out_dir: Path) -> None:
    """Clean up what a killed build left beside `out_dir` (called under the lock)."""
    aside = aside_path(out_dir)
    if aside.exists():
        if out_dir.exists():
            shutil.rmtree(aside)
        else:
            aside.rename(out_dir)
    for stale in out_dir.parent.glob(f"{staging_prefix(out_dir)}*"):
        shutil.rmtree(stale, ignore_errors=True)
