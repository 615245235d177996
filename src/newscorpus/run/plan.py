"""Planning a build from the cache: which files it answers, and a fingerprint of it all.

Before anything is read, every file is looked up in the cache by its stat; the plan
holds each file's outcome key (when known) and whether the cache has its outcomes. The
fingerprint hashes every input's key with the code and the output-shaping settings:
equal fingerprints mean equal output bytes, so an unchanged build can stop early.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from newscorpus.read.sources import RawFile, Source
from newscorpus.run.cache import BuildCache, StatKey, code_fingerprint, outcome_key, stat_key

# Files looked up in the cache per batch while planning.
PLAN_BATCH = 500


class InputFingerprint:
    """A hash of every input file's cache key and of the settings that shape the output.

    Equal fingerprints mean equal output bytes. None (`hexdigest`) when some file's
    content is unknown without reading it (a file the cache has not seen).
    """

    def __init__(self, registry: dict[str, Source], output_key: str, max_bytes: int) -> None:
        """`output_key`: what, besides the inputs, shapes the output bytes."""
        self._digest = hashlib.sha256()
        self._max_bytes = max_bytes
        self._complete = True
        for part in (code_fingerprint(), repr(sorted(registry.items())), output_key):
            self._digest.update(part.encode("utf-8") + b"\0")

    def add(self, raw: RawFile, key: str | None) -> None:
        """Take the next file (in input order) with its outcome key, if known."""
        if decided_unread(raw, self._max_bytes):
            self._digest.update(f"{raw.relpath}\0{raw.problem}\0{raw.size}\0".encode())
        elif key is None:
            self._complete = False
        else:
            self._digest.update(f"{raw.relpath}\0{key}\0".encode())

    def hexdigest(self) -> str | None:
        """Return the fingerprint, or None when some file's key was unknown."""
        return self._digest.hexdigest() if self._complete else None


class CacheKeys(Sequence[str | None]):
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
class Plan:
    """Per file: its cache key when known without processing, and whether it is a hit."""

    keys: CacheKeys
    hits: bytearray  # 1 for a hit
    fingerprint: str | None  # of every input and setting; None if some file must be read


def decided_unread(raw: RawFile, max_bytes: int) -> bool:
    """True for files decided without reading them (unsafe links, over the size limit)."""
    return raw.problem is not None or raw.size > max_bytes


def plan_build(
    files: Sequence[RawFile],
    registry: dict[str, Source],
    output_key: str,
    max_bytes: int,
    store: BuildCache | None,
) -> Plan:
    """Look every file up in the cache by its stat (no reading) and fingerprint the inputs."""
    keys = CacheKeys()
    hits = bytearray()
    fingerprint = InputFingerprint(registry, output_key, max_bytes)
    # Looked up PLAN_BATCH files at a time: one SQL statement per batch, not per file.
    for start in range(0, len(files), PLAN_BATCH):
        batch = files[start : start + PLAN_BATCH]
        batch_keys: list[str | None] = [None] * len(batch)
        if store is not None:
            stats: list[tuple[str, StatKey]] = []
            for raw in batch:
                if not decided_unread(raw, max_bytes):
                    with contextlib.suppress(OSError):
                        stats.append((raw.path, stat_key(os.stat(raw.path))))
            known = store.known_sha256_many(stats)
            for index, raw in enumerate(batch):
                sha = known.get(raw.path)
                if sha is not None and not decided_unread(raw, max_bytes):
                    batch_keys[index] = outcome_key(sha, raw.relpath, raw.source)
            stored = store.has_many([key for key in batch_keys if key is not None])
        else:
            stored = set()
        for raw, key in zip(batch, batch_keys, strict=True):
            hit = key is not None and key in stored
            fingerprint.add(raw, key if hit else None)
            keys.append(key)
            hits.append(hit)
    return Plan(keys, hits, fingerprint.hexdigest() if store is not None else None)


def next_hits(plan: Plan, start: int, count: int) -> list[str]:
    """The keys of the next `count` cache hits from file `start` on."""
    keys: list[str] = []
    for index in range(start, len(plan.hits)):
        key = plan.keys[index] if plan.hits[index] else None
        if key is not None:
            keys.append(key)
            if len(keys) >= count:
                break
    return keys
