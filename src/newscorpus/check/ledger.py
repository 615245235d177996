"""Checking the ledger (inputs.jsonl): every line against its schema, and its counts
against the manifest and the published ids."""

from __future__ import annotations

import json
import operator
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from newscorpus.check.records import ValidationReport
from newscorpus.publish.folder import (
    LEDGER_FILE_NAME,
    MANIFEST_FILE_NAME,
)
from newscorpus.record.ledger import summarize
from newscorpus.record.records import (
    Problem,
)
from newscorpus.record.schema import (
    load_ledger_schema,
)

LEDGER_CHUNK_LINES = 4096


@cache
def _fast_ledger_validator() -> Any:
    """The compiled validator of the ledger schema (fast pass), or None."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.Draft202012Validator(load_ledger_schema(), validate_formats=True)


@dataclass
class LedgerRead:
    """The ledger as read: per-line problems, the recorded ids and, for `summarize`, how
    many entries have each (outcome, reason); `recorded` is None when it is missing."""

    problems: list[Problem]
    recorded: set[Any] | None
    pairs: Counter[tuple[Any, Any]]


def read_ledger(folder: Path) -> LedgerRead:
    """Read inputs.jsonl: every line checked against the ledger schema, entries kept
    compactly for `finish_ledger` (counts, ids and splits of the records)."""
    path = folder / LEDGER_FILE_NAME
    problems: list[Problem] = []
    pairs: Counter[tuple[Any, Any]] = Counter()
    if not path.is_file():
        problems.append(Problem(LEDGER_FILE_NAME, None, "", "missing ledger"))
        return LedgerRead(problems, None, pairs)
    fast = _fast_ledger_validator()
    # Not the entries themselves (a ledger line per raw file): the recorded ids and the
    # (outcome, reason) counts, so memory stays flat.
    recorded: set[Any] = set()

    def keep(entry: Any) -> None:
        if not isinstance(entry, dict):
            entry = {}
        pair = (entry.get("outcome"), entry.get("reason"))
        pairs[pair] += 1
        if pair[0] == "record":
            recorded.add(entry.get("id"))

    def check_line(number: int, line: str) -> None:
        where = f"{LEDGER_FILE_NAME}:{number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, None, "", f"not JSON: {exc}"))
            return
        if fast is not None and fast.is_valid(entry):
            keep(entry)
            return
        for error in _ledger_validator().iter_errors(entry):
            pointer = "".join(f"/{p}" for p in error.absolute_path)
            problems.append(Problem(where, None, pointer, error.message))
        keep(entry)

    number = 0
    with path.open(encoding="utf-8") as handle:
        while chunk := list(islice(handle, LEDGER_CHUNK_LINES)):
            # Fast path: the whole chunk as one JSON array of valid entries, proven to be
            # one entry a line (`_ledger_chunk`); otherwise line by line, with the report.
            parsed = _ledger_chunk(chunk, fast)
            if parsed is None:
                for offset, line in enumerate(chunk, start=number + 1):
                    check_line(offset, line)
            else:  # valid entries: every key is present
                pairs.update(zip(map(_OUTCOME, parsed), map(_REASON, parsed), strict=True))
                recorded.update([e["id"] for e in parsed if e["outcome"] == "record"])
            number += len(chunk)
    return LedgerRead(problems, recorded, pairs)


def finish_ledger(
    ledger: LedgerRead, manifest: dict[str, Any], ids: AbstractSet[str], report: ValidationReport
) -> None:
    """Report the ledger's problems, then check it against the Parquet ids and the manifest."""
    report.problems.extend(ledger.problems)
    recorded = ledger.recorded
    if recorded is None:
        return
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
    stubs = [({"outcome": p[0], "reason": p[1]}, n) for p, n in ledger.pairs.items()]
    entries = [stub for stub, count in stubs for _ in range(count)]
    if summarize(entries) != manifest.get("ledger"):
        report.problems.append(
            Problem(MANIFEST_FILE_NAME, None, "/ledger", "counts differ from the ledger")
        )


@cache
def _ledger_validator() -> Any:
    """The full validator of the ledger schema (it writes the report of a bad entry)."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_ledger_schema())


@cache
def _ledger_entries_flat() -> bool:
    """True when the ledger schema only accepts objects of strings, numbers and nulls."""
    schema = load_ledger_schema()
    scalars = {"string", "number", "integer", "boolean", "null"}
    if (
        schema.get("type") != "object"
        or schema.get("additionalProperties") is not False
        or "patternProperties" in schema
    ):
        return False
    for node in schema.get("properties", {}).values():
        declared = node.get("type") if isinstance(node, dict) else None
        names = [declared] if isinstance(declared, str) else declared
        if not isinstance(names, list) or not set(names) <= scalars:
            return False
    return True


_OUTCOME = operator.itemgetter("outcome")
_REASON = operator.itemgetter("reason")


def _ledger_chunk(lines: list[str], fast: Any) -> list[dict[str, Any]] | None:
    """The entries of `lines` when each is one JSON object the schema accepts, else None."""
    if fast is None:
        return None
    try:
        parsed = json.loads("[" + ",".join(lines) + "]")
    except json.JSONDecodeError:
        return None
    if len(parsed) != len(lines) or not all(map(fast.is_valid, parsed)):
        return None
    # Proof that element i is line i (as `json.loads(line)` would read it): every element
    # is a flat object (the schema accepts no other) and every line, stripped, starts with
    # "{" and ends with "}". An element spanning a line break would hold that line's last
    # "}" inside a string (it has no nested object), and a JSON string cannot hold a raw
    # line break; so no element spans lines, each line holds at least one, and equal
    # counts make it exactly one.
    if not _ledger_entries_flat() or not all(type(entry) is dict for entry in parsed):
        return None
    for line in lines:
        text = line.strip()
        if not (text.startswith("{") and text.endswith("}")):
            return None
    return parsed  # type: ignore[no-any-return]
