"""`donga_wordpress_v1`: article text as printed by the WordPress site republishing Dong-A Ilbo.

The layout, as scraped (blank lines separate blocks)::

    No menu items!                  <- site chrome
    <headline>
    Share This Post                 <- site chrome
    - Advertisement -               <- site chrome, anywhere, any number of times
    <sub-headline lines, single newlines between them>
    <body paragraphs>
    Source: Donga                   <- the outlet; checked against the registry
    Related Posts                   <- site chrome; what follows are other posts' links

Chrome is removed only as whole lines and acts as a block boundary; text inside a
paragraph is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from newscorpus.errors import RejectError
from newscorpus.read.decode import decode_and_normalize
from newscorpus.read.profiles.base import Article, register_profile

CHROME_LINES = frozenset({"No menu items!", "Share This Post", "Related Posts"})
# Advertisement separators come with varying dashes and case across themes.
_ADVERTISEMENT = re.compile(r"^[-–—]*\s*advertisement\s*[-–—]*$", re.IGNORECASE)
# The related-posts widget ends the article: lines after it are other posts' titles.
TRAILER_START = "Related Posts"
_SOURCE_LINE = re.compile(r"^Source:\s*(\S.{0,79})$")
# Sub-headlines read like headlines: no sentence-final mark, and not paragraph-long.
_SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]]*$")
_MAX_SUBHEADLINE_CHARS = 300


def is_chrome_line(line: str) -> bool:
    """Return True when a whole (stripped) line is site chrome, not article text.

    >>> is_chrome_line("- Advertisement -"), is_chrome_line("Advertisement revenue rose.")
    (True, False)
    """
    stripped = line.strip()
    return stripped in CHROME_LINES or bool(_ADVERTISEMENT.match(stripped))


def split_blocks(lines: list[str]) -> list[list[str]]:
    """Group lines into blocks; blank lines and chrome lines both end a block."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line.strip() or is_chrome_line(line):
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line.strip())
    if current:
        blocks.append(current)
    return blocks


def _looks_like_subheadline_block(block: list[str]) -> bool:
    if any(len(line) > _MAX_SUBHEADLINE_CHARS for line in block):
        return False
    if len(block) > 1:
        return True
    return not _SENTENCE_END.search(block[0])


def parse_donga_text(
    text: str,
) -> tuple[str, tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...]]:
    """Split normalized page text into (headline, sub-headlines, paragraphs, source, steps).

    Pure: text in, parts out. Raises RejectError `empty`, `chrome_only` or `no_body`.
    """
    if not text.strip():
        raise RejectError("empty", "the file holds no text")
    steps: list[str] = []
    lines = text.split("\n")
    if TRAILER_START in (line.strip() for line in lines):
        cut = next(i for i, line in enumerate(lines) if line.strip() == TRAILER_START)
        if any(line.strip() and not is_chrome_line(line) for line in lines[cut + 1 :]):
            steps.append("drop_related_posts")
        lines = lines[:cut]
    source_name: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        match = _SOURCE_LINE.match(lines[index].strip())
        if match:
            source_name = match.group(1).strip()
            lines[index] = ""
            steps.append("extract_source_line")
            break
    if any(is_chrome_line(line) for line in lines):
        steps.append("drop_chrome_lines")
    blocks = split_blocks(lines)
    if not blocks:
        raise RejectError("chrome_only", "only site chrome, no article text")
    headline, *rest_of_first = blocks[0]
    remaining = blocks[1:]
    if rest_of_first:
        subheadlines = tuple(rest_of_first)
    elif len(remaining) > 1 and _looks_like_subheadline_block(remaining[0]):
        subheadlines = tuple(remaining[0])
        remaining = remaining[1:]
    else:
        subheadlines = ()
    paragraphs = tuple("\n".join(block) for block in remaining)
    if not paragraphs:
        raise RejectError("no_body", f"a headline ({headline[:60]!r}) but no body paragraphs")
    return headline, subheadlines, paragraphs, source_name, tuple(steps)


@register_profile(
    "donga_wordpress_v1",
    extensions=(".txt",),
    description="Dong-A Ilbo English articles as printed by a WordPress news site (text dump).",
)
def read_donga_wordpress(
    data: bytes, options: Mapping[str, Any], *, language: str | None = None
) -> list[Article]:
    """Read one Donga WordPress text dump into one Article (no options)."""
    decoded = decode_and_normalize(data, language=language)
    headline, subheadlines, paragraphs, source_name, steps = parse_donga_text(decoded.text)
    return [
        Article(
            headline=headline,
            subheadlines=subheadlines,
            paragraphs=paragraphs,
            encoding=decoded.encoding,
            steps=decoded.steps + steps,
            source_line=source_name,
        )
    ]
