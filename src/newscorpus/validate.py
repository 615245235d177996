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

import datetime as dt
import json
import operator
import re
from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from hashlib import sha256
from itertools import islice
from pathlib import Path
from typing import Any

import jsonschema
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


def _mark(bad: Any, parents: npt.NDArray[np.int64] | None, rows: npt.NDArray[np.bool_]) -> None:
    """Mark the rows of the elements where `bad` (an Arrow boolean array) is true."""
    flags = np.asarray(pc.fill_null(bad, False).to_numpy(zero_copy_only=False), dtype=np.bool_)
    hits = np.flatnonzero(flags)
    if len(hits):
        rows[hits if parents is None else parents[hits]] = True


def _schema_pass(
    node: dict[str, Any], array: Any, parents: npt.NDArray[np.int64] | None, rows: Any
) -> None:
    """Mark the rows where `array` (values of `node`) may break the JSON Schema."""
    kind, nullable = _node_types(node)
    if array.null_count and not nullable:
        _mark(pc.is_null(array), parents, rows)
    if kind == "string" and node.get("format") == "date":
        if not pa.types.is_date32(array.type):
            rows[:] = True
            return
        low, high = pa.scalar(dt.date.min, pa.date32()), pa.scalar(dt.date.max, pa.date32())
        _mark(pc.or_(pc.less(array, low), pc.greater(array, high)), parents, rows)
    elif kind == "string":
        if "minLength" in node:
            _mark(pc.less(pc.utf8_length(array), node["minLength"]), parents, rows)
        if "pattern" in node:
            _mark(pc.invert(pc.match_substring_regex(array, node["pattern"])), parents, rows)
        if "enum" in node:
            _mark(pc.invert(pc.is_in(array, value_set=pa.array(node["enum"]))), parents, rows)
    elif kind == "integer":
        if "minimum" in node:
            _mark(pc.less(array, node["minimum"]), parents, rows)
    elif kind == "array":
        child_parents = np.asarray(pc.list_parent_indices(array), dtype=np.int64)
        if parents is not None:
            child_parents = parents[child_parents]
        _schema_pass(node["items"], array.flatten(), child_parents, rows)
    elif kind == "object":
        for name, child in node["properties"].items():
            _schema_pass(child, pc.struct_field(array, name), parents, rows)


def _cross_field_pass(batch: Any, rows: Any) -> None:
    """Mark the rows where a cross-field rule may fail (see `cross_field_problems`)."""
    quotes = batch.column("quotes")
    flat = quotes.flatten()
    quote_rows = np.asarray(pc.list_parent_indices(quotes), dtype=np.int64)
    count = len(flat)
    if flat.null_count:
        _mark(pc.is_null(flat), quote_rows, rows)
    column = {name: pc.struct_field(flat, name) for name in flat.type.names}
    location = column["location"]
    is_body = np.asarray(pc.fill_null(pc.equal(location, pa.scalar("body")), False), dtype=np.bool_)
    is_headline = np.asarray(
        pc.fill_null(pc.equal(location, pa.scalar("headline")), False), dtype=np.bool_
    )
    is_sub = np.asarray(
        pc.fill_null(pc.equal(location, pa.scalar("subheadline")), False), dtype=np.bool_
    )
    index = column["subheadline_index"]
    index_null = np.asarray(pc.is_null(index), dtype=np.bool_)
    index_values = np.asarray(pc.fill_null(index, -1), dtype=np.int64)
    subheadlines = batch.column("subheadlines")
    sub_counts = np.asarray(pc.fill_null(pc.list_value_length(subheadlines), 0), dtype=np.int64)
    sub_first = np.concatenate([[0], np.cumsum(sub_counts)[:-1]]).astype(np.int64)
    bad = ~(is_body | is_headline | is_sub)
    bad |= ~is_sub & ~index_null
    bad |= is_sub & (index_null | (index_values < 0) | (index_values >= sub_counts[quote_rows]))
    # Spans: Python strings are cheap to make (dicts are not); slices compared as str.
    sub_flat = subheadlines.flatten()
    fields = {
        "body": batch.column("body"),
        "headline": batch.column("headline"),
        "subheadline": sub_flat,
    }
    strings: dict[str, list[Any]] = {}
    lengths = {
        location: np.asarray(pc.fill_null(pc.utf8_length(array), 0), dtype=np.int64)
        for location, array in fields.items()
    }
    element = {
        "body": quote_rows,
        "headline": quote_rows,
        "subheadline": sub_first[quote_rows] + np.maximum(index_values, 0),
    }
    masks = {"body": is_body, "headline": is_headline, "subheadline": is_sub}
    for name, start_name, end_name in _SPANS:
        text, start, end = column[name], column[start_name], column[end_name]
        nulls = [np.asarray(pc.is_null(a), dtype=np.bool_) for a in (text, start, end)]
        all_null = nulls[0] & nulls[1] & nulls[2]
        bad |= ~all_null & (nulls[0] | nulls[1] | nulls[2])
        starts = np.asarray(pc.fill_null(start, 0), dtype=np.int64)
        ends = np.asarray(pc.fill_null(end, 0), dtype=np.int64)
        bad |= ~all_null & ((starts < 0) | (starts > ends))
        texts: list[Any] | None = None
        text_lengths = np.asarray(pc.fill_null(pc.utf8_length(text), -1), dtype=np.int64)
        for location in fields:
            pick = np.flatnonzero(masks[location] & ~all_null & ~bad)
            if not len(pick):
                continue
            elements = element[location][pick]
            outside = ends[pick] > lengths[location][elements]
            bad[pick[outside]] = True
            pick, elements = pick[~outside], elements[~outside]
            if texts is None:
                texts = text.to_pylist()
            if location not in strings:
                strings[location] = fields[location].to_pylist()
            field = strings[location]
            # field[item][first:stop] == texts[quote] (0 <= first <= stop <= len, checked
            # above) holds exactly when the lengths agree and the field has the text at
            # `first`: `str.startswith` compares in place, without making a slice.
            sized = text_lengths[pick] == ends[pick] - starts[pick]
            bad[pick[~sized]] = True
            pick, elements = pick[sized], elements[sized]
            found = map(
                str.startswith,
                map(field.__getitem__, elements.tolist()),
                map(texts.__getitem__, pick.tolist()),
                starts[pick].tolist(),
            )
            same = np.fromiter(found, dtype=np.bool_, count=len(pick))
            bad[pick[~same]] = True
    speaker = column["speaker"]
    speaker_null = np.asarray(pc.is_null(speaker), dtype=np.bool_)
    bad |= speaker_null != np.asarray(pc.is_null(column["speaker_mention"]), dtype=np.bool_)
    if count:
        rows[quote_rows[bad]] = True
    _speakers_pass(batch.column("speakers"), speaker, quote_rows, rows)
    # An empty paragraph (all whitespace) needs a separator followed by whitespace, or a
    # body that starts or ends with whitespace: cheap scans, a superset of the rule.
    body = batch.column("body")
    _mark(pc.match_substring_regex(body, f"\\n\\n{_SPACE}"), None, rows)
    for edge in (pc.utf8_slice_codeunits(body, 0, 1), pc.utf8_slice_codeunits(body, -1)):
        _mark(pc.match_substring_regex(edge, f"^{_SPACE}$"), None, rows)


def _speakers_pass(speakers: Any, speaker: Any, quote_rows: Any, rows: Any) -> None:
    """Mark rows whose `speakers` is not one (name, count) per distinct truthy quote
    speaker in order of first quote (`records.count_speakers`), by integer codes."""
    truthy = np.asarray(
        pc.fill_null(pc.greater(pc.utf8_length(speaker), pa.scalar(0)), False), dtype=np.bool_
    )
    encoded = pc.dictionary_encode(speaker)
    dictionary = encoded.dictionary
    codes = np.asarray(pc.fill_null(encoded.indices, 0), dtype=np.int64)[truthy]
    owners = quote_rows[truthy]
    width = len(dictionary) + 1
    keys = owners * width + codes
    unique, first, tally = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")  # quotes are row-major: rows, then first use
    expected_rows = (unique // width)[order]
    expected_codes = (unique % width)[order]
    expected_counts = tally[order]
    flat = speakers.flatten()
    actual_rows = np.asarray(pc.list_parent_indices(speakers), dtype=np.int64)
    names = pc.struct_field(flat, "name")
    actual_codes = np.asarray(
        pc.fill_null(pc.index_in(names, value_set=dictionary), -1), dtype=np.int64
    )
    actual_counts = np.asarray(pc.fill_null(pc.struct_field(flat, "quote_count"), -1))
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


def _check_ledger(
    folder: Path, manifest: dict[str, Any], ids: AbstractSet[str], report: ValidationReport
) -> None:
    path = folder / LEDGER_FILE_NAME
    if not path.is_file():
        report.problems.append(Problem(LEDGER_FILE_NAME, None, "", "missing ledger"))
        return
    validator = jsonschema.Draft202012Validator(load_ledger_schema())
    fast = _fast_ledger_validator()
    # Not the entries themselves (a ledger line per raw file): the recorded ids, and for
    # `summarize` how many entries have each (outcome, reason), so memory stays flat.
    pairs: Counter[tuple[Any, Any]] = Counter()
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
            report.problems.append(Problem(where, None, "", f"not JSON: {exc}"))
            return
        if fast is not None and fast.is_valid(entry):
            keep(entry)
            return
        for error in validator.iter_errors(entry):
            pointer = "".join(f"/{p}" for p in error.absolute_path)
            report.problems.append(Problem(where, None, pointer, error.message))
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
    stubs = [({"outcome": p[0], "reason": p[1]}, n) for p, n in pairs.items()]
    entries = [stub for stub, count in stubs for _ in range(count)]
    if summarize(entries) != manifest.get("ledger"):
        report.problems.append(
            Problem(MANIFEST_FILE_NAME, None, "/ledger", "counts differ from the ledger")
        )


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
