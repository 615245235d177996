"""The incremental build cache: per-file outcomes keyed by content, kept beside the output
(`.OUT.cache/`, see folder.py).

A raw file's outcomes depend only on its bytes, where it sits (the id is derived from the
path), its source's registry entry and the code that processes it. `outcome_key` hashes
exactly those, with `PIPELINE_VERSION` and a fingerprint of the package's own source
files (so an edit that forgot to bump the version still invalidates), so a hit can be
used in place of parsing, annotating and validating the file again.

The store is written only by the build's main process as results arrive, committed in
batches: a build killed midway keeps what it finished, and the rerun resumes from there.
It is two files:

- `outcomes.pack`: every file's outcomes (marshal, not compressed: zlib took longer than
  everything else the main process does with a cached article), appended one after the
  other. Appending is sequential I/O; storing the same values as SQLite blobs cost
  ≈ 60-120 µs a file (overflow pages written to the WAL, then again at checkpoints),
  more than the rest of the main process's work on an article.
- `build-cache-v2.sqlite3`, three tables:
  - `outcomes`: outcome key -> offset, size and CRC-32 of its value in the pack (a value
    that fails the CRC or does not decode is a miss, never an error: the pack is written
    ahead of the index, and a crash can leave a torn tail);
  - `stats`: (path, size, mtime_ns, ctime_ns, inode) -> sha256 of the bytes, so that a
    rebuild does not read and hash files that have not been touched;
  - `published`: output folder -> fingerprint of the last build published there, so that
    a rebuild with nothing changed can stop once it has checked the folder is intact.

Values are written with `marshal` (fast, and the cache is private to the user); its
format is tied to the Python version, which is therefore part of every key.
"""

from __future__ import annotations

import fcntl
import hashlib
import marshal
import os
import sqlite3
import sys
import time
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from newscorpus.read.sources import Source
from newscorpus.record.schema import stored_schema_texts
from newscorpus.version import PIPELINE_VERSION

# v2: values moved out of SQLite into the pack; a v1 database beside it is ignored.
DB_FILE_NAME = "build-cache-v2.sqlite3"
PACK_FILE_NAME = "outcomes.pack"
LOCK_FILE_NAME = "lock"
# A killed build loses at most this much finished work. Each commit costs a flush and
# a WAL write of every index page touched; fewer, larger batches are cheaper per file.
COMMIT_EVERY_FILES = 512
COMMIT_EVERY_SECONDS = 2.0
# Keys and paths looked up per SQL statement (SQLite allows 32,766 parameters).
LOOKUP_BATCH = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    key TEXT PRIMARY KEY, offset INTEGER NOT NULL, size INTEGER NOT NULL, crc INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stats (
    path BLOB PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER, inode INTEGER,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS published (
    out_dir TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, value BLOB NOT NULL
);
"""

Outcomes = list[dict[str, Any]]
# What identifies a file's state without reading it: size, mtime_ns, ctime_ns, inode.
StatKey = tuple[int, int, int, int]


def stat_key(stat: os.stat_result) -> StatKey:
    """Return the parts of a stat that change whenever the file's content may have."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


@cache
def code_fingerprint() -> str:
    """Return a hash of everything that shapes outcomes besides the raw bytes.

    PIPELINE_VERSION, the record schema, the Python version (marshal's format) and the
    text of every module and data file of the package: a local edit to a parser
    invalidates the cache even before anyone bumps the version.
    """
    digest = hashlib.sha256()
    for part in (PIPELINE_VERSION, stored_schema_texts(), sys.version, str(marshal.version)):
        digest.update(part.encode("utf-8") + b"\0")
    package = Path(__file__).resolve().parents[1]  # newscorpus/, from newscorpus/run/
    # Data files shipped in the package (attribution_accuracy.json feeds the card) count too.
    shipped = [*package.rglob("*.py"), *package.rglob("*.json")]
    for path in sorted(shipped):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def outcome_key(raw_sha256: str, relpath: str, source: Source | None) -> str:
    """Return the cache key of one raw file's outcomes."""
    parts = (raw_sha256, relpath, repr(source), code_fingerprint())
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def pack(value: Any) -> bytes:
    """Serialize plain data (dicts, lists, str, int, float, bool, None) for the cache."""
    return zlib.compress(marshal.dumps(value), 1)


def unpack(blob: bytes) -> Any:
    """Inverse of `pack`."""
    return marshal.loads(zlib.decompress(blob))


def _path_key(path: str) -> bytes:
    """A path as the stats table stores it: its bytes on disk. A name that is not UTF-8
    (possible on Linux) holds surrogates in Python, which SQLite's text cannot take."""
    return os.fsencode(path)


class CacheBusyError(RuntimeError):
    """Another build holds the cache folder; this one must build without it."""


class BuildCache:
    """The store of one cache folder; used by one build's main process at a time.

    Opening takes an exclusive flock on the folder (the kernel drops it when the holder
    dies): a second build given the same folder gets CacheBusyError at once instead of
    waiting on SQLite's lock and failing with `database is locked`.
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = (folder / LOCK_FILE_NAME).open("a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise CacheBusyError(f"cache {folder} is in use by another build") from None
        self.path = folder / DB_FILE_NAME
        # isolation_level=None: transactions are begun and committed explicitly below.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable enough for a cache
        self._db.executescript(_SCHEMA)
        # Appended to through a buffer; read with pread on a second descriptor. A value
        # is indexed at the offset where this build's writes of it start (the file's end
        # when opened: whatever a killed build left past the index is never referenced).
        pack_path = folder / PACK_FILE_NAME
        self._pack = pack_path.open("ab", buffering=1 << 20)
        self._pack_end = self._pack.seek(0, os.SEEK_END)
        self._flushed_end = self._pack_end
        self._reader = os.open(pack_path, os.O_RDONLY)
        self._pending = 0
        self._last_commit = time.monotonic()
        self._db.execute("BEGIN")

    def known_sha256_many(self, files: list[tuple[str, StatKey]]) -> dict[str, str]:
        """Return path -> recorded sha256 for each of `files` whose stat is unchanged."""
        known: dict[str, str] = {}
        for start in range(0, len(files), LOOKUP_BATCH):
            batch = {
                _path_key(path): (path, stat) for path, stat in files[start : start + LOOKUP_BATCH]
            }
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                "SELECT path, size, mtime_ns, ctime_ns, inode, sha256 FROM stats"
                f" WHERE path IN ({marks})",
                list(batch),
            )
            for key, *stat, sha in rows:
                path, expected = batch.get(key, ("", None))
                if expected == tuple(stat):
                    known[path] = str(sha)
        return known

    def get_many(self, keys: list[str]) -> dict[str, Outcomes]:
        """Return the cached outcomes of each of `keys` that has them (one SQL statement
        per LOOKUP_BATCH keys; absent, torn or unreadable values are left out)."""
        found: dict[str, Outcomes] = {}
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = keys[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, offset, size, crc FROM outcomes WHERE key IN ({marks})", batch
            ).fetchall()
            for key, offset, size, crc in sorted(rows, key=lambda row: int(row[1])):
                outcomes = self._read(offset, size, crc)
                if outcomes is not None:
                    found[str(key)] = outcomes
        return found

    def _read(self, offset: int, size: int, crc: int) -> Outcomes | None:
        if offset + size > self._flushed_end:
            self._flush_pack()  # stored earlier in this build, still in the buffer
        blob = os.pread(self._reader, size, offset)
        if len(blob) != size or zlib.crc32(blob) != crc:
            return None
        try:
            outcomes = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        return outcomes if isinstance(outcomes, list) else None

    def has_many(self, keys: list[str]) -> set[str]:
        """Return which of `keys` have stored outcomes."""
        found: set[str] = set()
        for start in range(0, len(keys), LOOKUP_BATCH):
            batch = keys[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(f"SELECT key FROM outcomes WHERE key IN ({marks})", batch)
            found.update(str(key) for (key,) in rows)
        return found

    def put(
        self, key: str, outcomes: Outcomes, path: str, stat: StatKey | None, raw_sha256: str
    ) -> None:
        """Store one file's outcomes (and its stat -> sha256); commit in batches."""
        blob = marshal.dumps(outcomes)
        self._pack.write(blob)
        self._db.execute(
            "INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?)",
            (key, self._pack_end, len(blob), zlib.crc32(blob)),
        )
        self._pack_end += len(blob)
        if stat is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?, ?, ?)",
                (_path_key(path), *stat, raw_sha256),
            )
        self._pending += 1
        if (
            self._pending >= COMMIT_EVERY_FILES
            or time.monotonic() - self._last_commit >= COMMIT_EVERY_SECONDS
        ):
            self.commit()

    def _flush_pack(self) -> None:
        self._pack.flush()
        self._flushed_end = self._pack_end

    def published(self, out_dir: Path) -> tuple[str, Any] | None:
        """Return (fingerprint, stored value) of the last build published to `out_dir`."""
        row = self._db.execute(
            "SELECT fingerprint, value FROM published WHERE out_dir = ?", (str(out_dir),)
        ).fetchone()
        return None if row is None else (str(row[0]), unpack(row[1]))

    def set_published(self, out_dir: Path, fingerprint: str, value: Any) -> None:
        """Record what was just published to `out_dir` (committed at once)."""
        self._db.execute(
            "INSERT OR REPLACE INTO published VALUES (?, ?, ?)",
            (str(out_dir), fingerprint, pack(value)),
        )
        self.commit()

    def commit(self) -> None:
        """Commit what was stored so far and begin the next batch."""
        # The values reach the pack file before the index that points at them.
        self._flush_pack()
        self._db.execute("COMMIT")
        self._db.execute("BEGIN")
        self._pending = 0
        self._last_commit = time.monotonic()

    def close(self) -> None:
        """Commit and close the database and the pack."""
        self._flush_pack()
        self._db.execute("COMMIT")
        self._db.close()
        self._pack.close()
        os.close(self._reader)
        self._lock.close()

    def count(self) -> int:
        """Return how many files' outcomes are stored (committed or not)."""
        (total,) = self._db.execute("SELECT count(*) FROM outcomes").fetchone()
        return int(total)
