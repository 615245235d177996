"""PolNeAR gold direct quotes, converted from its attribution annotations.

`load_corpus(folder)` reads a compartment (train or dev); `bench/attribution_eval.py`
scores the annotator against it with the strict matcher (this module's own lenient
scorer is gone: one matcher, one set of figures). `match_spans` is the one-to-one span
matching both use: overlap at least 50% of the longer span, greedy by overlap.

Gold conversion (PolNeAR does not label "direct quote" itself):

* Articles annotated by more than one annotator: the ``.ann`` file whose name sorts
  first is used, so the choice is deterministic.
* The article text is scanned for quotation-mark-delimited segments by a deliberately
  simple, independent scanner (`gold_segments`): curly double marks, straight double
  marks (toggling), curly single marks that are not apostrophes, and guillemets; only
  outermost segments count (a nested ‘…’ stays inside its “…”); a segment never
  crosses a blank line, and an opening mark left unclosed at a paragraph end runs to
  that paragraph's end (newswire multi-paragraph quotations).
* A segment is a gold direct quote when at least half of its interior characters lie
  inside one annotated Content span (all fragments of a discontinuous span count).
  When several Content spans qualify (nested attributions) the smallest one wins.
  The gold span is the segment interior without the marks, trimmed of whitespace,
  exactly like `extract_quotes` output.
* Gold speaker = covered text of that attribution's Source span (None if the
  attribution has no Source). It is classed "pronoun" when it is a bare personal
  pronoun (he, she, they, it, we, I, you, …) or a relative pronoun (who, which, that),
  otherwise "name" (name / noun phrase).

Each gold quote also says whether it is kept in the *speech* view (`speech`): segments
that look like a term (`newscorpus.annotate.marks.looks_like_term`: at most 3 words, or
at most 6 lowercase-initial words without clause punctuation) are not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newscorpus.annotate.marks import (
    looks_like_term,
)

PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "you",
        "him",
        "her",
        "them",
        "us",
        "me",
        "his",
        "hers",
        "their",
        "theirs",
        "its",
        "our",
        "one",
        "who",
        "which",
        "that",
    ]
)

_PARA_BREAK = re.compile(r"\n[ \t]*\n")
_LETTER = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One gold direct quote: interior span, and the speaker of its attribution."""

    start: int
    end: int
    text: str
    speaker: str | None
    speaker_kind: str  # "name", "pronoun" or "none"
    speech: bool  # kept in the "speech" view


@dataclass(slots=True)
class Document:
    """One PolNeAR article with its converted gold quotes."""

    name: str
    text: str
    gold: list[GoldQuote] = field(default_factory=list)


def _train_dir(data_dir: Path) -> Path:
    # Accept both the compartment folder and its inner ``train`` (or ``dev``) folder.
    for inner in ("train", "dev"):
        if (data_dir / inner).is_dir():
            return data_dir / inner
    return data_dir


def _is_word(ch: str) -> bool:
    return bool(_LETTER.match(ch))


def gold_segments(text: str) -> list[tuple[int, int]]:
    """Independent, simple scanner for outermost quotation-mark segments (interiors).

    Kept separate from the extractor on purpose so the gold is not defined by the
    system under test. Returns (start, end) of each interior, untrimmed.
    """
    out: list[tuple[int, int]] = []
    para_start = 0
    bounds = [m.start() for m in _PARA_BREAK.finditer(text)] + [len(text)]
    # markup tags (`<tweet author="x">`): their attribute quotes are not quotations
    tag_end = {m.start(): m.end() for m in re.finditer(r"<[A-Za-z/][^<>\n]{0,400}>", text)}
    for para_end in bounds:
        open_ch = ""
        open_pos = -1
        single_depth = 0
        i = para_start
        while i < para_end:
            if i in tag_end:
                i = tag_end[i]
                continue
            ch = text[i]
            width = 1
            if text.startswith("''", i):
                ch, width = '"', 2  # NYT-style '' double mark
            prev = text[i - 1] if i > 0 else " "
            nxt = text[i + width] if i + width < len(text) else " "
            if not open_ch:
                if ch in "“«„" or (ch == '"' and not nxt.isspace() and prev != "="):
                    open_ch, open_pos = ch, i + width - 1
                elif ch == "‘" and not _is_word(prev) and not nxt.isdigit():
                    open_ch, open_pos = ch, i
            else:
                closes = (
                    (open_ch in "“„" and ch in '”"')
                    or (open_ch == "«" and ch == "»")
                    or (open_ch == '"' and ch in '"”')
                )
                if open_ch == "‘":
                    if ch == "‘" and not _is_word(prev):
                        single_depth += 1
                    elif ch == "’" and not (_is_word(prev) and _is_word(nxt)):
                        if single_depth:
                            single_depth -= 1
                        else:
                            closes = True
                if closes:
                    out.append((open_pos + 1, i))
                    open_ch, single_depth = "", 0
            i += width
        if open_ch and open_pos + 1 < para_end:
            out.append((open_pos + 1, para_end))
        para_start = para_end
        # skip the blank-line separator
        while para_start < len(text) and text[para_start] in "\n \t":
            para_start += 1
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(slots=True)
class _Ann:
    spans: dict[str, tuple[str, list[tuple[int, int]]]]
    events: list[dict[str, str]]


def _parse_ann(path: Path) -> _Ann:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split("\t")
        if len(parts) < 2:
            continue  # continuation line of a multi-line covered text
        ident = parts[0]
        if re.fullmatch(r"T\d+", ident):
            head = parts[1].split(" ", 1)
            if len(head) != 2:
                continue
            frags: list[tuple[int, int]] = []
            for frag in head[1].split(";"):
                nums = frag.split()
                if len(nums) == 2 and nums[0].isdigit() and nums[1].isdigit():
                    frags.append((int(nums[0]), int(nums[1])))
            spans[ident] = (head[0], frags)
        elif re.fullmatch(r"E\d+", ident):
            roles: dict[str, str] = {}
            for item in parts[1].split():
                if ":" in item:
                    role, ref = item.split(":", 1)
                    roles[role] = ref
            events.append(roles)
    return _Ann(spans, events)


def classify_speaker(speaker: str | None) -> str:
    """Return "pronoun", "name" or "none" for a gold Source string."""
    if not speaker or not speaker.strip():
        return "none"
    return "pronoun" if speaker.strip().casefold() in PRONOUNS else "name"


def convert_document(name: str, text: str, ann_path: Path) -> Document:
    """Build the gold direct quotes of one article from its brat annotation."""
    ann = _parse_ann(ann_path)
    contents: list[tuple[list[tuple[int, int]], str | None]] = []
    for ev in ann.events:
        cref = ev.get("Content")
        if not cref or cref not in ann.spans:
            continue
        sref = ev.get("Source")
        speaker: str | None = None
        if sref and sref in ann.spans:
            sfr = ann.spans[sref][1]
            speaker = " ".join(text[a:b] for a, b in sfr)
        contents.append((ann.spans[cref][1], speaker))
    doc = Document(name, text)
    for a, b in gold_segments(text):
        s, e = _trim(text, a, b)
        if e <= s:
            continue
        best: tuple[int, str | None] | None = None
        for frags, speaker in contents:
            covered = sum(max(0, min(e, fb) - max(s, fa)) for fa, fb in frags)
            if covered * 2 >= e - s:
                size = sum(fb - fa for fa, fb in frags)
                if best is None or size < best[0]:
                    best = (size, speaker)
        if best is None:
            continue
        seg = text[s:e]
        doc.gold.append(
            GoldQuote(s, e, seg, best[1], classify_speaker(best[1]), not looks_like_term(seg))
        )
    return doc


def load_corpus(data_dir: Path) -> list[Document]:
    """Load every article and convert its (first-sorted) annotation file."""
    root = _train_dir(data_dir)
    anns: dict[str, Path] = {}
    for p in sorted((root / "attributions").glob("*.ann")):
        stem = p.stem.rsplit("_", 1)[0]
        anns.setdefault(stem, p)  # first by sorted file name wins
    docs = []
    for tp in sorted((root / "text").glob("*.txt")):
        ann = anns.get(tp.stem)
        if ann is None:
            continue
        docs.append(convert_document(tp.stem, tp.read_text(encoding="utf-8"), ann))
    return docs


def match_spans(
    pred: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """One-to-one matching: overlap >= 50% of the longer span, greedy by overlap."""
    cands: list[tuple[int, int, int]] = []
    for i, (ps, pe) in enumerate(pred):
        for j, (gs, ge) in enumerate(gold):
            ov = min(pe, ge) - max(ps, gs)
            if ov > 0 and ov * 2 >= max(pe - ps, ge - gs):
                cands.append((-ov, i, j))
    cands.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in cands:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs
