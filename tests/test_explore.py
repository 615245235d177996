"""The explorer site: its writer (paging, escaping, determinism, refusals) and the page
itself in headless Chromium, opened from disk."""

from __future__ import annotations

import filecmp
import json
import os
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from corpus_factory import add_synthetic, make_raw

import newscorpus
from newscorpus.errors import EXIT_USAGE, UsageError
from newscorpus.explore import site as site_module
from newscorpus.explore.data import (
    LIST_LAYOUT,
    Utf16Offsets,
    encode_article,
    js_data_file,
    safe_url,
)
from newscorpus.explore.site import MARKER_FILE_NAME, write_site
from newscorpus.publish.folder import UnsafeOutputError, published_shards

CHROMIUM = Path("/usr/bin/chromium")
PWNED = "window.__pwned=1"
SCRIPT_TAG = f"<script>{PWNED}</script>"
IMG_TAG = f'<img src=x onerror="{PWNED}">'
JS_LINK = f"javascript:{PWNED}"

SCRAPER_SOURCE = """
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
"""
SCRAPED = [
    # Markup and a script link in the headline, the body, the quotations and the url.
    {
        "title": f"Minister says “{SCRIPT_TAG}” at the summit",
        "text": "\n\n".join(
            [
                "Mallory Evil spoke to reporters on Tuesday about the summit and its results.",
                f"“{IMG_TAG} is not a threat,” Mallory Evil said.",
                f"The minister added, “Visit {JS_LINK} for details.”",
            ]
        ),
        "link": JS_LINK,
        "date": "2024-03-05",
    },
    # Characters outside the BMP before the quotation: JavaScript counts them twice.
    {
        "title": "Emoji 😀 report on the harbour festival",
        "text": "\n\n".join(
            [
                "The 😀 crowd cheered at the harbour 🎉 festival on Sunday.",
                "“We are 😀 very happy with the 🎉 turnout,” said Kim Min-jun, the mayor.",
            ]
        ),
        "link": "https://example.org/emoji",
        "date": "2024-03-04",
    },
]


def _build_corpus(root: Path, synthetic: int) -> Path:
    raw = make_raw(root)
    add_synthetic(raw, synthetic)
    registry = raw / "sources.toml"
    registry.write_text(registry.read_text(encoding="utf-8") + SCRAPER_SOURCE, encoding="utf-8")
    (raw / "scraper").mkdir()
    lines = [json.dumps(article, ensure_ascii=False) for article in SCRAPED]
    (raw / "scraper" / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "processed"
    newscorpus.build(raw, out, workers=1)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published corpus: the seed, 30 synthetic articles and the two scraped ones."""
    return _build_corpus(tmp_path_factory.mktemp("explore-corpus"), 30)


def _records(corpus: Path) -> list[dict[str, Any]]:
    """Every record in published order: an article's place is its number in the site."""
    return [
        row for _split, path in published_shards(corpus) for row in pq.read_table(path).to_pylist()
    ]


def _data(site: Path, name: str) -> Any:
    text = (site / "data" / f"{name}.js").read_text(encoding="utf-8")
    prefix = f'NC.receive("{name}",'
    assert text.startswith(prefix) and text.endswith(");\n")
    return json.loads(text[len(prefix) : -3])


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# --- the writer ---


def test_a_data_file_cannot_close_its_script_and_keeps_its_value() -> None:
    value = {"headline": "</script><!-- <img src=x onerror=alert(1)> & \u2028\u2029 “ok” 😀"}
    content = js_data_file("list-0001", value)
    for forbidden in (b"<", b">", b"&", "\u2028".encode(), "\u2029".encode()):
        assert forbidden not in content
    text = content.decode("utf-8")
    assert text.startswith('NC.receive("list-0001",') and text.endswith(");\n")
    assert json.loads(text[len('NC.receive("list-0001",') : -3]) == value


def test_only_http_links_survive() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in (JS_LINK, " javascript:x", "JavaScript:x", "data:text/html,x", "//x", "", None):
        assert safe_url(bad) is None


def test_offsets_become_utf16_where_javascript_counts_two() -> None:
    text = "a😀b“c”"
    at = Utf16Offsets(text)
    assert [at(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 5, 6, 7]
    assert at(None) is None
    plain = Utf16Offsets("no astral characters")
    assert plain(7) == 7


def test_encode_article_keeps_quotes_and_speaker_numbers(corpus: Path) -> None:
    (record,) = [r for r in _records(corpus) if r["headline"].startswith("Emoji")]
    (quote,) = record["quotes"]
    encoded = encode_article(record, {"Kim Min-jun": 4})
    assert encoded["speakers"] == [["Kim Min-jun", 1, 4]]
    ((location, _sub, start, end, speaker, *_rest),) = encoded["quotes"]
    assert (location, speaker) == ("body", 0)
    body16 = record["body"].encode("utf-16-le")
    assert body16[2 * start : 2 * end].decode("utf-16-le") == quote["text"]


def test_the_site_pages_every_article_once(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, size in (("LIST_PAGE", 4), ("SHARD_SIZE", 5), ("SPEAKER_PAGE", 3), ("REFS_PAGE", 7)):
        monkeypatch.setattr(site_module, name, size)
    monkeypatch.setattr(site_module, "SEARCH_PAGE", 10)
    records = _records(corpus)
    summary = write_site(corpus, tmp_path / "site")
    site = summary.out
    assert summary.articles == len(records) == 33
    meta = _data(site, "meta")
    assert (meta["list_pages"], meta["shards"], meta["search_pages"]) == (9, 7, 4)
    shards = [_data(site, f"articles-{n:04d}")["items"] for n in range(1, meta["shards"] + 1)]
    assert all(len(items) == 5 for items in shards[:-1])
    assert [a["id"] for items in shards for a in items] == [r["id"] for r in records]
    listed = [item for n in range(1, 10) for item in _data(site, f"list-{n:04d}")["items"]]
    assert all(len(item) == len(LIST_LAYOUT) for item in listed)
    assert sorted(item[0] for item in listed) == list(range(len(records)))
    for number, article_id, headline, *_ in listed:
        assert (records[number]["id"], records[number]["headline"]) == (article_id, headline)
    # The list carries no body text; the newest article comes first.
    assert records[0]["body"][:40] not in json.dumps(listed, ensure_ascii=False)
    assert listed[0][LIST_LAYOUT.index("published")] == "2024-03-05"
    searched = [item for n in range(1, 5) for item in _data(site, f"search-{n:04d}")["items"]]
    assert [item[0] for item in searched] == [item[0] for item in listed]
    assert (
        len(list((site / "data").glob("*.js")))
        + 1
        + 3
        + len(list((site / "figures").glob("*.svg")))
        == summary.files
    )


def test_the_speaker_index_counts_quotes_and_points_at_articles(
    corpus: Path, tmp_path: Path
) -> None:
    records = _records(corpus)
    site = write_site(corpus, tmp_path / "site").out
    meta = _data(site, "meta")
    speakers = [
        item
        for n in range(1, meta["speaker_pages"] + 1)
        for item in _data(site, f"speakers-{n:04d}")["items"]
    ]
    refs = [
        item
        for n in range(1, meta["refs_pages"] + 1)
        for item in _data(site, f"refs-{n:04d}")["items"]
    ]
    expected: dict[str, dict[int, int]] = {}
    for number, record in enumerate(records):
        for speaker in record["speakers"]:
            expected.setdefault(speaker["name"], {})[number] = speaker["quote_count"]
    assert len(speakers) == meta["speakers"] == len(expected)
    assert [s[1] for s in speakers] == sorted((s[1] for s in speakers), reverse=True)
    for name, quotes, articles, first in speakers:
        run = refs[first : first + articles]
        assert {ref[0]: ref[-1] for ref in run} == expected[name]
        assert quotes == sum(expected[name].values())


def test_the_site_is_deterministic_and_names_no_machine_path(corpus: Path, tmp_path: Path) -> None:
    first = write_site(corpus, tmp_path / "a").out
    second = write_site(corpus, tmp_path / "b").out
    assert _tree(first) == _tree(second)
    # Writing over an earlier site gives the same bytes, and drops its stale files.
    (first / "data" / "list-9999.js").write_text("stale", encoding="utf-8")
    write_site(corpus, first)
    assert _tree(first) == _tree(second)
    for content in _tree(first).values():
        assert str(tmp_path).encode() not in content
        assert str(corpus).encode() not in content
    assert not filecmp.dircmp(first, second).diff_files


def test_data_files_hold_no_markup_characters(corpus: Path, tmp_path: Path) -> None:
    site = write_site(corpus, tmp_path / "site").out
    files = sorted((site / "data").glob("*.js"))
    assert files
    for path in files:
        content = path.read_bytes()
        assert re.fullmatch(rb'NC\.receive\("[a-z]+(-\d{4,})?",\{.*\}\);\n', content, re.S), path
        assert not re.search(rb"[<>&]", content), path
    raw = b"".join(path.read_bytes() for path in files)
    assert b"\\u003cscript\\u003e" in raw  # the headline is there, escaped
    assert JS_LINK.encode() in raw  # as text of the body...
    assert f'"url":"{JS_LINK}"'.encode() not in raw  # ...never as a link


def test_refuses_a_foreign_folder_and_leaves_it_alone(corpus: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match="neither empty nor an explorer site") as caught:
        write_site(corpus, notes)
    assert caught.value.exit_code == EXIT_USAGE
    assert [p.name for p in notes.iterdir()] == ["todo.txt"]
    a_file = tmp_path / "file.html"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(UnsafeOutputError, match="not a folder"):
        write_site(corpus, a_file)


def test_refuses_to_write_inside_the_corpus_data(corpus: Path, tmp_path: Path) -> None:
    for out in (corpus / "data" / "site", corpus / "data", corpus / "figures" / "site", corpus):
        with pytest.raises(UnsafeOutputError) as caught:
            write_site(corpus, out)
        assert caught.value.exit_code == EXIT_USAGE
    assert not (corpus / "data" / "site").exists()
    with pytest.raises(UnsafeOutputError, match="holds the corpus"):
        write_site(corpus, corpus.parent)


def test_refuses_a_folder_that_is_not_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(UsageError, match="not a corpus published by newscorpus"):
        write_site(tmp_path / "plain", tmp_path / "site")
    with pytest.raises(UsageError, match="not a folder"):
        write_site(tmp_path / "missing", tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_an_empty_folder_and_a_marked_one_are_written(corpus: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_site(corpus, empty).index.is_file()
    assert (empty / MARKER_FILE_NAME).is_file()
    assert write_site(corpus, empty).index.is_file()  # now marked: replaced


# --- the page, in a real browser ---


def _browser_or_skip() -> None:
    """Skip without Chromium or Playwright, except in CI, where the test must run."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append(
            "the playwright driver (pip install -e '.[test]'; never `playwright install`)"
        )
    if missing:
        message = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message + " (CI is set: the test may not be skipped)")
        pytest.skip(message)


def test_without_a_browser_the_test_skips_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(globals(), "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        _browser_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not be skipped"):
        _browser_or_skip()


def _dom_quotes(page: Any) -> list[dict[str, Any]]:
    """The article's highlighted quotations in reading order, parts joined."""
    parts = page.eval_on_selector_all(
        "main mark.quote",
        """marks => marks.map(m => ({index: Number(m.dataset.quote), text: m.textContent,
            speaker: m.dataset.speaker === undefined ? null : m.dataset.speaker}))""",
    )
    quotes: dict[int, dict[str, Any]] = {}
    for part in parts:
        quote = quotes.setdefault(part["index"], {"text": "", "speaker": part["speaker"]})
        quote["text"] += part["text"]
    return [quotes[index] for index in sorted(quotes)]


def _marked(page: Any, kind: str, index: int) -> str:
    return str(
        page.eval_on_selector_all(
            f'main .{kind}[data-q~="{index}"]', "spans => spans.map(s => s.textContent).join('')"
        )
    )


def _open(page: Any, site: Path, route: str) -> None:
    page.goto((site / "index.html").as_uri() + route)
    _wait_for(page, route)


def _wait_for(page: Any, route: str) -> None:
    """Wait until the view of `route` is complete (app.js marks `main`)."""
    page.wait_for_selector(f'main[data-route="{route}"][data-state=ready]')


def test_the_explorer_in_chromium(corpus: Path, tmp_path: Path) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    records = _records(corpus)
    site = write_site(corpus, tmp_path / "site").out
    evil = next(n for n, r in enumerate(records) if PWNED in r["headline"])
    emoji = next(n for n, r in enumerate(records) if r["headline"].startswith("Emoji"))
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            # (a) The highlighted quotations are the record's, in order, with their speakers,
            # mentions and cues; focusing one explains it.
            for number in (evil, emoji, 0):
                _open(page, site, f"#/article/{number}")
                record = records[number]
                expected = [{"text": q["text"], "speaker": q["speaker"]} for q in record["quotes"]]
                assert _dom_quotes(page) == expected, record["id"]
                for index, quote in enumerate(record["quotes"]):
                    assert _marked(page, "mention", index) == (quote["speaker_mention"] or "")
                    assert _marked(page, "cue", index) == (quote["cue"] or "")
            _open(page, site, f"#/article/{evil}")
            page.focus('main mark.quote[data-quote="1"]')
            explained = page.inner_text("#explain")
            assert "Quotation 2 of 3" in explained and "Mallory Evil" in explained
            assert "cue_after" in explained and "“said”" in explained
            assert page.eval_on_selector("#explain", "e => e.getBoundingClientRect().height") > 0
            screenshot = tmp_path / "explorer-article.png"
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"screenshot of the article page: {screenshot}")

            # (d) Hostile text shows as text; nothing from the data became markup or ran.
            assert SCRIPT_TAG in page.inner_text("main h1")
            body = page.inner_text("main .body")
            assert IMG_TAG in body and JS_LINK in body
            assert (
                page.evaluate("() => document.querySelectorAll('main script, main img').length")
                == 0
            )
            assert (
                page.evaluate("() => document.querySelectorAll('a[href^=javascript i]').length")
                == 0
            )
            assert page.query_selector("main a.original") is None  # its url is javascript:

            # (b) From the speaker index to an article of that speaker, by keyboard.
            _open(page, site, "#/speakers/1")
            speaker_link = page.locator("main table.speakers a", has_text="Mallory Evil")
            speaker_link.focus()
            page.keyboard.press("Enter")
            page.wait_for_selector("main[data-view=speaker][data-state=ready]")
            assert page.inner_text("main h1") == "Mallory Evil"
            page.click("main .rows a.headline")
            page.wait_for_selector("main[data-view=article][data-state=ready]")
            assert page.locator('main mark.quote[data-speaker="Mallory Evil"]').count() == 1

            # (c) Search by headline, then by speaker, through the form.
            _open(page, site, "#/list/1")
            page.keyboard.press("/")
            assert page.evaluate("() => document.activeElement.id") == "search-query"
            page.fill("#search-query", "emoji report")
            page.select_option("#search-scope", "headline")
            page.press("#search-query", "Enter")
            _wait_for(page, "#/search/headline/emoji%20report")
            found = page.locator("#results a.headline").all_inner_texts()
            assert found == [records[emoji]["headline"]]
            page.fill("#search-query", "mallory")
            page.select_option("#search-scope", "speaker")
            page.click("#search button")
            _wait_for(page, "#/search/speaker/mallory")
            assert page.locator("#results a.headline").all_inner_texts() == [
                records[evil]["headline"]
            ]
            page.fill("#search-query", "script")
            page.select_option("#search-scope", "headline")
            page.press("#search-query", "Enter")
            _wait_for(page, "#/search/headline/script")
            assert SCRIPT_TAG in page.inner_text("#results")

            # The other views, then the phone width: nothing wider than the screen.
            _open(page, site, "#/figures")
            assert "Records per split" in page.inner_text("main")
            page.set_viewport_size({"width": 375, "height": 740})
            for route in (f"#/article/{evil}", "#/list/1", "#/speakers/1", "#/figures"):
                _open(page, site, route)
                assert page.evaluate(
                    "() => document.documentElement.scrollWidth <= window.innerWidth"
                ), route
            _open(page, site, f"#/article/{evil}")
            page.focus('main mark.quote[data-quote="2"]')
            phone = tmp_path / "explorer-phone.png"
            page.screenshot(path=str(phone))
            print(f"screenshot at a phone's width, a quotation focused: {phone}")

            # (d) Nothing ran, and only the site's own scripts are in the page.
            assert page.evaluate("() => typeof window.__pwned") == "undefined"
            sources = page.evaluate("() => [...document.scripts].map(s => s.getAttribute('src'))")
            assert sources == ["app.js"]
            # (e) No error and no CSP violation for the site's own files...
            assert problems == []
            # ...while the policy is in force: an inline script is refused.
            ran = page.evaluate(
                """() => { const s = document.createElement('script');
                s.textContent = 'window.__inline = 1'; document.head.appendChild(s);
                return typeof window.__inline; }"""
            )
            assert ran == "undefined"
            assert any("Content Security Policy" in problem for problem in problems)
        finally:
            browser.close()


def test_the_explore_command_writes_a_site_and_refuses_a_foreign_folder(
    corpus: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from newscorpus.cli import app

    runner = CliRunner()
    site = tmp_path / "site"
    result = runner.invoke(app, ["explore", str(corpus), "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert (site / "index.html").is_file() and "open " in result.output
    again = runner.invoke(app, ["explore", str(corpus), "--out", str(site)])
    assert again.exit_code == 0, again.output  # its own earlier site is replaced
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["explore", str(corpus), "--out", str(foreign)])
    assert refused.exit_code == 2, refused.output
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"
    missing = runner.invoke(app, ["explore", str(tmp_path / "nothing")])
    assert missing.exit_code == 2


def test_the_page_script_never_parses_markup_and_the_page_has_no_inline_script() -> None:
    """Record data can only reach the page as text: the script uses no HTML-parsing sink,
    and the page's only script is the external app.js (the CSP forbids inline ones)."""
    assets = Path(site_module.__file__).resolve().parent / "assets"
    script = (assets / "app.js").read_text(encoding="utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute('on",
        'setAttribute("on',
    ):
        assert sink not in script, sink
    page = (assets / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == ['<script src="app.js" defer>'], scripts
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    assert "script-src 'self'" in page and "unsafe-inline" not in page


def test_refuses_a_site_anywhere_inside_the_corpus(corpus: Path) -> None:
    """Inside the corpus folder a site would be uploaded with the dataset and deleted by
    the next build (which replaces the folder whole)."""
    with pytest.raises(UnsafeOutputError, match="inside the corpus"):
        write_site(corpus, corpus / "site")
    assert not (corpus / "site").exists()
