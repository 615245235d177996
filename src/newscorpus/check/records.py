"""Checking records one at a time, into a report.

`check_record` is `record.records.record_problems`, the one check of a record that the
build's workers run too: a compiled validator (jsonschema-rs), then `jsonschema`, which
writes the report, then the cross-field rules of `record.rules` (the message-free
`cross_fields_hold` first, `cross_field_problems` for the report).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscorpus.record.records import Problem, cross_fields_hold
from newscorpus.record.records import record_problems as check_record

__all__ = ["Checked", "ValidationReport", "check_record", "cross_fields_hold", "validate_records"]


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


class Checked:
    """Parquet rows the columnar pass found valid (in order): only their ids are left to
    check. Their order and splits are checked by `_parquet_records`."""

    __slots__ = ("ids",)

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids


def validate_records(
    records: Iterator[tuple[str, Any]], report: ValidationReport
) -> AbstractSet[str]:
    """Check (file, record) pairs into `report`; return the ids seen (duplicates reported)."""
    seen: dict[str, str] = {}
    for file, record in records:
        if type(record) is Checked:
            ids = record.ids
            report.records += len(ids)
            batch = dict.fromkeys(ids, file)
            if len(batch) == len(ids) and seen.keys().isdisjoint(batch):
                seen.update(batch)  # no duplicate: the common case, without a Python loop
                continue
            for record_id in ids:
                if record_id in seen:
                    report.problems.append(
                        Problem(file, record_id, "/id", f"duplicate id (also in {seen[record_id]})")
                    )
                else:
                    seen[record_id] = file
            continue
        report.records += 1
        report.problems.extend(check_record(record, file))
        single = record.get("id") if isinstance(record, dict) else None
        if isinstance(single, str):
            if single in seen:
                report.problems.append(
                    Problem(file, single, "/id", f"duplicate id (also in {seen[single]})")
                )
            else:
                seen[single] = file
    return seen.keys()  # a set view: no copy of every id


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
