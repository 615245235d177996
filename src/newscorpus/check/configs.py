"""Checking the derived configs (`quotes`, `speakers`) against the articles they come from.

`record/tasks.py` derives one row per quote and one per speaker entity from each
published article; the build writes them beside the articles. Here each config's rows
are read alongside the articles of the same split, in the same order, and compared
column by column with what the articles say (Arrow and NumPy, no row is built in
Python): the same quotes with the same fields, ids and splits, every offset slicing the
paragraph to the quote text, every paragraph standing in its article at the offset the
article's own quote offsets give, and each speaker's quotes and mentions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newscorpus.check.columns import (
    _flags,
    _index_array,
    _ints,
    _valid,
    code_point_lengths,
    spans_equal,
)
from newscorpus.check.records import ValidationReport
from newscorpus.record.records import Problem
from newscorpus.record.rules import PARAGRAPH_SEPARATOR, RULES
from newscorpus.record.schema import (
    CONFIGS,
    DEFAULT_CONFIG,
    arrow_schema,
    quotation_spans,
    quote_row_copied_fields,
)
from newscorpus.record.tasks import quote_id_column

DERIVED = tuple(config for config in CONFIGS if config != DEFAULT_CONFIG)
ARTICLE_COLUMNS = ["id", "source", "published", "headline", "subheadlines", "body", "quotes"]
BATCH_ROWS = 4096
# Problems reported per config and split before the rest are only counted.
MAX_REPORTED = 20


class _Rows:
    """A config's rows for one split, read in order, handed out `count` at a time."""

    def __init__(self, folder: Path, files: list[str], config: str) -> None:
        self._config = config
        self._batches = self._read(folder, files)
        self._held: list[pa.RecordBatch] = []
        self._size = 0
        self.schema_problem: str | None = None

    def _read(self, folder: Path, files: list[str]) -> Iterator[pa.RecordBatch]:
        for name in files:
            parquet = pq.ParquetFile(folder / name)
            if not parquet.schema_arrow.equals(arrow_schema(self._config), check_metadata=False):
                self.schema_problem = name
                return
            yield from parquet.iter_batches(batch_size=BATCH_ROWS)

    def take(self, count: int) -> pa.Table:
        """The next `count` rows (fewer when the files end first)."""
        while self._size < count:
            batch = next(self._batches, None)
            if batch is None:
                break
            self._held.append(batch)
            self._size += batch.num_rows
        table = pa.Table.from_batches(self._held, schema=arrow_schema(self._config))
        taken, rest = table.slice(0, count), table.slice(count)
        self._held = rest.to_batches()
        self._size = rest.num_rows
        return taken

    def left(self) -> int:
        """Rows not taken yet (reads the rest)."""
        return self._size + sum(batch.num_rows for batch in self._batches)


def _same(first: Any, second: Any) -> npt.NDArray[np.bool_]:
    """Per element: equal, or both null."""
    both_null = ~_valid(first) & ~_valid(second)
    equal: npt.NDArray[np.bool_] = _flags(pc.fill_null(pc.equal(first, second), False))
    return equal | both_null


class _Findings:
    """The rows found wrong in one config and split, reported up to MAX_REPORTED."""

    def __init__(self, name: str, report: ValidationReport) -> None:
        self.name, self.report, self.count = name, report, 0

    def flag(self, wrong: npt.NDArray[np.bool_], keys: Any, pointer: str, message: str) -> None:
        """Report the rows where `wrong` is true (`keys`: their ids, for the report)."""
        hits = np.flatnonzero(wrong)
        for index in hits[: max(0, MAX_REPORTED - self.count)].tolist():
            key = keys[index].as_py()
            self.report.problems.append(Problem(self.name, str(key), pointer, message))
        self.count += len(hits)

    def finish(self) -> None:
        """Say how many more rows were wrong than were reported."""
        if self.count > MAX_REPORTED:
            self.report.problems.append(
                Problem(self.name, None, "", f"… and {self.count - MAX_REPORTED} more rows")
            )


class ConfigChecker:
    """Checks the derived configs of a folder against its articles, fed the article
    batches split by split (by `check/published.py`'s pass over the articles, so they
    are read once), or reading them itself (`check_configs`)."""

    def __init__(self, folder: Path, manifest: dict[str, Any], report: ValidationReport) -> None:
        self.folder, self.report = folder, report
        self.configs = manifest.get("configs", {})
        self.counts: dict[str, dict[str, int]] = {}
        for config in DERIVED:
            info = self.configs.get(config)
            if not isinstance(info, dict):
                report.problems.append(
                    Problem("manifest.json", None, f"/configs/{config}", "config missing")
                )
                continue
            splits = info.get("splits", {})
            self.counts[config] = {
                split: int(s.get("num_examples", -1)) for split, s in splits.items()
            }
            for split in sorted(set(splits) - set(manifest.get("splits", {}))):
                report.problems.append(
                    Problem("manifest.json", None, f"/configs/{config}/{split}", "no such split")
                )
        self._split = ""
        self._streams: dict[str, _Rows] = {}
        self._findings: dict[str, _Findings] = {}
        self._stopped = False

    def begin(self, split: str) -> None:
        """Start the articles of `split` (its config rows are read from here on)."""
        self._split, self._stopped = split, False
        self._streams = {
            config: _Rows(
                self.folder,
                self.configs.get(config, {}).get("splits", {}).get(split, {}).get("files", []),
                config,
            )
            for config in DERIVED
            if config in self.configs
        }
        self._findings = {
            config: _Findings(f"{config}/{split}", self.report) for config in self._streams
        }

    def feed(self, batch: pa.RecordBatch) -> None:
        """Check the config rows the next batch of articles gives (in file order)."""
        if self._stopped:
            return
        try:
            self._feed(batch)
        except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
            self.report.problems.append(
                Problem(f"{self._split}", None, "", f"unreadable config file: {exc}")
            )
            self._stopped = True

    def _feed(self, batch: pa.RecordBatch) -> None:
        streams, findings, split = self._streams, self._findings, self._split
        quotes: Any = batch.column("quotes")
        expected_ids = quote_id_column(batch)
        if "quotes" in streams:
            wanted = len(quotes.flatten())
            rows = streams["quotes"].take(wanted)
            if not _counted(rows, wanted, findings["quotes"]):
                self._stopped = True
                return
            _check_quotes(batch, rows, split, expected_ids, findings["quotes"])
        if "speakers" in streams:
            entries = int(pc.sum(_speaker_counts(batch)).as_py() or 0)
            rows = streams["speakers"].take(entries)
            if not _counted(rows, entries, findings["speakers"]):
                self._stopped = True
                return
            _check_speakers(batch, rows, split, expected_ids, findings["speakers"])

    def end(self) -> None:
        """Finish the split: rows left over, schema problems, the count of the rest."""
        try:
            for config, stream in self._streams.items():
                extra = 0 if self._stopped else stream.left()
                if extra:
                    self.report.problems.append(
                        Problem(
                            f"{config}/{self._split}", None, "", f"{extra} rows no article gives"
                        )
                    )
                if stream.schema_problem is not None:
                    self.report.problems.append(
                        Problem(
                            stream.schema_problem,
                            None,
                            "",
                            "Arrow schema differs from its JSON Schema's",
                        )
                    )
        except (OSError, ValueError, pa.ArrowException) as exc:
            self.report.problems.append(
                Problem(f"{self._split}", None, "", f"unreadable config file: {exc}")
            )
        finally:
            for found in self._findings.values():
                found.finish()


def check_configs(
    folder: Path, manifest: dict[str, Any], report: ValidationReport
) -> dict[str, dict[str, int]]:
    """Check every derived config against the articles, reading them; return rows per
    split per config as the manifest states them (what the card must say)."""
    checker = ConfigChecker(folder, manifest, report)
    for split, info in manifest.get("splits", {}).items():
        checker.begin(split)
        try:
            for name in info.get("files", []):
                parquet = pq.ParquetFile(folder / name)
                for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=ARTICLE_COLUMNS):
                    checker.feed(batch)
        except (OSError, ValueError, pa.ArrowException) as exc:
            report.problems.append(Problem(f"{split}", None, "", f"unreadable articles: {exc}"))
        checker.end()
    return checker.counts


def _counted(rows: pa.Table, wanted: int, findings: _Findings) -> bool:
    if rows.num_rows == wanted:
        return True
    findings.report.problems.append(
        Problem(findings.name, None, "", f"the articles give {wanted} more rows than it holds")
    )
    return False


def _speaker_counts(batch: pa.RecordBatch) -> Any:
    """Per article: how many distinct non-empty speakers its quotes have."""
    quotes: Any = batch.column("quotes")
    speaker = pc.struct_field(quotes.flatten(), "speaker")
    parents = _ints(pc.list_parent_indices(quotes), fill=0)
    truthy = _valid(speaker) & (_ints(pc.fill_null(pc.utf8_length(speaker), 0), 0) > 0)
    codes = _ints(pc.dictionary_encode(speaker).indices, fill=0)
    width = int(codes.max(initial=0)) + 1
    keys = np.unique(parents[truthy] * width + codes[truthy])
    return pa.array(np.bincount(keys // width, minlength=batch.num_rows))


def _check_article_columns(
    batch: pa.RecordBatch,
    owners: Any,
    column: dict[str, Any],
    split: str,
    keys: Any,
    found: _Findings,
) -> None:
    """The columns a config row copies from its article (`owners`: each row's article in
    the batch): article_id, source, published, and the split the files are in."""
    found.flag(
        ~_same(column["article_id"], batch.column("id").take(owners)),
        keys,
        "/article_id",
        "not the article of this row (rows follow the articles in order)",
    )
    for name in ("source", "published"):
        found.flag(
            ~_same(column[name], batch.column(name).take(owners)),
            keys,
            f"/{name}",
            f"{name} differs from its article's",
        )
    found.flag(
        ~_flags(pc.equal(column["split"], pa.scalar(split))),
        keys,
        "/split",
        f"not the article's split ({split})",
    )


def _check_quotes(
    batch: pa.RecordBatch, rows: pa.Table, split: str, expected_ids: Any, found: _Findings
) -> None:
    quotes: Any = batch.column("quotes")
    flat = quotes.flatten()
    parents = _ints(pc.list_parent_indices(quotes), fill=0)
    owners = _index_array(parents)
    count = len(flat)
    if not count:
        return
    column: dict[str, Any] = {
        name: rows.column(name).combine_chunks() for name in rows.column_names
    }
    field = {name: pc.struct_field(flat, name) for name in flat.type.names}
    keys = column["quote_id"]
    _check_article_columns(batch, owners, column, split, keys, found)
    for name in quote_row_copied_fields():
        found.flag(
            ~_same(column[name], field[name]),
            keys,
            f"/{name}",
            f"{name} differs from the article's quote",
        )
    found.flag(
        ~_same(keys, expected_ids),
        keys,
        "/quote_id",
        "not '{article id}-{location}-{start}' of the article's quote",
    )
    everywhere = np.arange(count, dtype=np.int64)
    paragraph = column["paragraph"]
    length = code_point_lengths(paragraph)
    start, end = _ints(column["start"], -1), _ints(column["end"], -1)
    quote_start, quote_end = _ints(field["start"], 0), _ints(field["end"], 0)
    offset = quote_start - start  # where the paragraph starts in the quote's field
    found.flag(
        ~spans_equal(paragraph, everywhere, start, end, column["text"], everywhere),
        keys,
        "/start",
        "paragraph[start:end] is not the quote text",
    )
    found.flag(
        (offset < 0) | (end - start != quote_end - quote_start),
        keys,
        "/start",
        "offsets disagree with the article's quote offsets",
    )
    _check_paragraphs(batch, field, parents, offset, length, column, keys, found)
    for first, last in quotation_spans():
        wanted_first = _ints(field[first], 0) - offset
        wanted_last = _ints(field[last], 0) - offset
        inside = (
            _valid(field[first])
            & _valid(field[last])
            & (wanted_first >= 0)
            & (wanted_last <= length)
        )
        given = _valid(column[first]) & _valid(column[last])
        wrong = (inside != given) | (
            inside
            & (
                (_ints(column[first], -1) != wanted_first)
                | (_ints(column[last], -1) != wanted_last)
            )
        )
        found.flag(
            wrong,
            keys,
            f"/{first}",
            "not the article's offsets moved into the paragraph (or null outside it)",
        )


def _check_paragraphs(
    batch: pa.RecordBatch,
    field: dict[str, Any],
    parents: npt.NDArray[np.int64],
    offset: npt.NDArray[np.int64],
    length: npt.NDArray[np.int64],
    column: dict[str, Any],
    keys: Any,
    found: _Findings,
) -> None:
    """Each paragraph stands in its article's field at `offset`: a whole headline or
    sub-headline, or body paragraphs (bounded by separators or the body's ends), with
    the index of the paragraph it starts in."""
    location = field["location"]
    body_rows = _flags(pc.equal(location, pa.scalar("body")))
    sub_rows = _flags(pc.equal(location, pa.scalar("subheadline")))
    subheadlines: Any = batch.column("subheadlines")
    firsts = np.concatenate(
        [[0], np.cumsum(_ints(pc.list_value_length(subheadlines), fill=0))]
    ).astype(np.int64)
    index = _ints(field[RULES.location.index], fill=0)
    texts = {
        "body": (batch.column("body"), parents, body_rows),
        "headline": (batch.column("headline"), parents, ~body_rows & ~sub_rows),
        "subheadline": (subheadlines.flatten(), firsts[parents] + index, sub_rows),
    }
    paragraph = column["paragraph"]
    wrong = np.zeros(len(offset), dtype=np.bool_)
    for name, (strings, elements, chosen) in texts.items():
        picked = np.flatnonzero(chosen)
        if not len(picked):
            continue
        own = elements[picked]
        at, stop = offset[picked], offset[picked] + length[picked]
        wrong[picked] |= ~spans_equal(strings, own, at, stop, paragraph, picked)
        sizes = code_point_lengths(strings)[own]
        if name != "body":
            wrong[picked] |= (at != 0) | (stop != sizes)
            continue
        gap = len(PARAGRAPH_SEPARATOR)
        # One expected separator per span: `spans_equal` compares slices of `expected`
        # that lie apart, not one slice many times.
        separators = pa.array([PARAGRAPH_SEPARATOR] * len(picked), type=pa.string())
        each = np.arange(len(picked), dtype=np.int64)
        opens = (at == 0) | spans_equal(strings, own, at - gap, at, separators, each)
        closes = (stop == sizes) | spans_equal(strings, own, stop, stop + gap, separators, each)
        wrong[picked] |= ~opens | ~closes
        before = _separators_before(strings, own, at)
        given = _ints(column["paragraph_index"], fill=-1)[picked]
        wrong[picked] |= given != before
    not_body = ~body_rows & _valid(column["paragraph_index"])
    found.flag(
        wrong | not_body,
        keys,
        "/paragraph",
        "not the text around the quote in its article (or wrong paragraph_index)",
    )


def _separators_before(
    strings: Any, elements: npt.NDArray[np.int64], points: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Per element: paragraph separators in `strings[elements[i]]` before code point
    `points[i]` (a separator is a run of line feeds starting a blank line)."""
    from newscorpus.check.columns import _CodePoints, _data

    code = _CodePoints(strings)
    raw = np.frombuffer(_data(strings), dtype=np.uint8)
    feeds = raw == 0x0A
    starts = np.flatnonzero(feeds[:-1] & feeds[1:]) if len(raw) > 1 else np.zeros(0, np.int64)
    if len(starts):
        # "\n\n\n" holds one separator: keep a start only after a non-feed byte.
        starts = starts[(starts == 0) | ~feeds[np.maximum(starts - 1, 0)]]
    at = code.byte_offsets(elements, points)
    begin = code.offsets[elements]
    counted: npt.NDArray[np.int64] = np.searchsorted(starts, at) - np.searchsorted(starts, begin)
    return counted


def _check_speakers(
    batch: pa.RecordBatch, rows: pa.Table, split: str, quote_ids: Any, found: _Findings
) -> None:
    """Each speaker row is one distinct speaker of the article's quotes, in order of
    first quote, with its quotes' ids and its distinct mentions in order."""
    count = rows.num_rows
    if not count:
        return
    quotes: Any = batch.column("quotes")
    flat = quotes.flatten()
    quote_parents = _ints(pc.list_parent_indices(quotes), fill=0)
    column: dict[str, Any] = {
        name: rows.column(name).combine_chunks() for name in rows.column_names
    }
    keys = column["article_id"]
    # The expected rows: distinct (article, speaker) in order of first quote.
    speaker = pc.struct_field(flat, "speaker")
    truthy = _valid(speaker) & (_ints(pc.fill_null(pc.utf8_length(speaker), 0), 0) > 0)
    encoded = pc.dictionary_encode(speaker)
    codes = _ints(encoded.indices, fill=0)
    width = len(encoded.dictionary) + 1
    positions = np.flatnonzero(truthy)
    unique, first = np.unique(
        quote_parents[positions] * width + codes[positions], return_index=True
    )
    order = np.argsort(first, kind="stable")
    if len(unique) != count:  # `_speaker_counts` took as many rows as there are speakers
        found.flag(
            np.ones(count, dtype=np.bool_), keys, "/speaker", "not the article's distinct speakers"
        )
        return
    owners = _index_array((unique[order] // width).astype(np.int64))
    _check_article_columns(batch, owners, column, split, keys, found)
    names = encoded.dictionary.take(_index_array((unique[order] % width).astype(np.int64)))
    found.flag(
        ~_same(column["speaker"], names),
        keys,
        "/speaker",
        "not the article's distinct speakers in order of first quote",
    )
    # Each quote's row, then the quotes of every row in quote order.
    row_of_unique = np.empty(len(unique), dtype=np.int64)
    row_of_unique[order] = np.arange(len(unique))
    quote_row = row_of_unique[
        np.searchsorted(unique, quote_parents[positions] * width + codes[positions])
    ]
    per_row = np.bincount(quote_row, minlength=count)
    found.flag(
        _ints(column["quote_count"], -1) != per_row,
        keys,
        "/quote_count",
        "not the number of the article's quotes with this speaker",
    )
    listed: Any = column["quote_ids"]
    wrong_ids = _ints(pc.list_value_length(listed), fill=-1) != per_row
    if not wrong_ids.any():
        ordered = positions[np.lexsort((positions, quote_row))]
        same = _same(listed.flatten(), quote_ids.take(_index_array(ordered)))
        wrong_ids[np.sort(quote_row)[~same]] = True
    found.flag(wrong_ids, keys, "/quote_ids", "not the ids of this speaker's quotes, in order")
    mention = pc.struct_field(flat, "speaker_mention")
    named = _valid(mention)[positions]
    mention_codes = _ints(pc.dictionary_encode(mention).indices, fill=0)[positions][named]
    mention_width = int(mention_codes.max(initial=0)) + 1
    pairs, pair_first = np.unique(
        quote_row[named] * mention_width + mention_codes, return_index=True
    )
    pair_rows = pairs // mention_width
    chosen = positions[named][pair_first[np.lexsort((pair_first, pair_rows))]]
    given: Any = column["mentions"]
    wrong_mentions = _ints(pc.list_value_length(given), fill=-1) != np.bincount(
        pair_rows, minlength=count
    )
    if not wrong_mentions.any():
        same = _same(given.flatten(), mention.take(_index_array(chosen)))
        wrong_mentions[np.sort(pair_rows)[~same]] = True
    found.flag(
        wrong_mentions,
        keys,
        "/mentions",
        "not this speaker's distinct mentions in order of first use",
    )
