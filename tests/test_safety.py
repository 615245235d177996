"""Safe by default: a build never destroys what it did not make, never publishes a broken
or empty corpus over a good one, and every command follows one exit-code table."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_factory import add_synthetic, make_raw
from typer.testing import CliRunner

import newscorpus
from newscorpus.check.published import validate_path
from newscorpus.cli import app
from newscorpus.errors import (
    EXIT_CHECK_FAILED,
    EXIT_INTERNAL,
    EXIT_USAGE,
    InternalBuildError,
    PublishRefusedError,
)
from newscorpus.publish.folder import UnsafeOutputError
from newscorpus.read.sources import RegistryError

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (and the folder's own listing)."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def build_cli(raw: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "build",
            "--raw",
            str(raw),
            "--out",
            str(out),
            "--workers",
            "1",
            "--no-datasheet",
            *list(extra),
        ],
    )
    return result.exit_code, result.output


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A raw folder with 6 articles and a corpus built from it: (raw, out, its snapshot)."""
    raw = make_raw(tmp_path)
    add_synthetic(raw, 5)
    out = tmp_path / "processed"
    newscorpus.build(raw, out, workers=1)
    return raw, out, snapshot(out)


# --- never destroy what the build did not make ---


def test_a_users_folder_is_refused_and_survives_byte_for_byte(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    notes = tmp_path / "notes"
    (notes / "deep").mkdir(parents=True)
    (notes / "todo.txt").write_text("buy milk\n", encoding="utf-8")
    (notes / "deep" / "data.bin").write_bytes(bytes(range(256)))
    before = snapshot(notes)
    with pytest.raises(UnsafeOutputError, match="neither empty nor a corpus"):
        newscorpus.build(raw, notes, workers=1)
    code, output = build_cli(raw, notes)
    assert code == EXIT_USAGE, output
    assert "choose a new or empty folder" in output
    assert snapshot(notes) == before
    # Nothing was made beside it either: no lock, cache or staging folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "raw"]


def test_an_out_that_is_a_file_is_refused_and_survives(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.7 the user's file")
    code, output = build_cli(raw, target)
    assert code == EXIT_USAGE, output
    assert "not a folder" in output
    assert target.read_bytes() == b"%PDF-1.7 the user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw", "report.pdf"]


def test_an_empty_folder_and_a_published_corpus_are_accepted(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "empty"
    out.mkdir()
    assert build_cli(raw, out)[0] == 0
    assert (out / "manifest.json").is_file()
    assert build_cli(raw, out, "--no-cache")[0] == 0  # now a corpus it published


def test_a_json_manifest_of_someone_else_does_not_make_a_corpus(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "manifest.json").write_text('{"name": "my-app", "files": {}}', encoding="utf-8")
    assert build_cli(raw, other)[0] == EXIT_USAGE
    assert (other / "manifest.json").read_text(encoding="utf-8").startswith('{"name": "my-app"')


@pytest.mark.parametrize("where", ["out_in_raw", "raw_in_out", "cache_in_raw"])
def test_output_and_raw_must_not_nest(tmp_path: Path, where: str) -> None:
    raw = make_raw(tmp_path / "project")
    before = snapshot(tmp_path)
    if where == "out_in_raw":
        args: tuple[Path, Path, tuple[str, ...]] = (raw, raw / "processed", ())
    elif where == "raw_in_out":
        args = (raw, raw.parent, ())
    else:
        args = (raw, tmp_path / "out", ("--cache", str(raw / "cache")))
    code, output = build_cli(args[0], args[1], *args[2])
    assert code == EXIT_USAGE, output
    assert "raw folder" in output
    assert snapshot(tmp_path) == before


# --- configuration errors stop the build before any work ---

REGISTRY_TYPOS = {
    "unknown profile": ('profile = "donga_wordpress_v1"', 'profile = "donga_wordpres_v1"'),
    "language tag": ('language = "en"', 'language = "English"'),
    "unknown key": ('language = "en"', 'language = "en"\nlisence = "CC-BY"'),
    "misspelled folder": ("[sources.donga]", "[sources.donag]"),
    "option not declared": ('language = "en"', 'language = "en"\noptions = { headline = "x" }'),
}


@pytest.mark.parametrize("typo", sorted(REGISTRY_TYPOS))
def test_a_registry_typo_leaves_the_corpus_untouched(
    published: tuple[Path, Path, dict[str, str]], typo: str
) -> None:
    raw, out, before = published
    registry = raw / "sources.toml"
    old, new = REGISTRY_TYPOS[typo]
    text = registry.read_text(encoding="utf-8")
    assert old in text
    registry.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RegistryError):
        newscorpus.build(raw, out, workers=1)
    code, output = build_cli(raw, out)
    assert code == EXIT_USAGE, output
    # The message names the registry file actually read, not a default `raw/`.
    assert str(registry) in " ".join(output.split())
    assert snapshot(out) == before


def test_every_registry_problem_is_listed_at_once(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    (raw / "sources.toml").write_text(
        """
[sources.donga]
name = "Donga"
language = "English"
profile = "no_such_profile_v1"
licence = "x"
lisence = "y"

[sources.wire]
name = "Wire"
language = "en"
profile = "plaintext_v1"
licence = "x"
options = { headlin = "first_line" }
""",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as caught:
        newscorpus.build(raw, tmp_path / "out", workers=1)
    problems = " ".join(caught.value.problems)
    for expected in (
        "'English'",
        "no_such_profile_v1",
        "'lisence'",
        "wire/, which does not exist",
        "no option 'headlin'",
    ):
        assert expected in problems
    assert len(caught.value.problems) == 5
    assert not (tmp_path / "out").exists()


# --- no silent shrink ---


def test_an_all_rejected_raw_folder_publishes_nothing(
    published: tuple[Path, Path, dict[str, str]],
) -> None:
    raw, out, before = published
    for path in (raw / "donga").iterdir():
        path.write_bytes(b"")
    with pytest.raises(PublishRefusedError, match="no record"):
        newscorpus.build(raw, out, workers=1)
    code, output = build_cli(raw, out)
    assert code == EXIT_CHECK_FAILED, output
    assert "6 rejected (empty: 6)" in output
    assert snapshot(out) == before


def test_a_zero_record_build_publishes_nothing_anywhere(tmp_path: Path) -> None:
    raw = make_raw(tmp_path, with_seed=False)
    (raw / "donga" / "a.txt").write_bytes(b"")
    code, output = build_cli(raw, tmp_path / "new")
    assert code == EXIT_CHECK_FAILED, output
    assert not (tmp_path / "new").exists()


def test_dropping_more_than_half_needs_allow_shrink(
    published: tuple[Path, Path, dict[str, str]],
) -> None:
    raw, out, before = published
    kept = sorted((raw / "donga").iterdir())[:2]
    for path in (raw / "donga").iterdir():
        if path not in kept:
            path.unlink()
    code, output = build_cli(raw, out)
    assert code == EXIT_CHECK_FAILED, output
    assert "drop 4 of the 6 published records" in " ".join(output.split())
    assert snapshot(out) == before
    code, output = build_cli(raw, out, "--allow-shrink")
    assert code == 0, output
    assert newscorpus.load(out)["train"].num_rows + _other_rows(out) == 2


def _other_rows(out: Path) -> int:
    dataset = newscorpus.load(out)
    return sum(dataset[split].num_rows for split in dataset if split != "train")


# --- bad input is not a bug ---


def test_a_bug_in_our_code_stops_the_build_and_keeps_the_corpus(
    published: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, out, before = published
    add_synthetic(raw, 6)  # new files, so that the cache does not answer for them

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("a bug of ours")

    monkeypatch.setattr("newscorpus.run.pipeline.build_record", broken)
    with pytest.raises(InternalBuildError, match="internal error") as caught:
        newscorpus.build(raw, out, workers=1)
    assert "KeyError" in str(caught.value) and "donga/" in str(caught.value)
    assert snapshot(out) == before
    code, output = build_cli(raw, out)
    assert code == EXIT_INTERNAL, output
    assert snapshot(out) == before
    # --keep-going publishes what it could and still exits 3, naming the files.
    code, output = build_cli(raw, out, "--keep-going", "--allow-shrink")
    assert code == EXIT_INTERNAL, output
    assert "hit a bug" in output
    assert snapshot(out) != before
    assert validate_path(out).ok


HTML_REGISTRY = """
[sources.pages]
name = "Pages"
language = "en"
profile = "html_trafilatura_v1"
licence = "test pages"
"""

PAGE = """<!DOCTYPE html><html><head><title>A page headline</title></head><body>
<article><h1>A page headline</h1><p>{text}</p><p>“It works,” the engineer said.</p>
</article></body></html>"""


def test_a_failed_import_in_a_profile_exits_3_and_keeps_the_corpus(tmp_path: Path) -> None:
    """A `trafilatura` earlier on the path that raises ImportError: a broken install."""
    raw = tmp_path / "raw"
    (raw / "pages").mkdir(parents=True)
    (raw / "sources.toml").write_text(HTML_REGISTRY, encoding="utf-8")
    for index in range(3):
        text = f"Page number {index} tells a long enough story about the harbour. " * 6
        (raw / "pages" / f"{index}.html").write_text(PAGE.format(text=text), encoding="utf-8")
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "newscorpus", "build", "--raw", str(raw), "--out", str(out)]
    environment = {**os.environ, "COLUMNS": "200"}
    good = subprocess.run(cli, capture_output=True, text=True, env=environment, check=False)
    assert good.returncode == 0, good.stderr
    before = snapshot(out)
    broken = tmp_path / "broken"
    (broken / "trafilatura").mkdir(parents=True)
    (broken / "trafilatura" / "__init__.py").write_text(
        'raise ImportError("trafilatura is broken in this install")\n', encoding="utf-8"
    )
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(broken), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [*cli, "--no-cache"], capture_output=True, text=True, env=environment, check=False
    )
    assert result.returncode == EXIT_INTERNAL, result.stderr
    assert "ImportError: trafilatura is broken in this install" in result.stderr
    assert "pages/0.html" in result.stderr
    assert snapshot(out) == before


# --- builds side by side ---


def _build_command(raw: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "newscorpus",
        "build",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--workers",
        "1",
        "--no-datasheet",
        *extra,
    ]


def test_two_builds_at_once_in_one_folder_both_publish(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    add_synthetic(raw, 40)
    shared_cache = tmp_path / "shared-cache"
    runs = [
        subprocess.Popen(
            _build_command(raw, tmp_path / name, *extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, extra in (("a", ()), ("b", ()), ("c", ("--cache", str(shared_cache))))
    ]
    # A fourth build shares c's cache while c holds it: it builds without it.
    fourth = subprocess.run(
        _build_command(raw, tmp_path / "d", "--cache", str(shared_cache)),
        capture_output=True,
        text=True,
        check=False,
    )
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert fourth.returncode == 0, fourth.stderr
    for name in "abcd":
        assert validate_path(tmp_path / name).ok
    # Each output keeps its lock and its own cache beside it, nothing else.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "raw",
            "shared-cache",
            *"abcd",
            *(f".{name}.lock" for name in "abcd"),
            ".a.cache",
            ".b.cache",
        ]
    )


# --- one exit-code table ---


def test_missing_paths_are_usage_errors_for_every_command(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    for args in (["validate", missing], ["stats", missing], ["show", "x", missing]):
        result = runner.invoke(app, args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "does not exist" in result.output
    build = runner.invoke(app, ["build", "--raw", missing, "--out", str(tmp_path / "o")])
    assert build.exit_code == EXIT_USAGE


def test_stats_and_show_refuse_a_folder_that_is_not_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    for args in (["stats", str(tmp_path)], ["show", "x", str(tmp_path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == EXIT_USAGE, result.output
        assert "not a published corpus" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"newscorpus {newscorpus.__version__}"


def test_reject_lines_are_not_wrapped_off_a_terminal(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    long_name = "a-file-whose-name-alone-is-longer-than-a-terminal-line-of-eighty-columns.txt"
    (raw / long_name).write_text("loose file", encoding="utf-8")
    code, output = build_cli(raw, tmp_path / "out")
    assert code == 0, output
    (line,) = [line for line in output.splitlines() if long_name in line]
    assert line.startswith("rejected ") and "undeclared_source" in line
    # The hint names the registry actually read.
    assert f"declare their folder in {raw / 'sources.toml'}" in output
