"""Validate a published folder (or a JSON Lines file of records) against every rule.

For a folder: the manifest's checksums (modified, missing or extra data files), each
Parquet file's Arrow schema, every record against the JSON Schema and the cross-field
rules, ids unique within and across splits and in their hashed split, the ledger against
its schema and the manifest's counts, the derived configs (`quotes`, `speakers`) against
the articles (`check/configs.py`), and the dataset card's configs, features and split
sizes against the Parquet files.

Speed: Parquet batches are checked column by column first (Arrow and NumPy, spans as
UTF-8 bytes); that pass only clears rows that certainly pass, and every other row goes
to `check_record`: a compiled validator (jsonschema-rs), then `jsonschema`, which writes
the report (both implement the same 2020-12 schema with formats asserted; a test holds
them to the same verdicts), then the cross-field rules. With a core to spare, the
checksums and the ledger are checked in a forked process meanwhile.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.check.card import check_card, check_croissant
from newscorpus.check.columns import clean_rows
from newscorpus.check.configs import ConfigChecker
from newscorpus.check.forked import Forked
from newscorpus.check.ledger import LedgerRead, finish_ledger, read_ledger
from newscorpus.check.records import Checked, ValidationReport, validate_jsonl, validate_records
from newscorpus.publish.folder import (
    MANIFEST_FILE_NAME,
    config_dir,
    sha256_file,
)
from newscorpus.record.records import (
    Problem,
)
from newscorpus.record.schema import (
    CONFIGS,
    DEFAULT_CONFIG,
    arrow_schema,
    date_fields,
)
from newscorpus.record.splits import SPLITS, all_in_split, assign_split

READ_BATCH_ROWS = 4096


def validate_path(
    path: str | Path = "processed", *, fork: bool = False, records_proven: bool = False
) -> ValidationReport:
    """Validate a published folder or a `.jsonl` file of records; never raises on bad data.

    `fork=True` lets the checksums and the ledger run in a forked process beside the
    Parquet pass when a core is spare (the `validate` command does): only for a process
    that owns its threads, since a fork copies the calling thread alone.

    `records_proven=True` is the build's check of the folder it is about to publish:
    each record was checked against the schema and the rules in the worker that made it
    (a bad one became a reject), so that is not done again; everything else is (files,
    checksums, Arrow schemas, ids in order and split, the ledger, the derived configs
    against the articles, the card), column-wise.
    """
    target = Path(path)
    if target.is_file():
        return validate_jsonl(target)
    report = ValidationReport(str(target))
    if not target.is_dir():
        report.problems.append(Problem(str(target), None, "", "no such folder or file"))
        return report
    manifest = _load_manifest(target, report)
    if manifest is None:
        return report
    # Checksums and the ledger need nothing from the Parquet pass: with a spare core they
    # run in a forked process meanwhile. Their problems keep their place in the report.
    side = Forked(partial(_side_checks, target, manifest), fork)
    try:
        before = len(report.problems)
        configs = ConfigChecker(target, manifest, report)
        ids = validate_records(
            _parquet_records(target, manifest, report, configs, records_proven), report
        )
        file_problems, counts, ledger = side.result()
    finally:
        side.close()
    report.problems[before:before] = file_problems
    finish_ledger(ledger, manifest, ids, report)
    check_card(target, {DEFAULT_CONFIG: counts, **configs.counts}, report)
    check_croissant(target, report)
    return report


def _side_checks(
    folder: Path, manifest: dict[str, Any]
) -> tuple[list[Problem], dict[str, int], LedgerRead]:
    """The manifest's checksums (problems, rows per split) and the ledger, read."""
    files = ValidationReport(str(folder))
    counts = _check_files(folder, manifest, files)
    return files.problems, counts, read_ledger(folder)


def _load_manifest(folder: Path, report: ValidationReport) -> dict[str, Any] | None:
    path = folder / MANIFEST_FILE_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        report.problems.append(Problem(MANIFEST_FILE_NAME, None, "", f"unreadable: {exc}"))
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        report.problems.append(Problem(MANIFEST_FILE_NAME, None, "", "no 'files' mapping"))
        return None
    return manifest


def _check_files(
    folder: Path, manifest: dict[str, Any], report: ValidationReport
) -> dict[str, int]:
    """Check checksums and presence of every file; return rows per split actually present."""
    listed = manifest["files"]
    present = {
        p.relative_to(folder).as_posix()
        for config in CONFIGS
        for p in (folder / config_dir(config)).rglob("*")
        if p.is_file()
    }
    for extra in sorted(present - set(listed)):
        report.problems.append(Problem(extra, None, "", "data file not listed in the manifest"))
    for name, info in listed.items():
        path = folder / name
        if not path.is_file():
            report.problems.append(Problem(name, None, "", "listed in the manifest but missing"))
        elif sha256_file(path) != info.get("sha256"):
            report.problems.append(
                Problem(name, None, "", "sha256 differs from the manifest (modified file)")
            )
    counts: dict[str, int] = {}
    for split, info in manifest.get("splits", {}).items():
        if split not in SPLITS:
            report.problems.append(
                Problem(MANIFEST_FILE_NAME, None, f"/splits/{split}", "unknown split name")
            )
        counts[split] = int(info.get("num_examples", -1))
    return counts


def _parquet_records(
    folder: Path,
    manifest: dict[str, Any],
    report: ValidationReport,
    configs: ConfigChecker | None = None,
    records_proven: bool = False,
) -> Iterator[tuple[str, Any]]:
    """Every record of the folder's Parquet files, split by split (a `Checked` for a
    batch the columnar pass cleared); `configs` is fed each batch read, to check the
    derived configs against it."""
    expected = arrow_schema()
    # Every row has these columns: the file's schema is checked equal to `expected`.
    dates = date_fields()
    for split, info in manifest.get("splits", {}).items():
        rows_seen = 0
        if configs is not None:
            configs.begin(split)
        for name in info.get("files", []):
            path = folder / name
            if not path.is_file():
                continue
            report.files += 1
            try:
                # Not memory-mapped: a file truncated while mapped kills the process
                # (SIGBUS) instead of being reported, for a gain lost in the noise.
                parquet = pq.ParquetFile(path)
                if not parquet.schema_arrow.equals(expected, check_metadata=False):
                    report.problems.append(
                        Problem(name, None, "", "Arrow schema differs from the JSON Schema's")
                    )
                    continue
                previous = ""
                for batch in _prefetched(parquet.iter_batches(batch_size=READ_BATCH_ROWS)):
                    if configs is not None:
                        configs.feed(batch)
                    records: Any = (
                        Checked([str(i) for i in batch.column("id").to_pylist()])
                        if records_proven
                        else _batch_records(batch, dates)
                    )
                    if type(records) is Checked:
                        ids = records.ids
                        if _ids_in_order_and_split(ids, previous, split):
                            rows_seen += len(ids)
                            previous = ids[-1]
                            yield name, records
                            continue
                        records = [Checked([i]) for i in ids]  # report row by row
                    for record in records:
                        rows_seen += 1
                        raw_id = record.ids[0] if type(record) is Checked else record.get("id")
                        record_id = str(raw_id)
                        if record_id < previous:
                            report.problems.append(
                                Problem(name, record_id, "/id", "rows are not sorted by id")
                            )
                        previous = record_id
                        if isinstance(raw_id, str) and assign_split(record_id) != split:
                            report.problems.append(
                                Problem(
                                    name,
                                    record_id,
                                    "/id",
                                    f"id hashes to another split than {split}",
                                )
                            )
                        yield name, record
            except (OSError, ValueError, pa.ArrowException) as exc:  # ValueError: bad UTF-8
                report.problems.append(Problem(name, None, "", f"unreadable Parquet: {exc}"))
        if configs is not None:
            configs.end()
        if rows_seen != info.get("num_examples"):
            report.problems.append(
                Problem(
                    MANIFEST_FILE_NAME,
                    None,
                    f"/splits/{split}",
                    f"manifest says {info.get('num_examples')} rows, files hold {rows_seen}",
                )
            )


def _prefetched(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The same batches, the next one read and decoded in a thread (Arrow releases the GIL)
    while the caller checks the current one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, batches, None)
        while (batch := pending.result()) is not None:
            pending = pool.submit(next, batches, None)
            yield batch


def _ids_in_order_and_split(ids: list[str], previous: str, split: str) -> bool:
    """True when `ids` (strings) are sorted, after `previous`, and all hash to `split`."""
    if split not in SPLITS or not ids or ids[0] < previous:
        return False
    if not all(map(operator.le, ids, islice(ids, 1, None))):
        return False
    return all_in_split(ids, split)


def _batch_records(batch: pa.RecordBatch, dates: tuple[str, ...]) -> Any:
    """The rows of a batch: one `Checked` when the columnar pass cleared them all, else a
    list of `Checked` (one row each) for the rows it cleared and dicts for the others."""
    clean = clean_rows(batch)
    if clean is not None and clean.all():
        ids: list[Any] = batch.column("id").to_pylist()
        return Checked(ids)
    if clean is None:
        records: list[Any] = batch.to_pylist()
    else:
        ids = batch.column("id").to_pylist()
        doubtful = np.flatnonzero(~clean)
        records = [Checked([i]) for i in ids]
        for position, record in zip(
            doubtful.tolist(), batch.take(doubtful).to_pylist(), strict=True
        ):
            records[position] = record
    for record in records:
        if type(record) is dict:
            for date_field in dates:  # dates back to ISO strings
                value = record[date_field]
                if isinstance(value, dt.date):
                    record[date_field] = value.isoformat()
    return records
