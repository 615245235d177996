"""Measure quote extraction and speaker attribution against PolNeAR (train compartment).

Run from the repository root::

    python bench/quote_eval.py [--data ../shared/data/polnear_train] [--json]

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

Two gold views are reported:

* ``literal``: every segment above, as the issue words it ("a quotation-mark-delimited
  segment inside an annotated Content span is a direct quote").  This includes
  scare-quoted terms inside indirect speech (``… the cause of “comprehensive
  immigration reform.”``), which the extractor deliberately leaves out.
* ``speech``: the same minimal shape filter applied to BOTH sides: gold segments and
  predicted quotations that look like a term (`newscorpus.annotate.quotes.looks_like_term`: at
  most 3 words, or at most 6 lowercase-initial words without clause punctuation) are
  dropped before matching. This measures speech quotations only; the literal view
  is the figure to quote as "the" result, the speech view shows where the gap is.

Scoring:

* Span matching: a predicted and a gold span match when their overlap is at least 50%
  of the longer span; matching is one-to-one, greedy by overlap size.
* Speaker accuracy on matched quotes, split by gold speaker class.  Name/NP gold: the
  predicted *resolved* speaker must match.  Pronoun gold: the predicted
  *speaker_mention* must match (PolNeAR has no coreference gold, so the resolved name
  cannot be checked).  Quotes whose gold attribution has no Source are not counted.
* Speaker match rule (`speaker_match`): after normalisation (casefold, curly
  apostrophes to straight, possessive "'s" and leading determiners dropped,
  punctuation to spaces) the strings are equal, OR the head word of one occurs as a
  word in the other.  The head is the last word before the first "," / " of " /
  " at " / " for " / " from " / " who " / " in " (so "Robert Sinche, head of currency
  strategy" has head "sinche"; "the president" has head "president").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newscorpus.annotate.marks import (
    looks_like_term,
)
from newscorpus.annotate.quotes import (
    Quote,
    extract_quotes,
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


def default_data_dir() -> Path:
    """Return the default PolNeAR location (``../shared/data/polnear_train`` from the repo root)."""
    repo_root = Path(__file__).resolve().parents[1]
    candidate = repo_root.parent / "shared" / "data" / "polnear_train"
    if candidate.exists():
        return candidate
    return Path("../shared/data/polnear_train")


def _train_dir(data_dir: Path) -> Path:
    # Accept both the compartment folder and its inner ``train`` (or ``dev``) folder.
    for inner in ("train", "dev"):
        if (data_dir / inner).is_dir():
            return data_dir / inner
    return data_dir


def corpus_fingerprint(data_dir: Path) -> str:
    """sha256 over the sorted ``relative-path<TAB>size`` lines of all text and .ann files."""
    root = _train_dir(data_dir)
    lines = sorted(
        f"{p.relative_to(root).as_posix()}\t{p.stat().st_size}"
        for sub in ("text", "attributions")
        for p in (root / sub).iterdir()
        if p.is_file()
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


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


_NORM_DROP = re.compile(r"^(?:the|a|an)\s+")
_NON_WORD = re.compile(r"[^\w]+")
_HEAD_CUT = re.compile(r",| of | at | for | from | who | in ")


def _norm(s: str) -> str:
    s = s.casefold().replace("’", "'").replace("‘", "'")
    s = re.sub(r"'s\b", "", s)
    s = _NON_WORD.sub(" ", s).strip()
    return _NORM_DROP.sub("", s)


def _head(s: str) -> str:
    s = s.casefold().replace("’", "'")
    s = _HEAD_CUT.split(s, maxsplit=1)[0]
    words = _norm(s).split()
    return words[-1] if words else ""


def speaker_match(gold: str, pred: str | None) -> bool:
    """Documented speaker match rule (see module docstring)."""
    if pred is None:
        return False
    g, p = _norm(gold), _norm(pred)
    if not g or not p:
        return False
    if g == p:
        return True
    gw, pw = set(g.split()), set(p.split())
    hg, hp = _head(gold), _head(pred)
    return bool((hg and hg in pw) or (hp and hp in gw))


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


@dataclass(slots=True)
class Tally:
    """Counts for one gold view."""

    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0
    name_total: int = 0
    name_ok: int = 0
    pron_total: int = 0
    pron_ok: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """Return the counts and the derived precision/recall/F1/accuracies."""
        p = self.tp / self.n_pred if self.n_pred else 0.0
        r = self.tp / self.n_gold if self.n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "speaker_acc_name": round(self.name_ok / self.name_total, 4)
            if self.name_total
            else 0.0,
            "speaker_acc_pronoun": round(self.pron_ok / self.pron_total, 4)
            if self.pron_total
            else 0.0,
            "tp": self.tp,
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
            "name_total": self.name_total,
            "name_ok": self.name_ok,
            "pronoun_total": self.pron_total,
            "pronoun_ok": self.pron_ok,
        }


def score_document(
    doc: Document, preds: Sequence[Quote], tally: Tally, speech_only: bool
) -> list[tuple[GoldQuote | None, Quote | None]]:
    """Add one document's counts to `tally`; return unmatched/mismatched pairs for debugging."""
    gold = [g for g in doc.gold if g.speech or not speech_only]
    if speech_only:
        preds = [q for q in preds if not looks_like_term(q.text)]
    pairs = match_spans([(q.start, q.end) for q in preds], [(g.start, g.end) for g in gold])
    tally.tp += len(pairs)
    tally.n_pred += len(preds)
    tally.n_gold += len(gold)
    errors: list[tuple[GoldQuote | None, Quote | None]] = []
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    for i, j in pairs:
        g, q = gold[j], preds[i]
        if g.speaker_kind == "name" and g.speaker is not None:
            tally.name_total += 1
            ok = speaker_match(g.speaker, q.speaker)
            tally.name_ok += ok
        elif g.speaker_kind == "pronoun" and g.speaker is not None:
            tally.pron_total += 1
            ok = speaker_match(g.speaker, q.speaker_mention)
            tally.pron_ok += ok
        else:
            ok = True
        if not ok:
            errors.append((g, q))
    errors.extend((None, preds[i]) for i in range(len(preds)) if i not in matched_p)
    errors.extend((gold[j], None) for j in range(len(gold)) if j not in matched_g)
    return errors


def evaluate(data_dir: Path, docs: Iterable[Document] | None = None) -> dict[str, object]:
    """Run the extractor over the corpus and return the report as a JSON-able dict."""
    documents = list(docs) if docs is not None else load_corpus(data_dir)
    literal, speech = Tally(), Tally()
    t0 = time.perf_counter()
    for doc in documents:
        preds = extract_quotes(doc.text)
        score_document(doc, preds, literal, speech_only=False)
        score_document(doc, preds, speech, speech_only=True)
    elapsed = time.perf_counter() - t0
    return {
        "corpus": "polnear_train",
        "documents": len(documents),
        "fingerprint": corpus_fingerprint(data_dir),
        "literal": literal.as_dict(),
        "speech": speech.as_dict(),
        "seconds": round(elapsed, 2),
    }


def format_table(report: dict[str, object]) -> str:
    """Render the report as a plain-text table."""
    rows = [
        "precision",
        "recall",
        "f1",
        "speaker_acc_name",
        "speaker_acc_pronoun",
        "tp",
        "n_pred",
        "n_gold",
        "name_ok",
        "name_total",
        "pronoun_ok",
        "pronoun_total",
    ]
    lit = report["literal"]
    sp = report["speech"]
    assert isinstance(lit, dict) and isinstance(sp, dict)
    lines = [
        f"PolNeAR train: {report['documents']} documents, extraction {report['seconds']} s",
        f"{'metric':<22}{'literal gold':>14}{'speech gold':>14}",
    ]
    for r in rows:
        lines.append(f"{r:<22}{lit[r]!s:>14}{sp[r]!s:>14}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=None, help="PolNeAR train folder")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    data_dir: Path = args.data if args.data is not None else default_data_dir()
    if not _train_dir(data_dir).joinpath("text").is_dir():
        print(f"PolNeAR data not found at {data_dir}", file=sys.stderr)
        return 2
    report = evaluate(data_dir)
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
