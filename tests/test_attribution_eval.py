"""The strict speaker matcher of bench/attribution_eval.py, on the examples its rule is
written with (../shared/data/korea_news_dev/README.md, "Scoring") and a few more."""

from __future__ import annotations

import pytest
from attribution_eval import cut_phrase, is_name, strict_speaker_match

MATCHES = [
    ("Kim Byung-kee", "Kim"),
    ("an official at a local pharmaceutical company", "official"),
    ("Donald Trump", "Mr. Trump"),
    ("Donald Trump", "Trump"),
    ("Ministry of Science and ICT", "the ministry"),
    ("Kim Jong Un", "Kim Jong Un"),
    ("Robert Sinche, head of currency strategy", "Sinche"),
    ("Trump's campaign", "the campaign"),
    ("Chris Coons", "Senator Chris Coons"),
    ("Aung San Suu Kyi", "Suu Kyi"),
    ("Mr. Lou", "Lou Jiwei"),
    ("Justice Scalia", "Antonin Scalia"),
    ("OK Gov Fallin", "Mary Fallin"),
    ("Hillary Rodham Clinton", "Hillary Clinton"),
]
MISMATCHES = [
    ("Republican presidential candidate Donald Trump", "Republican"),
    ("Rep. Ahn Cheol-soo of the People Power Party", "People Power Party"),
    ("Hillary Clinton", "Bill Clinton"),
    ("Kim Jong Un", "KCNA"),
    ("Lee Cheol-woo", "the governor"),
    ("Kim Byung-kee", "Kim Jong Un"),
    ("Donald Trump", None),
    ("Donald Trump", "he"),
]


@pytest.mark.parametrize(("gold", "predicted"), MATCHES)
def test_matches(gold: str, predicted: str) -> None:
    assert strict_speaker_match(gold, predicted)
    assert strict_speaker_match(predicted, gold)  # symmetric


@pytest.mark.parametrize(("gold", "predicted"), MISMATCHES)
def test_mismatches(gold: str, predicted: str | None) -> None:
    assert not strict_speaker_match(gold, predicted)


def test_cut_and_names() -> None:
    assert cut_phrase("Rep. Ahn Cheol-soo of the People Power Party") == ["Rep", "Ahn", "Cheol-soo"]
    assert cut_phrase("the head of the ministry") == ["head", "of", "the", "ministry"]
    assert cut_phrase("a spokesman for the campaign, who declined") == ["spokesman"]
    assert is_name(["Ministry", "of", "Science", "and", "ICT"])
    assert not is_name(["presidential", "candidate", "Donald", "Trump"])
