"""Block roles (issue 21): captions, bylines, datelines, wire tags, sign-offs, notes and
link lists out of the story, each by a named rule, nothing lost. Every text here is
written for the test."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import SEED
from hypothesis import given
from hypothesis import strategies as st

from newscorpus.read.profiles import get_profile
from newscorpus.read.roles import ROLES, apply_roles, assign_roles, caption_rule
from newscorpus.read.sources import RegistryError, load_registry
from newscorpus.run.driver import build

STORY = (
    "The city council voted on Tuesday to close the old bridge to heavy trucks.",
    '"The bridge is safe for cars, not for forty-tonne lorries," the mayor, Park Ji-hoon, said.',
    "Repairs are expected to take two years and cost about 3 billion won.",
)


def _roles(*paragraphs: str, headline: str = "Council shuts bridge to trucks", **switches: bool):
    return assign_roles(headline, (*STORY[:1], *paragraphs, *STORY[1:]), switches)


# --- captions ---


@pytest.mark.parametrize(
    ("caption", "rule"),
    [
        ("Workers inspect the bridge in Daegu on Monday. (Yonhap)", "caption_credit"),
        (
            "A crane lifts a beam at the site on Friday. (File Photo - Wire Agency)",
            "caption_credit",
        ),
        ("Residents walk past the closed bridge. (Courtesy of a reader)", "caption_credit"),
        ("Mayor Park Ji-hoon (left) and engineer Choi Min-su (City Hall)", "caption_image_wording"),
        (
            "From left: Park Ji-hoon, Choi Min-su and Lee Ji-eun pose at the bridge.",
            "caption_image_wording",
        ),
        (
            "Engineer Choi Min-su (pictured) said the beams had rusted through in places",
            "caption_image_wording",
        ),
    ],
)
def test_captions_leave_the_body(caption: str, rule: str) -> None:
    roles = _roles(caption)
    assert roles.captions == (caption,)
    assert roles.paragraphs == STORY
    assert f"role_{rule}" in roles.steps


@pytest.mark.parametrize(
    "paragraph",
    [
        "The transport ministry (MOTIE) said repairs would start in May.",
        "Howard Lee (Busan)",  # a list entry, no caption's full stop before the bracket
        "The council has said so before. (It did not act then.)",  # an aside, not a credit
        '"It is closed (for now)," the mayor said.',  # a quotation is never a caption
        "Another pictured the mayor standing on the bridge, which critics called a stunt. It was.",
        "The first report did not end with a full stop and ran on for more than twelve words here",
    ],
)
def test_story_text_is_not_a_caption(paragraph: str) -> None:
    assert caption_rule(paragraph) is None
    assert _roles(paragraph).captions == ()


def test_an_unterminated_block_is_a_caption_only_on_a_page_with_captions() -> None:
    bare = "A truck waits at the closed bridge near the river after the council vote on Tuesday"
    assert _roles(bare).captions == ()
    roles = _roles("Engineer Choi Min-su (pictured) checked the beams on Monday", bare)
    assert roles.captions == ("Engineer Choi Min-su (pictured) checked the beams on Monday", bare)
    assert "role_caption_unterminated" in roles.steps


# --- bylines, sign-offs, notes, link lists ---


@pytest.mark.parametrize(
    ("block", "byline"),
    [
        (
            "(Reporting by Kim Min-ji; Editing by Lee Ji-eun)",
            "(Reporting by Kim Min-ji; Editing by Lee Ji-eun)",
        ),
        (
            "(Additional reporting by Choi Min-su in Busan)",
            "(Additional reporting by Choi Min-su in Busan)",
        ),
        ("By Kim Min-ji", "Kim Min-ji"),
        ("minji@example.co.kr", "minji@example.co.kr"),
    ],
)
def test_byline_blocks(block: str, byline: str) -> None:
    roles = _roles(block)
    assert roles.bylines == (byline,) and roles.paragraphs == STORY


def test_a_lone_email_with_an_end_tag_is_a_byline_and_a_tag() -> None:
    roles = assign_roles("Bridge shut", (*STORY, "minji@example.co.kr(END)"))
    assert roles.bylines == ("minji@example.co.kr",)
    assert roles.removed == (("tag", "(END)"),)


def test_a_sentence_with_produced_by_is_story() -> None:
    text = "Produced by the city, the report found cracks in nine of the bridge's twelve beams."
    assert _roles(text).bylines == ()


def test_signoff_leaves_the_last_paragraph() -> None:
    roles = assign_roles("Bridge shut", (*STORY[:2], STORY[2] + " minji@example.co.kr(END)"))
    assert roles.paragraphs == STORY
    assert roles.bylines == ("minji@example.co.kr",)
    assert roles.removed == (("tag", "(END)"),)
    assert "role_signoff_email" in roles.steps


@pytest.mark.parametrize(
    "note",
    [
        "This article was originally written in Korean and translated by a bilingual reporter.",
        "The Daily Example extends its condolences to the families. Those in distress can call "
        "the crisis hotline (Tel: 1577-0000).",
    ],
)
def test_note_blocks(note: str) -> None:
    # Notices open or close an article.
    roles = assign_roles("Bridge shut", (*STORY, note))
    assert roles.notes == (note,) and roles.paragraphs == STORY
    mid_story = (*STORY, "More.", "Still more.", "The end.")
    inside = assign_roles("Bridge shut", (*mid_story[:1], note, *mid_story[1:]))
    assert inside.notes == () and note in inside.paragraphs


def test_a_translation_notice_glued_to_the_last_paragraph_is_a_note() -> None:
    notice = "This article was originally written in Korean and translated with AI tools."
    roles = assign_roles("Bridge shut", (*STORY[:2], f"{STORY[2]} {notice}"))
    assert roles.paragraphs == STORY and roles.notes == (notice,)
    assert "role_note_span" in roles.steps


@pytest.mark.parametrize(
    "links", ["READ MORE: Bridges across the country age", "RECOMMENDED: Ten bridges"]
)
def test_link_lists_are_removed(links: str) -> None:
    roles = _roles(links)
    assert roles.removed == (("other", links),) and roles.paragraphs == STORY


# --- datelines, wire tags, slug residue ---


@pytest.mark.parametrize(
    ("opening", "dateline", "rule"),
    [
        ("SEOUL, Dec. 29 (Yonhap) -- ", "SEOUL, Dec. 29 (Yonhap) --", "dateline_wire"),
        ("WASHINGTON (Wire) - ", "WASHINGTON (Wire) -", "dateline_wire"),
        ("BUSAN — ", "BUSAN —", "dateline_dash"),
        ("NEW YORK, Jan 5 (AP) — ", "NEW YORK, Jan 5 (AP) —", "dateline_wire"),
    ],
)
def test_datelines_open_the_story(opening: str, dateline: str, rule: str) -> None:
    roles = assign_roles("Bridge shut", (opening + STORY[0], *STORY[1:]))
    assert roles.dateline == dateline and roles.paragraphs == STORY
    assert roles.steps == (f"role_{rule}",)


def test_a_bare_place_is_a_dateline_only_in_a_wire_story() -> None:
    first = "DAEGU " + STORY[0]
    assert assign_roles("Bridge shut", (first, *STORY[1:])).dateline is None
    credit = "(Reporting by Kim Min-ji; Editing by Lee Ji-eun)"
    roles = assign_roles("Bridge shut", (first, *STORY[1:], credit))
    assert roles.dateline == "DAEGU" and roles.paragraphs == STORY
    # An acronym that recurs is an organisation, not a place.
    nato = ("NATO " + STORY[0], "NATO said it would help.", credit)
    assert assign_roles("Bridge shut", nato).dateline is None


def test_slug_residue_and_a_byline_before_the_dateline() -> None:
    headline = "(LEAD) Council shuts old bridge to heavy trucks"
    first = (
        "(LEAD) Bridge-trucks(LEAD) Council shuts old bridge to heavy trucks (ATTN: ADDS "
        "details in para 3) By Kim Min-ji DAEGU, Dec. 2 (Yonhap) -- " + STORY[0]
    )
    roles = assign_roles(headline, (first, *STORY[1:]))
    assert roles.headline == "Council shuts old bridge to heavy trucks"
    assert roles.paragraphs == STORY
    assert roles.bylines == ("Kim Min-ji",)
    assert roles.dateline == "DAEGU, Dec. 2 (Yonhap) --"
    assert roles.removed == (
        ("tag", "(LEAD)"),
        (
            "tag",
            "(LEAD) Bridge-trucks(LEAD) Council shuts old bridge to heavy trucks (ATTN: "
            "ADDS details in para 3)",
        ),
    )
    assert set(roles.steps) >= {"role_tag_headline", "role_tag_slug", "role_byline_span"}


def test_a_slug_block_with_an_advisory_is_a_tag() -> None:
    block = "Bridge-trucks (LEAD) Council shuts old bridge(ATTN: UPDATES with details)"
    roles = assign_roles("Council shuts old bridge", (block, *STORY))
    assert roles.removed == (("tag", block),) and roles.paragraphs == STORY


def test_text_before_a_dateline_that_is_not_a_slug_stays() -> None:
    first = "Officials met in the morning. SEOUL, Dec. 29 (Yonhap) -- was the wire's heading."
    roles = assign_roles("Bridge shut", (first, *STORY[1:]))
    assert roles.dateline is None and roles.paragraphs[0] == first


# --- switches, the registry, nothing lost ---


def test_a_role_switched_off_stays_in_the_text() -> None:
    caption = "Workers inspect the bridge in Daegu on Monday. (Yonhap)"
    assert _roles(caption, caption=False).captions == ()
    assert caption in _roles(caption, caption=False).paragraphs
    first = "By Kim Min-ji DAEGU, Dec. 2 (Yonhap) -- " + STORY[0]
    off = assign_roles("Bridge shut", (first, *STORY[1:]), {"byline": False, "dateline": False})
    assert off.paragraphs[0] == first and off.bylines == () and off.dateline is None


def test_the_registry_checks_the_roles_table(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    base = '[sources.plain]\nname = "P"\nlanguage = "en"\nprofile = "plaintext_v1"\nlicence = "l"\n'
    (tmp_path / "sources.toml").write_text(base + "[sources.plain.roles]\ncaption = false\n")
    assert load_registry(tmp_path)["plain"].role_switches() == {"caption": False}
    for bad, message in (
        ("captions = false", "unknown role 'captions'"),
        ("note = 0", "must be a bool"),
    ):
        (tmp_path / "sources.toml").write_text(base + f"[sources.plain.roles]\n{bad}\n")
        with pytest.raises(RegistryError, match=message):
            load_registry(tmp_path)


def _non_space(*texts: str) -> Counter[str]:
    return Counter(ch for text in texts for ch in text if not ch.isspace())


def _held(roles: object) -> Counter[str]:
    from newscorpus.read.roles import Roles

    assert isinstance(roles, Roles)
    return _non_space(
        roles.headline,
        *roles.paragraphs,
        *roles.captions,
        *roles.bylines,
        roles.dateline or "",
        *roles.notes,
        *(text for _, text in roles.removed),
    )


PIECES = [
    *STORY,
    "Workers inspect the bridge in Daegu on Monday. (Yonhap)",
    "(Reporting by Kim Min-ji; Editing by Lee Ji-eun)",
    "By Kim Min-ji",
    "minji@example.co.kr(END)",
    "READ MORE: Bridges across the country age",
    "This article was originally written in Korean and translated by a reporter.",
    "SEOUL, Dec. 29 (Yonhap) -- " + STORY[0],
    "(LEAD) Bridge-trucks(LEAD) Council shuts bridge (ATTN: ADDS details) By Kim Min-ji "
    "BUSAN, Jan. 2 (Yonhap) -- " + STORY[0],
    STORY[2] + " minji@example.co.kr(END)",
    "Engineer Choi Min-su (pictured) checked the beams on Monday",
    "A truck waits at the closed bridge near the river after the council vote on Tuesday",
    "DAEGU " + STORY[0],
]


@given(
    st.lists(st.sampled_from(PIECES) | st.text(min_size=1, max_size=80), min_size=1, max_size=8),
    st.sampled_from(["Council shuts bridge", "(LEAD) Council shuts bridge", "(URGENT) x"]),
)
def test_nothing_is_lost_but_whitespace_and_a_bylines_by(
    paragraphs: list[str], headline: str
) -> None:
    paragraphs = [p.strip() for p in paragraphs if p.strip()]
    if not paragraphs:
        return
    roles = assign_roles(headline, tuple(paragraphs))
    before, after = _non_space(headline, *paragraphs), _held(roles)
    assert not after - before  # nothing made up
    lost = before - after
    assert set(lost) <= {"B", "b", "y"}
    assert lost["y"] <= len(roles.bylines)
    assert roles.paragraphs  # never an article without a body


def test_the_seed_and_its_golden_file_keep_their_body(seed_bytes: bytes) -> None:
    (article,) = get_profile("donga_wordpress_v1").read(seed_bytes, {})
    moved = apply_roles(article)
    golden = json.loads(
        (Path(__file__).parent / "data" / "expected" / "donga" / f"{SEED.stem}.json").read_text(
            encoding="utf-8"
        )
    )
    assert list(moved.paragraphs) == golden["paragraphs"] == list(article.paragraphs)
    assert moved.headline == golden["headline"]
    assert (moved.captions, moved.bylines, moved.dateline, moved.notes, moved.removed) == (
        (),
        (),
        None,
        (),
        (),
    )


def test_a_build_publishes_the_fields_and_a_caption_quote_is_not_a_story_quote(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    (raw / "wire").mkdir(parents=True)
    (raw / "sources.toml").write_text(
        '[sources.wire]\nname = "Wire"\nlanguage = "en"\nprofile = "plaintext_v1"\n'
        'licence = "test"\n',
        encoding="utf-8",
    )
    caption = "Mayor Park Ji-hoon (left) speaks beside the bridge; he said it was closed"
    text = "\n\n".join(
        [
            "(LEAD) Council shuts bridge",
            "SEOUL, Dec. 29 (Yonhap) -- " + STORY[0],
            caption,
            STORY[1],
            STORY[2] + " minji@example.co.kr(END)",
        ]
    )
    (raw / "wire" / "a.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build(raw, out, workers=1, datasheet=None)
    import pyarrow.parquet as pq

    (record,) = [
        r
        for path in sorted((out / "data").glob("*.parquet"))
        for r in pq.read_table(path).to_pylist()
    ]
    assert record["headline"] == "Council shuts bridge"
    assert record["body"] == "\n\n".join(STORY)
    assert record["captions"] == [caption]
    assert record["dateline"] == "SEOUL, Dec. 29 (Yonhap) --"
    assert record["bylines"] == ["minji@example.co.kr"]
    assert record["removed"] == [
        {"role": "tag", "text": "(LEAD)"},
        {"role": "tag", "text": "(END)"},
    ]
    assert {"role_caption_image_wording", "role_dateline_wire", "role_signoff_email"} <= set(
        record["normalization"]
    )
    assert [q["location"] for q in record["quotes"]] == ["body"]  # the story's one quotation


def test_every_role_is_documented() -> None:
    from newscorpus.read import roles

    assert roles.__doc__ is not None
    for role in ROLES:
        assert f"| {role} |" in roles.__doc__


def test_html_markup_names_captions_and_bylines() -> None:
    page = b"""<html><head><meta property="og:title" content="Council shuts bridge"></head>
    <body><article><h1>Council shuts bridge</h1><p class="byline">By Kim Min-ji</p>
    <figure><img src="a.jpg"><figcaption>Workers inspect the bridge on Monday.</figcaption></figure>
    <p>The city council voted on Tuesday to close the old bridge to heavy trucks, officials
    said after a long meeting that ran late into the night on Tuesday.</p>
    <p>Repairs are expected to take two years and cost about 3 billion won, according to the
    city's transport department and the engineers it hired.</p>
    <address>Kim Min-ji, minji@example.co.kr</address></article></body></html>"""
    (article,) = get_profile("html_trafilatura_v1").read(page, {})
    assert article.captions == ("Workers inspect the bridge on Monday.",)
    assert article.bylines == ("Kim Min-ji", "Kim Min-ji, minji@example.co.kr")
    assert not any("minji@" in p for p in article.paragraphs)  # moved, not kept twice
    assert {"role_markup_caption", "role_markup_byline"} <= set(article.steps)
