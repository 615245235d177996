"""Running a piece of validation in a forked process beside the main one."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, TypeVar


def spare_core() -> bool:
    """True when a forked process can run beside this one: fork exists, more than one
    core is ours, and no other Python thread runs (a fork copies only the caller's)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) > 1
    return (os.cpu_count() or 1) > 1


_T = TypeVar("_T")


class Forked(Generic[_T]):
    """`work()` run in a forked process from now on (`spare_core`), or else in this
    one when `result` is asked for; also there when the child fails in any way."""

    def __init__(self, work: Callable[[], _T], fork: bool = True) -> None:
        self.work = work
        self.pid = 0
        self.reader = -1
        if not fork or not spare_core():
            return
        reader, writer = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return
        if pid == 0:  # the child: never returns into the caller's code
            code = 1
            try:
                os.close(reader)
                with os.fdopen(writer, "wb") as stream:
                    pickle.dump(work(), stream, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self.pid, self.reader = pid, reader

    def result(self) -> _T:
        """The value of `work()`, from the child when it delivered one."""
        if self.pid:
            pid, self.pid = self.pid, 0
            with os.fdopen(self.reader, "rb") as stream:
                self.reader = -1
                data = stream.read()
            try:
                _, status = os.waitpid(pid, 0)
                delivered = os.waitstatus_to_exitcode(status) == 0
            except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): a whole
                delivered = True  # pickle (it ends with STOP) is still the child's result
            if delivered:
                with contextlib.suppress(Exception):
                    value: _T = pickle.loads(data)
                    return value
        return self.work()

    def close(self) -> None:
        """Stop and reap the child if `result` was never asked for (an exception)."""
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0
