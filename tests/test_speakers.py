"""Speakers from the table (annotate/speakers.py, annotate/heads.py): the head rules that
move the speaker off the phrase at the cue, and what a quotation's speaker becomes."""

from __future__ import annotations

import pytest

from newscorpus.annotate.heads import speaker_head
from newscorpus.annotate.quotes import extract_quotes
from newscorpus.annotate.speakers import head_as_written

CASES = [
    (
        "relay",
        "North Korean leader Kim Jong Un inspected a factory.\n\n"
        "KCNA quoted Kim as saying, “We will build more.”",
        "Kim Jong Un",
        "KCNA",
        "Kim",
    ),
    (
        "relay",
        "A report had quoted an aide at the Harbour Office as saying talks stalled.\n\n"
        "“We will not sign,” the newspaper quoted the aide as saying.",
        "an aide at the Harbour Office",
        "newspaper",
        "the aide",
    ),
    (
        "appositive_name",
        "“We are proud,” said the principal, Dr. Henrik Vass.",
        "Henrik Vass",
        "principal",
        "Dr. Henrik Vass",
    ),
    (
        "member_of",
        "Rep. Ahn Cheol-soo of the People Power Party said, “I will resign.”",
        "Ahn Cheol-soo",
        "People Power Party",
        "Rep. Ahn Cheol-soo",
    ),
]


@pytest.mark.parametrize(("rule", "text", "speaker", "mention", "words"), CASES)
def test_each_head_rule(rule: str, text: str, speaker: str, mention: str, words: str) -> None:
    (quote,) = extract_quotes(text)
    assert (quote.speaker, quote.speaker_mention) == (speaker, mention)
    # The mention stays as written, with its offsets.
    assert quote.speaker_start is not None and quote.speaker_end is not None
    assert text[quote.speaker_start : quote.speaker_end] == mention
    head = speaker_head(text, mention, quote.speaker_start, quote.speaker_end)
    assert head is not None and head.rule == rule
    assert text[head.start : head.end] == words


def test_no_head_rule_where_none_applies() -> None:
    text = "“It is late,” the principal said."
    at = text.index("the principal")
    assert speaker_head(text, "the principal", at, at + len("the principal")) is None


@pytest.mark.parametrize(
    ("text", "speaker", "resolution"),
    [
        (
            "The United Nations Command issued a statement.\n\n“The border is calm,” the UNC said.",
            "United Nations Command",
            "acronym",
        ),
        (
            "North Gyeongsang Governor Lee Cheol-woo visited the site.\n\n"
            "“We will rebuild,” the governor said.",
            "Lee Cheol-woo",
            "description",
        ),
        (
            "Samsung Electronics Co. reported profits.\n\n“Demand is strong,” the company said.",
            "Samsung Electronics Co.",
            "description",
        ),
        (
            "Rep. Kim Byung-kee spoke first.\n\n“Today I resign,” Kim said.",
            "Kim Byung-kee",
            "surname",
        ),
        ("Tony Blair spoke.\n\n“It is done,” he said.", "Tony Blair", "pronoun"),
        ("“We won,” said the fans.", "fans", "as_written"),
    ],
)
def test_speaker_resolves_through_the_table(text: str, speaker: str, resolution: str) -> None:
    (quote,) = extract_quotes(text)
    assert (quote.speaker, quote.speaker_resolution) == (speaker, resolution)


def test_two_people_sharing_a_surname_stay_apart() -> None:
    text = (
        "Kim Jong Un spoke in Pyongyang. Kim Yo Jong, his sister, issued a statement.\n\n"
        "“We are ready,” Kim said."
    )
    (quote,) = extract_quotes(text)
    assert quote.speaker == "Kim Yo Jong"  # the Kim named last, never a merged "Kim"


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


@pytest.mark.parametrize(
    ("phrase", "head"),
    [
        ("him the passport", "the passport"),
        ("13-strong jury", "jury"),
        ("visited officials", "officials"),
        ("spokesman", "spokesman"),
        ("prime minister shrugged off", "prime minister"),
        ("the officials", "the officials"),
        ("the accused", "the accused"),
    ],
)
def test_a_speaker_that_names_no_entity_is_its_head(phrase: str, head: str) -> None:
    assert head_as_written(phrase) == head
