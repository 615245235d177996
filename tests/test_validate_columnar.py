"""The columnar fast pass of validation only ever clears rows `check_record` accepts.

Validation checks Parquet batches column by column first and turns only the rows it is
unsure of into dicts for `check_record` (which writes the report). These tests break
each rule in turn and require the pass to leave the broken row to `check_record`.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from corpus_factory import synthetic_article

from newscorpus.check import columns
from newscorpus.check.records import check_record
from newscorpus.read.sources import RawFile, load_registry
from newscorpus.run.pipeline import process_bytes
from newscorpus.run.writer import rows_table


def _record(index: int) -> dict[str, Any]:
    registry = load_registry(Path(__file__).resolve().parents[1] / "raw")
    raw = RawFile(f"/x/{index}.txt", f"donga/{index:04d}.txt", 1, registry["donga"])
    (outcome,) = process_bytes(raw, synthetic_article(index).encode("utf-8"))
    record: dict[str, Any] = outcome["record"]
    return record


@pytest.fixture(scope="module")
def good() -> dict[str, Any]:
    for index in range(50):
        record = _record(index)
        if record["quotes"] and any(q["speaker"] for q in record["quotes"]):
            assert check_record(record, "x") == []
            return record
    raise AssertionError("no synthetic article with an attributed quote")


def _quote(record: dict[str, Any]) -> dict[str, Any]:
    quote: dict[str, Any] = record["quotes"][0]
    return quote


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Any:
    def mutate(record: dict[str, Any]) -> None:
        path(record)[key] = value

    return mutate


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "id pattern": _set(lambda r: r, "id", "Donga-xyz"),
    "empty headline": _set(lambda r: r, "headline", ""),
    "language pattern": _set(lambda r: r, "language", "english"),
    "sha pattern": _set(lambda r: r, "raw_sha256", "0" * 63),
    "schema version": _set(lambda r: r, "schema_version", "1.0"),
    "quote start moved": lambda r: _quote(r).update(start=_quote(r)["start"] + 1),
    "quote end past field": lambda r: _quote(r).update(end=10**6),
    "quote negative": lambda r: _quote(r).update(start=-1),
    "quote text changed": lambda r: _quote(r).update(text=_quote(r)["text"] + "x"),
    "bad location": _set(_quote, "location", "footer"),
    "index on body quote": _set(_quote, "subheadline_index", 0),
    "subheadline without index": _set(_quote, "location", "subheadline"),
    "speaker without mention": lambda r: _quote(r).update(speaker="Kim", speaker_mention=None),
    "half a cue span": lambda r: _quote(r).update(cue="said", cue_start=None),
    "speaker counts": lambda r: r.update(speakers=[{"name": "Nobody", "quote_count": 1}]),
    "zero count": lambda r: r["speakers"][0].update(quote_count=0) if r["speakers"] else None,
    "empty paragraph": lambda r: r.update(body=r["body"] + "\n\n \u2003\n\nmore"),
    "blank last paragraph": lambda r: r.update(body=r["body"] + "\n\n\x1c"),
    "null subheadline": _set(lambda r: r, "subheadlines", [None]),
    "empty subheadline": _set(lambda r: r, "subheadlines", [""]),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_broken_row_is_left_to_check_record(good: dict[str, Any], name: str) -> None:
    broken = copy.deepcopy(good)
    MUTATIONS[name](broken)
    assert check_record(broken, "x"), f"the mutation {name!r} should break a rule"
    (batch,) = rows_table([good, broken, good]).to_batches()
    clean = columns.clean_rows(batch)
    assert clean is not None
    assert clean.tolist() == [True, False, True]


def test_valid_rows_are_cleared(good: dict[str, Any]) -> None:
    records = [_record(index) for index in range(30)]
    assert all(check_record(r, "x") == [] for r in records)
    (batch,) = rows_table(records).to_batches()
    clean = columns.clean_rows(batch)
    assert clean is not None and clean.all()


def test_the_space_class_covers_python_whitespace() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    matched = pc.match_substring_regex(pa.array(spaces), f"^{columns._SPACE}$")
    assert all(matched.to_pylist())
