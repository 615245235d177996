"""Validate a published folder (or a JSON Lines file of records) against every rule.

For a folder: the manifest's checksums (modified, missing or extra data files), each
Parquet file's Arrow schema, every record against the JSON Schema and the cross-field
rules, ids unique within and across splits and in their hashed split, the ledger against
its schema and the manifest's counts, and the dataset card's features and split sizes
against the Parquet files.

Speed: a compiled validator (jsonschema-rs) does the bulk pass; only records it rejects
are re-checked with `jsonschema`, which writes the report. Both implement the same
2020-12 schema with formats asserted; a test holds them to the same verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq

from newscorpus.ledger import LEDGER_FILE_NAME, summarize
from newscorpus.publish import CARD_FILE_NAME, MANIFEST_FILE_NAME, read_card_metadata, sha256_file
from newscorpus.records import Problem, cross_field_problems, fast_validator, schema_problems
from newscorpus.schema import arrow_schema, hf_features_yaml, load_ledger_schema
from newscorpus.splits import SPLITS, assign_split
from newscorpus.writer import from_arrow_row

READ_BATCH_ROWS = 4096


@dataclass
class ValidationReport:
    """The outcome of a validation: every problem found and how much was checked."""

    path: str
    records: int = 0
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _fast_validator() -> Any:
    return fast_validator()


@cache
def _fast_ledger_validator() -> Any:
    """The compiled validator of the ledger schema (fast pass), or None."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.Draft202012Validator(load_ledger_schema(), validate_formats=True)


def check_record(record: Any, file: str) -> list[Problem]:
    """Return every problem of one record: schema (fast pass, then a full report) and rules."""
    fast = _fast_validator()
    if fast is None or not fast.is_valid(record):
        problems = list(schema_problems(record, file))
        if problems:
            return problems
        if fast is not None:
            # The validators disagree: report it rather than silently trusting either.
            return [
                Problem(
                    file,
                    record.get("id") if isinstance(record, dict) else None,
                    "",
                    "jsonschema-rs rejects this record but jsonschema accepts it",
                )
            ]
    return list(cross_field_problems(record, file))


def validate_records(records: Iterator[tuple[str, Any]], report: ValidationReport) -> set[str]:
    """Check (file, record) pairs into `report`; return the ids seen (duplicates reported)."""
    seen: dict[str, str] = {}
    for file, record in records:
        report.records += 1
        report.problems.extend(check_record(record, file))
        record_id = record.get("id") if isinstance(record, dict) else None
        if isinstance(record_id, str):
            if record_id in seen:
                report.problems.append(
                    Problem(file, record_id, "/id", f"duplicate id (also in {seen[record_id]})")
                )
            else:
                seen[record_id] = file
    return set(seen)


def validate_jsonl(path: Path) -> ValidationReport:
    """Validate a JSON Lines file with one record per line."""
    report = ValidationReport(str(path), files=1)

    def records() -> Iterator[tuple[str, Any]]:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield f"{path.name}:{number}", json.loads(line)
                except json.JSONDecodeError as exc:
                    report.problems.append(
                        Problem(f"{path.name}:{number}", None, "", f"not JSON: {exc}")
                    )

    validate_records(records(), report)
    return report


def validate_path(path: str | Path = "processed") -> ValidationReport:
    """Validate a published folder or a `.jsonl` file of records; never raises on bad data."""
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
    counts = _check_files(target, manifest, report)
    ids = validate_records(_parquet_records(target, manifest, report), report)
    _check_ledger(target, manifest, ids, report)
    _check_card(target, counts, report)
    _check_croissant(target, report)
    return report


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
        p.relative_to(folder).as_posix() for p in (folder / "data").rglob("*") if p.is_file()
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
    folder: Path, manifest: dict[str, Any], report: ValidationReport
) -> Iterator[tuple[str, Any]]:
    expected = arrow_schema()
    for split, info in manifest.get("splits", {}).items():
        rows_seen = 0
        for name in info.get("files", []):
            path = folder / name
            if not path.is_file():
                continue
            report.files += 1
            try:
                parquet = pq.ParquetFile(path)
                if not parquet.schema_arrow.equals(expected, check_metadata=False):
                    report.problems.append(
                        Problem(name, None, "", "Arrow schema differs from the JSON Schema's")
                    )
                    continue
                previous = ""
                for batch in parquet.iter_batches(batch_size=READ_BATCH_ROWS):
                    for row in batch.to_pylist():
                        record = from_arrow_row(row)
                        rows_seen += 1
                        record_id = str(record.get("id"))
                        if record_id < previous:
                            report.problems.append(
                                Problem(name, record_id, "/id", "rows are not sorted by id")
                            )
                        previous = record_id
                        if isinstance(record.get("id"), str) and assign_split(record_id) != split:
                            report.problems.append(
                                Problem(
                                    name,
                                    record_id,
                                    "/id",
                                    f"id hashes to another split than {split}",
                                )
                            )
                        yield name, record
            except (OSError, pa.ArrowException) as exc:
                report.problems.append(Problem(name, None, "", f"unreadable Parquet: {exc}"))
        if rows_seen != info.get("num_examples"):
            report.problems.append(
                Problem(
                    MANIFEST_FILE_NAME,
                    None,
                    f"/splits/{split}",
                    f"manifest says {info.get('num_examples')} rows, files hold {rows_seen}",
                )
            )


def _check_ledger(
    folder: Path, manifest: dict[str, Any], ids: set[str], report: ValidationReport
) -> None:
    path = folder / LEDGER_FILE_NAME
    if not path.is_file():
        report.problems.append(Problem(LEDGER_FILE_NAME, None, "", "missing ledger"))
        return
    validator = jsonschema.Draft202012Validator(load_ledger_schema())
    fast = _fast_ledger_validator()
    # Not the entries themselves (a ledger line per raw file): the recorded ids, and for
    # `summarize` one shared stub per (outcome, reason), so memory stays flat.
    entries: list[dict[str, Any]] = []
    recorded: set[Any] = set()
    stubs: dict[tuple[Any, Any], dict[str, Any]] = {}

    def keep(entry: Any) -> None:
        if not isinstance(entry, dict):
            entry = {}
        pair = (entry.get("outcome"), entry.get("reason"))
        entries.append(stubs.setdefault(pair, {"outcome": pair[0], "reason": pair[1]}))
        if pair[0] == "record":
            recorded.add(entry.get("id"))

    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            where = f"{LEDGER_FILE_NAME}:{number}"
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                report.problems.append(Problem(where, None, "", f"not JSON: {exc}"))
                continue
            if fast is not None and fast.is_valid(entry):
                keep(entry)
                continue
            for error in validator.iter_errors(entry):
                pointer = "".join(f"/{p}" for p in error.absolute_path)
                report.problems.append(Problem(where, None, pointer, error.message))
            keep(entry)
    if recorded != ids:
        report.problems.append(
            Problem(
                LEDGER_FILE_NAME,
                None,
                "",
                f"{len(recorded ^ ids)} ids differ between the ledger's "
                "records and the Parquet files",
            )
        )
    if summarize(entries) != manifest.get("ledger"):
        report.problems.append(
            Problem(MANIFEST_FILE_NAME, None, "/ledger", "counts differ from the ledger")
        )


def _check_card(folder: Path, counts: dict[str, int], report: ValidationReport) -> None:
    path = folder / CARD_FILE_NAME
    try:
        metadata = read_card_metadata(path)
    except (OSError, ValueError) as exc:
        report.problems.append(Problem(CARD_FILE_NAME, None, "", f"unreadable card: {exc}"))
        return
    info = metadata.get("dataset_info", {})
    if info.get("features") != hf_features_yaml():
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/dataset_info/features",
                "features disagree with the Parquet schema",
            )
        )
    card_counts = {s.get("name"): s.get("num_examples") for s in info.get("splits", [])}
    if card_counts != counts:
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/dataset_info/splits",
                f"split sizes {card_counts} differ from {counts}",
            )
        )
    configs = metadata.get("configs", [])
    declared = {d.get("split") for c in configs for d in c.get("data_files", [])}
    if declared != set(counts):
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/configs",
                f"declares splits {sorted(declared)}, data has {sorted(counts)}",
            )
        )


def _check_croissant(folder: Path, report: ValidationReport) -> None:
    """croissant.json, when present, must be a JSON-LD object with record sets.

    Only that it parses: `tests/test_croissant.py` validates and loads it with mlcroissant,
    too heavy a dependency for every validation.
    """
    path = folder / "croissant.json"
    if not path.is_file():
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.problems.append(Problem("croissant.json", None, "", f"unreadable: {exc}"))
        return
    if not isinstance(document, dict) or not document.get("recordSet"):
        report.problems.append(Problem("croissant.json", None, "", "no Croissant record sets"))
