"""Executors only schedule a pure per-file function over raw files; never write or reorder.

Results come back in input order whatever the executor, so the reduce step sees the same
sequence from one process, a pool of N, or a Dask cluster. Work is submitted in batches
through a bounded window: at most `window` batches are in flight, so memory stays flat
however many files there are (`ProcessPoolExecutor.map` would submit them all at once).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

from newscorpus.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_BATCH = 32
ENGINES = ("local", "dask")


class EngineError(UsageError, RuntimeError):
    """The engine cannot run (Dask missing, scheduler unreachable): exit 2."""


def default_workers() -> int:
    """Return the number of worker processes to use by default: every usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Make this worker exit once process `parent` (the build) is gone.

    Pool workers wait on a queue whose pipe every worker holds both ends of, so they
    never see the end of a build killed by SIGKILL, and would idle forever.
    """

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, another user's (the pid was reused)
                pass

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def apply_batch(function: Callable[[T], R], batch: list[T]) -> list[R]:
    """Apply `function` to each item of a batch (the unit shipped to a worker)."""
    return [function(item) for item in batch]


def windowed_map(
    submit: Callable[[list[T]], Any],
    result: Callable[[Any], list[R]],
    items: Iterable[T],
    batch: int,
    window: int,
) -> Iterator[R]:
    """Yield results in input order, keeping at most `window` batches submitted ahead.

    `submit(batch)` starts a batch and returns a handle; `result(handle)` waits for it.
    """
    iterator = iter(items)
    pending: deque[Any] = deque()

    def submit_next() -> None:
        chunk = list(islice(iterator, batch))
        if chunk:
            pending.append(submit(chunk))

    for _ in range(window):
        submit_next()
    while pending:
        done = result(pending.popleft())
        submit_next()  # before yielding: keep the workers busy while the caller works
        yield from done


def ordered_map(
    function: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    chunksize: int = DEFAULT_BATCH,
    window: int | None = None,
) -> Iterator[R]:
    """Apply `function` to `items` in `workers` processes, yielding results in input order.

    `workers <= 1` runs in this process (no pickling), which is also what tests use to
    check that parallel output is identical. At most `window` batches of `chunksize`
    items are in flight (default: four per worker).
    """
    if workers <= 1:
        yield from map(function, items)
        return
    in_flight = window if window is not None else 4 * workers
    # forkserver, not fork: forked workers would inherit the build's open files (the
    # output lock, the cache database), so workers orphaned by a killed build would
    # keep the output locked, and SQLite connections must not cross a fork.
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        yield from windowed_map(
            lambda chunk: pool.submit(apply_batch, function, chunk),
            lambda future: list(future.result()),
            items,
            chunksize,
            in_flight,
        )
    finally:
        # An abandoned iteration (an error downstream) must not wait for queued batches.
        pool.shutdown(wait=True, cancel_futures=True)


def dask_ordered_map(
    function: Callable[[T], R],
    items: Iterable[T],
    scheduler: str | None = None,
    workers: int | None = None,
    chunksize: int = DEFAULT_BATCH,
    window: int | None = None,
) -> Iterator[R]:
    """Like `ordered_map`, on a Dask cluster: `scheduler` is its address (tcp://host:8786).

    Without an address a `LocalCluster` of `workers` processes is started for this call.
    Workers need newscorpus installed and the raw files at the same (shared) paths.
    """
    try:
        # Imported as Any: an optional extra, and distributed is not typed.
        distributed: Any = importlib.import_module("distributed")
    except ImportError as exc:
        raise EngineError("the dask engine needs Dask: pip install 'newscorpus[dask]'") from exc
    cluster = None
    if scheduler is None:
        count = workers if workers is not None else default_workers()
        cluster = distributed.LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    else:
        try:
            client = distributed.Client(scheduler, timeout=30)
        except OSError as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    try:
        threads = sum(client.nthreads().values()) or 1
        in_flight = window if window is not None else 4 * threads
        yield from windowed_map(
            # pure=False: identical batches (two runs) must not be deduplicated by key.
            lambda chunk: client.submit(apply_batch, function, chunk, pure=False),
            lambda future: list(future.result()),
            items,
            chunksize,
            in_flight,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def engine_map(
    function: Callable[[T], R],
    items: Iterable[T],
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[R]:
    """Run `function` over `items` on the named engine (`local` or `dask`), in input order."""
    if engine == "local":
        count = workers if workers is not None else default_workers()
        return ordered_map(function, items, count)
    if engine == "dask":
        return dask_ordered_map(function, items, scheduler=scheduler, workers=workers)
    raise EngineError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
