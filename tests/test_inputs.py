"""Only articles are articles (issue 20, items 3 and 4): what a source skips by default and
how one-story-per-line text is read, each outcome in the ledger and the summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SHARED_DATA
from typer.testing import CliRunner

from newscorpus.check.diff import diff_corpora, render_diff
from newscorpus.check.published import validate_path
from newscorpus.cli import app
from newscorpus.read.profiles.plaintext import PER_LINE_HINT_LINES, read_plain_text
from newscorpus.read.sources import DEFAULT_EXCLUDE, RegistryError, excluded_by, load_registry
from newscorpus.run.driver import build

runner = CliRunner()

ARTICLE = (
    "Minister resigns over budget\n\n"
    'The finance minister resigned on Monday. "I take full responsibility," he said.\n\n'
    "His deputy will act in his place until a successor is named.\n"
)


def _registry(name: str = "plain", extra: str = "", options: str = "") -> str:
    text = (
        f'[sources.{name}]\nname = "Plain News"\nlanguage = "en"\nprofile = "plaintext_v1"\n'
        f'licence = "test"\n{extra}'
    )
    return text + (f"[sources.{name}.options]\n{options}" if options else "")


def _raw(tmp_path: Path, registry: str, files: dict[str, str]) -> Path:
    raw = tmp_path / "raw"
    for relpath, text in files.items():
        (raw / relpath).parent.mkdir(parents=True, exist_ok=True)
        (raw / relpath).write_text(text, encoding="utf-8")
    (raw / "sources.toml").write_text(registry, encoding="utf-8")
    return raw


def _ledger(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "inputs.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["source_file"]: entry for entry in map(json.loads, lines)}


@pytest.mark.parametrize(
    ("relpath", "pattern"),
    [
        ("bbc/README.TXT", "README*"),
        ("bbc/politics/LICENSE", "LICENSE*"),
        ("bbc/MANIFEST.sha256", "MANIFEST*"),
        ("bbc/notes.md", "*.md"),
        ("bbc/.DS_Store", ".*"),
        ("bbc/.git/objects/ab", ".*"),
        ("bbc/001.txt~", "*~"),
        ("bbc/#001.txt#", "#*#"),
        ("bbc/001.txt.bak", "*.bak"),
        ("bbc/.001.txt.swp", ".*"),
        ("bbc/politics/001.txt", None),
        ("bbc/readme_of_the_week.txt", "README*"),
    ],
)
def test_default_exclusions_match_what_is_not_an_article(relpath: str, pattern: str | None) -> None:
    assert excluded_by(relpath, DEFAULT_EXCLUDE) == pattern


def test_a_stray_readme_is_excluded_and_recorded_not_published(tmp_path: Path) -> None:
    raw = _raw(
        tmp_path,
        _registry("bbc"),
        {
            "bbc/001.txt": ARTICLE,
            "bbc/README.TXT": "Consists of 2225 documents from the BBC news website.\n\nUse it.",
            "bbc/.hidden.txt": ARTICLE.replace("Monday", "Tuesday"),
        },
    )
    out = tmp_path / "out"
    result = build(raw, out, workers=1, datasheet=None)
    ledger = _ledger(out)
    assert ledger["bbc/README.TXT"]["outcome"] == "excluded"
    assert ledger["bbc/README.TXT"]["reason"] == "excluded"
    assert "README*" in str(ledger["bbc/README.TXT"]["message"])
    assert ledger["bbc/README.TXT"]["raw_sha256"] is None  # never read
    assert ledger["bbc/.hidden.txt"]["outcome"] == "excluded"
    assert ledger["bbc/001.txt"]["outcome"] == "record"
    assert result.outcomes == {"record": 1, "duplicate": 0, "rejected": 0, "excluded": 2}
    assert [entry["source_file"] for entry in result.excluded] == [
        "bbc/.hidden.txt",
        "bbc/README.TXT",
    ]
    assert validate_path(out).ok
    # The summary says so.
    again = runner.invoke(
        app,
        ["build", "--raw", str(raw), "--out", str(tmp_path / "out2"), "--workers", "1"],
    )
    assert again.exit_code == 0, again.output
    assert "excluded" in again.output and "README.TXT" in again.output
    stats = runner.invoke(app, ["stats", str(out)])
    assert stats.exit_code == 0 and "excluded" in stats.output


def test_a_source_overrides_the_exclusions(tmp_path: Path) -> None:
    files = {"bbc/001.txt": ARTICLE, "bbc/README.txt": ARTICLE.replace("Monday", "Friday")}
    raw = _raw(tmp_path, _registry("bbc", 'exclude = ["drafts/*"]\n'), files)
    (raw / "bbc" / "drafts").mkdir()
    (raw / "bbc" / "drafts" / "002.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    build(raw, out, workers=1, datasheet=None)
    ledger = _ledger(out)
    assert ledger["bbc/README.txt"]["outcome"] == "record"  # no longer excluded
    assert ledger["bbc/drafts/002.txt"]["outcome"] == "excluded"
    assert "drafts/*" in str(ledger["bbc/drafts/002.txt"]["message"])


@pytest.mark.parametrize("bad", ['exclude = "README*"', "exclude = [1]", 'exclude = [""]'])
def test_the_registry_checks_exclude(tmp_path: Path, bad: str) -> None:
    raw = _raw(tmp_path, _registry("bbc", bad + "\n"), {"bbc/001.txt": ARTICLE})
    with pytest.raises(RegistryError, match="exclude must be a list"):
        load_registry(raw)


def test_diff_counts_the_excluded_files(tmp_path: Path) -> None:
    raw = _raw(tmp_path, _registry("bbc", "exclude = []\n"), {"bbc/001.txt": ARTICLE})
    (raw / "bbc" / "README.md").write_text("# About\n\nThe files.\n", encoding="utf-8")
    old = tmp_path / "old"
    build(raw, old, workers=1, datasheet=None)
    (raw / "sources.toml").write_text(_registry("bbc"), encoding="utf-8")
    new = tmp_path / "new"
    build(raw, new, workers=1, datasheet=None)
    diff = diff_corpora(old, new)
    # Before: rejected for its extension; now: not an input.
    assert diff.inputs_changed() == {"excluded": (0, 1), "rejected": (1, 0)}
    assert "excluded: 0 → 1" in render_diff(diff)
    assert diff.to_json()["inputs"]["excluded"] == {"old": 0, "new": 1}


# --- one story per line ---


STORIES = [
    "Rain closed roads across the north on Monday. Drivers were told to stay home.",
    'The council approved the budget. "It is a fair deal," the mayor said.',
    "",
    "Shares rose for a third day. Analysts expect more gains.",
]


def test_per_line_reads_each_non_blank_line_as_an_article() -> None:
    data = "\n".join(STORIES).encode()
    articles = read_plain_text(data, {"articles": "per_line"})
    assert [a.part for a in articles] == ["1", "2", "4"]  # line numbers, as for JSON Lines
    assert articles[0].headline == "Rain closed roads across the north on Monday."
    assert articles[1].paragraphs == (STORIES[1],)
    assert all(not a.warnings for a in articles)


def test_one_story_per_line_read_as_one_article_warns() -> None:
    lines = [f"Story number {i} happened today. More followed." for i in range(PER_LINE_HINT_LINES)]
    (article,) = read_plain_text("\n".join(lines).encode(), {})
    assert len(article.warnings) == 1 and 'articles = "per_line"' in article.warnings[0]
    (short,) = read_plain_text("\n".join(lines[:5]).encode(), {})
    assert short.warnings == ()
    (blank,) = read_plain_text(("Title\n\n" + "\n".join(lines)).encode(), {})
    assert blank.warnings == ()


def test_per_line_options_are_checked(tmp_path: Path) -> None:
    for options, message in (
        ('articles = "per_page"', "must be one of"),
        ('articles = "per_line"\nheadline = "first_line"', "first sentence"),
        ('extensions = ["cor"]', "extensions"),
        ('extensions = ".cor"', "wrong type"),
    ):
        raw = _raw(tmp_path, _registry(options=options + "\n"), {"plain/a.txt": ARTICLE})
        with pytest.raises(RegistryError, match=message):
            load_registry(raw)


def test_a_per_line_build_names_parts_and_reads_its_extension(tmp_path: Path) -> None:
    raw = _raw(
        tmp_path,
        _registry(options='articles = "per_line"\nextensions = [".cor"]\n'),
        {"plain/stories.cor": "\n".join(STORIES) + "\n", "plain/other.txt": ARTICLE},
    )
    out = tmp_path / "out"
    result = build(raw, out, workers=1, datasheet=None)
    ledger = _ledger(out)
    assert {k: v["outcome"] for k, v in ledger.items()} == {
        "plain/stories.cor#1": "record",
        "plain/stories.cor#2": "record",
        "plain/stories.cor#4": "record",
        "plain/other.txt": "rejected",
    }
    assert ledger["plain/other.txt"]["reason"] == "unsupported_extension"
    assert result.outcomes["record"] == 3


def test_the_summary_warns_of_one_story_per_line(tmp_path: Path) -> None:
    lines = [f"Story {i}: the council met. It voted on item {i}." for i in range(25)]
    raw = _raw(tmp_path, _registry(), {"plain/lee.txt": "\n".join(lines) + "\n"})
    result = runner.invoke(
        app, ["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "plain/lee.txt" in result.output
    assert 'articles = "per_line"' in result.output


LEE = SHARED_DATA / "gensim_lee"


@pytest.mark.skipif(not LEE.is_dir(), reason=f"needs the Lee corpus at {LEE} (../shared)")
def test_the_lee_corpus_is_350_records_or_duplicates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(LEE, raw / "lee")
    registry = (
        '[sources.lee]\nname = "Lee corpus (ABC news-mail)"\nlanguage = "en"\n'
        'profile = "plaintext_v1"\nlicence = "test"\n'
        '[sources.lee.options]\narticles = "per_line"\nextensions = [".cor"]\n'
    )
    (raw / "sources.toml").write_text(registry, encoding="utf-8")
    out = tmp_path / "out"
    result = build(raw, out, workers=1, datasheet=None)
    outcomes = result.outcomes
    assert outcomes["record"] + outcomes["duplicate"] == 350
    assert outcomes["rejected"] == 0
    assert outcomes["excluded"] == 1  # MANIFEST.sha256
    assert validate_path(out).ok


def test_a_source_that_reads_md_files_keeps_them(tmp_path: Path) -> None:
    # The default `*.md` exclusion must not skip what the source's profile reads.
    raw = _raw(
        tmp_path,
        _registry(options='extensions = [".md"]\n'),
        {"plain/a.md": ARTICLE, "plain/README.md": "# About\n\nThe files.\n"},
    )
    out = tmp_path / "out"
    build(raw, out, workers=1, datasheet=None)
    ledger = _ledger(out)
    assert ledger["plain/a.md"]["outcome"] == "record"
    assert ledger["plain/README.md"]["outcome"] == "excluded"  # README* still applies
