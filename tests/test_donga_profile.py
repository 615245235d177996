"""The Donga WordPress profile: golden seed, chrome rules, sub-headline detection, rejects."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscorpus.errors import RejectError
from newscorpus.read.profiles import get_profile
from newscorpus.read.profiles.donga_wordpress import CHROME_LINES, is_chrome_line, parse_donga_text
from newscorpus.synthetic import render_donga_page

EXPECTED = Path(__file__).parent / "data" / "expected" / "donga"
_reader = get_profile("donga_wordpress_v1").read


def read(data: bytes) -> list:
    return _reader(data, {})


def test_seed_golden(seed_bytes: bytes) -> None:
    (article,) = read(seed_bytes)
    assert article.headline == (
        "US-China defense policy talks resume… Confirmation of differences in stance "
        "regarding Taiwan and the South China Sea"
    )
    assert len(article.subheadlines) == 3
    assert article.subheadlines[2] == "China: ‘We will never compromise on the Taiwan issue’"
    assert len(article.paragraphs) == 13
    assert article.paragraphs[0].startswith("The U.S. and Chinese militaries")
    assert article.paragraphs[-1].startswith("In particular, ")
    body = "\n\n".join(article.paragraphs)
    for chrome in [*CHROME_LINES, "- Advertisement -", "Source: Donga"]:
        assert chrome not in body
    assert article.source_line == "Donga"
    assert article.encoding == "utf-8"


def test_seed_matches_pinned_golden_file(seed_bytes: bytes) -> None:
    (article,) = read(seed_bytes)
    expected = json.loads((EXPECTED / "000_50823aa4b1df31b8.json").read_text(encoding="utf-8"))
    assert {
        "headline": article.headline,
        "subheadlines": list(article.subheadlines),
        "paragraphs": list(article.paragraphs),
        "source_line": article.source_line,
    } == expected


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("- Advertisement -", True),
        ("  Share This Post ", True),
        ("ADVERTISEMENT", True),
        ("— Advertisement —", True),
        ("Advertisement sales rose 4%.", False),
        ("Share This Post and more", False),
        ("Related Posts", True),
    ],
)
def test_chrome_lines_are_whole_lines_only(line: str, chrome: bool) -> None:
    assert is_chrome_line(line) is chrome


def test_chrome_inside_a_paragraph_is_kept() -> None:
    text = "Headline\n\nThe firm said Share This Post - Advertisement - was a slogan.\n"
    _, _, paragraphs, _, _ = parse_donga_text(text)
    assert paragraphs == ("The firm said Share This Post - Advertisement - was a slogan.",)


def test_chrome_line_between_lines_splits_paragraphs() -> None:
    text = "Headline\n\nFirst paragraph.\n- Advertisement -\nSecond paragraph.\n"
    _, subs, paragraphs, _, _ = parse_donga_text(text)
    assert subs == ()
    assert paragraphs == ("First paragraph.", "Second paragraph.")


def test_single_line_subheadline_without_full_stop() -> None:
    text = "Headline\n\nA short deck line\n\nBody one.\n\nBody two.\n"
    _, subs, paragraphs, _, _ = parse_donga_text(text)
    assert subs == ("A short deck line",)
    assert paragraphs == ("Body one.", "Body two.")


def test_first_paragraph_is_not_taken_for_a_subheadline() -> None:
    text = "Headline\n\nThe first body paragraph ends with a stop.\n\nSecond.\n"
    _, subs, paragraphs, _, _ = parse_donga_text(text)
    assert subs == ()
    assert len(paragraphs) == 2


def test_lone_block_after_headline_is_body_not_subheadline() -> None:
    _, subs, paragraphs, _, _ = parse_donga_text("Headline\n\nOnly one block without stop\n")
    assert subs == ()
    assert paragraphs == ("Only one block without stop",)


def test_related_posts_trailer_is_dropped_and_recorded() -> None:
    text = "Headline\n\nBody.\n\nSource: Donga\n\nRelated Posts\n\nOther story title\n"
    _, _, paragraphs, source, steps = parse_donga_text(text)
    assert paragraphs == ("Body.",)
    assert source == "Donga"
    assert "drop_related_posts" in steps


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  \n\n ", "empty"),
        ("No menu items!\n\nShare This Post\n", "chrome_only"),
        ("Only a headline\n\n- Advertisement -\n", "no_body"),
    ],
)
def test_rejects(text: str, reason: str) -> None:
    with pytest.raises(RejectError) as caught:
        parse_donga_text(text)
    assert caught.value.reason == reason


line = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: unicodedata.normalize("NFC", s).strip())
    .filter(
        lambda s: (
            bool(s)
            and s not in CHROME_LINES
            and not is_chrome_line(s)
            and not s.startswith("Source:")
        )
    )
)


@given(
    headline=line,
    subheadlines=st.lists(line.map(lambda s: s.rstrip(".!?") or "x"), min_size=2, max_size=3),
    paragraphs=st.lists(line.map(lambda s: s + "."), min_size=1, max_size=6),
)
def test_render_then_parse_round_trips(
    headline: str, subheadlines: list[str], paragraphs: list[str]
) -> None:
    page = render_donga_page(headline, subheadlines, paragraphs)
    (article,) = read(page.encode("utf-8"))
    assert article.headline == headline
    assert list(article.subheadlines) == subheadlines
    assert list(article.paragraphs) == paragraphs
    assert article.source_line == "Donga"
