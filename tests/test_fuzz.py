"""Property-based fuzzing of the reader, normalizer and per-file step.

For any bytes or text: only the documented RejectError escapes the reader, the per-file
step never raises at all, and every record it returns passes every validation rule.
Run the long campaign with HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newscorpus.errors import RejectError
from newscorpus.read.decode import decode_and_normalize
from newscorpus.read.profiles import get_profile
from newscorpus.read.profiles.donga_wordpress import parse_donga_text
from newscorpus.read.sources import RawFile, Source
from newscorpus.record.records import record_problems
from newscorpus.run.pipeline import process_bytes

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


@given(scrape_text, st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_bomless_utf16_scrapes_decode_to_their_text(text: str, encoding: str) -> None:
    # A scrape saved as UTF-16 without a BOM reads as the same text as its UTF-8 copy.
    try:
        expected = decode_and_normalize(text.encode("utf-8"))
    except RejectError:
        return
    units = text.encode("utf-16-le")
    if not units or units[1::2].count(0) < 0.5 * len(units) / 2:
        return  # the byte-order test needs mostly ASCII code units (see utf16_byte_order)
    if 0 in units[0::2] or text.startswith("\ufeff"):
        # A code unit with a low byte of 0 (NUL, U+2000, U+3000, a surrogate...) puts
        # NULs at both parities; a leading U+FEFF is a BOM, read as such.
        return
    decoded = decode_and_normalize(text.encode(encoding))
    assert (decoded.text, decoded.encoding) == (expected.text, encoding)


@given(st.binary(min_size=2, max_size=512))
def test_bytes_with_nuls_at_both_parities_stay_binary(data: bytes) -> None:
    data = b"\x00\x00" + data + b"\x00" * (len(data) % 2)
    if data[0::2].count(0) and data[1::2].count(0):
        try:
            decode_and_normalize(data)
        except RejectError as error:
            assert error.reason == "binary"
        else:
            raise AssertionError("bytes with NULs at both byte parities were decoded")
