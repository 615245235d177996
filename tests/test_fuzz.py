"""Property-based fuzzing of the reader, normalizer and per-file step.

For any bytes or text: only the documented RejectError escapes the reader, the per-file
step never raises at all, and every record it returns passes every validation rule.
Run the long campaign with HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newscorpus.decode import decode_and_normalize
from newscorpus.errors import RejectError
from newscorpus.pipeline import process_bytes
from newscorpus.profiles import get_profile
from newscorpus.profiles.donga_wordpress import parse_donga_text
from newscorpus.records import record_problems
from newscorpus.sources import RawFile, Source

SOURCE = Source("donga", "Donga", "en", "donga_wordpress_v1", "test")
RAW = RawFile("unused", "donga/fuzz.txt", 0, SOURCE)
read = get_profile("donga_wordpress_v1").read

# Text that looks like the scrape: chrome lines, quote marks, newlines, words.
pieces = st.sampled_from(
    [
        "No menu items!",
        "Share This Post",
        "- Advertisement -",
        "Related Posts",
        "Source: Donga",
        "Source: Other",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "“",
        "”",
        "‘",
        "’",
        '"',
        "'",
        "«",
        "»",
        "…",
        "—",
        "said",
        "he added,",
        "China’s",
        "The ministry",
        ".",
        ",",
        ":",
        "\ufeff",
        "\t",
        "e\u0301",
    ]
)
scrape_text = st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=60).map("".join)


@given(st.binary(max_size=2048))
def test_reader_raises_only_reject_on_any_bytes(data: bytes) -> None:
    try:
        articles = read(data, {})
    except RejectError:
        return
    for article in articles:
        assert article.headline and article.paragraphs


@given(scrape_text)
def test_parser_raises_only_reject_on_any_text(text: str) -> None:
    try:
        headline, _, paragraphs, _, _ = parse_donga_text(text)
    except RejectError:
        return
    assert headline.strip() == headline and headline
    assert all(p and "\n\n" not in p for p in paragraphs)


@given(st.one_of(st.binary(max_size=2048), scrape_text.map(lambda t: t.encode("utf-8"))))
def test_process_bytes_never_raises_and_records_validate(data: bytes) -> None:
    outcomes = process_bytes(RAW, data)
    assert outcomes
    for outcome in outcomes:
        if outcome["kind"] == "record":
            assert record_problems(outcome["record"]) == []
        else:
            assert outcome["kind"] == "rejected" and outcome["reason"] != "internal_error"


@given(st.binary(max_size=512))
def test_decoding_is_faithful_for_utf8(data: bytes) -> None:
    try:
        decoded = decode_and_normalize(data)
    except RejectError:
        return
    assert "\r" not in decoded.text
    assert not decoded.text.startswith("\ufeff")
