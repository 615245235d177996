"""Render articles in the Donga WordPress scrape format: the inverse of its profile.

Used to generate corpora of any size for tests and benchmarks (no public collection in
this format exists) and for round-trip property tests of the parser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

ADVERTISEMENT = "- Advertisement -"


def render_donga_page(
    headline: str,
    subheadlines: Sequence[str],
    paragraphs: Sequence[str],
    source: str = "Donga",
    ad_every: int = 3,
) -> str:
    """Return page text with the site chrome the Donga WordPress scrape carries.

    An advertisement line follows every `ad_every`-th paragraph (0 for none), as on the
    real site; the text round-trips through `donga_wordpress_v1`.
    """
    blocks = ["No menu items!", headline, "Share This Post", ADVERTISEMENT]
    if subheadlines:
        blocks.append("\n".join(subheadlines))
    for index, paragraph in enumerate(paragraphs, start=1):
        blocks.append(paragraph)
        if ad_every and index % ad_every == 1:
            blocks.append(ADVERTISEMENT)
    blocks += [f"Source: {source}", ADVERTISEMENT, "Related Posts"]
    return "\n\n".join(blocks) + "\n"


def synthetic_file_name(index: int, text: str) -> str:
    """Return a scrape-style file name: a running number and a content hash prefix."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{index:06d}_{digest}.txt"
