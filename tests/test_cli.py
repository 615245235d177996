"""The CLI through typer's runner: help texts, build summary, schema, module entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from corpus_factory import make_raw
from typer.testing import CliRunner

from newscorpus.cli import app
from newscorpus.record.schema import load_schema

runner = CliRunner()


def test_top_level_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "validate", "schema"):
        assert command in result.output


def test_build_prints_a_summary_and_publishes(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["build", "--raw", str(raw), "--out", str(out), "--workers", "1", "--no-datasheet"]
    )
    assert result.exit_code == 0, result.output
    assert "records" in result.output and "rejected" in result.output
    assert (out / "manifest.json").is_file()
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_build_refreshes_the_datasheet_section(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    sheet = tmp_path / "DATASHEET.md"
    sheet.write_text("# Hand-written\n\nAnswers.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--raw", str(raw), "--out", str(out), "--datasheet", str(sheet)]
    assert runner.invoke(app, args).exit_code == 0
    text = sheet.read_text(encoding="utf-8")
    assert text.startswith("# Hand-written\n\nAnswers.")
    assert "Figures from the current build" in text
    assert text == (out / "DATASHEET.md").read_text(encoding="utf-8")


def test_build_reports_a_missing_registry_clearly(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    result = runner.invoke(
        app, ["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "sources.toml" in result.output


def test_messages_keep_their_brackets_and_show_no_markup(tmp_path: Path) -> None:
    # Registry keys ([sources.x]) and file names are text, not rich markup.
    raw = tmp_path / "raw"
    (raw / "donga").mkdir(parents=True)
    (raw / "sources.toml").write_text('[sources.donga]\nname = "Donga"\n', encoding="utf-8")
    result = runner.invoke(app, ["build", "--raw", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "[sources.donga] lacks" in result.output
    raw = make_raw(tmp_path / "second")
    (raw / "donga" / "[draft] empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    args = ["build", "--raw", str(raw), "--out", str(out), "--workers", "1", "--no-datasheet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "rejected donga/[draft] empty.txt: empty" in " ".join(result.output.split())
    assert "[yellow]" not in result.output and "[/" not in result.output


def test_schema_command_prints_the_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == load_schema()


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newscorpus", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "build" in result.stdout


def test_profiles_command_lists_the_builtin_profiles() -> None:
    result = runner.invoke(app, ["profiles"])
    assert result.exit_code == 0
    for name in ("donga_wordpress_v1", "plaintext_v1", "jsonl_v1"):
        assert name in result.output


def test_near_duplicate_threshold_option(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    seed = (raw / "donga" / "000_50823aa4b1df31b8.txt").read_text(encoding="utf-8")
    # The same article with one sentence more: a near duplicate, not an exact one.
    variant = seed.replace("In particular,", "One more sentence was added here. In particular,")
    (raw / "donga" / "zz_variant.txt").write_text(variant, encoding="utf-8")
    base = ["build", "--raw", str(raw), "--no-datasheet", "--workers", "1"]
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "a")]).exit_code == 0
    assert (
        runner.invoke(
            app, [*base, "--out", str(tmp_path / "b"), "--near-duplicates", "0"]
        ).exit_code
        == 0
    )
    manifest = lambda name: json.loads((tmp_path / name / "manifest.json").read_text())  # noqa: E731
    assert manifest("a")["ledger"]["duplicates_by_reason"] == {"near_duplicate": 1}
    assert manifest("b")["ledger"]["outcomes"]["record"] == 2
