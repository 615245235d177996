"""`plaintext_v1`: one article per plain-text file, headline-first or body-only.

Headline-first (the default, `headline = "first_line"`), as in the BBC News files::

    <headline>                      <- first non-blank line
                                    <- blank line
    <paragraph>                     <- paragraphs separated by blank lines
    <paragraph>

Lines right under the headline, when a blank line and more text follow them, are
sub-headlines (with `paragraphs = "blank_line"`). Body-only
text (`headline = "first_sentence"`, e.g. one ABC news-mail story per file) has no
headline line: the headline is the first sentence of the body, which stays in the body.

Options (`[sources.<folder>.options]`):

- `headline`: `"first_line"` (default) or `"first_sentence"`.
- `paragraphs`: `"blank_line"` (default: blank lines separate paragraphs, single line
  breaks stay inside one) or `"line"` (every line is a paragraph).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newscorpus.errors import RejectError
from newscorpus.read.decode import decode_and_normalize
from newscorpus.read.profiles.base import Article, register_profile
from newscorpus.read.profiles.common import (
    check_options,
    choice_option,
    first_sentence,
    split_paragraphs,
)

PROFILE = "plaintext_v1"
HEADLINE_RULES = ("first_line", "first_sentence")
PARAGRAPH_RULES = ("blank_line", "line")
_OPTIONS: dict[str, type | tuple[type, ...]] = {"headline": str, "paragraphs": str}


def parse_plain_text(
    text: str, headline_rule: str = "first_line", paragraph_rule: str = "blank_line"
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Split normalized text into (headline, sub-headlines, paragraphs, steps). Pure.

    Raises RejectError `empty` (no text) or `no_body` (a headline and nothing else).

    >>> parse_plain_text("Title\\n\\nOne.\\n\\nTwo.\\n")[:3]
    ('Title', (), ('One.', 'Two.'))
    >>> parse_plain_text("Rain fell. Roads shut.", "first_sentence")[:3]
    ('Rain fell.', (), ('Rain fell. Roads shut.',))
    """
    if not text.strip():
        raise RejectError("empty", "the file holds no text")
    if headline_rule == "first_sentence":
        paragraphs = split_paragraphs(text, paragraph_rule)
        return first_sentence(paragraphs[0]), (), paragraphs, ("headline_from_first_sentence",)
    head, _, rest = text.strip().partition("\n")
    first_block, _, after = rest.partition("\n\n") if rest.strip() else ("", "", "")
    if (
        paragraph_rule == "blank_line"
        and first_block.strip()
        and after.strip()
        and not rest.startswith("\n")
    ):
        # Lines right under the headline, then a blank line, then the body: a deck.
        subheadlines = tuple(line.strip() for line in first_block.split("\n") if line.strip())
        body = after
    else:
        subheadlines, body = (), rest
    paragraphs = split_paragraphs(body, paragraph_rule)
    if not paragraphs:
        raise RejectError("no_body", f"a headline ({head.strip()[:60]!r}) but no body paragraphs")
    return head.strip(), subheadlines, paragraphs, ()


def check_plain_text_options(options: Mapping[str, Any]) -> None:
    """Raise RejectError `invalid_options` for an unknown option, a wrong type or choice."""
    check_options(options, _OPTIONS, PROFILE)
    choice_option(options, "headline", HEADLINE_RULES)
    choice_option(options, "paragraphs", PARAGRAPH_RULES)


@register_profile(
    PROFILE,
    extensions=(".txt",),
    description="One article per plain-text file: headline line first (or body only), "
    "paragraphs separated by blank lines.",
    check_options=check_plain_text_options,
)
def read_plain_text(data: bytes, options: Mapping[str, Any]) -> list[Article]:
    """Read one plain-text file into one Article (options: `headline`, `paragraphs`)."""
    check_plain_text_options(options)
    headline_rule = choice_option(options, "headline", HEADLINE_RULES)
    paragraph_rule = choice_option(options, "paragraphs", PARAGRAPH_RULES)
    decoded = decode_and_normalize(data)
    headline, subheadlines, paragraphs, steps = parse_plain_text(
        decoded.text, headline_rule, paragraph_rule
    )
    return [
        Article(
            headline=headline,
            subheadlines=subheadlines,
            paragraphs=paragraphs,
            encoding=decoded.encoding,
            steps=decoded.steps + steps,
        )
    ]
