"""Executors only schedule `process_file` over raw files; they never write or reorder.

Results come back in input order whatever the executor, so the reduce step sees the same
sequence from one process, a pool of N, or a distributed engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """Return the number of worker processes to use by default: every usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(
    function: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int = 64
) -> Iterator[R]:
    """Apply `function` to `items` in `workers` processes, yielding results in input order.

    `workers <= 1` runs in this process (no pickling), which is also what tests use to
    check that parallel output is identical.
    """
    if workers <= 1:
        yield from map(function, items)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(function, items, chunksize=chunksize)
