"""From the speaker phrase to the entity that spoke (annotate/speakers.py), pass by pass."""

from __future__ import annotations

import dataclasses

import pytest

from newscorpus.annotate.quotes import (
    extract_quotes,
)
from newscorpus.annotate.speakers import PASSES, canonical_speakers, explain

CASES = [
    (
        "relay",
        "North Korean leader Kim Jong Un inspected a factory.\n\n"
        "KCNA quoted Kim as saying, “We will build more.”",
        "Kim Jong Un",
        "KCNA",
    ),
    (
        "acronym",
        "The United Nations Command issued a statement.\n\n“The border is calm,” the UNC said.",
        "United Nations Command",
        "UNC",
    ),
    (
        "role",
        "North Gyeongsang Governor Lee Cheol-woo visited the site.\n\n"
        "“We will rebuild,” the governor said.",
        "Lee Cheol-woo",
        "governor",
    ),
    (
        "role",
        "Samsung Electronics Co. reported profits.\n\n“Demand is strong,” the company said.",
        "Samsung Electronics Co.",
        "company",
    ),
    (
        "appositive_name",
        "“We are proud,” said the principal, Dr. Henrik Vass.",
        "Henrik Vass",
        "principal",
    ),
    (
        "member_of",
        "Rep. Ahn Cheol-soo of the People Power Party said, “I will resign.”",
        "Ahn Cheol-soo",
        "People Power Party",
    ),
    (
        "person",
        "Rep. Kim Byung-kee spoke first.\n\n“Today I resign,” Kim said.",
        "Kim Byung-kee",
        "Kim",
    ),
]


@pytest.mark.parametrize(("rule", "text", "speaker", "mention"), CASES)
def test_each_pass(rule: str, text: str, speaker: str, mention: str) -> None:
    (quote,) = extract_quotes(text)
    assert (quote.speaker, quote.speaker_mention) == (speaker, mention)
    # The mention stays as written, with its offsets.
    assert text[quote.speaker_start : quote.speaker_end] == mention
    # Switched off, the pass leaves the speaker as the attribution found it.
    others = tuple(p for p in PASSES if p != rule)
    # The quotation as the attribution left it: its speaker is the mention.
    raw = dataclasses.replace(quote, speaker=mention)
    assert canonical_speakers(text, [raw])[0].speaker == speaker
    assert canonical_speakers(text, [raw], passes=others)[0].speaker == mention
    assert explain(text, raw) == rule


def test_two_people_sharing_a_surname_keep_the_surname() -> None:
    text = (
        "Kim Jong Un spoke in Pyongyang. Kim Yo Jong, his sister, issued a statement.\n\n"
        "“We are ready,” Kim said."
    )
    (quote,) = extract_quotes(text)
    assert quote.speaker == "Kim"


def test_a_vice_president_is_not_the_president() -> None:
    text = "President Barack Obama spoke.\n\n“We disagree,” the vice president said."
    (quote,) = extract_quotes(text)
    assert quote.speaker == "vice president"


def test_a_headline_label_is_nobody_but_a_name_before_a_colon_speaks() -> None:
    for text in ("Exclusive: ‘We will never give up’", "Analysis: “The market is wrong”"):
        (quote,) = extract_quotes(text)
        assert (quote.speaker, quote.speaker_mention, quote.speaker_resolution) == (
            None,
            None,
            None,
        )
        assert quote.speaker_pattern == "colon"  # the pattern was found; nobody spoke
    (quote,) = extract_quotes("China: ‘We will never compromise on the Taiwan issue’")
    assert (quote.speaker, quote.speaker_resolution) == ("China", "as_written")
