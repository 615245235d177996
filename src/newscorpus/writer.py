"""Deterministic Parquet writing: explicit Arrow schema, pinned writer options, sorted rows.

Everything that shapes the bytes is fixed here so that two builds of the same raw/ with
the same dependency versions produce byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.schema import arrow_schema, date_fields

DEFAULT_SHARD_ROWS = 50_000
ROW_GROUP_ROWS = 1_000
# Every option that changes the bytes on disk, pinned.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "data_page_size": 1024 * 1024,
    "use_compliant_nested_type": True,
    "store_schema": True,
    "write_page_index": False,
    "write_batch_size": 1024,
}


def shard_name(split: str, index: int, count: int) -> str:
    """Return the Hub-style file name of one shard: `{split}-NNNNN-of-NNNNN.parquet`."""
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def to_arrow_row(record: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a JSON record with ISO date strings turned into dates for Arrow."""
    row = dict(record)
    for name in date_fields():
        if row.get(name) is not None:
            row[name] = dt.date.fromisoformat(row[name])
    return row


def from_arrow_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON record for a row read from Parquet (dates back to ISO strings)."""
    for name in date_fields():
        value = row.get(name)
        if isinstance(value, dt.date):
            row[name] = value.isoformat()
    return row


def write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """Write rows (already sorted) to one Parquet file with the derived schema."""
    table = pa.Table.from_pylist([to_arrow_row(r) for r in rows], schema=arrow_schema())
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, **PARQUET_OPTIONS)


def write_split(
    split: str, rows: Iterable[dict[str, Any]], data_dir: Path, shard_rows: int = DEFAULT_SHARD_ROWS
) -> list[Path]:
    """Write one split's rows (sorted by id here) as shards of at most `shard_rows` rows.

    Writes nothing for an empty split: `datasets` cannot load a zero-row Parquet file.
    """
    ordered = sorted(rows, key=lambda r: str(r["id"]))
    if not ordered:
        return []
    count = (len(ordered) + shard_rows - 1) // shard_rows
    paths = []
    for index in range(count):
        path = data_dir / shard_name(split, index, count)
        write_table(ordered[index * shard_rows : (index + 1) * shard_rows], path)
        paths.append(path)
    return paths
