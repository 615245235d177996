"""Checking records one at a time: the schema, then the cross-field rules.

`check_record` runs a compiled validator (jsonschema-rs), then `jsonschema`, which writes
the report (both implement the same 2020-12 schema with formats asserted; a test holds
them to the same verdicts), then the cross-field rules of `record.rules`: first the
message-free `cross_fields_hold`, and `records.cross_field_problems` for the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscorpus.record.records import (
    Problem,
    cross_field_problems,
    fast_validator,
    schema_problems,
)
from newscorpus.record.rules import Tally, active_rules


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
    if cross_fields_hold(record):
        return []
    return list(cross_field_problems(record, file))


def cross_fields_hold(record: dict[str, Any]) -> bool:
    """True only when `cross_field_problems` finds nothing (a schema-valid record).

    The same rules, checked without building messages: the common case (every rule holds)
    costs a few µs; any doubt returns False and `cross_field_problems` writes the report.
    """
    rules = active_rules()
    location = rules.location
    kind, index_name = location.kind, location.index
    direct = location.direct
    indexed, array = location.indexed
    texts = record[array]
    spans = [(span.text, span.start, span.end) for span in rules.spans]
    paired = [(pair.first, pair.second) for pair in rules.paired]
    tallies: list[tuple[Tally, dict[Any, int]]] = [(tally, {}) for tally in rules.tallies]
    for quote in record[rules.items]:
        where = quote[kind]
        index = quote[index_name]
        if where in direct:
            if index is not None:
                return False
            field = record[where]
        elif where == indexed and type(index) is int and 0 <= index < len(texts):
            field = texts[index]
        else:
            return False
        size = len(field)
        for name, start_name, end_name in spans:
            start, end, expected = quote[start_name], quote[end_name], quote[name]
            if start is None and end is None and expected is None:
                continue
            if (
                type(start) is not int
                or type(end) is not int
                or not 0 <= start <= end <= size
                or field[start:end] != expected
            ):
                return False
        for first, second in paired:
            if (quote[first] is None) != (quote[second] is None):
                return False
        for tally, counts in tallies:
            value = quote[tally.value]
            if value:
                counts[value] = counts.get(value, 0) + 1
    for tally, counts in tallies:
        expected_entries = [{tally.name: v, tally.count: c} for v, c in counts.items()]
        if record[tally.target] != expected_entries:
            return False
    return all(rule.holds(record[rule.field]) for rule in rules.paragraphs)


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
