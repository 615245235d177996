"""Quality gate: PolNeAR quote F1 and speaker accuracy must not regress.

Recomputes `bench/quote_eval.py` on ../shared/data/polnear_train and compares with the
figures pinned in src/newscorpus/publish/quote_accuracy.json (allowed drop: 0.01). Skips when the
corpus is absent; fails when its fingerprint changed (re-pin deliberately then).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from quote_eval import corpus_fingerprint, evaluate

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "polnear_train"
BASELINE = REPO / "src" / "newscorpus" / "publish" / "quote_accuracy.json"
TOLERANCE = 0.01


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    if not (DATA / "train" / "text").is_dir():
        pytest.skip(f"PolNeAR train data not found at {DATA}; quality gate skipped")
    return evaluate(DATA)


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return data


def test_corpus_unchanged(baseline: dict[str, Any]) -> None:
    if not (DATA / "train" / "text").is_dir():
        pytest.skip(f"PolNeAR train data not found at {DATA}")
    assert corpus_fingerprint(DATA) == baseline["fingerprint"], (
        "PolNeAR corpus changed: re-measure and re-pin src/newscorpus/publish/quote_accuracy.json"
    )


@pytest.mark.parametrize("view", ["literal", "speech"])
@pytest.mark.parametrize("metric", ["f1", "speaker_acc_name", "precision", "recall"])
def test_no_regression(
    report: dict[str, Any], baseline: dict[str, Any], view: str, metric: str
) -> None:
    measured = report[view][metric]
    pinned = baseline[view][metric]
    assert measured >= pinned - TOLERANCE, (
        f"{view} {metric}: {measured} < pinned {pinned} - {TOLERANCE}"
    )
