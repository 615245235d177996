"""Validate a published folder (or a JSON Lines file of records) against every rule.

For a folder: the manifest's checksums (modified, missing or extra data files), each
Parquet file's Arrow schema, every record against the JSON Schema and the cross-field
rules, ids unique within and across splits and in their hashed split, the ledger against
its schema and the manifest's counts, and the dataset card's features and split sizes
against the Parquet files.

Speed: Parquet batches are checked column by column first (Arrow and NumPy, spans as
UTF-8 bytes); that pass only clears rows that certainly pass, and every other row goes
to `check_record`: a compiled validator (jsonschema-rs), then `jsonschema`, which writes
the report (both implement the same 2020-12 schema with formats asserted; a test holds
them to the same verdicts), then the cross-field rules. With a core to spare, the
checksums and the ledger are checked in a forked process meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import os
import pickle
import re
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from hashlib import sha256
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newscorpus.ledger import LEDGER_FILE_NAME, summarize
from newscorpus.publish import CARD_FILE_NAME, MANIFEST_FILE_NAME, read_card_metadata, sha256_file
from newscorpus.records import (
    PARAGRAPH_SEPARATOR,
    Problem,
    cross_field_problems,
    fast_validator,
    schema_problems,
)
from newscorpus.schema import (
    arrow_schema,
    date_fields,
    load_ledger_schema,
    load_schema,
)
from newscorpus.splits import _BOUNDS as _SPLIT_BOUNDS
from newscorpus.splits import SPLITS, assign_split

READ_BATCH_ROWS = 4096
LEDGER_CHUNK_LINES = 4096


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
    if _cross_fields_hold(record):
        return []
    return list(cross_field_problems(record, file))


def _cross_fields_hold(record: dict[str, Any]) -> bool:
    """True only when `cross_field_problems` finds nothing (a schema-valid record).

    The same rules, checked without building messages: the common case (every rule holds)
    costs a few µs; any doubt returns False and `cross_field_problems` writes the report.
    """
    body, headline, subheadlines = record["body"], record["headline"], record["subheadlines"]
    counts: dict[str, int] = {}
    for quote in record["quotes"]:
        location = quote["location"]
        if location == "body":
            field = body
        elif location == "headline":
            field = headline
        else:
            index = quote["subheadline_index"]
            if type(index) is not int or not 0 <= index < len(subheadlines):
                return False
            field = subheadlines[index]
        if location != "subheadline" and quote["subheadline_index"] is not None:
            return False
        size = len(field)
        for name, start_name, end_name in _SPANS:
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
        speaker = quote["speaker"]
        if (speaker is None) != (quote["speaker_mention"] is None):
            return False
        if speaker:
            counts[speaker] = counts.get(speaker, 0) + 1
    if record["speakers"] != [{"name": n, "quote_count": c} for n, c in counts.items()]:
        return False
    return PARAGRAPH_SEPARATOR not in body or all(
        p.strip() for p in body.split(PARAGRAPH_SEPARATOR)
    )


_SPANS = (
    ("text", "start", "end"),
    ("speaker_mention", "speaker_start", "speaker_end"),
    ("cue", "cue_start", "cue_end"),
)


# --- The columnar fast pass ------------------------------------------------------------
#
# Turning every row into Python dicts costs more than every check together, so each
# batch is first checked column by column (Arrow compute and NumPy): the JSON Schema's
# keywords, derived from the schema itself, and the cross-field rules. It can only say
# "these rows are certainly valid": a row it is unsure of (or any row, for a schema
# keyword it does not know) goes through `check_record` as a dict, which decides and
# reports. So the verdicts are those of the per-record checks; only valid rows are fast.

_KNOWN_KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "title",
        "description",
        "version",
        "type",
        "additionalProperties",
        "required",
        "properties",
        "items",
        "minLength",
        "pattern",
        "enum",
        "minimum",
        "format",
    }
)
# Patterns RE2 reads as ECMA 262 and Python do (anchored, plain classes and counts);
# RE2's `$` is the end of the text, stricter than Python's: never a false "valid".
_SIMPLE_PATTERN = re.compile(r"\^[\[\]A-Za-z0-9_\-\\.+*?{},()|]*\$")
# A superset of Python's whitespace (str.isspace), for the empty-paragraph rule.
_SPACE = (
    "[\\t\\n\\x{0b}\\x{0c}\\r \\x{1c}-\\x{1f}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
)


def _node_types(node: dict[str, Any]) -> tuple[str, bool]:
    declared = node["type"]
    names = [declared] if isinstance(declared, str) else list(declared)
    concrete = [n for n in names if n != "null"]
    if len(concrete) != 1:
        raise ValueError(declared)
    return concrete[0], "null" in names


def _supported(node: dict[str, Any]) -> bool:
    """True when the columnar pass implements every keyword of `node` and its children."""
    if not set(node) <= _KNOWN_KEYWORDS or "type" not in node:
        return False
    try:
        kind, _ = _node_types(node)
    except ValueError:
        return False
    if "pattern" in node and not _SIMPLE_PATTERN.fullmatch(node["pattern"]):
        return False
    if "format" in node and node["format"] != "date":
        return False
    if "enum" in node and not all(isinstance(v, str) for v in node["enum"]):
        return False
    if kind == "object":
        properties = node.get("properties", {})
        return (
            node.get("additionalProperties") is False
            and set(node.get("required", [])) <= set(properties)
            and all(_supported(child) for child in properties.values())
        )
    if kind == "array":
        return isinstance(node.get("items"), dict) and _supported(node["items"])
    return kind in ("string", "integer") and "properties" not in node and "items" not in node


@cache
def _columnar_ready() -> bool:
    """True when the record schema is one the columnar pass fully implements."""
    schema = load_schema()
    return _supported(schema) and _node_types(schema)[0] == "object"


# Arrow to NumPy through the buffers: `Array.to_numpy`, `np.asarray(array)` and Python
# values handed to Arrow (`pa.scalar`, `pa.array`, a literal in a `pc` call) all go
# through pyarrow's pandas glue, whose first use imports pandas (≈ 0.2 s, a tenth of a
# whole validation). The pass reads buffers instead and builds its constants from bytes.

_NUMPY_INTS: dict[pa.DataType, type[np.signedinteger[Any]]] = {
    pa.int64(): np.int64,
    pa.int32(): np.int32,
    pa.date32(): np.int32,
}
_EPOCH = dt.date(1970, 1, 1)


def _bitmap(buffer: Any, offset: int, size: int) -> npt.NDArray[np.bool_]:
    """Bits `offset` to `offset + size` of an Arrow bitmap (least significant bit first)."""
    if size == 0:
        return np.zeros(0, dtype=np.bool_)
    packed: npt.NDArray[np.uint8] = np.frombuffer(buffer, dtype=np.uint8)
    bits = np.unpackbits(packed, count=offset + size, bitorder="little")
    flags: npt.NDArray[np.bool_] = bits[offset:].view(np.bool_)
    return flags


def _valid(array: Any) -> npt.NDArray[np.bool_]:
    """Per element: not null."""
    if array.null_count == 0:
        return np.ones(len(array), dtype=np.bool_)
    return _bitmap(array.buffers()[0], array.offset, len(array))


def _flags(array: Any) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array as NumPy, null as False."""
    if not pa.types.is_boolean(array.type):
        raise TypeError(array.type)
    flags = _bitmap(array.buffers()[1], array.offset, len(array))
    return flags & _valid(array) if array.null_count else flags


def _ints(array: Any, fill: int) -> npt.NDArray[np.int64]:
    """An integer (or date32, in days) Arrow array as int64, null as `fill`."""
    dtype = _NUMPY_INTS[array.type]
    size = len(array)
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    values = np.frombuffer(array.buffers()[1], dtype=dtype, count=array.offset + size)
    result = values[array.offset :].astype(np.int64)
    if array.null_count:
        result[~_valid(array)] = fill
    return result


def _offsets(array: Any) -> npt.NDArray[np.int64]:
    """The `len(array) + 1` offsets of a string array's values into its data buffer."""
    if not pa.types.is_string(array.type):
        raise TypeError(array.type)
    size = len(array)
    if size == 0:
        return np.zeros(1, dtype=np.int64)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32, count=array.offset + size + 1)
    return offsets[array.offset :].astype(np.int64)


def _data(array: Any) -> Any:
    """The data buffer of a string array (an empty one when it has none)."""
    buffer = array.buffers()[2]
    return buffer if buffer is not None else pa.py_buffer(b"")


@cache
def _string_array(values: tuple[str, ...]) -> Any:
    """`pa.array(values)`, built from bytes."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets.data), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _index_array(indices: npt.NDArray[np.int64]) -> Any:
    """NumPy int64 indices as an Arrow array (for `take`)."""
    values = np.ascontiguousarray(indices, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values.data)])


def _mark(bad: Any, parents: npt.NDArray[np.int64] | None, rows: npt.NDArray[np.bool_]) -> None:
    """Mark the rows of the elements where `bad` (NumPy, or Arrow booleans) is true."""
    flags = bad if isinstance(bad, np.ndarray) else _flags(bad)
    hits = np.flatnonzero(flags)
    if len(hits):
        rows[hits if parents is None else parents[hits]] = True


def _shorter_than(array: Any, minimum: int) -> npt.NDArray[np.bool_]:
    """Per string: fewer than `minimum` code points (null: False). A code point takes 1 to
    4 bytes in UTF-8, so only strings under 4 × `minimum` bytes need counting."""
    if not (np.diff(_offsets(array)) < 4 * minimum).any():
        return np.zeros(len(array), dtype=np.bool_)
    lengths: npt.NDArray[np.bool_] = _ints(pc.utf8_length(array), fill=minimum) < minimum
    return lengths


def _schema_pass(
    node: dict[str, Any], array: Any, parents: npt.NDArray[np.int64] | None, rows: Any
) -> None:
    """Mark the rows where `array` (values of `node`) may break the JSON Schema."""
    kind, nullable = _node_types(node)
    if array.null_count and not nullable:
        _mark(~_valid(array), parents, rows)
    if kind == "string" and node.get("format") == "date":
        if not pa.types.is_date32(array.type):
            rows[:] = True
            return
        # Days a Python date can hold (`to_pylist` fails outside); null reads as in range.
        days = _ints(array, fill=0)
        low, high = (dt.date.min - _EPOCH).days, (dt.date.max - _EPOCH).days
        _mark((days < low) | (days > high), parents, rows)
    elif kind == "string":
        if "minLength" in node:
            _mark(_shorter_than(array, node["minLength"]), parents, rows)
        if "pattern" in node:
            _mark(pc.invert(pc.match_substring_regex(array, node["pattern"])), parents, rows)
        if "enum" in node:
            value_set = _string_array(tuple(node["enum"]))
            _mark(pc.invert(pc.is_in(array, value_set=value_set)), parents, rows)
    elif kind == "integer":
        if "minimum" in node:
            values = _ints(array, fill=0)
            _mark(_valid(array) & (values < node["minimum"]), parents, rows)
    elif kind == "array":
        child_parents = _ints(pc.list_parent_indices(array), fill=0)
        if parents is not None:
            child_parents = parents[child_parents]
        _schema_pass(node["items"], array.flatten(), child_parents, rows)
    elif kind == "object":
        for name, child in node["properties"].items():
            _schema_pass(child, pc.struct_field(array, name), parents, rows)


class _CodePoints:
    """The strings of an Arrow string array, addressed by code point as `str` is.

    Arrow's offsets count UTF-8 bytes; a code-point offset moves by the extra bytes of the
    multi-byte characters before it. Their lead bytes (≥ 0xC0, the data being valid UTF-8)
    are found in one scan; in the whole data, lead `i`'s "key" (its byte position less the
    extra bytes before it) grows strictly, so one `searchsorted` over the keys counts the
    multi-byte characters before any code point of any string.
    """

    def __init__(self, array: Any) -> None:
        self.data = _data(array)
        self.offsets = offsets = _offsets(array)
        raw = np.frombuffer(self.data, dtype=np.uint8)
        first = int(offsets[0])
        leads = np.flatnonzero(raw[first : int(offsets[-1])] >= 0xC0) + first
        size = raw[leads]
        extra = 1 + (size >= 0xE0).astype(np.int64) + (size >= 0xF0)
        self.extra_before = np.zeros(len(leads) + 1, dtype=np.int64)
        np.cumsum(extra, out=self.extra_before[1:])
        self.keys = leads - self.extra_before[:-1]
        # Extra bytes before each string's start (and the data's end): inside string e
        # there are extra_at[e + 1] - extra_at[e].
        self.extra_at = self.extra_before[np.searchsorted(leads, offsets)]
        self.lengths = np.diff(offsets) - np.diff(self.extra_at)  # in code points

    def byte_offsets(
        self, elements: npt.NDArray[np.int64], points: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Positions in `data` of code point `points[i]` (0 ≤ it ≤ its length) of string
        `elements[i]`."""
        start = self.offsets[elements]
        base = self.extra_at[elements]
        passed = np.searchsorted(self.keys, start - base + points)
        offsets: npt.NDArray[np.int64] = start + points + self.extra_before[passed] - base
        return offsets


# Spans are compared in rounds of sorted, non-overlapping slices; spans still overlapping
# after this many rounds (never seen in real data) are left to `check_record`.
_SLICE_ROUNDS = 8


def _interleaved(data: Any, first: Any, stop: Any) -> Any:
    """An Arrow string array over `data` whose element 2k is bytes `first[k]:stop[k]`
    and 2k + 1 the gap to the next slice: slices sorted and apart, as Arrow needs."""
    bounds = np.empty(2 * len(first), dtype=np.int64)
    bounds[0::2], bounds[1::2] = first, stop
    return pa.Array.from_buffers(
        pa.large_string(), len(bounds) - 1, [None, pa.py_buffer(bounds.data), data]
    )


def _slices_equal(
    data: Any,
    first: npt.NDArray[np.int64],
    stop: npt.NDArray[np.int64],
    expected: Any,
    pick: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Per span i: True when bytes `first[i]:stop[i]` of `data` are `expected[pick[i]]`.

    Arrow compares the slices in place (`_interleaved` on both sides, no copy). A span
    repeated (one mention for several quotes) is compared once; the expected texts of its
    repeats are compared with the first one's.
    """
    same = np.zeros(len(pick), dtype=np.bool_)
    wanted = _offsets(expected)
    wanted_first, wanted_stop = wanted[pick], wanted[pick + 1]
    sized = np.flatnonzero(stop - first == wanted_stop - wanted_first)
    if not len(sized):
        return same
    order = sized[np.lexsort((stop[sized], first[sized]))]
    lead = np.ones(len(order), dtype=np.bool_)
    lead[1:] = (first[order][1:] != first[order][:-1]) | (stop[order][1:] != stop[order][:-1])
    leader = order[lead][np.cumsum(lead) - 1]  # per span of `order`: its group's first
    remaining = order[lead]  # sorted by `first`
    expected_data = _data(expected)
    for _ in range(_SLICE_ROUNDS):
        if not len(remaining):
            break
        apart = np.ones(len(remaining), dtype=np.bool_)
        apart[1:] = first[remaining][1:] >= np.maximum.accumulate(stop[remaining])[:-1]
        apart[1:] &= (
            wanted_first[remaining][1:] >= np.maximum.accumulate(wanted_stop[remaining])[:-1]
        )
        chosen = remaining[apart]
        found = _interleaved(data, first[chosen], stop[chosen])
        needed = _interleaved(expected_data, wanted_first[chosen], wanted_stop[chosen])
        same[chosen] = _flags(pc.equal(found, needed))[0::2]
        remaining = remaining[~apart]
    repeats = order[~lead]
    if len(repeats):
        firsts = leader[~lead]
        texts = [expected.take(_index_array(pick[i])) for i in (repeats, firsts)]
        same[repeats] = same[firsts] & _flags(pc.equal(*texts))
    return same


_LOCATIONS = ("body", "headline", "subheadline")


def _cross_field_pass(batch: Any, rows: Any) -> None:
    """Mark the rows where a cross-field rule may fail (see `cross_field_problems`)."""
    quotes = batch.column("quotes")
    flat = quotes.flatten()
    quote_rows = _ints(pc.list_parent_indices(quotes), fill=0)
    count = len(flat)
    if flat.null_count:
        _mark(~_valid(flat), quote_rows, rows)
    column = {name: pc.struct_field(flat, name) for name in flat.type.names}
    where = _ints(pc.index_in(column["location"], value_set=_string_array(_LOCATIONS)), -1)
    masks = {location: where == code for code, location in enumerate(_LOCATIONS)}
    is_sub = masks["subheadline"]
    index = column["subheadline_index"]
    index_null = ~_valid(index)
    index_values = _ints(index, fill=-1)
    subheadlines = batch.column("subheadlines")
    sub_counts = _ints(pc.list_value_length(subheadlines), fill=0)
    sub_first = np.concatenate([[0], np.cumsum(sub_counts)[:-1]]).astype(np.int64)
    bad = where < 0
    bad |= ~is_sub & ~index_null
    bad |= is_sub & (index_null | (index_values < 0) | (index_values >= sub_counts[quote_rows]))
    # Spans: compared as UTF-8 bytes by Arrow, at the byte offsets of their code points.
    fields = {
        "body": batch.column("body"),
        "headline": batch.column("headline"),
        "subheadline": subheadlines.flatten(),
    }
    points: dict[str, _CodePoints] = {}
    element = {
        "body": quote_rows,
        "headline": quote_rows,
        "subheadline": sub_first[quote_rows] + np.maximum(index_values, 0),
    }
    for name, start_name, end_name in _SPANS:
        text, start, end = column[name], column[start_name], column[end_name]
        valid = [_valid(a) for a in (text, start, end)]
        all_null = ~(valid[0] | valid[1] | valid[2])
        bad |= ~all_null & ~(valid[0] & valid[1] & valid[2])
        starts = _ints(start, fill=0)
        ends = _ints(end, fill=0)
        bad |= ~all_null & ((starts < 0) | (starts > ends))
        for location, array in fields.items():
            pick = np.flatnonzero(masks[location] & ~all_null & ~bad)
            if not len(pick):
                continue
            if location not in points:
                points[location] = _CodePoints(array)
            field = points[location]
            elements = element[location][pick]
            outside = ends[pick] > field.lengths[elements]
            bad[pick[outside]] = True
            pick, elements = pick[~outside], elements[~outside]
            same = _slices_equal(
                field.data,
                field.byte_offsets(elements, starts[pick]),
                field.byte_offsets(elements, ends[pick]),
                text,
                pick,
            )
            bad[pick[~same]] = True
    bad |= _valid(column["speaker"]) != _valid(column["speaker_mention"])
    if count:
        rows[quote_rows[bad]] = True
    _speakers_pass(batch.column("speakers"), column["speaker"], quote_rows, rows)
    # An empty paragraph (all whitespace) needs a separator followed by whitespace, or a
    # body that starts or ends with whitespace: cheap scans, a superset of the rule.
    body = batch.column("body")
    _mark(pc.match_substring_regex(body, f"\\n\\n{_SPACE}"), None, rows)
    _mark(_blank_edge(body), None, rows)


# Per byte: an ASCII character Python counts as whitespace (`str.isspace`, as `strip`).
_ASCII_SPACE = np.array([b < 0x80 and chr(b).isspace() for b in range(256)], dtype=np.bool_)


def _blank_edge(body: Any) -> npt.NDArray[np.bool_]:
    """Per body: True when it may start or end with whitespace. ASCII edges are decided
    from their byte; the few bodies with a multi-byte edge by `_SPACE` on that character."""
    offsets = _offsets(body)
    raw = np.frombuffer(_data(body), dtype=np.uint8)
    blank = np.zeros(len(body), dtype=np.bool_)
    filled = np.flatnonzero(offsets[1:] > offsets[:-1])
    heads, tails = raw[offsets[filled]], raw[offsets[filled + 1] - 1]
    blank[filled] = _ASCII_SPACE[heads] | _ASCII_SPACE[tails]
    wide = filled[(heads >= 0x80) | (tails >= 0x80)]
    if len(wide):
        subset = body.take(_index_array(wide))
        for edge in (pc.utf8_slice_codeunits(subset, 0, 1), pc.utf8_slice_codeunits(subset, -1)):
            blank[wide] |= _flags(pc.match_substring_regex(edge, f"^{_SPACE}$"))
    return blank


def _speakers_pass(speakers: Any, speaker: Any, quote_rows: Any, rows: Any) -> None:
    """Mark rows whose `speakers` is not one (name, count) per distinct truthy quote
    speaker in order of first quote (`records.count_speakers`), by integer codes."""
    truthy = _valid(speaker) & (np.diff(_offsets(speaker)) > 0)
    encoded = pc.dictionary_encode(speaker)
    dictionary = encoded.dictionary
    codes = _ints(encoded.indices, fill=0)[truthy]
    owners = quote_rows[truthy]
    width = len(dictionary) + 1
    keys = owners * width + codes
    unique, first, tally = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # quotes are row-major: rows, then first use
    expected_rows = (unique // width)[order]
    expected_codes = (unique % width)[order]
    expected_counts = tally[order]
    flat = speakers.flatten()
    actual_rows = _ints(pc.list_parent_indices(speakers), fill=0)
    names = pc.struct_field(flat, "name")
    actual_codes = _ints(pc.index_in(names, value_set=dictionary), fill=-1)
    actual_counts = _ints(pc.struct_field(flat, "quote_count"), fill=-1)
    size = len(rows)
    per_row_expected = np.bincount(expected_rows, minlength=size)
    per_row_actual = np.bincount(actual_rows, minlength=size)
    differ = per_row_expected != per_row_actual
    rows[differ] = True
    if not differ.any():  # same lengths per row: the flat sequences align
        wrong = (
            (actual_codes != expected_codes)
            | (actual_counts != expected_counts)
            | (actual_rows != expected_rows)
        )
        rows[actual_rows[wrong]] = True
    else:
        keep = ~differ[actual_rows]
        keep_expected = ~differ[expected_rows]
        wrong = (actual_codes[keep] != expected_codes[keep_expected]) | (
            actual_counts[keep] != expected_counts[keep_expected]
        )
        rows[actual_rows[keep][wrong]] = True


def _clean_rows(batch: pa.RecordBatch) -> npt.NDArray[np.bool_] | None:
    """Per row: True when it certainly passes `check_record`; None when undecided."""
    if not _columnar_ready() or batch.num_rows == 0:
        return None
    try:
        batch.validate(full=True)  # UTF-8 and offsets: the row path reports bad ones
        rows = np.zeros(batch.num_rows, dtype=np.bool_)
        schema = load_schema()
        for name, node in schema["properties"].items():
            _schema_pass(node, batch.column(name), None, rows)
        _cross_field_pass(batch, rows)
    except (pa.ArrowException, ValueError, KeyError, TypeError, IndexError):
        return None
    clean: npt.NDArray[np.bool_] = ~rows
    return clean


class _Checked:
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
        if type(record) is _Checked:
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


def validate_path(path: str | Path = "processed", *, fork: bool = False) -> ValidationReport:
    """Validate a published folder or a `.jsonl` file of records; never raises on bad data.

    `fork=True` lets the checksums and the ledger run in a forked process beside the
    Parquet pass when a core is spare (the `validate` command does): only for a process
    that owns its threads, since a fork copies the calling thread alone.
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
    side = _Forked(partial(_side_checks, target, manifest), fork)
    try:
        before = len(report.problems)
        ids = validate_records(_parquet_records(target, manifest, report), report)
        file_problems, counts, ledger = side.result()
    finally:
        side.close()
    report.problems[before:before] = file_problems
    _finish_ledger(ledger, manifest, ids, report)
    _check_card(target, counts, report)
    _check_croissant(target, report)
    return report


def _side_checks(
    folder: Path, manifest: dict[str, Any]
) -> tuple[list[Problem], dict[str, int], _Ledger]:
    """The manifest's checksums (problems, rows per split) and the ledger, read."""
    files = ValidationReport(str(folder))
    counts = _check_files(folder, manifest, files)
    return files.problems, counts, _read_ledger(folder)


def _spare_core() -> bool:
    """True when a forked process can run beside this one: fork exists, more than one
    core is ours, and no other Python thread runs (a fork copies only the caller's)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) > 1
    return (os.cpu_count() or 1) > 1


_T = TypeVar("_T")


class _Forked(Generic[_T]):
    """`work()` run in a forked process from now on (`_spare_core`), or else in this
    one when `result` is asked for; also there when the child fails in any way."""

    def __init__(self, work: Callable[[], _T], fork: bool = True) -> None:
        self.work = work
        self.pid = 0
        self.reader = -1
        if not fork or not _spare_core():
            return
        reader, writer = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return
        if pid == 0:  # the child: never returns into the caller's code
            code = 1
            try:
                os.close(reader)
                with os.fdopen(writer, "wb") as stream:
                    pickle.dump(work(), stream, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self.pid, self.reader = pid, reader

    def result(self) -> _T:
        """The value of `work()`, from the child when it delivered one."""
        if self.pid:
            pid, self.pid = self.pid, 0
            with os.fdopen(self.reader, "rb") as stream:
                self.reader = -1
                data = stream.read()
            try:
                _, status = os.waitpid(pid, 0)
                delivered = os.waitstatus_to_exitcode(status) == 0
            except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): a whole
                delivered = True  # pickle (it ends with STOP) is still the child's result
            if delivered:
                with contextlib.suppress(Exception):
                    value: _T = pickle.loads(data)
                    return value
        return self.work()

    def close(self) -> None:
        """Stop and reap the child if `result` was never asked for (an exception)."""
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0


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
    # Every row has these columns: the file's schema is checked equal to `expected`.
    dates = date_fields()
    for split, info in manifest.get("splits", {}).items():
        rows_seen = 0
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
                    records = _batch_records(batch, dates)
                    if type(records) is _Checked:
                        ids = records.ids
                        if _ids_in_order_and_split(ids, previous, split):
                            rows_seen += len(ids)
                            previous = ids[-1]
                            yield name, records
                            continue
                        records = [_Checked([i]) for i in ids]  # report row by row
                    for record in records:
                        rows_seen += 1
                        raw_id = record.ids[0] if type(record) is _Checked else record.get("id")
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
    # `splits.split_bucket` for every id at once: sha256, first 8 bytes big-endian, % 100.
    heads = b"".join([sha256(i.encode("utf-8")).digest()[:8] for i in ids])
    buckets = np.frombuffer(heads, dtype=">u8") % 100
    position = SPLITS.index(split)
    low = _SPLIT_BOUNDS[position - 1] if position else 0
    high = _SPLIT_BOUNDS[position]
    return bool(((buckets >= low) & (buckets < high)).all())


def _batch_records(batch: pa.RecordBatch, dates: tuple[str, ...]) -> Any:
    """The rows of a batch: one `_Checked` when the columnar pass cleared them all, else a
    list of `_Checked` (one row each) for the rows it cleared and dicts for the others."""
    clean = _clean_rows(batch)
    if clean is not None and clean.all():
        ids: list[Any] = batch.column("id").to_pylist()
        return _Checked(ids)
    if clean is None:
        records: list[Any] = batch.to_pylist()
    else:
        ids = batch.column("id").to_pylist()
        doubtful = np.flatnonzero(~clean)
        records = [_Checked([i]) for i in ids]
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


@dataclass
class _Ledger:
    """The ledger as read: per-line problems, the recorded ids and, for `summarize`, how
    many entries have each (outcome, reason); `recorded` is None when it is missing."""

    problems: list[Problem]
    recorded: set[Any] | None
    pairs: Counter[tuple[Any, Any]]


def _read_ledger(folder: Path) -> _Ledger:
    path = folder / LEDGER_FILE_NAME
    problems: list[Problem] = []
    pairs: Counter[tuple[Any, Any]] = Counter()
    if not path.is_file():
        problems.append(Problem(LEDGER_FILE_NAME, None, "", "missing ledger"))
        return _Ledger(problems, None, pairs)
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
    return _Ledger(problems, recorded, pairs)


def _finish_ledger(
    ledger: _Ledger, manifest: dict[str, Any], ids: AbstractSet[str], report: ValidationReport
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


def _check_card(folder: Path, counts: dict[str, int], report: ValidationReport) -> None:
    path = folder / CARD_FILE_NAME
    try:
        metadata = read_card_metadata(path)
    except (OSError, ValueError) as exc:
        report.problems.append(Problem(CARD_FILE_NAME, None, "", f"unreadable card: {exc}"))
        return
    info = metadata.get("dataset_info", {})
    if info.get("features") != expected_card_features():
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


# Arrow types whose `datasets` feature is a plain dtype of the same name (checked against
# `datasets` itself by tests/test_validate_features.py).
_PLAIN_DTYPES = {
    pa.string(): "string",
    pa.int64(): "int64",
    pa.int32(): "int32",
    pa.bool_(): "bool",
    pa.float64(): "float64",
    pa.date32(): "date32",
}


def _feature_yaml(arrow_type: Any) -> Any:
    """The YAML form `datasets` gives an Arrow field type, or None when not one we know."""
    if arrow_type in _PLAIN_DTYPES:
        return {"dtype": _PLAIN_DTYPES[arrow_type]}
    if pa.types.is_list(arrow_type):
        item = arrow_type.value_type
        if item in _PLAIN_DTYPES:
            return {"list": _PLAIN_DTYPES[item]}
        if pa.types.is_struct(item):
            fields = _fields_yaml(list(item))
            return None if fields is None else {"list": fields}
    return None


def _fields_yaml(fields: list[Any]) -> list[dict[str, Any]] | None:
    result = []
    for arrow_field in fields:
        feature = _feature_yaml(arrow_field.type)
        if feature is None:
            return None
        result.append({"name": arrow_field.name, **feature})
    return result


def card_features_of(schema: pa.Schema) -> list[dict[str, Any]]:
    """`dataset_info.features` as `datasets` derives them from `schema` (`hf_features_yaml`).

    Plain strings, integers, dates and lists of them or of structs are mapped here, without
    importing `datasets` (≈ 0.4 s); any other type, or Hugging Face metadata in the
    schema, asks `datasets` itself. A test holds both to the same output.
    """
    if not (schema.metadata and b"huggingface" in schema.metadata):
        fields = _fields_yaml(list(schema))
        if fields is not None:
            return fields
    from datasets import DatasetInfo, Features

    features = Features.from_arrow_schema(schema)
    yaml_dict: dict[str, Any] = DatasetInfo(features=features)._to_yaml_dict()
    result: list[dict[str, Any]] = yaml_dict["features"]
    return result


def expected_card_features() -> list[dict[str, Any]]:
    """The card's features for the record schema: `hf_features_yaml()`, without `datasets`."""
    return card_features_of(arrow_schema())


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
