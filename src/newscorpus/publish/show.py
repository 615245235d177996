"""One article as a reader sees it, with its quotations marked and attributed.

`render(record)` is pure: a record (a dict shaped by the schema) in, a `rich.text.Text`
out. Its `.plain` form is the colourless rendering that `newscorpus show` prints when
its output is not a terminal, and what the snapshot test compares. In plain text a
quotation is wrapped in ⟦ ⟧ and followed by its number; under each paragraph (or
sub-headline) a line per quotation names the speaker, how the text mentions it and the
cue. On a terminal the same marks are kept and colours are added, so a copy-paste of the
coloured output still shows where each quotation starts and ends.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from rich.text import Text

QUOTE_OPEN = "⟦"
QUOTE_CLOSE = "⟧"
HEADLINE_STYLE = "bold"
# Attributed quotes take their speaker's colour; unattributed ones this.
QUOTE_STYLE = "bold yellow"
LABEL_STYLE = "cyan"
MENTION_STYLE = "underline"
META_STYLE = "dim"
# Speakers cycle through these colours in order of first quote, so one speaker keeps
# one colour across the article.
SPEAKER_STYLES = ("green", "magenta", "blue", "red", "bright_cyan", "bright_green")


def _located(record: dict[str, Any]) -> dict[tuple[str, int | None], list[tuple[int, Any]]]:
    """Group quotes (numbered from 1 in record order) by the field their offsets index."""
    groups: dict[tuple[str, int | None], list[tuple[int, Any]]] = {}
    for number, quote in enumerate(record.get("quotes") or [], start=1):
        key = (quote["location"], quote["subheadline_index"])
        groups.setdefault(key, []).append((number, quote))
    return groups


def _speaker_styles(record: dict[str, Any]) -> dict[str, str]:
    names = [s["name"] for s in record.get("speakers") or []]
    for quote in record.get("quotes") or []:
        if quote["speaker"] and quote["speaker"] not in names:
            names.append(quote["speaker"])
    return {name: SPEAKER_STYLES[i % len(SPEAKER_STYLES)] for i, name in enumerate(names)}


def _marked(
    text: str,
    offset: int,
    quotes: list[tuple[int, Any]],
    base_style: str,
    styles: dict[str, str],
) -> Text:
    """Return `text` (a slice of its field starting at `offset`) with quotes marked.

    A quote outside the slice or overlapping an earlier one is not marked (its label
    line still lists it), so a bad offset can never garble the text. Speaker mentions
    are underlined (style only: the plain text is unchanged).
    """
    inserts: dict[int, list[tuple[str, str]]] = {}
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    for number, quote in sorted(quotes, key=lambda nq: (nq[1]["start"], nq[0])):
        start, end = quote["start"] - offset, quote["end"] - offset
        if start < cursor or end > len(text) or start >= end:
            continue
        inserts.setdefault(start, []).append((QUOTE_OPEN, LABEL_STYLE))
        inserts.setdefault(end, []).insert(0, (f"{QUOTE_CLOSE}[{number}]", LABEL_STYLE))
        speaker_style = styles.get(quote["speaker"] or "")
        spans.append((start, end, f"bold {speaker_style}" if speaker_style else QUOTE_STYLE))
        cursor = end
    for _, quote in quotes:
        s_start, s_end = quote["speaker_start"], quote["speaker_end"]
        if (
            s_start is not None
            and s_end is not None
            and 0 <= s_start - offset < s_end - offset <= len(text)
        ):
            spans.append((s_start - offset, s_end - offset, MENTION_STYLE))
    out = Text(style=base_style)
    # Where each position of `text` lands in `out`, before and after the markers
    # inserted at it: a span starts after its position's markers and ends before them.
    points = sorted({0, len(text), *inserts})
    before: list[int] = []
    after: list[int] = []
    previous = 0
    for position in points:
        out.append(text[previous:position])
        before.append(len(out))
        for marker, style in inserts.get(position, []):
            out.append(marker, style=style)
        after.append(len(out))
        previous = position

    def where(position: int, table: list[int]) -> int:
        index = bisect.bisect_right(points, position) - 1
        if points[index] == position:
            return table[index]
        return after[index] + position - points[index]

    for start, end, style in spans:
        out.stylize(style, where(start, after), where(end, before))
    return out


def _label(number: int, quote: dict[str, Any], styles: dict[str, str]) -> Text:
    line = Text(f"    [{number}] ", style=LABEL_STYLE)
    speaker = quote["speaker"]
    if speaker is None:
        line.append("no speaker found", style=META_STYLE)
    else:
        line.append(speaker, style=f"bold {styles.get(speaker, '')}".strip())
    details = []
    mention = quote["speaker_mention"]
    if mention is not None and mention != speaker:
        details.append(f"as “{mention}”")
    if quote["cue"] is not None:
        details.append(f"cue “{quote['cue']}”")
    # Why: the attribution pattern and how the mention became the speaker (schema 1.1).
    how = [quote.get(key) for key in ("speaker_pattern", "speaker_resolution")]
    if any(how):
        details.append(" → ".join(h.replace("_", " ") for h in how if h))
    if details:
        line.append(f" ({'; '.join(details)})", style=META_STYLE)
    return line


def _block(
    text: str,
    offset: int,
    quotes: list[tuple[int, Any]],
    styles: dict[str, str],
    prefix: str = "",
    base_style: str = "",
) -> list[Text]:
    inside = [(n, q) for n, q in quotes if offset <= q["start"] and q["end"] <= offset + len(text)]
    lines = [Text(prefix) + _marked(text, offset, inside, base_style, styles)]
    lines += [_label(n, q, styles) for n, q in inside]
    return lines


def render(record: dict[str, Any]) -> Text:
    """Return one article as styled text: headline, sub-headlines, paragraphs, quotes.

    Every quotation is wrapped in ⟦ ⟧ and numbered; the lines under each paragraph name
    the speaker of each of its quotations. `render(record).plain` is the colourless form.
    """
    groups = _located(record)
    styles = _speaker_styles(record)
    lines: list[Text] = []
    lines += _block(
        record["headline"], 0, groups.get(("headline", None), []), styles, base_style=HEADLINE_STYLE
    )
    for index, sub in enumerate(record.get("subheadlines") or []):
        lines += _block(sub, 0, groups.get(("subheadline", index), []), styles, prefix="  · ")
    meta = [record.get("source"), record.get("published"), record.get("url"), record.get("id")]
    lines.append(Text(" · ".join(str(m) for m in meta if m), style=META_STYLE))
    body_quotes = groups.get(("body", None), [])
    offset = 0
    for paragraph in record["body"].split("\n\n"):
        lines.append(Text(""))
        lines += _block(paragraph, offset, body_quotes, styles)
        offset += len(paragraph) + 2
    lines.append(Text(""))
    speakers = record.get("speakers") or []
    summary = Text("Speakers: ", style=META_STYLE)
    if speakers:
        for i, speaker in enumerate(speakers):
            if i:
                summary.append(", ")
            summary.append(speaker["name"], style=styles.get(speaker["name"], ""))
            summary.append(f" ({speaker['quote_count']})")
    else:
        summary.append("none")
    quotes = record.get("quotes") or []
    unattributed = sum(1 for q in quotes if q["speaker"] is None)
    summary.append(f"; {len(quotes)} quotation(s), {unattributed} without a speaker.")
    lines.append(summary)
    return Text("\n").join(lines)


def render_plain(record: dict[str, Any]) -> str:
    """Return the colourless rendering of one article, ending with a newline.

    >>> print(render_plain({"headline": "H", "subheadlines": [], "source": "S", "id": "s-1",
    ...     "body": "“Yes,” she said.", "quotes": [{"text": "Yes,", "start": 1, "end": 5,
    ...     "location": "body", "subheadline_index": None, "speaker": "Ann",
    ...     "speaker_mention": "she", "speaker_start": 7, "speaker_end": 10, "cue": "said",
    ...     "cue_start": 11, "cue_end": 15, "speaker_pattern": "cue_after",
    ...     "speaker_resolution": "pronoun"}],
    ...     "speakers": [{"name": "Ann", "quote_count": 1}]}))
    H
    S · s-1
    <BLANKLINE>
    “⟦Yes,⟧[1]” she said.
        [1] Ann (as “she”; cue “said”; cue after → pronoun)
    <BLANKLINE>
    Speakers: Ann (1); 1 quotation(s), 0 without a speaker.
    <BLANKLINE>
    """
    return render(record).plain + "\n"


def find_record(folder: str | Path, record_id: str) -> dict[str, Any] | None:
    """Return the published record with this id (or unique id prefix) from a folder.

    Reads only the `id` column of each shard to find the row, then that row's shard.
    Raises LookupError when a prefix matches several ids.
    """
    import pyarrow.parquet as pq

    from newscorpus.publish.folder import published_shards
    from newscorpus.record.schema import from_arrow_row

    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    prefixed: list[tuple[Path, str]] = []
    for _, path in published_shards(root):
        ids = [str(i) for i in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
        if record_id in ids:
            table = pq.read_table(path, filters=[("id", "==", record_id)])
            return from_arrow_row(table.to_pylist()[0])
        prefixed += [(path, i) for i in ids if i.startswith(record_id)]
    if len(prefixed) > 1:
        shown = ", ".join(i for _, i in prefixed[:5])
        raise LookupError(f"{record_id!r} is the prefix of {len(prefixed)} ids: {shown}…")
    if prefixed:
        path, found = prefixed[0]
        table = pq.read_table(path, filters=[("id", "==", found)])
        return from_arrow_row(table.to_pylist()[0])
    return None
