"""Issue 20, item 5: an interrupted build says what it kept; the help names the real
cache folder; the explorer says "newest first" only where dates exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from corpus_factory import add_synthetic, make_raw
from typer.testing import CliRunner

from newscorpus.cli import app
from newscorpus.errors import EXIT_INTERRUPTED
from newscorpus.explore import site as site_module
from newscorpus.explore.site import list_order_note, write_site
from newscorpus.publish.folder import default_cache_path, staging_prefix
from newscorpus.run import reduce as reduce_module
from newscorpus.run.driver import build

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_ctrl_c_says_nothing_was_published_and_what_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    build(raw, out, workers=1, datasheet=None)
    before = _tree(out)
    add_synthetic(raw, 5)
    calls = 0
    add_all = reduce_module.Reducer.add_all

    def interrupted(self: Any, outcomes: list[Any]) -> Any:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise KeyboardInterrupt  # what Ctrl-C raises in the main process
        return add_all(self, outcomes)

    monkeypatch.setattr(reduce_module.Reducer, "add_all", interrupted)
    monkeypatch.setattr("newscorpus.run.driver.REDUCE_CHUNK_FILES", 2)
    result = runner.invoke(
        app, ["build", "--raw", str(raw), "--out", str(out), "--workers", "1", "--no-datasheet"]
    )
    assert result.exit_code == EXIT_INTERRUPTED == 130
    message = " ".join(result.output.split())
    assert "interrupted:" in message and "nothing was published" in message
    assert f"{out} is as it was before this build" in message
    assert "staging folder was removed" in message
    assert str(default_cache_path(out)) in message and "next build resumes" in message
    assert _tree(out) == before  # the previous corpus is intact
    assert not list(tmp_path.glob(staging_prefix(out) + "*"))  # staging is gone


def test_ctrl_c_without_a_cache_says_the_next_build_starts_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = make_raw(tmp_path)

    def interrupted(self: Any, outcomes: list[Any]) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(reduce_module.Reducer, "add_all", interrupted)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["build", "--raw", str(raw), "--out", str(out), "--no-cache", "--no-datasheet"]
    )
    assert result.exit_code == 130
    message = " ".join(result.output.split())
    assert f"{out} was not created" in message and "starts over" in message
    assert not out.exists()


def test_the_help_and_the_docs_name_the_cache_folder_the_build_uses() -> None:
    # Derived from the code that picks the folder, not written down a second time.
    real = default_cache_path(Path("processed")).name + "/"
    assert real == ".processed.cache/"
    help_text = " ".join(runner.invoke(app, ["build", "--help"]).output.split())
    help_text = re.sub(r"[│╭╮╰╯─]", " ", help_text)
    assert real in " ".join(help_text.split())
    cli_doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert real in cli_doc
    for text in (help_text, cli_doc, (REPO / "README.md").read_text(encoding="utf-8")):
        assert ".newscorpus-cache" not in text


def test_the_list_order_is_said_as_it_is() -> None:
    assert list_order_note(0, 5) == "in id order (no article has a publication date)"
    assert list_order_note(5, 5) == "newest first"
    assert list_order_note(3, 5) == "newest first; the 2 undated follow in id order"
    # The page shows the note; it never claims an order of its own.
    app_js = (Path(site_module.__file__).parent / "assets" / "app.js").read_text(encoding="utf-8")
    assert "newest first" not in app_js and "meta.order" in app_js


def test_an_undated_corpus_is_listed_in_id_order(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "plain").mkdir(parents=True)
    (raw / "sources.toml").write_text(
        '[sources.plain]\nname = "Plain"\nlanguage = "en"\nprofile = "plaintext_v1"\n'
        'licence = "test"\n',
        encoding="utf-8",
    )
    for index in range(3):
        (raw / "plain" / f"{index}.txt").write_text(
            f"Headline {index}\n\nStory {index} tells of the council vote number {index}.\n",
            encoding="utf-8",
        )
    out = tmp_path / "out"
    build(raw, out, workers=1, datasheet=None)
    site = write_site(out, tmp_path / "site").out
    meta = (site / "data" / "meta.js").read_text(encoding="utf-8")
    assert "in id order (no article has a publication date)" in meta
