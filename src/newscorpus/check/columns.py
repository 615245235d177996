"""Checking Parquet batches column by column (Arrow and NumPy, spans as UTF-8 bytes).

Turning every row into Python dicts costs more than every check together, so each batch
is first checked column by column: the JSON Schema's keywords, derived from the schema
itself, and the cross-field rules of `record.rules`. The pass can only say "these rows
are certainly valid"; every other row goes to `check.records.check_record`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from newscorpus.record.rules import Tally, active_rules
from newscorpus.record.schema import (
    json_type,
    load_schema,
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


def _supported(node: dict[str, Any]) -> bool:
    """True when the columnar pass implements every keyword of `node` and its children."""
    # `$defs` are resolved into the properties that use them; `x-` keywords are
    # storage annotations (`x-dictionary`), no constraint.
    keywords = {key for key in node if not key.startswith("x-") and key != "$defs"}
    if not keywords <= _KNOWN_KEYWORDS or "type" not in node:
        return False
    try:
        kind, _ = json_type(node)
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
    return _supported(schema) and json_type(schema)[0] == "object"


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
    kind, nullable = json_type(node)
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


def cross_field_pass(batch: Any, rows: Any) -> None:
    """Mark the rows where a cross-field rule of `rules.RULES` may fail (each rule of the
    table, column by column; see `records.cross_field_problems`)."""
    rules = active_rules()
    location = rules.location
    indexed, array = location.indexed
    locations = (*location.direct, indexed)
    quotes = batch.column(rules.items)
    flat = quotes.flatten()
    quote_rows = _ints(pc.list_parent_indices(quotes), fill=0)
    count = len(flat)
    if flat.null_count:
        _mark(~_valid(flat), quote_rows, rows)
    column = {name: pc.struct_field(flat, name) for name in flat.type.names}
    where = _ints(pc.index_in(column[location.kind], value_set=_string_array(locations)), -1)
    masks = {name: where == code for code, name in enumerate(locations)}
    is_indexed = masks[indexed]
    index = column[location.index]
    index_null = ~_valid(index)
    index_values = _ints(index, fill=-1)
    texts = batch.column(array)
    text_counts = _ints(pc.list_value_length(texts), fill=0)
    text_first = np.concatenate([[0], np.cumsum(text_counts)[:-1]]).astype(np.int64)
    bad = where < 0
    bad |= ~is_indexed & ~index_null
    bad |= is_indexed & (
        index_null | (index_values < 0) | (index_values >= text_counts[quote_rows])
    )
    # Spans: compared as UTF-8 bytes by Arrow, at the byte offsets of their code points.
    fields = {name: batch.column(name) for name in location.direct}
    fields[indexed] = texts.flatten()
    element = {name: quote_rows for name in location.direct}
    element[indexed] = text_first[quote_rows] + np.maximum(index_values, 0)
    points: dict[str, _CodePoints] = {}
    for span in rules.spans:
        text, start, end = column[span.text], column[span.start], column[span.end]
        valid = [_valid(a) for a in (text, start, end)]
        all_null = ~(valid[0] | valid[1] | valid[2])
        bad |= ~all_null & ~(valid[0] & valid[1] & valid[2])
        starts = _ints(start, fill=0)
        ends = _ints(end, fill=0)
        bad |= ~all_null & ((starts < 0) | (starts > ends))
        for name, field_array in fields.items():
            pick = np.flatnonzero(masks[name] & ~all_null & ~bad)
            if not len(pick):
                continue
            if name not in points:
                points[name] = _CodePoints(field_array)
            field = points[name]
            elements = element[name][pick]
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
    for pair in rules.paired:
        bad |= _valid(column[pair.first]) != _valid(column[pair.second])
    if count:
        rows[quote_rows[bad]] = True
    for tally in rules.tallies:
        _tally_pass(batch.column(tally.target), column[tally.value], quote_rows, rows, tally)
    for paragraphs in rules.paragraphs:
        # A blank paragraph needs a separator followed by whitespace, or a text that
        # starts or ends with whitespace: cheap scans, a superset of the rule.
        text_column = batch.column(paragraphs.field)
        separator = "".join(f"\\x{{{ord(ch):x}}}" for ch in paragraphs.separator)
        _mark(pc.match_substring_regex(text_column, f"{separator}{_SPACE}"), None, rows)
        _mark(_blank_edge(text_column), None, rows)


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


def _tally_pass(speakers: Any, speaker: Any, quote_rows: Any, rows: Any, rule: Tally) -> None:
    """Mark rows whose tally list (`speakers`) is not one (name, count) per distinct
    truthy quote value (`speaker`) in order of first use (`rules.Tally`), by codes."""
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
    names = pc.struct_field(flat, rule.name)
    actual_codes = _ints(pc.index_in(names, value_set=dictionary), fill=-1)
    actual_counts = _ints(pc.struct_field(flat, rule.count), fill=-1)
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


def clean_rows(batch: pa.RecordBatch) -> npt.NDArray[np.bool_] | None:
    """Per row: True when it certainly passes `check_record`; None when undecided."""
    if not _columnar_ready() or batch.num_rows == 0:
        return None
    try:
        batch.validate(full=True)  # UTF-8 and offsets: the row path reports bad ones
        rows = np.zeros(batch.num_rows, dtype=np.bool_)
        schema = load_schema()
        for name, node in schema["properties"].items():
            _schema_pass(node, batch.column(name), None, rows)
        cross_field_pass(batch, rows)
    except (pa.ArrowException, ValueError, KeyError, TypeError, IndexError):
        return None
    clean: npt.NDArray[np.bool_] = ~rows
    return clean


def spans_equal(
    strings: Any,
    elements: npt.NDArray[np.int64],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    expected: Any,
    pick: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Per span i: True when code points `starts[i]:ends[i]` of `strings[elements[i]]`
    are the string `expected[pick[i]]`; False for a span outside its string.

    `strings` and `expected` are Arrow string arrays; the slices are compared as UTF-8
    bytes by Arrow (`_slices_equal`), none is built in Python.
    """
    same = np.zeros(len(elements), dtype=np.bool_)
    if not len(elements):
        return same
    points = _CodePoints(strings)
    fits = (starts >= 0) & (starts <= ends) & (ends <= points.lengths[elements])
    chosen = np.flatnonzero(fits)
    if len(chosen):
        same[chosen] = _slices_equal(
            points.data,
            points.byte_offsets(elements[chosen], starts[chosen]),
            points.byte_offsets(elements[chosen], ends[chosen]),
            expected,
            pick[chosen],
        )
    return same


def code_point_lengths(strings: Any) -> npt.NDArray[np.int64]:
    """Per string of an Arrow string array: its length in code points (as `len`)."""
    lengths: npt.NDArray[np.int64] = _CodePoints(strings).lengths
    return lengths
