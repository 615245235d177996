"""Generic raw formats: plain text, HTML (plain and gzipped), JSON Lines and WARC.

Fixtures are written into tmp dirs; a raw/sources.toml declares one folder per format,
so each source here is "a registry entry + a test", with no change in core code.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import newscorpus
from newscorpus.errors import RejectError
from newscorpus.read.profiles import Article, PartRejected, get_profile
from newscorpus.read.profiles.common import first_sentence, iso_date, split_paragraphs
from newscorpus.read.profiles.html import decode_html
from newscorpus.read.profiles.plaintext import parse_plain_text
from newscorpus.record.ledger import REASONS

PARAGRAPHS = [
    "The harbour authority said on Tuesday that the new bridge would open to traffic in "
    "the spring, two years later than first planned, after a dispute over steel prices.",
    "“We are confident the work will be finished on time this time,” the authority's "
    "chief engineer, Maria Lopez, told reporters at the site.",
    "Local businesses have complained that the delays cost them customers, and the city "
    "council has promised a review of how the contract was managed from the start.",
    "The bridge, which spans the river at its widest point, is expected to carry about "
    "40,000 vehicles a day once it is fully open to cars, buses and bicycles.",
]


def html_page(
    headline: str = "Harbour bridge to open in spring",
    paragraphs: list[str] = PARAGRAPHS,
    url: str = "https://news.example.org/2021/03/harbour-bridge",
    date: str = "2021-03-16T09:30:00+01:00",
) -> str:
    """A realistic news page: chrome, a script, metadata and the article."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{headline} | Example News</title>
<meta property="og:title" content="{headline}">
<meta property="article:published_time" content="{date}">
<link rel="canonical" href="{url}">
<script>document.write("<p>INJECTED BY SCRIPT</p>"); fetch("https://evil.example/");</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>{headline}</h1>
<p class="byline">By Staff Reporter</p>
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Another story entirely</a></li></ul></aside>
<footer>© Example News. All rights reserved.</footer>
</body></html>"""


def warc_bytes(pages: list[tuple[str, str]], extra: bool = True) -> bytes:
    """A gzipped WARC with one HTML response per (url, html), plus non-article records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))
    for number, (url, html) in enumerate(pages):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html.encode("utf-8")),
            http_headers=headers,
            warc_headers_dict={
                "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>"
            },
        )
        writer.write_record(record)
    if extra:
        for status, ctype in (("404 Not Found", "text/html"), ("200 OK", "image/png")):
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    "https://news.example.org/missing",
                    "response",
                    payload=io.BytesIO(b"<html><body>Not found</body></html>"),
                    http_headers=headers,
                )
            )
    return buffer.getvalue()


REGISTRY = """
[sources.bbc]
name = "Plain Headline-First"
language = "en"
profile = "plaintext_v1"
licence = "test fixture"

[sources.lee]
name = "Plain Body-Only"
language = "en"
profile = "plaintext_v1"
licence = "test fixture"
[sources.lee.options]
headline = "first_sentence"

[sources.pages]
name = "Example News"
language = "en"
profile = "html_trafilatura_v1"
licence = "test fixture"

[sources.scraper]
name = "Scraped Wire"
language = "en"
profile = "jsonl_v1"
licence = "test fixture"
[sources.scraper.options]
headline_field = "title"
body_field = "text"
url_field = "link"
date_field = "date"

[sources.crawl]
name = "Common Crawl News"
language = "en"
profile = "warc_html_v1"
licence = "test fixture"
"""


def variant(index: int) -> list[str]:
    """Paragraphs that differ enough per index not to be near-duplicates."""
    words = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliet",
        "kilo",
        "lima",
    ]
    lead = " ".join(words[(index + k) % len(words)] for k in range(12))
    return [
        f"Story {index} opens with {lead} and more words.",
        f"{words[index % 12]} {words[(index * 5) % 12]} {words[(index * 7) % 12]} reported "
        f"figures for quarter {index} that surprised {words[(index * 3) % 12]} analysts.",
        PARAGRAPHS[index % len(PARAGRAPHS)],
    ]


def make_formats_raw(root: Path) -> Path:
    """A raw/ folder with one source per format, including one bad input per format."""
    raw = root / "raw"
    for folder in ("bbc", "lee", "pages", "scraper", "crawl"):
        (raw / folder).mkdir(parents=True)
    (raw / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    (raw / "bbc" / "001.txt").write_text(
        "Harbour bridge delayed again\n\n" + "\n\n".join(variant(1)) + "\n", encoding="utf-8"
    )
    (raw / "bbc" / "002.txt").write_bytes(
        "Prices rise\n\nThe pound (£) fell; shoppers paid more.\n".encode("cp1252")
    )
    (raw / "bbc" / "003.txt").write_text("Only a headline\n", encoding="utf-8")
    (raw / "lee" / "001.txt").write_text(" ".join(PARAGRAPHS[:2]) + " \n", encoding="utf-8")
    (raw / "pages" / "a.html").write_text(html_page(), encoding="utf-8")
    (raw / "pages" / "b.html.gz").write_bytes(
        gzip.compress(
            html_page(
                "Second story on the river",
                variant(2),
                url="https://news.example.org/b",
                date="2021-04-01",
            ).encode("utf-8")
        )
    )
    (raw / "pages" / "c.html.gz").write_bytes(b"\x1f\x8b not really gzip")
    lines = [
        json.dumps(
            {
                "title": "Wire one",
                "text": "\n\n".join(variant(3)),
                "link": "https://w/1",
                "date": "2020-05-06T07:08:09Z",
            }
        ),
        "{not json",
        "",
        json.dumps({"title": "Wire two", "text": variant(4), "date": "yesterday"}),
        json.dumps({"title": "No body"}),
    ]
    (raw / "scraper" / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (raw / "crawl" / "cc.warc.gz").write_bytes(
        warc_bytes(
            [
                ("https://cc.example/one", html_page("Crawled one", variant(5), url="")),
                ("https://cc.example/two", html_page("Crawled two", variant(6), url="")),
            ]
        )
    )
    return raw


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    root = tmp_path_factory.mktemp("formats")
    raw = make_formats_raw(root)
    out = root / "out"
    newscorpus.build(raw, out, workers=1)
    ledger = [json.loads(line) for line in (out / "inputs.jsonl").read_text().splitlines()]
    return out, ledger


def _records(out: Path) -> dict[str, dict[str, object]]:
    dataset = newscorpus.load(out)
    return {row["source_file"]: row for split in dataset for row in dataset[split]}


def test_build_over_every_format_validates(built: tuple[Path, list[dict[str, object]]]) -> None:
    out, ledger = built
    assert newscorpus.validate(out).ok
    outcomes = {e["source_file"]: (e["outcome"], e["reason"]) for e in ledger}
    assert outcomes == {
        "bbc/001.txt": ("record", None),
        "bbc/002.txt": ("record", None),
        "bbc/003.txt": ("rejected", "no_body"),
        "lee/001.txt": ("record", None),
        "pages/a.html": ("record", None),
        "pages/b.html.gz": ("record", None),
        "pages/c.html.gz": ("rejected", "malformed"),
        "scraper/feed.jsonl#1": ("record", None),
        "scraper/feed.jsonl#2": ("rejected", "malformed"),
        "scraper/feed.jsonl#4": ("record", None),
        "scraper/feed.jsonl#5": ("rejected", "malformed"),
        "crawl/cc.warc.gz#urn:uuid:00000000-0000-0000-0000-000000000000": ("record", None),
        "crawl/cc.warc.gz#urn:uuid:00000000-0000-0000-0000-000000000001": ("record", None),
    }
    assert all(e["reason"] in REASONS for e in ledger if e["reason"])


def test_plain_text_records(built: tuple[Path, list[dict[str, object]]]) -> None:
    records = _records(built[0])
    bbc = records["bbc/001.txt"]
    assert bbc["headline"] == "Harbour bridge delayed again"
    assert bbc["body"] == "\n\n".join(variant(1))
    assert bbc["profile"] == "plaintext_v1" and bbc["url"] is None
    assert records["bbc/002.txt"]["encoding"] == "cp1252"
    assert "£" in str(records["bbc/002.txt"]["body"])
    lee = records["lee/001.txt"]
    assert lee["headline"] == PARAGRAPHS[0]  # first sentence; it stays in the body
    assert lee["body"] == " ".join(PARAGRAPHS[:2])


def test_html_records_have_headline_url_date_and_no_script(
    built: tuple[Path, list[dict[str, object]]],
) -> None:
    records = _records(built[0])
    page = records["pages/a.html"]
    assert page["headline"] == "Harbour bridge to open in spring"
    assert page["url"] == "https://news.example.org/2021/03/harbour-bridge"
    assert str(page["published"]) == "2021-03-16"  # `load` gives datetime.date
    body = str(page["body"])
    assert body.split("\n\n")[-4:] == PARAGRAPHS
    for chrome in ("INJECTED", "Most read", "All rights reserved", "Home"):
        assert chrome not in body
    assert any(q["speaker"] for q in page["quotes"])  # type: ignore[attr-defined]
    gz = records["pages/b.html.gz"]
    assert str(gz["published"]) == "2021-04-01" and "gunzip" in gz["normalization"]  # type: ignore[operator]


def test_jsonl_lines_are_articles_with_stable_parts(
    built: tuple[Path, list[dict[str, object]]],
) -> None:
    records = _records(built[0])
    one, two = records["scraper/feed.jsonl#1"], records["scraper/feed.jsonl#4"]
    assert (one["headline"], one["url"], str(one["published"])) == (
        "Wire one",
        "https://w/1",
        "2020-05-06",
    )
    assert one["body"] == "\n\n".join(variant(3))
    assert two["body"] == "\n\n".join(variant(4)) and two["published"] is None
    assert one["id"] == newscorpus.read.sources.article_id("scraper", "scraper/feed.jsonl", "1")


def test_warc_records_use_record_id_and_target_uri(
    built: tuple[Path, list[dict[str, object]]],
) -> None:
    records = _records(built[0])
    crawled = [r for name, r in records.items() if name.startswith("crawl/")]
    assert sorted(str(r["headline"]) for r in crawled) == ["Crawled one", "Crawled two"]
    assert sorted(str(r["url"]) for r in crawled) == [
        "https://cc.example/one",
        "https://cc.example/two",
    ]


# --- readers on their own: bad input becomes a reject, never an exception -------------


@pytest.mark.parametrize(
    ("profile", "data", "reason"),
    [
        ("html_trafilatura_v1", b"\x1f\x8b\x08\x00garbage", "malformed"),
        ("html_trafilatura_v1", b"", "malformed"),
        (
            "html_trafilatura_v1",
            b"<html><head><title>T</title></head><body></body></html>",
            "no_body",
        ),
        ("html_trafilatura_v1", b"\x00\x01\x02binary\x00", "binary"),
        ("warc_html_v1", b"this is not a warc file at all\r\n\r\n", "malformed"),
        ("warc_html_v1", b"\x1f\x8b\x08\x00garbage", "malformed"),
        ("plaintext_v1", b"   \n\n", "empty"),
    ],
)
def test_bad_input_is_a_reject(profile: str, data: bytes, reason: str) -> None:
    with pytest.raises(RejectError) as caught:
        get_profile(profile).read(data, {})
    assert caught.value.reason == reason
    assert reason in REASONS


@pytest.mark.parametrize(
    ("profile", "options"),
    [
        ("plaintext_v1", {"headline": "last_line"}),
        ("plaintext_v1", {"headlnie": "first_line"}),
        ("jsonl_v1", {"body_field": 3}),
        ("html_trafilatura_v1", {"favor_precision": "yes"}),
        ("warc_html_v1", {"max_decompressed_bytes": True}),
    ],
)
def test_bad_options_are_invalid_options(profile: str, options: dict[str, object]) -> None:
    with pytest.raises(RejectError) as caught:
        get_profile(profile).read(b"Headline\n\nBody.\n", options)
    assert caught.value.reason == "invalid_options"


def test_page_without_any_title_is_no_headline() -> None:
    page = html_page(headline="HEADLINE")
    for tag in ("<title>HEADLINE | Example News</title>", "<h1>HEADLINE</h1>"):
        page = page.replace(tag, "")
    page = page.replace('<meta property="og:title" content="HEADLINE">', "")
    with pytest.raises(RejectError, match="no_headline"):
        get_profile("html_trafilatura_v1").read(page.encode(), {})


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<html>" + b" " * 2_000_000)
    with pytest.raises(RejectError) as caught:
        get_profile("html_trafilatura_v1").read(bomb, {"max_decompressed_bytes": 1_000_000})
    assert caught.value.reason == "too_large"


def test_warc_corrupt_part_way_keeps_the_records_before() -> None:
    good = warc_bytes([("https://a", html_page("Kept", variant(7)))], extra=False)
    result = get_profile("warc_html_v1").read(good + b"\x1f\x8b\x08\x00broken tail", {})
    assert isinstance(result[0], Article) and result[0].headline == "Kept"
    assert isinstance(result[-1], PartRejected) and result[-1].reason == "malformed"


def test_html_charset_declared_in_the_page_is_used() -> None:
    page = html_page().replace('charset="utf-8"', 'charset="iso-8859-1"').replace("©", "é")
    decoded = decode_html(page.encode("cp1252"))
    assert decoded.encoding == "cp1252" and "é" in decoded.text


def test_plain_text_rules() -> None:
    assert parse_plain_text("Title\nDeck line\n\nBody one.\n\nBody two.")[:3] == (
        "Title",
        ("Deck line",),
        ("Body one.", "Body two."),
    )
    # A headline followed by text with no blank line: that text is body, not a deck.
    assert parse_plain_text("Title\nBody one.")[1:3] == ((), ("Body one.",))
    assert parse_plain_text("T\n\na\nb", paragraph_rule="line")[2] == ("a", "b")
    assert first_sentence("Mr. J. Smith went home. He slept.") == "Mr. J. Smith went home."
    assert len(first_sentence("word " * 100)) <= 200
    assert split_paragraphs("\n\n  \n") == ()
    assert iso_date("2021-03-16T09:30:00+01:00") == "2021-03-16"
    assert iso_date(20210316) is None


def test_import_newscorpus_stays_light() -> None:
    code = (
        "import sys, newscorpus, newscorpus.run.pipeline, newscorpus.run.reduce; "
        "print(sorted(m for m in ('trafilatura', 'warcio') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
