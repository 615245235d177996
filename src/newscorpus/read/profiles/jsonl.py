"""`jsonl_v1`: a scraper's JSON Lines output, one article per line (`.jsonl`, `.jsonl.gz`).

Each non-blank line is one JSON object and becomes one Article whose `part` is its line
number (1-based, counting blank lines), so an article's id stays the same as long as its
line does. A bad line (invalid JSON, not an object, a missing or empty headline or body)
is rejected on its own, as `<file>#<line>` in the ledger, and the other lines are kept.
A file that cannot be decoded at all (bad gzip, binary) is rejected whole.

Options (`[sources.<folder>.options]`), the field names of the scraper's objects:

- `headline_field` (default `"headline"`), `body_field` (default `"body"`): required in
  every line. The body is a string (paragraphs split as `paragraphs` says) or a list of
  paragraph strings.
- `url_field` (default `"url"`), `date_field` (default `"published"`): optional; a date
  that does not start with an ISO calendar date (YYYY-MM-DD) is recorded as null.
- `subheadlines_field` (default none): a string or list of strings.
- `paragraphs`: `"blank_line"` (default) or `"line"`, how a string body is split.
- `max_decompressed_bytes` (int): limit for `.jsonl.gz` (default 64 MiB).

Reject codes: `malformed` (per line: not JSON, not an object, a field of the wrong type),
`empty` (per line: empty headline or body), `no_articles` (no lines at all), plus the
whole-file codes `malformed` (bad gzip), `binary`, `undecodable`,
`undetermined_encoding`, `invalid_options`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from newscorpus.errors import RejectError
from newscorpus.read.decode import decode_and_normalize, normalize_text
from newscorpus.read.profiles.base import Article, PartRejected, register_profile
from newscorpus.read.profiles.common import (
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    check_options,
    choice_option,
    collapse_spaces,
    gunzip_limited,
    iso_date,
    split_paragraphs,
)

PROFILE = "jsonl_v1"
_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "headline_field": str,
    "body_field": str,
    "url_field": str,
    "date_field": str,
    "subheadlines_field": str,
    "paragraphs": str,
    "max_decompressed_bytes": int,
}


def _strings(value: Any, field: str, steps: list[str]) -> list[str]:
    """The string or list of strings in `field`, each normalized like a decoded file.

    JSON escapes can hide what file-level normalization fixes (`\\r\\n`, decomposed
    accents), so each string is normalized again; the steps that changed something are
    collected into `steps`.
    """
    if isinstance(value, str):
        values = [value]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        values = list(value)
    else:
        raise RejectError("malformed", f"field {field!r} is neither a string nor a list of strings")
    normalized = []
    for text in values:
        fixed, applied = normalize_text(text)
        steps.extend(step for step in applied if step not in steps)
        normalized.append(fixed)
    return normalized


def parse_line(line: str, options: Mapping[str, Any], encoding: str, part: str) -> Article:
    """Turn one JSON Lines line into an Article (pure). Raises RejectError for a bad line."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RejectError("malformed", f"not valid JSON: {exc}") from exc
    if not isinstance(item, dict):
        raise RejectError("malformed", f"a JSON {type(item).__name__}, not an object")
    headline_field = str(options.get("headline_field", "headline"))
    body_field = str(options.get("body_field", "body"))
    paragraph_rule = choice_option(options, "paragraphs", ("blank_line", "line"))
    for field in (headline_field, body_field):
        if item.get(field) is None:
            raise RejectError("malformed", f"no {field!r} field")
    steps: list[str] = []
    headline = collapse_spaces(" ".join(_strings(item[headline_field], headline_field, steps)))
    pieces = _strings(item[body_field], body_field, steps)
    paragraphs = tuple(p for piece in pieces for p in split_paragraphs(piece, paragraph_rule))
    if not headline or not paragraphs:
        raise RejectError("empty", f"empty {headline_field if not headline else body_field!r}")
    subheadlines: tuple[str, ...] = ()
    subheadlines_field = options.get("subheadlines_field")
    if subheadlines_field and item.get(subheadlines_field) is not None:
        found = _strings(item[subheadlines_field], subheadlines_field, steps)
        subheadlines = tuple(s for s in map(collapse_spaces, found) if s)
    url = item.get(str(options.get("url_field", "url")))
    return Article(
        headline=headline,
        subheadlines=subheadlines,
        paragraphs=paragraphs,
        encoding=encoding,
        steps=tuple(steps),
        url=url if isinstance(url, str) and url else None,
        published=iso_date(item.get(str(options.get("date_field", "published")))),
        part=part,
    )


def check_jsonl_options(options: Mapping[str, Any]) -> None:
    """Raise RejectError `invalid_options` for an unknown option, a wrong type or choice."""
    check_options(options, _OPTIONS, PROFILE)
    choice_option(options, "paragraphs", ("blank_line", "line"))


@register_profile(
    PROFILE,
    extensions=(".jsonl", ".jsonl.gz", ".ndjson"),
    description="A scraper's JSON Lines output, one article per line; field names by options.",
    check_options=check_jsonl_options,
)
def read_jsonl(
    data: bytes, options: Mapping[str, Any], *, language: str | None = None
) -> list[Article | PartRejected]:
    """Read a JSON Lines file: one Article per line, a PartRejected for each bad line."""
    check_jsonl_options(options)  # fail the file early
    steps: tuple[str, ...] = ()
    if data[:2] == b"\x1f\x8b":
        limit = int(options.get("max_decompressed_bytes", DEFAULT_MAX_DECOMPRESSED_BYTES))
        data = gunzip_limited(data, limit)
        steps = ("gunzip",)
    decoded = decode_and_normalize(data, language=language)
    articles: list[Article | PartRejected] = []
    for number, line in enumerate(decoded.text.split("\n"), start=1):
        if not line.strip():
            continue
        part = str(number)
        try:
            article = parse_line(line, options, decoded.encoding, part)
        except RejectError as exc:
            articles.append(PartRejected(part, exc.reason, exc.message))
            continue
        articles.append(replace(article, steps=(*steps, *decoded.steps, *article.steps)))
    return articles
