"""Deterministic Parquet writing: explicit Arrow schema, pinned writer options, sorted rows.

Everything that shapes the bytes is fixed here so that two builds of the same raw/ with
the same dependency versions produce byte-identical files. Rows stream through
`SpillSorter` (bounded memory, id order) into `SplitWriter` (row groups and shards cut at
counts that depend only on the rows), so no step holds a whole split.
"""

from __future__ import annotations

import marshal
import os
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.publish.folder import shard_name
from newscorpus.record.schema import (
    CONFIGS,
    DEFAULT_CONFIG,
    arrow_schema,
    dictionary_columns,
    to_arrow_row,
)
from newscorpus.record.tasks import config_table, to_arrow_config_row
from newscorpus.settings import DEFAULT_SHARD_BYTES, DEFAULT_SHARD_ROWS

ROW_GROUP_ROWS = 1_000
# Row groups converted and waiting for the writer thread, at most (memory bound).
WRITES_AHEAD = 2
# Columns with few distinct values are dictionary-encoded; the others (ids, hashes,
# text, offsets: nearly all distinct) are written plain, where a dictionary only costs
# time before the writer falls back from it. Which is which, the schemas say
# (`"x-dictionary": true`, see `record.schema.dictionary_columns`).
DICTIONARY_COLUMNS = dictionary_columns(DEFAULT_CONFIG)
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 4,
    "use_dictionary": DICTIONARY_COLUMNS,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "data_page_size": 1024 * 1024,
    "use_compliant_nested_type": True,
    "store_schema": True,
    "write_page_index": False,
    "write_batch_size": 1024,
}


# The same for the derived configs' columns (`record/tasks.py`).
CONFIG_DICTIONARY_COLUMNS = {config: dictionary_columns(config) for config in CONFIGS}


def parquet_options(config: str = DEFAULT_CONFIG) -> dict[str, Any]:
    """The pinned writer options of a config's files (its dictionary columns differ)."""
    return {**PARQUET_OPTIONS, "use_dictionary": CONFIG_DICTIONARY_COLUMNS[config]}


def rows_table(rows: list[dict[str, Any]], config: str = DEFAULT_CONFIG) -> pa.Table:
    """Return rows (JSON records, or a derived config's rows) as an Arrow table with the
    config's derived schema."""
    convert = to_arrow_row if config == DEFAULT_CONFIG else to_arrow_config_row
    return pa.Table.from_pylist([convert(r) for r in rows], schema=arrow_schema(config))


def write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """Write rows (already sorted) to one Parquet file with the derived schema."""
    pq.write_table(rows_table(rows), path, row_group_size=ROW_GROUP_ROWS, **PARQUET_OPTIONS)


def arrow_bytes(path: Path) -> int:
    """Return the Arrow size of a Parquet file read back (the card's `num_bytes`).

    Read row group by row group (their sizes add up to the whole table's), so memory
    stays at one row group. Not the size of the tables written: a table read back can
    lay out its buffers differently (validity bitmaps) and be a few bytes larger.
    """
    parquet = pq.ParquetFile(path)
    return sum(parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups))


@dataclass
class Shard:
    """One written shard: its final path, rows and Arrow bytes (the manifest's figures)."""

    path: Path
    num_rows: int
    num_bytes: int


class SplitWriter:
    """Write one split's rows, given in id order, as shards, streaming.

    Row groups are flushed at fixed row counts (`ROW_GROUP_ROWS`, or fewer where a shard
    ends), so the bytes are those `pq.write_table` makes of the whole sorted table,
    whatever batches the rows arrive in. A shard ends at `shard_rows` rows, or at the
    first row-group boundary past `shard_bytes` Arrow bytes: both depend on the rows
    alone (the byte bound is checked at row-group boundaries). Shards are named
    `{split}-NNNNN-of-NNNNN.parquet` once their count is known.

    Encoding and compressing a row group (pyarrow, without the GIL) runs on one
    background thread, in order, while the caller decodes and converts the next rows:
    the bytes are the same, since every decision (cuts, names) is taken by the caller.

    `config`: a derived config's rows (`record/tasks.py`) instead of articles, handed
    over as Arrow tables (`write_table`): an articles writer given `derived` writers
    passes each of them the rows its row group of articles gives (`tasks.config_table`),
    so the configs are derived column-wise from the tables written, in article order.
    """

    def __init__(
        self,
        split: str,
        data_dir: Path,
        shard_rows: int = DEFAULT_SHARD_ROWS,
        shard_bytes: int = DEFAULT_SHARD_BYTES,
        config: str = DEFAULT_CONFIG,
        derived: list[SplitWriter] | None = None,
    ) -> None:
        self.split, self.data_dir, self.config = split, data_dir, config
        self.derived = derived or []
        self._options = parquet_options(config)
        self.shard_rows, self.shard_bytes = shard_rows, shard_bytes
        self.shards: list[Shard] = []
        self._buffer: list[dict[str, Any]] = []
        self._writer: pq.ParquetWriter | None = None
        self._rows = 0
        self._bytes = 0
        self._last_id = ""
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"write-{split}")
        # Submitted, unfinished writes: at most WRITES_AHEAD row groups wait in memory.
        self._pending: deque[Future[None]] = deque()

    def write(self, record: dict[str, Any]) -> None:
        """Append one record; records must come in increasing id order (a derived
        config's rows come as tables, `write_table`)."""
        record_id = str(record["id"])
        if record_id <= self._last_id:
            raise ValueError(f"{self.split}: id {record_id} after {self._last_id}: not sorted")
        self._last_id = record_id
        self._buffer.append(record)
        if len(self._buffer) >= min(ROW_GROUP_ROWS, self.shard_rows - self._rows):
            self._flush()

    def _submit(self, task: Callable[[], None]) -> None:
        while len(self._pending) >= WRITES_AHEAD:
            self._pending.popleft().result()  # re-raises a failed write here
        self._pending.append(self._io.submit(task))

    def _wait(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def _flush(self) -> None:
        if not self._buffer:
            return
        table = rows_table(self._buffer, self.config)
        self._buffer = []
        for derived in self.derived:
            derived.write_table(config_table(derived.config, table, self.split))
        self.write_table(table)

    def write_table(self, table: pa.Table) -> None:
        """Append a table of rows in the config's schema (a derived config's rows of one
        row group of articles); a shard ends at a table's end, past its bounds."""
        if not table.num_rows:
            return
        if self._writer is None:
            path = self._part_path(len(self.shards))
            self._writer = pq.ParquetWriter(path, arrow_schema(self.config), **self._options)
            self.shards.append(Shard(path, 0, 0))
        writer = self._writer
        self._submit(lambda: writer.write_table(table, row_group_size=ROW_GROUP_ROWS))
        self._rows += table.num_rows
        self._bytes += table.nbytes
        if self._rows >= self.shard_rows or self._bytes >= self.shard_bytes:
            self._end_shard()

    def _end_shard(self) -> None:
        if self._writer is not None:
            writer, shard, rows = self._writer, self.shards[-1], self._rows

            def finish() -> None:
                writer.close()
                shard.num_rows, shard.num_bytes = rows, arrow_bytes(shard.path)

            self._submit(finish)
        self._writer, self._rows, self._bytes = None, 0, 0

    def _part_path(self, index: int) -> Path:
        return self.data_dir / f".{self.split}-part-{index:05d}.parquet"

    def abort(self) -> None:
        """Stop after a failure elsewhere: drop queued writes, wait for the one running."""
        self._io.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()

    def close(self) -> list[Shard]:
        """Finish the last shard and give every shard its final name; return them."""
        try:
            self._flush()
            self._end_shard()
            self._wait()
        finally:
            self._io.shutdown(wait=True)
        for index, shard in enumerate(self.shards):
            final = self.data_dir / shard_name(self.split, index, len(self.shards))
            shard.path.rename(final)
            shard.path = final
        return self.shards


def write_split(
    split: str, rows: Iterable[dict[str, Any]], data_dir: Path, shard_rows: int = DEFAULT_SHARD_ROWS
) -> list[Path]:
    """Write one split's rows (sorted by id here) as shards of at most `shard_rows` rows.

    Writes nothing for an empty split: `datasets` cannot load a zero-row Parquet file.
    Holds every row: `SpillSorter` is the streaming way.
    """
    writer = SplitWriter(split, data_dir, shard_rows)
    for row in sorted(rows, key=lambda r: str(r["id"])):
        writer.write(row)
    return [shard.path for shard in writer.close()]


def id_bucket(record_id: str, width: int = 2) -> str:
    """Return the spill bucket of an id: `<source>-` and the first `width` hash digits.

    Buckets sorted as strings are in id order, since a source key holds no '-':
    every id of a bucket sorts before every id of the next one.

    >>> id_bucket("donga-724ffc14e03e3d2e")
    'donga-72'
    """
    prefix, _, digest = record_id.rpartition("-")
    return f"{prefix}-{digest[:width]}"


class SpillSorter:
    """Sort records by id in bounded memory: spill to one file, sort bucket by bucket.

    Records are appended (framed with `marshal`: the file lives only for the build, in
    the same interpreter) to one temporary file through a `buffer_bytes` write buffer;
    memory keeps only each record's offset and size, listed per id bucket (`id_bucket`).
    `sorted_records` reads the buckets back in bucket order, sorting each in memory, so
    at most one bucket (about 1/256 of the split for each source) is held. One file
    rather than one per bucket: appending to hundreds of files costs an open each.
    """

    def __init__(self, folder: Path, width: int = 2, buffer_bytes: int = 1 << 20) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.width, self.buffer_bytes = folder, width, buffer_bytes
        self.path = folder / "records.spill"
        self._file: BinaryIO | None = None
        self._offset = 0
        # Bucket -> (offsets, sizes) of its records in the file.
        self._buckets: dict[str, tuple[array[int], array[int]]] = {}
        self.count = 0

    def add(self, record: dict[str, Any]) -> None:
        """Take one record (any order)."""
        self.add_blob(str(record["id"]), marshal.dumps(record))

    def add_blob(self, record_id: str, blob: bytes) -> None:
        """Take one record already marshalled (`blob`), with its id (any order)."""
        if self._file is None:
            self._file = self.path.open("ab", buffering=max(1, self.buffer_bytes))
        self._file.write(blob)
        bucket = id_bucket(record_id, self.width)
        lists = self._buckets.get(bucket)
        if lists is None:
            lists = self._buckets[bucket] = (array("q"), array("q"))
        lists[0].append(self._offset)
        lists[1].append(len(blob))
        self._offset += len(blob)
        self.count += 1

    def flush(self) -> None:
        """Write the buffered records to the file."""
        if self._file is not None:
            self._file.flush()

    def sorted_records(self) -> Iterator[dict[str, Any]]:
        """Yield every record in id order (the file is deleted once read)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if not self._buckets:
            return
        with self.path.open("rb", buffering=0) as handle:
            descriptor = handle.fileno()
            for bucket in sorted(self._buckets):
                offsets, sizes = self._buckets.pop(bucket)
                records = [
                    marshal.loads(os.pread(descriptor, size, offset))
                    for offset, size in zip(offsets, sizes, strict=True)
                ]
                del offsets, sizes
                records.sort(key=lambda r: str(r["id"]))
                yield from records
        self.path.unlink()
