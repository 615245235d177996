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

One story per line (`articles = "per_line"`, e.g. gensim's Lee corpus): each non-blank
line is an article of its own, its `part` the line's number (1-based, as for JSON Lines),
its headline its first sentence.

Options (`[sources.<folder>.options]`):

- `headline`: `"first_line"` (default) or `"first_sentence"`.
- `paragraphs`: `"blank_line"` (default: blank lines separate paragraphs, single line
  breaks stay inside one) or `"line"` (every line is a paragraph).
- `articles`: `"per_file"` (default) or `"per_line"`.
- `extensions`: the file names read, e.g. `[".cor"]` (default `[".txt"]`).

A file read under the default rules whose text has `PER_LINE_HINT_LINES` lines or more and
no blank line is probably one story per line: its article carries a warning naming the
`articles` option, which the build's summary shows.
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
ARTICLE_RULES = ("per_file", "per_line")
EXTENSIONS = (".txt",)
_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "headline": str,
    "paragraphs": str,
    "articles": str,
    "extensions": list,
}
# Lines (with no blank line among them) from which a file read as one article is
# probably one story per line: a news article of 20 single-line paragraphs and no
# blank line between them is rare, a corpus file of one story a line is not.
PER_LINE_HINT_LINES = 20


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


def parse_lines(text: str) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Split normalized text into one story per non-blank line. Pure.

    Returns (part, headline, paragraphs, steps) per story, `part` the line's 1-based
    number; the headline is the story's first sentence, which stays in its body.
    Raises RejectError `empty` when no line holds text.

    >>> [story[:3] for story in parse_lines("Rain fell. Roads shut.\\n\\nSun came.\\n")]
    [('1', 'Rain fell.', ('Rain fell. Roads shut.',)), ('3', 'Sun came.', ('Sun came.',))]
    """
    stories: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        story = line.strip()
        if story:
            steps = ("article_per_line", "headline_from_first_sentence")
            stories.append((str(number), first_sentence(story), (story,), steps))
    if not stories:
        raise RejectError("empty", "the file holds no text")
    return stories


def per_line_hint(text: str) -> str | None:
    """Return a warning when one-article text looks like one story per line, else None.

    >>> per_line_hint("Title\\n\\nOne paragraph.") is None
    True
    >>> "per_line" in per_line_hint("\\n".join(["A story."] * 20))
    True
    """
    lines = text.strip().split("\n")
    if len(lines) < PER_LINE_HINT_LINES or any(not line.strip() for line in lines):
        return None
    return (
        f"{len(lines)} lines and no blank line, read as one article; if each line is a "
        'story, set articles = "per_line" in the source\'s options (raw/sources.toml)'
    )


def check_plain_text_options(options: Mapping[str, Any]) -> None:
    """Raise RejectError `invalid_options` for an unknown option, a wrong type or choice,
    or a combination that cannot hold (a headline line in one-story-per-line text)."""
    check_options(options, _OPTIONS, PROFILE)
    choice_option(options, "headline", HEADLINE_RULES)
    choice_option(options, "paragraphs", PARAGRAPH_RULES)
    articles = choice_option(options, "articles", ARTICLE_RULES)
    if articles == "per_line" and options.get("headline", "first_sentence") != "first_sentence":
        raise RejectError(
            "invalid_options",
            'articles = "per_line" takes each story\'s headline from its first sentence '
            "(a line holds no headline line of its own): drop the headline option",
        )
    extensions = options.get("extensions", list(EXTENSIONS))
    if not extensions or not all(
        isinstance(ext, str) and ext.startswith(".") and len(ext) > 1 and "/" not in ext
        for ext in extensions
    ):
        raise RejectError(
            "invalid_options",
            f"option 'extensions' must be a non-empty list of file-name endings such as "
            f'[".txt", ".cor"], not {extensions!r}',
        )


@register_profile(
    PROFILE,
    extensions=EXTENSIONS,
    description="One article per plain-text file (headline line first, or body only; "
    "paragraphs separated by blank lines), or one story per line.",
    check_options=check_plain_text_options,
)
def read_plain_text(
    data: bytes, options: Mapping[str, Any], *, language: str | None = None
) -> list[Article]:
    """Read one plain-text file into one Article, or one per line (see the module's options)."""
    check_plain_text_options(options)
    headline_rule = choice_option(options, "headline", HEADLINE_RULES)
    paragraph_rule = choice_option(options, "paragraphs", PARAGRAPH_RULES)
    decoded = decode_and_normalize(data, language=language)
    if choice_option(options, "articles", ARTICLE_RULES) == "per_line":
        return [
            Article(
                headline=headline,
                subheadlines=(),
                paragraphs=paragraphs,
                encoding=decoded.encoding,
                steps=decoded.steps + steps,
                part=part,
            )
            for part, headline, paragraphs, steps in parse_lines(decoded.text)
        ]
    headline, subheadlines, paragraphs, steps = parse_plain_text(
        decoded.text, headline_rule, paragraph_rule
    )
    hint = per_line_hint(decoded.text) if paragraph_rule == "blank_line" else None
    return [
        Article(
            headline=headline,
            subheadlines=subheadlines,
            paragraphs=paragraphs,
            encoding=decoded.encoding,
            steps=decoded.steps + steps,
            warnings=(hint,) if hint else (),
        )
    ]
