"""Append-only rows on disk, for per-article data that the build needs only now and then.

The duplicate indexes must find candidates in memory (band keys, text-key prefixes), but
what confirms or names a candidate (a signature's low bits, a full text digest, an id)
is read only for candidates, which are rare. Keeping that part in memory cost most of
the build's per-article state, which grew with the corpus; here it costs nothing for
rows of a fixed size and 8 bytes (an offset) for rows of varying size.

Rows live in an anonymous temporary file (unlinked at once, so nothing is left behind
even by a killed build) written through an in-memory buffer; a row still in the buffer
is read from it, so reading back the latest rows never forces a write.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from pathlib import Path


class DiskRows:
    """Rows of bytes, appended and read back by number; memory holds only the buffer
    (and, for rows of varying size, one 8-byte offset per row)."""

    def __init__(
        self,
        size: int | None = None,
        folder: str | os.PathLike[str] | None = None,
        buffer_bytes: int = 1 << 20,
    ) -> None:
        """`size`: the length of every row (None: rows of any length); `folder`: where
        the temporary file goes (default: the system's temporary folder)."""
        self.size = size
        self._buffer_bytes = buffer_bytes
        # Open for the store's lifetime (closed by `close` or when collected).
        self._file = tempfile.TemporaryFile(dir=Path(folder) if folder else None)  # noqa: SIM115
        self._fd = self._file.fileno()
        self._buffer = bytearray()
        self._flushed = 0  # bytes written to the file; the buffer follows them
        self._offsets = array("Q", [0]) if size is None else None
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, row: bytes) -> int:
        """Store one row; return its number (0, 1, 2, ...)."""
        if self.size is not None and len(row) != self.size:
            raise ValueError(f"a row is {self.size} bytes, not {len(row)}")
        self._buffer += row
        if self._offsets is not None:
            self._offsets.append(self._offsets[-1] + len(row))
        if len(self._buffer) >= self._buffer_bytes:
            view = memoryview(self._buffer)
            written = 0
            while written < len(view):
                written += os.write(self._fd, view[written:])
            view.release()
            self._flushed += len(self._buffer)
            self._buffer.clear()
        self._count += 1
        return self._count - 1

    def get(self, row: int) -> bytes:
        """Return row number `row`."""
        if not 0 <= row < self._count:
            raise IndexError(f"row {row} of {self._count}")
        if self._offsets is None:
            assert self.size is not None
            start, end = row * self.size, (row + 1) * self.size
        else:
            start, end = self._offsets[row], self._offsets[row + 1]
        if start >= self._flushed:
            return bytes(self._buffer[start - self._flushed : end - self._flushed])
        if end <= self._flushed:
            return os.pread(self._fd, end - start, start)
        # Straddles the last write: part on disk, the rest in the buffer.
        head = os.pread(self._fd, self._flushed - start, start)
        return head + bytes(self._buffer[: end - self._flushed])

    def close(self) -> None:
        """Delete the rows (the file is removed by the system)."""
        self._file.close()
