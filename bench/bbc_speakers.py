"""Bare pronouns left as speakers on the BBC News set, built as the corpus builds it.

Copies ../shared/data/bbc_news/ into a temporary raw/bbc/ (never into the repository),
declares it with the `plaintext_v1` profile (no annotation habits), runs a full
`newscorpus.build` and counts, over every published quotation, how many keep a bare
pronoun (he, she, they, it, we, I, you) as their resolved `speaker`, and the most
frequent speakers. The BBC set has no gold: this measures what is left unresolved, not
accuracy. Issue 23's two figures too: articles where one person is two speakers (a
surname or "Mr/Mrs/Ms/Dr/Sir/Lord X" speaker beside a speaker "<Given> X" of the same
article, when that article's speakers hold exactly one such full name), and quotes whose
speaker is "Mr X" (any of those titles) while the article's speakers include a full name
ending in X.

Usage: python bench/bbc_speakers.py [--data PATH] [--workers N] [--top K]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bbc_duplicates import DEFAULT_DATA, bbc_raw

PRONOUNS = frozenset(("he", "she", "they", "it", "we", "i", "you"))
TITLES = frozenset(("mr", "mrs", "ms", "dr", "sir", "lord"))


def _short_form(speaker: str) -> str | None:
    """X of a speaker "X" or "Mr X" (a surname, alone or after a title), else None."""
    words = speaker.replace(".", "").split()
    if len(words) == 1 and words[0][:1].isupper() and words[0].casefold() not in PRONOUNS:
        return words[0]
    if len(words) == 2 and words[0].casefold() in TITLES:
        return words[1]
    return None


def two_speakers(articles: list[list[str]]) -> tuple[int, int, int]:
    """(articles where one person is two speakers, quotes "Mr X" beside a full name
    ending in X, quotes) over the articles' quote speakers (issue 23's definitions)."""
    split = titled = total = 0
    for speakers in articles:
        total += len(speakers)
        full = [s for s in set(speakers) if len(s.split()) >= 2 and _short_form(s) is None]
        found = False
        for speaker in speakers:
            short = _short_form(speaker)
            if short is None:
                continue
            ending = [f for f in full if f.split()[-1] == short]
            if len(ending) == 1:
                found = True
            if ending and len(speaker.split()) == 2:
                titled += 1
        split += found
    return split, titled, total


def main(argv: list[str] | None = None) -> int:
    """Build the BBC set in a temp dir and print the bare-pronoun share of speakers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipped: BBC data not found at {args.data} (see ../shared/data/SOURCES.md)")
        return 2
    import pyarrow.parquet as pq

    import newscorpus

    with tempfile.TemporaryDirectory(prefix="bbc-speakers-") as tmp:
        raw = bbc_raw(args.data, Path(tmp))
        out = Path(tmp) / "out"
        newscorpus.build(raw, out, workers=args.workers, use_cache=False)
        speakers: Counter[str] = Counter()
        articles: list[list[str]] = []
        for path in sorted((out / "data").glob("*.parquet")):
            for quotes in pq.read_table(path, columns=["quotes"]).column("quotes").to_pylist():
                speakers.update(str(q["speaker"]) for q in quotes)
                articles.append([str(q["speaker"]) for q in quotes if q["speaker"]])
    total = sum(speakers.values())
    bare = sum(n for s, n in speakers.items() if s.casefold() in PRONOUNS)
    print(f"quotations: {total}; bare pronoun as speaker: {bare} ({bare / total:.1%})")
    split, titled, quoted = two_speakers(articles)
    print(
        f"articles: {len(articles)}; one person as two speakers: {split} "
        f"({split / max(len(articles), 1):.1%}); 'Mr X' beside a full name ending in X: "
        f"{titled} of {quoted} quotes ({titled / max(quoted, 1):.1%})"
    )
    print("most frequent speakers:")
    for name, count in speakers.most_common(args.top):
        print(f"  {count:5d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
