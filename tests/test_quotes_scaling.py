"""Bad input must not make annotation blow up: work grows linearly with the text.

Measured as the number of Python function calls `extract_quotes` makes (deterministic),
not as time: 4x the text may cost about 4x the calls, never the 16x of a quadratic scan.
Mark-heavy text without sentence ends once took 23 s for 40 KB.
"""

from __future__ import annotations

import random
import sys
from types import FrameType
from typing import Any

import pytest

from newscorpus.annotate.quotes import (
    extract_quotes,
)

TOKENS = [
    "“",
    "”",
    '"',
    "'",
    "he said",
    "He added,",
    "said",
    "Mr Smith",
    "the",
    "ministry",
    ".",
    ",",
    "’",
    "‘",
]


def _calls(text: str) -> int:
    count = 0

    def tally(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(tally)
    try:
        extract_quotes(text)
    finally:
        sys.setprofile(None)
    return count


def _noise(tokens: int, per_paragraph: int | None) -> str:
    rng = random.Random(tokens)
    words = [rng.choice(TOKENS) for _ in range(tokens)]
    if per_paragraph is None:
        return " ".join(words)
    return "\n\n".join(
        " ".join(words[i : i + per_paragraph]) for i in range(0, tokens, per_paragraph)
    )


@pytest.mark.parametrize("per_paragraph", [None, 50], ids=["one-paragraph", "short-paragraphs"])
def test_work_grows_linearly_on_mark_heavy_noise(per_paragraph: int | None) -> None:
    small = _calls(_noise(3000, per_paragraph))
    large = _calls(_noise(12000, per_paragraph))
    assert large < 6 * small, f"{small} calls for 3k tokens, {large} for 12k: superlinear"
