"""Quality gate: quote spans and speakers on the dev sets, with the strict matcher.

Recomputes `bench/attribution_eval.py` on every set whose data is present
(../shared/data: PolNeAR dev, korea_news_dev and bbc_news_dev are dev sets; PolNeAR
train and its 200 hand-resolved pronoun quotes are training data) and compares with the
figures pinned in
src/newscorpus/publish/attribution_accuracy.json, which the dataset card reports.

A figure that drops by more than the tolerance fails (a regression); one that rises by
more fails too, until it is re-pinned (`python bench/attribution_eval.py --pin`), so the
card never reports stale figures. A set whose data is absent is skipped with a message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from attribution_eval import BASELINE, SET_NAMES, evaluate

METRICS = ("span_f1", "speaker", "pronoun")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return evaluate(SET_NAMES)


@pytest.fixture(scope="module")
def pinned() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", SET_NAMES)
def test_figures_hold_their_pins(report: dict[str, Any], pinned: dict[str, Any], name: str) -> None:
    if report[name] is None:
        pytest.skip(f"the data of {name} is not in ../shared/data; its gate is skipped")
    measured, pins = report[name], pinned["sets"][name]
    tolerance = pinned["tolerance"]
    assert (measured["gold_direct"], measured["speaker_n"], measured["pronoun_n"]) == (
        pins["gold_direct"],
        pins["speaker_n"],
        pins["pronoun_n"],
    ), f"{name}: the gold changed; re-measure and re-pin"
    for metric in METRICS:
        now, then = measured[metric], pins[metric]
        if then is None:
            assert now is None
            continue
        assert now >= then - tolerance, f"{name} {metric}: {now} < pinned {then} - {tolerance}"
        assert now <= then + tolerance, (
            f"{name} {metric}: {now} > pinned {then}: re-pin (python bench/attribution_eval.py "
            "--pin) so that the card reports it"
        )


def test_dev_sets_are_labelled_and_pinned(pinned: dict[str, Any]) -> None:
    sets = pinned["sets"]
    dev = "dev (measured on, never fitted on)"
    assert sets["polnear_dev"]["data"] == sets["korea_news_dev"]["data"] == dev
    assert sets["bbc_news_dev"]["data"] == dev
    assert sets["polnear_train"]["data"].startswith("train")
    assert "strict" in pinned["matcher"]


def test_readme_reports_the_pinned_figures(pinned: dict[str, Any]) -> None:
    """The README's accuracy table is the pins, held-out sets included."""
    readme = (BASELINE.parents[3] / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- accuracy table", 1)[1].split("<!-- end accuracy table", 1)[0]
    for name in ("polnear_dev", "korea_news_dev", "polnear_train"):
        figures = pinned["sets"][name]
        for metric in METRICS:
            if figures[metric] is not None:
                assert f"{figures[metric]:.3f}" in table, (name, metric)
