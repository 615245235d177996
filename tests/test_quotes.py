"""Case tests for quote extraction/attribution (data/quote_cases.json) + seed golden."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newscorpus.annotate.quotes import (
    Quote,
    extract_quotes,
)

REPO = Path(__file__).resolve().parents[1]
CASES: list[dict[str, Any]] = json.loads(
    (REPO / "tests" / "data" / "quote_cases.json").read_text(encoding="utf-8")
)
SEED = REPO / "raw" / "donga" / "000_50823aa4b1df31b8.txt"
CHROME = {
    "No menu items!",
    "Share This Post",
    "- Advertisement -",
    "Related Posts",
    "Source: Donga",
}


def _params() -> list[Any]:
    out = []
    for case in CASES:
        marks = []
        if case.get("expect") == "fail":
            marks.append(pytest.mark.xfail(strict=True, reason=case.get("note", "known gap")))
        out.append(pytest.param(case, id=case["label"], marks=marks))
    return out


def _check_offsets(source: str, q: Quote) -> None:
    assert source[q.start : q.end] == q.text
    if q.speaker_mention is not None:
        assert q.speaker_start is not None and q.speaker_end is not None
        assert source[q.speaker_start : q.speaker_end] == q.speaker_mention
    if q.cue is not None:
        assert q.cue_start is not None and q.cue_end is not None
        assert source[q.cue_start : q.cue_end] == q.cue


def test_enough_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, Any]) -> None:
    # `options`: the source's annotation options the case is written for.
    quotes = extract_quotes(case["text"], **case.get("options", {}))
    for q in quotes:
        _check_offsets(case["text"], q)
    got = [{"text": q.text, "speaker": q.speaker} for q in quotes]
    assert got == case["expected"]


def _seed_parts() -> tuple[list[str], str]:
    """Headline block lines and the body: chrome removed, paragraphs joined by blank lines."""
    raw = SEED.read_text(encoding="utf-8")
    paras = [p.strip() for p in raw.split("\n\n")]
    paras = [p for p in paras if p and p not in CHROME]
    # paras[0] = headline, paras[1] = the three sub-headline lines, then the body
    return paras[1].split("\n"), "\n\n".join(paras[2:])


@pytest.fixture(scope="module")
def seed() -> tuple[list[str], str]:
    if not SEED.exists():
        pytest.skip(f"seed article missing: {SEED}")
    return _seed_parts()


def test_seed_body_quotes(seed: tuple[list[str], str]) -> None:
    _, body = seed
    # As the build reads it: the Donga source's habit "the ministry … he said" is on.
    quotes = extract_quotes(body, organisations_as_he=True)
    for q in quotes:
        _check_offsets(body, q)
    speakers = [q.speaker for q in quotes]
    dod = "U.S. Department of Defense"
    mnd = "China’s Ministry of National Defense"
    assert speakers == [dod, dod, dod, mnd, mnd, mnd, mnd]
    texts = [q.text for q in quotes]
    assert texts[0].startswith("The two sides discussed")
    assert texts[2].startswith("This dialogue is a follow-up")
    assert quotes[2].speaker_mention == "he" and quotes[2].cue == "added"
    assert texts[4].startswith("demanded that the United States adhere")
    assert quotes[5].speaker_mention == "He"
    assert texts[6].startswith("China’s strict position")
    # nested and scare quotes are not separate quotations; the stray mark yields nothing
    for bad in ("One China Policy", "one China", "counterpart", "He urged"):
        assert not any(t.strip(" .") == bad for t in texts), bad
    assert not any("He urged" in t for t in texts)
    assert "‘One China Policy.’" in texts[1]


def test_seed_headline(seed: tuple[list[str], str]) -> None:
    lines, _ = seed
    line = next(ln for ln in lines if ln.startswith("China:"))
    quotes = extract_quotes(line)
    assert len(quotes) == 1
    assert quotes[0].speaker == "China"
    assert quotes[0].text == "We will never compromise on the Taiwan issue"


def test_no_paragraph_crossing() -> None:
    text = "He said “this opens.\n\nNothing here. “Real quote here,” he said."
    quotes = extract_quotes(text)
    assert all("\n\n" not in q.text for q in quotes)
    assert [q.text for q in quotes] == ["Real quote here,"]


def test_empty_and_plain() -> None:
    assert extract_quotes("") == []
    assert extract_quotes("No quotations at all.") == []


def test_he_for_an_organisation_only_where_the_source_writes_so() -> None:
    """Translated press: "the ministry said … he said" (the Donga source's option)."""
    text = (
        "“Talks will resume,” the Ministry of National Defense said on Monday.\n\n"
        "“The two sides differ on Taiwan,” he said."
    )
    plain = extract_quotes(text)
    habit = extract_quotes(text, organisations_as_he=True)
    assert [q.speaker for q in plain] == ["Ministry of National Defense", "he"]
    assert [q.speaker for q in habit] == ["Ministry of National Defense"] * 2
    assert habit[1].speaker_mention == "he"
    # A person quoted before still wins over the organisation, with or without the habit.
    person = "“Fine,” Kim Min-soo said.\n\n" + text
    assert extract_quotes(person, organisations_as_he=True)[2].speaker == "Kim Min-soo"


def test_a_common_word_ends_a_sentence_its_abbreviation_does_not() -> None:
    """ "ill" and "no" are also abbreviations (Ill., No.): only written so do they
    keep a full stop from ending the sentence."""
    from newscorpus.annotate.sentences import _boundary_at

    text = "He was ill. The answer was no. He lives in Chicago, Ill. The No. 1 seed won."
    ends = [
        _boundary_at(text, 0, i) for i, ch in enumerate(text) if ch == "." and text[i - 1] != "."
    ]
    assert ends == [True, True, False, False, True]
