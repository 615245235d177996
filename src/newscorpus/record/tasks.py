"""Task-ready rows derived from an article record: the `quotes` and `speakers` configs.

An ML engineer training a quote-attribution or speaker model wants one row per quote
(with the paragraph it sits in) or one row per speaker, not one row per article. Both
are pure functions of a published article record and its split, so the build derives
them from the records it writes (no second source of truth) and `newscorpus validate`
checks that the files agree with the articles. Their row shapes are
`schema/quote.schema.json` and `schema/speaker.schema.json`.

- A quote's id is `{article id}-{location}-{start}` (location `subheadline<i>` for
  sub-headline i; start the offset in its field): stable while the quote's span is.
- A body quote's paragraph is the body paragraph it starts in, extended to the end of
  the paragraph it ends in (a quotation may run over several); offsets are into it.
- A speaker row is one entry of the article's `speakers` (a distinct resolved speaker),
  with the ids of its quotes, in article order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any

from newscorpus.record.rules import PARAGRAPH_SEPARATOR, RULES
from newscorpus.record.schema import quotation_spans, quote_row_copied_fields

# Where a quote sits: the field naming its location and the index beside it.
_LOCATION, _INDEX = RULES.location.kind, RULES.location.index
# The location whose texts are indexed (sub-headlines) and the one split in paragraphs.
_INDEXED = RULES.location.indexed[0]
_BODY = "body"

# Every place a separator starts, overlapping ones included ("\n\n\n" holds two): the
# places `str.find` and `str.rfind` can return.
_SEPARATOR_AT = re.compile(f"(?={re.escape(PARAGRAPH_SEPARATOR)})")


def quote_id(article_id: str, quote: dict[str, Any]) -> str:
    """Return the stable id of one quote of an article.

    >>> quote = {RULES.location.kind: "subheadline", RULES.location.index: 1, "start": 4}
    >>> quote_id("donga-0123456789abcdef", quote)
    'donga-0123456789abcdef-subheadline1-4'
    """
    location = quote[_LOCATION]
    if location == _INDEXED:
        location = f"{_INDEXED}{quote[_INDEX]}"
    return f"{article_id}-{location}-{quote['start']}"


def _field(record: dict[str, Any], quote: dict[str, Any]) -> str:
    return RULES.location.field_text(record, quote) or ""


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(first, stop) of the paragraphs of `text` that span `start:end`: from the start of
    the paragraph holding `start` to the end of the one holding `end`.

    >>> paragraph_bounds("One.\\n\\nTwo “x”.\\n\\nThree.", 11, 12)
    (6, 14)
    """
    separator = PARAGRAPH_SEPARATOR
    before = text.rfind(separator, 0, start)
    first = 0 if before < 0 else before + len(separator)
    after = text.find(separator, max(end, first))
    return first, len(text) if after < 0 else after


class Paragraphs:
    """The paragraph separators of one text, found in one pass, for many quotes.

    `paragraph_bounds` and `str.count` per quote scan the text from its start (or across
    a whole paragraph) each time: quadratic in an article with many quotations. Here
    each quote costs a binary search, with the same answers:

    >>> text = "One.\\n\\nTwo “x”.\\n\\n\\nThree “y”."
    >>> paragraphs = Paragraphs(text)
    >>> paragraphs.bounds(11, 12), paragraph_bounds(text, 11, 12)
    ((6, 14), (6, 14))
    >>> paragraphs.bounds(25, 26), paragraph_bounds(text, 25, 26)
    ((17, 27), (17, 27))
    >>> paragraphs.index(17), text.count("\\n\\n", 0, 17)
    (2, 2)
    """

    __slots__ = ("_at", "_counted", "_length")

    def __init__(self, text: str) -> None:
        gap = len(PARAGRAPH_SEPARATOR)
        self._length = len(text)
        self._at = [match.start() for match in _SEPARATOR_AT.finditer(text)]
        # What `str.count` counts: from the left, without overlaps.
        counted: list[int] = []
        free = 0
        for at in self._at:
            if at >= free:
                counted.append(at)
                free = at + gap
        self._counted = counted

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """`paragraph_bounds(text, start, end)`."""
        gap = len(PARAGRAPH_SEPARATOR)
        # text.rfind(separator, 0, start): the last separator ending by `start`
        before = bisect.bisect_right(self._at, start - gap) - 1
        first = 0 if before < 0 else self._at[before] + gap
        # text.find(separator, max(end, first)): the first starting there or later
        after = bisect.bisect_left(self._at, max(end, first))
        return first, self._length if after == len(self._at) else self._at[after]

    def index(self, first: int) -> int:
        """`text.count(PARAGRAPH_SEPARATOR, 0, first)`: the paragraph's number when
        `first` starts one."""
        return bisect.bisect_right(self._counted, first - len(PARAGRAPH_SEPARATOR))


def _within(first: int, stop: int, start: Any, end: Any) -> tuple[Any, Any]:
    """A span's offsets moved into the paragraph `first:stop`, or (None, None) outside."""
    if start is None or end is None or start < first or end > stop:
        return None, None
    return start - first, end - first


def quote_rows(record: dict[str, Any], split: str) -> list[dict[str, Any]]:
    """Return one row per quote of `record` (schema/quote.schema.json), in article order."""
    rows = []
    article_id = record["id"]
    body: Paragraphs | None = None  # made at the first body quote
    copied, spans = quote_row_copied_fields(), quotation_spans()
    for quote in record["quotes"]:
        text = _field(record, quote)
        if quote[_LOCATION] == _BODY:
            if body is None:
                body = Paragraphs(text)
            first, stop = body.bounds(quote["start"], quote["end"])
            index: int | None = body.index(first)
        else:
            first, stop, index = 0, len(text), None
        row = {
            "quote_id": quote_id(article_id, quote),
            "article_id": article_id,
            "split": split,
            "source": record["source"],
            "published": record["published"],
            "paragraph_index": index,
            "paragraph": text[first:stop],
            "start": quote["start"] - first,
            "end": quote["end"] - first,
            # The quotation's fields as they are, its other spans moved into the paragraph.
            **{name: quote.get(name) for name in copied},
        }
        for start_name, end_name in spans:
            row[start_name], row[end_name] = _within(
                first, stop, quote[start_name], quote[end_name]
            )
        rows.append(row)
    return rows


def speaker_rows(record: dict[str, Any], split: str) -> list[dict[str, Any]]:
    """Return one row per speaker entity of `record` (schema/speaker.schema.json), in
    the order of `record["speakers"]` (first quote)."""
    quote_ids: dict[str, list[str]] = {}
    mentions: dict[str, dict[str, None]] = {}  # an ordered set per speaker
    for quote in record["quotes"]:
        speaker = quote["speaker"]
        if speaker is None:
            continue
        quote_ids.setdefault(speaker, []).append(quote_id(record["id"], quote))
        if quote["speaker_mention"] is not None:
            mentions.setdefault(speaker, {})[quote["speaker_mention"]] = None
    return [
        {
            "article_id": record["id"],
            "split": split,
            "source": record["source"],
            "published": record["published"],
            "speaker": entry["name"],
            "mentions": list(mentions.get(entry["name"], {})),
            "quote_count": entry["quote_count"],
            "quote_ids": quote_ids.get(entry["name"], []),
        }
        for entry in record["speakers"]
    ]


def to_arrow_config_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a config row with its ISO date (`published`) as a date, for Arrow."""
    converted = dict(row)
    if converted.get("published") is not None:
        converted["published"] = dt.date.fromisoformat(converted["published"])
    return converted


def _one_chunk(articles: Any) -> Any:
    """A table's columns as single arrays: list parents count from the whole column."""
    combine = getattr(articles, "combine_chunks", None)
    return combine() if combine is not None else articles


def quote_id_column(articles: Any) -> Any:
    """The quote id of every quote of a table of articles, in flat order (`quote_id`,
    column-wise)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    articles = _one_chunk(articles)
    quotes = articles.column("quotes")
    flat = pc.list_flatten(quotes)
    parents = pc.list_parent_indices(quotes)
    location = pc.struct_field(flat, _LOCATION)
    index = pc.cast(pc.struct_field(flat, _INDEX), pa.string())
    where = pc.if_else(
        pc.equal(location, pa.scalar(_INDEXED)),
        pc.binary_join_element_wise(pa.scalar(_INDEXED), index, pa.scalar("")),
        location,
    )
    start = pc.cast(pc.struct_field(flat, "start"), pa.string())
    ids = pc.take(articles.column("id"), parents)
    return pc.binary_join_element_wise(ids, where, start, pa.scalar("-"))


def _offsets_within(first: Any, length: Any, start: Any, end: Any) -> tuple[Any, Any]:
    """Arrow arrays of a span's offsets moved into each paragraph (`_within`, column-wise):
    null where the span is null or outside."""
    import pyarrow as pa

    valid = start.is_valid().to_numpy(zero_copy_only=False) & end.is_valid().to_numpy(
        zero_copy_only=False
    )
    moved_start = start.fill_null(0).to_numpy() - first
    moved_end = end.fill_null(0).to_numpy() - first
    inside = valid & (moved_start >= 0) & (moved_end <= length)
    return (
        pa.array(moved_start, type=pa.int64(), mask=~inside),
        pa.array(moved_end, type=pa.int64(), mask=~inside),
    )


def quote_table(articles: Any, split: str) -> Any:
    """The `quotes` config's rows of a table of articles (Arrow, article schema) as an
    Arrow table: `quote_rows` of each article, column-wise (tests hold the two equal).

    Only the paragraph of each quote is found in Python (`Paragraphs`, one pass over
    each body that has a body quote); every other column is taken, copied or computed by
    Arrow and NumPy.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from newscorpus.record.schema import arrow_schema

    articles = _one_chunk(articles)
    quotes = articles.column("quotes")
    flat = pc.list_flatten(quotes)
    parents = pc.list_parent_indices(quotes)
    field = {f.name: pc.struct_field(flat, f.name) for f in flat.type}
    headlines = articles.column("headline").to_pylist()
    subheadlines = articles.column("subheadlines").to_pylist()
    bodies = articles.column("body").to_pylist()
    paragraphs: list[str] = []
    indexes: list[int | None] = []
    firsts: list[int] = []
    # A body's separators, found once for all its quotes (quotes come grouped by article).
    found: tuple[int, Paragraphs] | None = None
    shared, paragraph = (-1, 0, 0), ""  # the last body paragraph sliced, and where
    for owner, location, index, start, end in zip(
        parents.to_pylist(),
        field[_LOCATION].to_pylist(),
        field[_INDEX].to_pylist(),
        field["start"].to_pylist(),
        field["end"].to_pylist(),
        strict=True,
    ):
        if location == _BODY:
            body = bodies[owner]
            if found is None or found[0] != owner:
                found = owner, Paragraphs(body)
            first, stop = found[1].bounds(start, end)
            # Quotes of one paragraph share its string (the Arrow column copies it anyway).
            if (owner, first, stop) != shared:
                shared, paragraph = (owner, first, stop), body[first:stop]
            paragraphs.append(paragraph)
            indexes.append(found[1].index(first))
            firsts.append(first)
        else:
            paragraphs.append(
                headlines[owner] if location == "headline" else subheadlines[owner][index]
            )
            indexes.append(None)
            firsts.append(0)
    first_np = np.asarray(firsts, dtype=np.int64)
    length = np.fromiter(map(len, paragraphs), dtype=np.int64, count=len(paragraphs))
    columns = {
        "quote_id": quote_id_column(articles),
        "article_id": pc.take(articles.column("id"), parents),
        "split": pa.array([split] * len(flat), type=pa.string()),
        "source": pc.take(articles.column("source"), parents),
        "published": pc.take(articles.column("published"), parents),
        "paragraph_index": pa.array(indexes, type=pa.int64()),
        "paragraph": pa.array(paragraphs, type=pa.string()),
        "start": pa.array(field["start"].to_numpy() - first_np),
        "end": pa.array(field["end"].to_numpy() - first_np),
        # The quotation's fields as they are, its other spans moved into the paragraph.
        **{name: field[name] for name in quote_row_copied_fields()},
    }
    for start_name, end_name in quotation_spans():
        columns[start_name], columns[end_name] = _offsets_within(
            first_np, length, field[start_name], field[end_name]
        )
    schema = arrow_schema("quotes")
    return pa.Table.from_arrays([pc.cast(columns[f.name], f.type) for f in schema], schema=schema)


def speaker_table(articles: Any, split: str) -> Any:
    """The `speakers` config's rows of a table of articles as an Arrow table
    (`speaker_rows` of each article, tests hold the two equal)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newscorpus.record.schema import arrow_schema

    articles = _one_chunk(articles)
    quotes = articles.column("quotes")
    flat = pc.list_flatten(quotes)
    grouped_ids: dict[tuple[int, str], list[str]] = {}
    grouped_mentions: dict[tuple[int, str], dict[str, None]] = {}
    for owner, speaker, mention, identifier in zip(
        pc.list_parent_indices(quotes).to_pylist(),
        pc.struct_field(flat, "speaker").to_pylist(),
        pc.struct_field(flat, "speaker_mention").to_pylist(),
        quote_id_column(articles).to_pylist(),
        strict=True,
    ):
        if speaker is None:
            continue
        grouped_ids.setdefault((owner, speaker), []).append(identifier)
        if mention is not None:
            grouped_mentions.setdefault((owner, speaker), {})[mention] = None
    speakers = articles.column("speakers")
    entries = pc.list_flatten(speakers)
    owners = pc.list_parent_indices(speakers)
    names = pc.struct_field(entries, "name")
    keys = list(zip(owners.to_pylist(), names.to_pylist(), strict=True))
    columns = {
        "article_id": pc.take(articles.column("id"), owners),
        "split": pa.array([split] * len(entries), type=pa.string()),
        "source": pc.take(articles.column("source"), owners),
        "published": pc.take(articles.column("published"), owners),
        "speaker": names,
        "mentions": pa.array(
            [list(grouped_mentions.get(key, {})) for key in keys], type=pa.list_(pa.string())
        ),
        "quote_count": pc.struct_field(entries, "quote_count"),
        "quote_ids": pa.array(
            [grouped_ids.get(key, []) for key in keys], type=pa.list_(pa.string())
        ),
    }
    schema = arrow_schema("speakers")
    return pa.Table.from_arrays([pc.cast(columns[f.name], f.type) for f in schema], schema=schema)


def config_table(config: str, articles: Any, split: str) -> Any:
    """The rows a table of articles gives config `config`, as an Arrow table."""
    if config == "quotes":
        return quote_table(articles, split)
    if config == "speakers":
        return speaker_table(articles, split)
    raise ValueError(f"no derived config {config!r}")
