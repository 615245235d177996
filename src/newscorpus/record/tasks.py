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

import datetime as dt
from typing import Any

from newscorpus.record.rules import PARAGRAPH_SEPARATOR


def quote_id(article_id: str, quote: dict[str, Any]) -> str:
    """Return the stable id of one quote of an article.

    >>> quote_id("donga-0123456789abcdef", {"location": "subheadline",
    ...          "subheadline_index": 1, "start": 4})
    'donga-0123456789abcdef-subheadline1-4'
    """
    location = quote["location"]
    if location == "subheadline":
        location = f"subheadline{quote['subheadline_index']}"
    return f"{article_id}-{location}-{quote['start']}"


def _field(record: dict[str, Any], quote: dict[str, Any]) -> str:
    location = quote["location"]
    if location == "headline":
        return str(record["headline"])
    if location == "subheadline":
        return str(record["subheadlines"][quote["subheadline_index"]])
    return str(record["body"])


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


def _within(first: int, stop: int, start: Any, end: Any) -> tuple[Any, Any]:
    """A span's offsets moved into the paragraph `first:stop`, or (None, None) outside."""
    if start is None or end is None or start < first or end > stop:
        return None, None
    return start - first, end - first


def quote_rows(record: dict[str, Any], split: str) -> list[dict[str, Any]]:
    """Return one row per quote of `record` (schema/quote.schema.json), in article order."""
    rows = []
    article_id = record["id"]
    for quote in record["quotes"]:
        text = _field(record, quote)
        if quote["location"] == "body":
            first, stop = paragraph_bounds(text, quote["start"], quote["end"])
            index: int | None = text.count(PARAGRAPH_SEPARATOR, 0, first)
        else:
            first, stop, index = 0, len(text), None
        speaker_start, speaker_end = _within(
            first, stop, quote["speaker_start"], quote["speaker_end"]
        )
        cue_start, cue_end = _within(first, stop, quote["cue_start"], quote["cue_end"])
        rows.append(
            {
                "quote_id": quote_id(article_id, quote),
                "article_id": article_id,
                "split": split,
                "source": record["source"],
                "published": record["published"],
                "location": quote["location"],
                "subheadline_index": quote["subheadline_index"],
                "paragraph_index": index,
                "paragraph": text[first:stop],
                "start": quote["start"] - first,
                "end": quote["end"] - first,
                "text": quote["text"],
                "speaker": quote["speaker"],
                "speaker_mention": quote["speaker_mention"],
                "speaker_start": speaker_start,
                "speaker_end": speaker_end,
                "cue": quote["cue"],
                "cue_start": cue_start,
                "cue_end": cue_end,
                "speaker_pattern": quote["speaker_pattern"],
                "speaker_resolution": quote["speaker_resolution"],
            }
        )
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


def config_rows(config: str, record: dict[str, Any], split: str) -> list[dict[str, Any]]:
    """The rows `record` gives config `config` ("quotes" or "speakers")."""
    if config == "quotes":
        return quote_rows(record, split)
    if config == "speakers":
        return speaker_rows(record, split)
    raise ValueError(f"no derived config {config!r}")


def to_arrow_config_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of a config row with its ISO date (`published`) as a date, for Arrow."""
    converted = dict(row)
    if converted.get("published") is not None:
        converted["published"] = dt.date.fromisoformat(converted["published"])
    return converted
