"""Property tests: extract_quotes never raises and its offsets are always consistent.

Example counts come from the Hypothesis profile loaded in tests/conftest.py
(HYPOTHESIS_PROFILE=ci by default, =long for a deep run).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newscorpus.annotate.quotes import (
    Quote,
    extract_quotes,
)

MARKS = [*"“”‘’\"'«»„", "''", "'''"]
WORDS = [
    "he",
    "said",
    "He",
    "added",
    "China’s",
    "don't",
    "Jones'",
    "the",
    "U.S.",
    "Smith",
    "according to",
    "told",
    "they",
    "Ministry",
    "of",
    "who",
    "saying",
    ":",
    ",",
    ".",
    '<tweet a="x">',
    "</tweet>",
    # speaker phrases with what may follow them before the cue (attribution's
    # prepositional, time and circumstance phrases)
    "official",
    "from",
    "in",
    "a",
    "statement",
    "on",
    "10th",
    "Jan.",
    "9",
    "two",
    "weeks",
    "ago",
    "last",
    "week",
    "close",
    "familiar",
    "with",
    "Reading",
    "Across",
    "his",
    "-",
    ". ",
    '". ',
]
PIECES = st.sampled_from(MARKS + WORDS + [" ", " ", "\n", "\n\n", "a", "X"])
structured = st.lists(PIECES, max_size=80).map("".join)
anything = st.text(max_size=300)
mark_heavy = st.text(alphabet=st.sampled_from(list("“”‘’\"'«» \nab.,:")), max_size=200)


def _check(source: str, quotes: list[Quote]) -> None:
    prev_end = -1
    for q in quotes:
        assert 0 <= q.start < q.end <= len(source)
        assert source[q.start : q.end] == q.text
        assert q.text.strip() == q.text
        assert q.start >= prev_end, "quotes must be sorted and non-overlapping"
        prev_end = q.end
        if q.speaker_mention is not None:
            assert q.speaker_start is not None and q.speaker_end is not None
            assert source[q.speaker_start : q.speaker_end] == q.speaker_mention
            # a mention starts with a word, never with the punctuation before it
            assert q.speaker_mention[:1].isalnum() or q.speaker_mention[:1] in "’'"
        if q.cue is not None:
            assert q.cue_start is not None and q.cue_end is not None
            assert source[q.cue_start : q.cue_end] == q.cue
        assert "\n\n" not in q.text


@given(structured)
def test_structured_text(text: str) -> None:
    _check(text, extract_quotes(text))


@given(anything)
def test_any_text(text: str) -> None:
    _check(text, extract_quotes(text))


@given(mark_heavy)
def test_mark_heavy_text(text: str) -> None:
    _check(text, extract_quotes(text))


@given(
    st.lists(
        st.sampled_from(["“Hello there friend,” he said.", "“Stray", "\n\n", " ", "’s"]),
        max_size=20,
    ).map("".join)
)
def test_deterministic(text: str) -> None:
    assert extract_quotes(text) == extract_quotes(text)
