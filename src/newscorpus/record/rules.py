"""The cross-field rules: what JSON Schema cannot say about a record, in one table.

Each rule is written once, here, as data. Three checks read the table and hold every
rule in it: `record.records.cross_field_problems` (a report, one message per break),
`check.records.cross_fields_hold` (the message-free fast path for one record) and
`check.columns.cross_field_pass` (the columnar pass over Arrow batches). Adding a span,
a pair or a tally to `RULES` makes all three enforce it (tests/test_rules.py).

The rules of a record's quotations (`items`):
- `location`: a quote's offsets index the field its `location` names (`body`,
  `headline`), or the `subheadline_index`-th sub-headline; the index is null otherwise;
- `spans`: each (text, start, end) triple is all null, or slices its field to the text;
- `paired`: two fields are both set or both null;
- `tallies`: a top-level list holds one entry per distinct non-empty value of a quote
  field, in order of first use, with its count (`speakers` from `speaker`);
- `paragraphs`: a text field joined by a separator has no blank paragraph.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Location:
    """Which field of the record a quote's offsets index."""

    kind: str  # the quote field naming the location
    index: str  # the quote field holding the index into an indexed location
    direct: tuple[str, ...]  # locations that name a top-level string field
    indexed: tuple[str, str]  # (location, top-level list of strings it indexes)

    def field_text(self, record: dict[str, Any], quote: dict[str, Any]) -> str | None:
        """The text a quote's offsets index, or None when its location cannot be found."""
        location = quote.get(self.kind)
        if location in self.direct:
            return str(record[location])
        name, array = self.indexed
        index = quote.get(self.index)
        texts = record[array]
        if location == name and type(index) is int and 0 <= index < len(texts):
            return str(texts[index])
        return None


@dataclass(frozen=True)
class Span:
    """Offsets `[start, end)` into the quote's field that slice it to `text`."""

    text: str
    start: str
    end: str


@dataclass(frozen=True)
class BothOrNeither:
    """Two quote fields that are both set or both null."""

    first: str
    second: str


@dataclass(frozen=True)
class Tally:
    """`target`: one `{name: value, count: n}` per distinct non-empty quote `value`."""

    target: str
    value: str
    name: str
    count: str

    def expected(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entries `target` must hold for these quotes, in order of first use."""
        counts = Counter(item[self.value] for item in items if item[self.value])
        return [{self.name: value, self.count: count} for value, count in counts.items()]


@dataclass(frozen=True)
class NoBlankParagraph:
    """A text field whose paragraphs, joined by `separator`, are never blank."""

    field: str
    separator: str

    def holds(self, text: str) -> bool:
        """True when no paragraph of `text` is blank (a text without separator is one)."""
        return self.separator not in text or all(p.strip() for p in text.split(self.separator))


@dataclass(frozen=True)
class CrossFieldRules:
    """The whole table (see the module's docstring)."""

    items: str
    location: Location
    spans: tuple[Span, ...]
    paired: tuple[BothOrNeither, ...]
    tallies: tuple[Tally, ...]
    paragraphs: tuple[NoBlankParagraph, ...]


RULES = CrossFieldRules(
    items="quotes",
    location=Location(
        kind="location",
        index="subheadline_index",
        direct=("body", "headline"),
        indexed=("subheadline", "subheadlines"),
    ),
    spans=(
        Span("text", "start", "end"),
        Span("speaker_mention", "speaker_start", "speaker_end"),
        Span("cue", "cue_start", "cue_end"),
    ),
    paired=(
        BothOrNeither("speaker", "speaker_mention"),
        BothOrNeither("speaker", "speaker_resolution"),
    ),
    tallies=(Tally("speakers", "speaker", "name", "quote_count"),),
    paragraphs=(NoBlankParagraph("body", PARAGRAPH_SEPARATOR),),
)


def active_rules() -> CrossFieldRules:
    """The table the checks hold records to (read at each check, so a test may swap it)."""
    return RULES
