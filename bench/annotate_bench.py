"""Median wall time of extract_quotes per ~4 KB article (target: < 0.5 ms).

Articles are real news texts from ../shared/data/polnear_train cut into ~4 KB pieces at
paragraph boundaries; without that corpus the seed article body is used.

Usage (from the repo root): PYTHONPATH=src python bench/annotate_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from newscorpus.annotate.quotes import (
    extract_quotes,
)

REPO = Path(__file__).resolve().parents[1]
POLNEAR = REPO.parent / "shared" / "data" / "polnear_train" / "train" / "text"
SEED = REPO / "raw" / "donga" / "000_50823aa4b1df31b8.txt"
TARGET = 4096


def articles(limit: int = 400) -> list[str]:
    """~4 KB article texts (paragraph-aligned pieces of real articles)."""
    texts: list[str] = []
    sources = sorted(POLNEAR.glob("*.txt")) if POLNEAR.is_dir() else []
    raw = [p.read_text(encoding="utf-8") for p in sources] or [SEED.read_text(encoding="utf-8")]
    for text in raw:
        piece: list[str] = []
        size = 0
        for para in text.split("\n\n"):
            piece.append(para)
            size += len(para.encode("utf-8")) + 2
            if size >= TARGET:
                texts.append("\n\n".join(piece))
                piece, size = [], 0
                if len(texts) >= limit:
                    return texts
    if not texts:
        texts = ["\n\n".join(raw)]
    return texts


def main() -> int:
    """Time each article `--repeat` times (best of) and print the median."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    docs = articles()
    per_doc: list[float] = []
    for doc in docs:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            extract_quotes(doc)
            best = min(best, time.perf_counter() - t0)
        per_doc.append(best * 1000)
    sizes = [len(d.encode("utf-8")) for d in docs]
    print(f"articles: {len(docs)}  median size: {statistics.median(sizes):.0f} bytes")
    print(
        f"extract_quotes median: {statistics.median(per_doc):.3f} ms  "
        f"p90: {sorted(per_doc)[int(len(per_doc) * 0.9)]:.3f} ms  (target < 0.5 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
