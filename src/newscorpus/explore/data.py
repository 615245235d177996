"""What the explorer's data files hold, and how one is written so that no text in it runs.

Chromium does not let a page opened from file:// `fetch()` local files, but it runs a
`<script src>` from the page's folder. So every data file is a script `data/<name>.js`
whose whole content is one call, `NC.receive("<name>", <JSON>)`; the page loads a file by
inserting a script element and takes the data from that call.

The JSON is `json.dumps` output with `<`, `>`, `&`, U+2028 and U+2029 written as `\\u`
escapes (`js_data_file`): these characters only ever stand inside string literals there,
so the escapes keep the value, and a headline holding `</script>` or `<!--` can neither
end the script nor open a comment, however the file is embedded.

Files are paged so that nothing loads every record: a page of the article list holds
`LIST_PAGE` entries (no bodies), a shard holds `SHARD_SIZE` full articles, and the search
index (headlines, sources, speakers) comes in `SEARCH_PAGE` chunks loaded on first use.

Offsets: records count Unicode code points, JavaScript strings count UTF-16 code units.
The writer converts every offset (`Utf16Offsets`), so the page slices strings as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any

from newscorpus.record.rules import RULES

# Entries of the article list per page: one page is what the first view loads.
LIST_PAGE = 100
# Full articles per shard file: an article page loads one shard.
SHARD_SIZE = 200
# Speakers per page of the speaker index.
SPEAKER_PAGE = 100
# (speaker, article) references per file: a speaker's articles are a run of these.
REFS_PAGE = 1000
# Entries per chunk of the search index (about 1 MB at news headline lengths).
SEARCH_PAGE = 10_000

# A quotation in a shard is an array (shards hold most of the site's bytes), in this order.
# `speaker` is an index into the article's `speakers`; the quoted text, the mention and
# the cue are not repeated: the record rules make them the slices their offsets name.
QUOTE_LAYOUT = (
    RULES.location.kind,
    RULES.location.index,
    "start",
    "end",
    "speaker",
    "speaker_start",
    "speaker_end",
    "cue_start",
    "cue_end",
    "speaker_pattern",
    "speaker_resolution",
)
# An entry of the article list, an array in this order (`number` is the article's place in
# the shards, what `#/article/<number>` names).
LIST_LAYOUT = ("number", "id", "headline", "source", "published", "speakers", "quotes")
# An entry of the search index: the speakers joined by a newline (never inside a name).
SEARCH_LAYOUT = ("number", "headline", "source_index", "speakers")
# A speaker of the index: `first_ref` is where its run of references starts.
SPEAKER_LAYOUT = ("name", "quotes", "articles", "first_ref")
# A reference from a speaker to one article it is quoted in.
REF_LAYOUT = ("number", "headline", "source", "published", "quotes")

# What json.dumps leaves that a script (or the HTML around one) could read as markup or
# as a line break inside a string literal (before ES2019), with its escape.
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def js_literal(value: Any) -> str:
    """Return `value` as JSON that is also safe inside a script (see the module docstring).

    >>> js_literal({"headline": "</script><b>&"})
    '{"headline":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # str.replace per character, not str.translate: translate looks every character up
    # in a dict (about 50 ms for a 1 MB shard), replace scans in C (well under 1 ms).
    for char, escape in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


def js_data_file(name: str, payload: Any) -> bytes:
    """Return the bytes of data file `name`: one `NC.receive(name, payload)` call."""
    return f"NC.receive({js_literal(name)},{js_literal(payload)});\n".encode()


def page_name(prefix: str, number: int) -> str:
    """Return the name of page `number` (from 1) of a paged file set: `list-0001`.

    The page computes the same names (app.js `pageName`).
    """
    return f"{prefix}-{number:04d}"


def pages(items: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    """Yield (page number from 1, items of the page) for `items` cut into `size`-long pages."""
    for start in range(0, len(items), size):
        yield start // size + 1, items[start : start + size]


def page_count(total: int, size: int) -> int:
    """Return how many pages of `size` hold `total` items (0 for none)."""
    return -(-total // size)


def safe_url(url: Any) -> str | None:
    """Return `url` when it is an http(s) link, else None: no `javascript:`, `data:`, ….

    >>> safe_url("https://example.org/a"), safe_url("javascript:alert(1)")
    ('https://example.org/a', None)
    """
    if isinstance(url, str) and url[:8].lower().startswith(("http://", "https://")):
        return url
    return None


class Utf16Offsets:
    """Code-point offsets of one text converted to UTF-16 offsets (what JavaScript counts).

    Most texts have no character outside the Basic Multilingual Plane, and then the two
    are equal; only the others pay for a table.
    """

    def __init__(self, text: str) -> None:
        self._table: list[int] | None = None
        if len(text.encode("utf-16-le")) != 2 * len(text):
            widths = (2 if ord(char) > 0xFFFF else 1 for char in text)
            self._table = [0, *accumulate(widths)]

    def __call__(self, offset: int | None) -> int | None:
        """Return the UTF-16 offset of code-point `offset` (None stays None)."""
        if offset is None or self._table is None:
            return offset
        return self._table[offset]


def _field_text(record: dict[str, Any], quote: dict[str, Any]) -> str:
    return RULES.location.field_text(record, quote) or ""


def encode_article(record: dict[str, Any], speaker_numbers: dict[str, int]) -> dict[str, Any]:
    """Return one record as a shard holds it.

    `speakers` are `[name, quote count, number in the speaker index]`, in the record's
    order (first quote first, so colours follow reading order); quotes follow
    `QUOTE_LAYOUT`, offsets in UTF-16 units.
    """
    speakers = [[s["name"], s["quote_count"]] for s in record["speakers"]]
    where = {name: index for index, (name, _count) in enumerate(speakers)}
    converters: dict[tuple[str, int | None], Utf16Offsets] = {}
    quotes = []
    for quote in record["quotes"]:
        key = (quote[RULES.location.kind], quote[RULES.location.index])
        if key not in converters:
            converters[key] = Utf16Offsets(_field_text(record, quote))
        at = converters[key]
        speaker = quote["speaker"]
        if speaker is not None and speaker not in where:
            # A record breaking the tally rule still shows every speaker it names.
            where[speaker] = len(speakers)
            speakers.append([speaker, 0])
        quotes.append(
            [
                *key,
                at(quote["start"]),
                at(quote["end"]),
                None if speaker is None else where[speaker],
                at(quote["speaker_start"]),
                at(quote["speaker_end"]),
                at(quote["cue_start"]),
                at(quote["cue_end"]),
                quote["speaker_pattern"],
                quote["speaker_resolution"],
            ]
        )
    return {
        "id": record["id"],
        "source": record["source"],
        "published": record["published"],
        "url": safe_url(record["url"]),
        "headline": record["headline"],
        "subheadlines": list(record["subheadlines"]),
        "body": record["body"],
        "speakers": [[name, count, speaker_numbers.get(name)] for name, count in speakers],
        "quotes": quotes,
    }
