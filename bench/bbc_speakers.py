"""Bare pronouns left as speakers on the BBC News set, built as the corpus builds it.

Copies ../shared/data/bbc_news/ into a temporary raw/bbc/ (never into the repository),
declares it with the `plaintext_v1` profile (no annotation habits), runs a full
`newscorpus.build` and counts, over every published quotation, how many keep a bare
pronoun (he, she, they, it, we, I, you) as their resolved `speaker`, and the most
frequent speakers. The BBC set has no gold: this measures what is left unresolved, not
accuracy.

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
        for path in sorted((out / "data").glob("*.parquet")):
            for quotes in pq.read_table(path, columns=["quotes"]).column("quotes").to_pylist():
                speakers.update(str(q["speaker"]) for q in quotes)
    total = sum(speakers.values())
    bare = sum(n for s, n in speakers.items() if s.casefold() in PRONOUNS)
    print(f"quotations: {total}; bare pronoun as speaker: {bare} ({bare / total:.1%})")
    print("most frequent speakers:")
    for name, count in speakers.most_common(args.top):
        print(f"  {count:5d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
