"""One article's cost grows linearly with its size and its quotations (issue 20).

Held by counting operations, never by timing (the machine is shared): C-level scans of
the whole body (`str.count`, `find`, …, seen with `sys.setprofile`), Python lines run by
the annotator (`sys.settrace`), memory a call allocates (`tracemalloc`), and the
elements a plot draws. Each test compares two sizes, or bounds a count that a
quadratic (or per-value) version makes grow.
"""

from __future__ import annotations

import functools
import io
import random
import re
import sys
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

import newscorpus
from newscorpus.annotate.entity_table import build_table
from newscorpus.annotate.index import ArticleIndex
from newscorpus.annotate.marks import _MarkIndex
from newscorpus.annotate.quotes import extract_quotes
from newscorpus.publish import plots
from newscorpus.record.rules import PARAGRAPH_SEPARATOR
from newscorpus.record.schema import arrow_schema
from newscorpus.record.tasks import paragraph_bounds, quote_rows, quote_table
from newscorpus.run import driver

ANNOTATE = str(Path(extract_quotes.__code__.co_filename).parent)
# str methods that scan a text (between offsets): what a per-quote scan calls.
SCANS = frozenset(("count", "find", "rfind", "index", "rindex"))


# --- the quotes config: no per-quotation scan of the whole body -----------------------


def _quote(location: str, start: int, end: int, text: str) -> dict[str, Any]:
    return {
        "location": location,
        "subheadline_index": None,
        "start": start,
        "end": end,
        "text": text,
        "speaker": None,
        "speaker_mention": None,
        "speaker_start": None,
        "speaker_end": None,
        "cue": None,
        "cue_start": None,
        "cue_end": None,
        "speaker_pattern": None,
        "speaker_resolution": None,
    }


def _record(paragraphs: list[str]) -> dict[str, Any]:
    """A record whose body is `paragraphs`, each “quotation” of it a body quote."""
    body = PARAGRAPH_SEPARATOR.join(paragraphs)
    quotes = [
        _quote("body", m.start() + 1, m.end() - 1, m.group()[1:-1])
        for m in re.finditer(r"“[^”]*”", body)
    ]
    return {
        "id": "bbc-0123456789abcdef",
        "source": "BBC News",
        "published": None,
        "headline": "Headline",
        "subheadlines": [],
        "body": body,
        "quotes": quotes,
        "speakers": [],
    }


def _body(quotes_per_paragraph: int, paragraphs: int = 10) -> dict[str, Any]:
    words = "The minister spoke at length about the plans. " * 40
    paragraph = " ".join(f"{words}“Quote {i}.”" for i in range(quotes_per_paragraph))
    return _record([paragraph] * paragraphs)


def _whole_text_scans(function: Callable[[], object], length: int) -> int:
    """C calls of a scanning str method on a string of `length` (the body) or longer."""
    count = 0

    def tally(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "c_call" and getattr(arg, "__name__", "") in SCANS:
            owner = getattr(arg, "__self__", None)
            if isinstance(owner, str) and len(owner) >= length:
                count += 1

    sys.setprofile(tally)
    try:
        function()
    finally:
        sys.setprofile(None)
    return count


def _articles(record: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(
        [record],
        schema=pa.schema(
            [
                arrow_schema("default").field(name)
                for name in (
                    "id",
                    "source",
                    "published",
                    "headline",
                    "subheadlines",
                    "body",
                    "quotes",
                )
            ]
        ),
    )


@pytest.mark.parametrize("path", ["table", "rows"])
def test_quote_paragraphs_scan_the_body_a_number_of_times_independent_of_its_quotes(
    path: str,
) -> None:
    scans = []
    for per_paragraph in (5, 20):
        record = _body(per_paragraph)
        articles = _articles(record)
        run = (
            functools.partial(quote_table, articles)
            if path == "table"
            else functools.partial(quote_rows, record)
        )
        scans.append(_whole_text_scans(functools.partial(run, "train"), len(record["body"])))
    small, large = scans
    assert large <= small, f"{small} whole-body scans for 50 quotes, {large} for 200"


def _expected_paragraph(body: str, start: int, end: int) -> tuple[int, int, int]:
    """The definition: paragraph bounds by rfind/find, its index by str.count."""
    first, stop = paragraph_bounds(body, start, end)
    return first, stop, body.count(PARAGRAPH_SEPARATOR, 0, first)


@pytest.mark.parametrize("seed", range(20))
def test_quote_paragraphs_are_what_the_scans_found(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ["a", "b c", " ", "\n", "\n\n", "\n\n\n", "\n\n\n\n", "“x”", "“y\n\nz”"]
    paragraphs = [
        "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12))) for _ in range(6)
    ]
    record = _record(paragraphs)
    body = record["body"]
    # quotes anywhere, including on and across separators
    record["quotes"] = [
        _quote("body", a, b, body[a:b])
        for a, b in sorted(tuple(sorted(rng.sample(range(len(body) + 1), 2))) for _ in range(8))
    ]
    rows = quote_rows(record, "train")
    table = quote_table(_articles(record), "train").to_pylist()
    for quote, row, from_table in zip(record["quotes"], rows, table, strict=True):
        first, stop, index = _expected_paragraph(body, quote["start"], quote["end"])
        assert (row["paragraph"], row["paragraph_index"]) == (body[first:stop], index)
        assert row["start"] == quote["start"] - first
        assert from_table["paragraph"] == row["paragraph"]
        assert from_table["paragraph_index"] == row["paragraph_index"]


# --- the annotator: work per quotation does not grow with the article -----------------


def _lines_run(call: Callable[[], Any], in_file: Callable[[str], bool]) -> tuple[int, Any]:
    """(Python lines `call` runs in files `in_file` accepts, its value): loop iterations of
    a comprehension included, as each re-runs its line."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if in_file(frame.f_code.co_filename) else None

    sys.settrace(tracer)
    try:
        value = call()
    finally:
        sys.settrace(None)
    return count, value


def _annotator_lines(text: str) -> int:
    """Python lines `extract_quotes` runs in the annotator's modules."""
    count, _ = _lines_run(lambda: extract_quotes(text), lambda name: name.startswith(ANNOTATE))
    return count


# A news paragraph of the shape the BBC politics article has: named speakers, a title,
# then "he"/"she" quotations that send the annotator back to earlier speakers and to
# every earlier mention of the people named.
PARAGRAPHS = (
    "Mr Brown told reporters: “We will act on maternity pay now.” He added: “It is right.”",
    "The Shadow Secretary, Theresa May, said: “These plans are desperate.”",
    "She said the proposals were misdirected. “Families deserve better,” she said.",
    "Ms Hewitt said: “We have already doubled the length of maternity pay.”",
    "“We have made a firm commitment,” he said, before leaving for Westminster.",
)


def _article(repeats: int) -> str:
    return "\n\n".join(PARAGRAPHS * repeats)


def test_annotator_work_grows_linearly_with_repeated_news_text() -> None:
    small = _annotator_lines(_article(40))
    large = _annotator_lines(_article(160))
    # 4x the text and its quotations: about 4x the work; a per-quotation walk over every
    # earlier speaker or mention makes it grow with the square.
    assert large < 4.6 * small, f"{small} lines for 200 paragraphs, {large} for 800"


def _latest_mention_lines(mentions: int) -> int:
    """Lines run to find a person's latest mention before an offset in an article that
    names them `mentions` times."""
    text = "Gordon Brown spoke. " + "Brown spoke. " * mentions
    (brown,) = build_table(ArticleIndex([text])).entities
    assert len(brown.mentions) == mentions + 1
    count, found = _lines_run(
        lambda: brown.latest_before((0, len(text) // 2), full_name=True), lambda name: True
    )
    assert found == (0, 0)
    return count


def test_latest_mention_does_not_walk_every_mention() -> None:
    small, large = _latest_mention_lines(100), _latest_mention_lines(10_000)
    assert large <= small + 10, f"{small} lines for 100 mentions, {large} for 10,000"


def _tokens_peak(marks: int) -> int:
    """Peak bytes allocated by one `tokens` call on a small window at the text's start."""
    text = "He said “yes” and she said “no”. " * marks
    index = _MarkIndex(text)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        found = index.tokens(text, 0, 40)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [mark for _, mark in found] == ["“", "”", "“", "”"]
    return peak


def test_mark_tokens_in_a_window_do_not_copy_the_marks_after_it() -> None:
    small, large = _tokens_peak(100), _tokens_peak(10_000)
    assert large < 2 * small + 4096, f"{small} bytes with 400 marks, {large} with 40,000"


# --- the plots: a bounded number of drawn elements ------------------------------------


def _drawn(svg: bytes) -> int:
    """Patches (bars, backgrounds) of a matplotlib SVG."""
    return svg.count(b'<g id="patch_')


def test_quotes_plot_draws_a_bounded_number_of_bars() -> None:
    few = _drawn(plots.quotes_per_article_svg(Counter({0: 5, 3: 2, 12: 1}), 8))
    spread = Counter({count: 1 for count in range(0, 6000, 3)})
    many = _drawn(plots.quotes_per_article_svg(spread, sum(spread.values())))
    one_big = _drawn(plots.quotes_per_article_svg(Counter({0: 3, 23_000: 1}), 4))
    # the bars, the figure's and the axes' backgrounds, the two spines drawn
    bound = plots.MAX_QUOTE_BARS + 4
    assert few <= bound and many <= bound and one_big <= bound, (few, many, one_big)


def test_length_plot_draws_a_bounded_number_of_bars() -> None:
    step = plots.LENGTH_PLOT_STEP
    spread = Counter({step * i: 1 for i in range(5000)})
    many = _drawn(plots.article_lengths_svg(spread, sum(spread.values())))
    assert many <= plots.MAX_BARS + 4, many


def test_plots_of_usual_corpora_keep_one_bar_per_value() -> None:
    """Below the bound nothing changes: one bar per quote count from 0 to the most."""
    svg = plots.quotes_per_article_svg(Counter({0: 5, 3: 2, 12: 1}), 8)
    assert _drawn(svg) == 13 + 4


# --- the size limit and the progress lines --------------------------------------------

REGISTRY = """[sources.bbc]
name = "BBC News"
language = "en"
profile = "plaintext_v1"
licence = "test text"
"""
STORY = "Labour plans maternity pay rise\n\nMs Hewitt said: \u201cWe will act on pay.\u201d\n"


def _plain_raw(root: Path, sizes: list[int]) -> Path:
    """raw/ of plain-text BBC-style articles of about these sizes, all distinct."""
    raw = root / "raw"
    (raw / "bbc").mkdir(parents=True)
    (raw / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    for index, size in enumerate(sizes):
        words = " ".join(f"word{index}x{i}" for i in range(size // 10))
        text = f"Story {index}\n\n{words}.\n\n" + STORY.split("\n\n", 1)[1]
        (raw / "bbc" / f"{index:03d}.txt").write_text(text, encoding="utf-8")
    return raw


def test_too_large_reject_names_the_option_that_raises_the_limit(tmp_path: Path) -> None:
    raw = _plain_raw(tmp_path, [200, 5000])
    result = newscorpus.build(raw, tmp_path / "out", workers=1, max_bytes=2000, use_cache=False)
    (reject,) = result.rejects
    assert reject["reason"] == "too_large"
    assert "--max-bytes" in reject["message"] and "max_bytes" in reject["message"]
    # ... and they are the build's: its CLI option and its setting.
    from newscorpus.cli import app

    assert "--max-bytes" in CliRunner().invoke(app, ["build", "--help"]).output
    assert "max_bytes" in newscorpus.BuildSettings.__dataclass_fields__


LINE = re.compile(
    r"^building: (\d+)/(\d+) files, (\d+) records, (\d+) rejects, ([\d.]+) files/s \((\w+)\)$"
)


def test_off_a_terminal_the_build_writes_progress_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(driver, "PROGRESS_INTERVAL", 0.0)  # a line whenever one can come
    raw = _plain_raw(tmp_path, [200, 300, 400, 5000])
    newscorpus.build(raw, tmp_path / "out", workers=1, max_bytes=2000, use_cache=False)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("building:")]
    parsed = [LINE.match(line) for line in lines]
    assert lines and all(parsed), lines
    figures = [tuple(int(m.group(i)) for i in range(1, 5)) for m in parsed if m is not None]
    # one line per file at least, as they are decided, then the last figures: 4 files,
    # 3 records, 1 reject, with a rate
    assert {done for done, *_ in figures} >= {1, 2, 3, 4}
    assert figures[-1] == (4, 4, 3, 1)
    assert all(float(m.group(5)) > 0 for m in parsed if m is not None)


def test_on_a_terminal_the_build_leaves_progress_to_the_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(driver, "PROGRESS_INTERVAL", 0.0)
    monkeypatch.setattr(sys, "stderr", terminal)
    newscorpus.build(_plain_raw(tmp_path, [200]), tmp_path / "out", workers=1, use_cache=False)
    assert "building:" not in terminal.getvalue()


def test_progress_lines_come_at_the_interval_not_per_file() -> None:
    stream = io.StringIO()
    lines = driver._ProgressLines(1000, stream, interval=3600.0)
    try:
        for _ in range(1000):
            lines.file_done([{"outcome": "record"}])
    finally:
        lines.close()
    assert stream.getvalue() == ""
