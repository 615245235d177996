"""Quote spans and speakers, scored with the strict matcher, on train and held-out data.

Run from the repository root::

    python bench/attribution_eval.py [--json] [--errors SET]

Sets (each skipped with a message when its data is absent):

- ``polnear_train``: PolNeAR's train compartment (../shared/data/polnear_train), the data
  the rules are developed on: its figures are TRAINING figures.
- ``polnear_dev``: PolNeAR's dev compartment (../shared/data/polnear_dev), dev.
- ``korea_news_dev``: 21 English news articles about Korea with hand-resolved speakers
  (../shared/data/korea_news_dev), dev; the corpus's own domain.
- ``bbc_news_dev``: 40 BBC News articles annotated by hand the same way
  (../shared/data/bbc_news_dev), dev; read like korea_news_dev (the whole text).

"dev" sets are measured on and never fitted on, but they are looked at (their errors
show failure kinds); the held-out halves of these sets are measured outside the
repository.
- ``polnear_pronouns``: the pronoun-attributed train quotes resolved by hand in
  tests/data/polnear_pronoun_gold.json (ids, offsets and names only), train data.

Gold for PolNeAR is `quote_eval.convert_document`'s (quotation-mark segments inside an
annotated Content span; the gold speaker is the Source span's text). Gold for
korea_news_dev is its `gold.jsonl` (`direct` quotes count, `partial` ones are optional,
`terms` are nobody's words).

The strict matcher (korea_news_dev/README.md, "Scoring"), `strict_speaker_match`:

- spans: a prediction matches a gold quote when they share at least half of the longer
  span, one to one, greedy by overlap; F1 over `direct` gold quotes, a prediction
  matching an optional (`partial`) gold quote counts neither way;
- speakers: the phrase is cut at the first comma, bracket, `who`/`which` or preposition
  (at, from, in, for, with, on; `of` too when the word before it is a capitalised name);
  its last word is the head. Two phrases match when their heads are equal (and, for two
  names, no different given names stand before the equal surname; a title such as "Mr.",
  "Rep." or "Justice", or an abbreviation in capitals, is not a given name), or when,
  both cut and without titles, every word of the shorter one occurs in the longer one
  and the longer one is itself a name (every word capitalised, or a joiner such as "and"
  inside it).

Measures: ``span`` P/R/F1; ``speaker``: on span-matched direct quotes with a gold speaker
that names someone (not a bare pronoun), the predicted *resolved* speaker against it
(PolNeAR: "named speaker"; its gold is the source's literal text, so a speaker whose
mention as written matches it counts too); ``pronoun``: on span-matched direct quotes whose gold
mention is a pronoun, the resolved speaker against the hand-resolved one;
``canonical`` (issue 23): on span-matched direct quotes with a gold speaker, the predicted
speaker *equals* the gold one after NFKC, case-folding, dropping punctuation, a possessive
's and a leading a/an/the (`canonical_form`). PolNeAR's gold speaker is the source's
literal text, so its canonical figure says little there.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quote_eval import PRONOUNS, load_corpus, match_spans

from newscorpus.annotate.quotes import (
    Quote,
    extract_quotes,
)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
PRONOUN_GOLD = REPO / "tests" / "data" / "polnear_pronoun_gold.json"
SET_NAMES = (
    "polnear_train",
    "polnear_dev",
    "korea_news_dev",
    "bbc_news_dev",
    "polnear_pronouns",
)
BASELINE = REPO / "src" / "newscorpus" / "publish" / "attribution_accuracy.json"
# How a set measured on but never fitted on is labelled (not "held out": its errors are
# read while developing; the held-out halves are measured outside the repository).
DEV_LABEL = "dev (measured on, never fitted on)"
# The quality gate fails when a pinned figure drops by more than this.
TOLERANCE = 0.01
# Sets where only some gold quotes count: span figures say nothing there.
SPEAKERS_ONLY = frozenset({"polnear_pronouns"})
TRAIN_SETS = frozenset({"polnear_train", "polnear_pronouns"})

# --- the strict speaker matcher ----------------------------------------------------------

_PREPOSITIONS = frozenset({"at", "from", "in", "for", "with", "on"})
_RELATIVES = frozenset({"who", "which"})
_DETERMINERS = frozenset({"the", "a", "an"})
# Lower-case words that may stand inside a name ("Ministry of Science and ICT").
_NAME_JOINERS = frozenset({"of", "and", "the", "for", "on", "de", "van", "von", "da", "al"})
_WORD = re.compile(r"[\w][\w.'’-]*")


def _words(phrase: str) -> list[str]:
    return [w.rstrip(".").replace("’", "'") for w in _WORD.findall(phrase)]


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith("'s") else word


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def cut_phrase(phrase: str) -> list[str]:
    """The words of `phrase` before its first comma, bracket, who/which or preposition
    (`of` when it follows a capitalised word), leading determiners dropped."""
    head_part = re.split(r"[,(\[]", phrase, maxsplit=1)[0]
    words = _words(head_part)
    kept: list[str] = []
    for word in words:
        lower = word.casefold()
        if lower in _RELATIVES or lower in _PREPOSITIONS:
            break
        if lower == "of" and kept and _capitalised(kept[-1]):
            break
        kept.append(word)
    while kept and kept[0].casefold() in _DETERMINERS:
        kept.pop(0)
    return [_strip_possessive(w) for w in kept]


def is_name(words: Sequence[str]) -> bool:
    """True when every word is capitalised (or a joiner inside a name), at least one is."""
    return bool(words) and all(
        _capitalised(w) or (w.casefold() in _NAME_JOINERS and 0 < i < len(words) - 1)
        for i, w in enumerate(words)
    )


_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "rep", "sen", "gov", "rev", "gen", "sir", "lady"}
    | {"senator", "representative", "governor", "president", "secretary", "minister"}
    | {"professor", "doctor", "judge", "mayor", "ambassador", "chairman", "general"}
    | {"justice", "chief", "prince", "princess", "king", "queen", "pope", "father"}
)


def _given_name(words: Sequence[str]) -> str | None:
    """The first word before the head that can be a given name, casefolded: not a title,
    not an abbreviation in capitals ("OK Gov Fallin"), not lowercase (None if none)."""
    given = [
        w.casefold()
        for w in words[:-1]
        if w.casefold() not in _TITLES and not w.isupper() and _capitalised(w)
    ]
    return given[0] if given else None


def _without_titles(words: Sequence[str]) -> list[str]:
    kept = [w for w in words if w.casefold() not in _TITLES]
    return kept or list(words)


def strict_speaker_match(gold: str, predicted: str | None) -> bool:
    """The strict matcher (see the module docstring)."""
    if not predicted or not gold:
        return False
    g, p = cut_phrase(gold), cut_phrase(predicted)
    if not g or not p:
        return False
    if g[-1].casefold() == p[-1].casefold():
        # "Hillary Clinton" is not "Bill Clinton": different given names before an equal
        # surname do not match (titles such as "Mr." or "Rep." are not given names).
        first_g, first_p = _given_name(g), _given_name(p)
        lows_g = {w.casefold() for w in _without_titles(g)}
        lows_p = {w.casefold() for w in _without_titles(p)}
        if lows_g <= lows_p or lows_p <= lows_g:
            return True  # "Suu Kyi" in "Aung San Suu Kyi"
        return not (is_name(g) and is_name(p) and first_g and first_p and first_g != first_p)
    # Both phrases as cut above: "People Power Party" is not in the name "Rep. Ahn
    # Cheol-soo" of "Rep. Ahn Cheol-soo of the People Power Party".
    shorter, longer = sorted((_without_titles(g), _without_titles(p)), key=len)
    if not is_name(longer):
        return False
    pool = {w.casefold() for w in longer}
    return all(w.casefold() in pool for w in shorter)


_PUNCTUATION = re.compile(r"[^\w\s]")
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the)\s+")


def canonical_form(name: str | None) -> str:
    """`name` after NFKC, case-folding, dropping a possessive 's, punctuation and a
    leading a/an/the ("The Ministry of Science and ICT's" -> "ministry of science and ict")."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = " ".join(_PUNCTUATION.sub(" ", text).split())
    return _LEADING_ARTICLE.sub("", text)


# --- gold ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gold:
    """One gold quotation: span, whether it counts, its speaker and mention."""

    start: int
    end: int
    optional: bool  # partial quotes: matching one is neither right nor wrong
    speaker: str | None  # None: no usable gold speaker
    mention: str | None
    pronoun: bool  # the gold mention is a pronoun


@dataclass(slots=True)
class Article:
    """One article of a set: its text and gold quotations."""

    name: str
    text: str
    gold: list[Gold] = field(default_factory=list)
    terms: list[tuple[int, int]] = field(default_factory=list)
    # PolNeAR's gold speaker is the source's literal text: a speaker whose mention as
    # written matches it counts (resolving "the president" to a name is no error there)
    literal_gold: bool = False


def _is_pronoun(word: str | None) -> bool:
    return bool(word) and str(word).strip().casefold() in PRONOUNS


def load_polnear(folder: Path) -> list[Article]:
    """PolNeAR articles; a pronoun Source gives no usable gold speaker here."""
    articles = []
    for doc in load_corpus(folder):
        article = Article(doc.name, doc.text, literal_gold=True)
        for quote in doc.gold:
            pronoun = quote.speaker_kind == "pronoun"
            speaker = quote.speaker if quote.speaker_kind == "name" else None
            article.gold.append(
                Gold(quote.start, quote.end, False, speaker, quote.speaker, pronoun)
            )
        articles.append(article)
    return articles


def load_polnear_pronouns(folder: Path, gold_file: Path) -> list[Article]:
    """PolNeAR train articles holding hand-resolved pronoun quotes, only those quotes
    counted (the others are optional: neither right nor wrong)."""
    resolved = json.loads(gold_file.read_text(encoding="utf-8"))["quotes"]
    by_article: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
    for entry in resolved:
        by_article.setdefault(entry["article"], {})[(entry["start"], entry["end"])] = entry
    articles = []
    for article in load_polnear(folder):
        wanted = by_article.get(article.name)
        if not wanted:
            continue
        gold = []
        for quote in article.gold:
            entry = wanted.get((quote.start, quote.end))
            if entry is None:
                gold.append(Gold(quote.start, quote.end, True, None, quote.mention, False))
            else:
                gold.append(
                    Gold(quote.start, quote.end, False, entry["speaker"], entry["mention"], True)
                )
        article.gold = gold
        articles.append(article)
    return articles


def load_korea(folder: Path) -> list[Article]:
    """korea_news_dev: every gold quote with its resolved speaker."""
    articles = []
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        article = Article(data["id"], data["text"])
        for quote in data["quotes"]:
            article.gold.append(
                Gold(
                    quote["start"],
                    quote["end"],
                    quote["kind"] != "direct",
                    quote.get("speaker"),
                    quote.get("speaker_mention"),
                    _is_pronoun(quote.get("speaker_mention")),
                )
            )
        article.terms = [(t["start"], t["end"]) for t in data.get("terms", []) if "start" in t]
        articles.append(article)
    return articles


def load_set(name: str) -> list[Article] | None:
    """The articles of a named set, or None when its data is absent."""
    if name == "polnear_train":
        folder = DATA / "polnear_train"
        return load_polnear(folder) if (folder / "train").is_dir() else None
    if name == "polnear_dev":
        folder = DATA / "polnear_dev"
        return load_polnear(folder) if (folder / "dev").is_dir() else None
    if name == "korea_news_dev":
        folder = DATA / "korea_news_dev"
        return load_korea(folder) if (folder / "gold.jsonl").is_file() else None
    if name == "bbc_news_dev":
        folder = DATA / "bbc_news_dev"
        return load_korea(folder) if (folder / "gold.jsonl").is_file() else None
    if name == "polnear_pronouns":
        folder = DATA / "polnear_train"
        if not (folder / "train").is_dir() or not PRONOUN_GOLD.is_file():
            return None
        return load_polnear_pronouns(folder, PRONOUN_GOLD)
    raise ValueError(f"unknown set {name!r} (known: {', '.join(SET_NAMES)})")


# --- scoring ------------------------------------------------------------------------------


@dataclass(slots=True)
class Score:
    """Counts of one set."""

    articles: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker_total: int = 0
    speaker_ok: int = 0
    pronoun_total: int = 0
    pronoun_ok: int = 0
    canonical_total: int = 0
    canonical_ok: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """Precision, recall, F1 and accuracies, with the counts behind them."""
        precision = self.matched / self.predicted if self.predicted else 0.0
        recall = self.matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

        def ratio(ok: int, total: int) -> float | None:
            return round(ok / total, 4) if total else None

        return {
            "articles": self.articles,
            "gold_direct": self.gold,
            "predicted": self.predicted,
            "span_precision": round(precision, 4),
            "span_recall": round(recall, 4),
            "span_f1": round(f1, 4),
            "speaker": ratio(self.speaker_ok, self.speaker_total),
            "speaker_n": self.speaker_total,
            "pronoun": ratio(self.pronoun_ok, self.pronoun_total),
            "pronoun_n": self.pronoun_total,
            "canonical": ratio(self.canonical_ok, self.canonical_total),
            "canonical_n": self.canonical_total,
        }


def score_articles(
    articles: Iterable[Article], annotate: Any = extract_quotes, *, keep_errors: bool = False
) -> Score:
    """Annotate every article and count spans and speakers with the strict matcher."""
    score = Score()
    for article in articles:
        score.articles += 1
        predicted: list[Quote] = list(annotate(article.text))
        pairs = match_spans(
            [(q.start, q.end) for q in predicted], [(g.start, g.end) for g in article.gold]
        )
        optional_hits = sum(1 for _, j in pairs if article.gold[j].optional)
        score.gold += sum(1 for g in article.gold if not g.optional)
        score.predicted += len(predicted) - optional_hits
        for i, j in pairs:
            gold, quote = article.gold[j], predicted[i]
            if gold.optional:
                continue
            score.matched += 1
            if gold.speaker is None:
                continue
            ok = strict_speaker_match(gold.speaker, quote.speaker) or (
                article.literal_gold and strict_speaker_match(gold.speaker, quote.speaker_mention)
            )
            canonical_ok = canonical_form(gold.speaker) == canonical_form(quote.speaker)
            score.canonical_total += 1
            score.canonical_ok += canonical_ok
            if gold.pronoun:
                score.pronoun_total += 1
                score.pronoun_ok += ok
            if not gold.pronoun or gold.speaker:
                score.speaker_total += 1
                score.speaker_ok += ok
            if not (ok and canonical_ok) and keep_errors:
                score.errors.append(
                    {
                        "article": article.name,
                        "quote": article.text[gold.start : gold.end][:80],
                        "gold": gold.speaker,
                        "gold_mention": gold.mention,
                        "predicted": quote.speaker,
                        "predicted_mention": quote.speaker_mention,
                        "named_ok": ok,
                        "resolution": quote.speaker_resolution,
                    }
                )
    return score


def evaluate(names: Sequence[str] = SET_NAMES, *, keep_errors: bool = False) -> dict[str, Any]:
    """Score every named set whose data is present: {set: figures} (absent sets: None)."""
    report: dict[str, Any] = {}
    for name in names:
        articles = load_set(name)
        if articles is None:
            report[name] = None
            continue
        score = score_articles(articles, keep_errors=keep_errors)
        figures = score.figures()
        figures["data"] = "train (tuned on)" if name in TRAIN_SETS else DEV_LABEL
        figures["spans"] = name not in SPEAKERS_ONLY
        if keep_errors:
            figures["errors"] = score.errors
        report[name] = figures
    return report


def baseline(report: dict[str, Any]) -> dict[str, Any]:
    """The pinned form of a report: figures per set (no errors), how they were made."""
    return {
        "command": "python bench/attribution_eval.py --pin",
        "matcher": "strict (bench/attribution_eval.py, strict_speaker_match)",
        "tolerance": TOLERANCE,
        "sets": {
            name: {k: v for k, v in figures.items() if k != "errors"}
            for name, figures in report.items()
            if figures is not None
        },
    }


README = REPO / "README.md"
_README_START = "<!-- accuracy table: the pins of src/newscorpus/publish/attribution_accuracy.json"
_README_END = "<!-- end accuracy table -->"
_README_LABELS = {
    "polnear_dev": ("PolNeAR dev (84 articles)", DEV_LABEL),
    "korea_news_dev": ("korea_news_dev (21 articles about Korea)", DEV_LABEL),
    "bbc_news_dev": ("bbc_news_dev (40 BBC News articles)", DEV_LABEL),
    "polnear_train": ("PolNeAR train (840 articles)", "**training data**"),
    "polnear_pronouns": ("PolNeAR train, 200 hand-resolved pronoun quotes", "**training data**"),
}


def readme_table(report: dict[str, Any]) -> str:
    """The README's accuracy table: held-out sets first, training sets labelled."""
    lines = [
        "| set | data | span F1 | speaker (n) | pronoun-attributed (n) |",
        "|---|---|---:|---:|---:|",
    ]

    def cell(value: float | None, n: int) -> str:
        return "—" if value is None else f"{value:.3f} ({n})"

    for name, (label, data) in _README_LABELS.items():
        figures = report.get(name)
        if figures is None:
            continue
        span = f"{figures['span_f1']:.3f}" if figures["spans"] else "—"
        lines.append(
            f"| {label} | {data} | {span} | {cell(figures['speaker'], figures['speaker_n'])} "
            f"| {cell(figures['pronoun'], figures['pronoun_n'])} |"
        )
    return "\n".join(lines)


def write_readme_table(report: dict[str, Any]) -> None:
    """Put `readme_table(report)` between the README's markers."""
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(_README_START, 1)
    marker_line, rest = rest.split("\n", 1)
    _, tail = rest.split(_README_END, 1)
    table = readme_table(report)
    README.write_text(
        f"{head}{_README_START}{marker_line}\n{table}\n{_README_END}{tail}", encoding="utf-8"
    )


def format_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table (absent sets say so)."""
    lines = [
        "| set | data | articles | gold direct | span P | span R | span F1 | speaker (n) |"
        " pronoun-attributed (n) | canonical (n) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def cell(value: float | None, n: int) -> str:
        return "—" if value is None else f"{value:.3f} ({n})"

    for name, figures in report.items():
        if figures is None:
            lines.append(f"| {name} | absent: skipped | | | | | | | | |")
            continue
        spans = (
            f"{figures['span_precision']:.3f} | {figures['span_recall']:.3f} "
            f"| {figures['span_f1']:.3f}"
            if figures["spans"]
            else "— | — | —"
        )
        lines.append(
            f"| {name} | {figures['data']} | {figures['articles']} | {figures['gold_direct']} "
            f"| {spans} | {cell(figures['speaker'], figures['speaker_n'])} "
            f"| {cell(figures['pronoun'], figures['pronoun_n'])} "
            f"| {cell(figures['canonical'], figures['canonical_n'])} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table (or JSON) for every set present."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--errors", metavar="SET", help="also list the speaker errors of SET")
    parser.add_argument("--sets", nargs="*", default=list(SET_NAMES), help="sets to score")
    parser.add_argument(
        "--pin",
        action="store_true",
        help=f"write the figures to {BASELINE.relative_to(REPO)} (the quality gate's pins, "
        "which the dataset card reports); every set's data must be present",
    )
    args = parser.parse_args(argv)
    report = evaluate(args.sets, keep_errors=bool(args.errors))
    if args.pin:
        missing = [name for name in SET_NAMES if report.get(name) is None]
        if missing:
            parser.error(f"cannot pin without the data of {', '.join(missing)}")
        BASELINE.write_text(json.dumps(baseline(report), indent=1) + "\n", encoding="utf-8")
        write_readme_table(report)
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(format_table(report))
        print(
            "\nspans: overlap ≥ half of the longer span, one-to-one; speakers: strict matcher "
            "(korea_news_dev/README.md, 'Scoring'); train sets are the data the rules were "
            "developed on."
        )
    if args.errors and report.get(args.errors):
        for error in report[args.errors]["errors"]:
            print(json.dumps(error, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
