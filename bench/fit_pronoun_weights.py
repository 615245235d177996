"""Fit the weights that choose who a "he"/"she" is (entities.PRONOUN_FEATURES).

Training data only: the hand-resolved he/she quotes of PolNeAR train
(tests/data/polnear_pronoun_gold.json). Each is annotated with `extract_quotes(...,
pronoun_trace=...)`, which hands over the candidates of every he/she decision with their
features; the candidate whose name matches the gold speaker (the strict matcher of
attribution_eval.py) is the right one. A conditional logit (softmax over each decision's
candidates; L2-regularised; gradient ascent in NumPy) gives the weights, written to
src/newscorpus/annotate/lexicon/pronoun_weights.json with what they were fitted on.
Decisions whose gold person is not among the candidates teach nothing and are counted.

Usage (from the repository root): python bench/fit_pronoun_weights.py [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from attribution_eval import load_set, strict_speaker_match
from quote_eval import match_spans

from newscorpus.annotate.entities import PRONOUN_FEATURES
from newscorpus.annotate.quotes import extract_quotes

WEIGHTS = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "newscorpus"
    / "annotate"
    / "lexicon"
    / "pronoun_weights.json"
)
L2 = 0.1
STEPS = 2000
RATE = 0.05


def decisions() -> tuple[list[tuple[np.ndarray[Any, Any], int]], dict[str, int]]:
    """(features of each candidate, index of the right one) for every usable decision."""
    articles = load_set("polnear_pronouns")
    if articles is None:
        raise SystemExit("skipped: PolNeAR train or the pronoun gold is absent")
    data: list[tuple[np.ndarray[Any, Any], int]] = []
    counts = {"he/she quotes": 0, "decided": 0, "gold among candidates": 0}
    for article in articles:
        trace: list[Any] = []
        quotes = extract_quotes(article.text, pronoun_trace=trace)
        by_pos = {pos: candidates for pos, _, candidates in trace}
        pairs = match_spans(
            [(q.start, q.end) for q in quotes], [(g.start, g.end) for g in article.gold]
        )
        for i, j in pairs:
            gold, quote = article.gold[j], quotes[i]
            if gold.optional or (gold.mention or "").casefold() not in ("he", "she"):
                continue
            counts["he/she quotes"] += 1
            candidates = by_pos.get(quote.speaker_start) if quote.speaker_start else None
            if not candidates:
                continue
            counts["decided"] += 1
            right = [
                k
                for k, (entity, _) in enumerate(candidates)
                if strict_speaker_match(str(gold.speaker), entity.name)
            ]
            if not right:
                continue
            counts["gold among candidates"] += 1
            features = np.array([f for _, f in candidates], dtype=np.float64)
            data.append((features, right[0]))
    return data, counts


def fit(data: list[tuple[np.ndarray[Any, Any], int]]) -> np.ndarray[Any, Any]:
    """Maximise sum of log softmax(X w)[right] - L2 |w|^2 by gradient ascent."""
    w = np.zeros(len(PRONOUN_FEATURES))
    for _ in range(STEPS):
        grad = -2 * L2 * w
        for features, right in data:
            scores = features @ w
            p = np.exp(scores - scores.max())
            p /= p.sum()
            grad += features[right] - p @ features
        w += RATE * grad / len(data)
    return w


def accuracy(data: list[tuple[np.ndarray[Any, Any], int]], w: np.ndarray[Any, Any]) -> float:
    """Share of decisions whose right candidate scores highest."""
    hits = sum(int(np.argmax(features @ w) == right) for features, right in data)
    return hits / len(data) if data else 0.0


def cross_validated(data: list[tuple[np.ndarray[Any, Any], int]], folds: int = 5) -> float:
    """Choice accuracy of weights fitted without the decisions they are tried on."""
    hits = 0
    for fold in range(folds):
        train = [d for k, d in enumerate(data) if k % folds != fold]
        test = [d for k, d in enumerate(data) if k % folds == fold]
        w = fit(train)
        hits += sum(int(np.argmax(features @ w) == right) for features, right in test)
    return hits / len(data) if data else 0.0


def main(argv: list[str] | None = None) -> int:
    """Fit, print the weights and the training accuracy; write them with --write."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS.name}")
    args = parser.parse_args(argv)
    data, counts = decisions()
    current = np.array(json.loads(WEIGHTS.read_text(encoding="utf-8"))["weights"])
    w = fit(data)
    print(json.dumps(counts))
    print(
        f"choice accuracy on the usable decisions (training data): current weights "
        f"{accuracy(data, current):.3f}, fitted {accuracy(data, w):.3f}, "
        f"fitted 5-fold cross-validated {cross_validated(data):.3f}"
    )
    for name, value in zip(PRONOUN_FEATURES, w, strict=True):
        print(f"  {name:16s} {value:+.3f}")
    if args.write:
        WEIGHTS.write_text(
            json.dumps(
                {
                    "description": "Weights of entities.PRONOUN_FEATURES for choosing the "
                    "person a he/she refers to (a linear score, highest wins), fitted by "
                    "bench/fit_pronoun_weights.py (conditional logit, L2 "
                    f"{L2}) on the hand-resolved he/she quotes of PolNeAR train.",
                    "features": list(PRONOUN_FEATURES),
                    "weights": [round(float(v), 4) for v in w],
                    "fitted_on": counts,
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
