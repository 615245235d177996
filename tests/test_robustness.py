"""Nothing lost, nothing crashes: every bad kind of input ends in the ledger with a reason."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path
from typing import Any

import pytest
from corpus_factory import add_synthetic, make_raw, synthetic_article

import newscorpus
from newscorpus.publish.folder import read_card_metadata
from newscorpus.record.ledger import REASONS
from newscorpus.run.driver import BuildError, output_lock
from newscorpus.synthetic import render_donga_page

GOOD = render_donga_page(
    "A good headline",
    ["A deck line", "Another deck line"],
    ["First paragraph of a good article.", "“It works,” the engineer said."],
)


def _ledger(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "inputs.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["source_file"]: entry for entry in map(json.loads, lines)}


def _bad_raw(tmp_path: Path) -> tuple[Path, dict[str, tuple[str, str | None]]]:
    """Lay out one of every bad kind next to good files; return raw/ and expectations."""
    raw = make_raw(tmp_path)
    donga = raw / "donga"
    expected: dict[str, tuple[str, str | None]] = {
        "donga/000_50823aa4b1df31b8.txt": ("record", None)
    }

    def put(name: str, data: bytes, outcome: str, reason: str | None) -> None:
        path = donga / name
        path.write_bytes(data)
        expected[f"donga/{name}"] = (outcome, reason)

    good = GOOD.encode("utf-8")
    put("good.txt", good, "record", None)
    put("empty.txt", b"", "rejected", "empty")
    put("whitespace.txt", b"  \n\t\n  \n", "rejected", "empty")
    put(
        "chrome.txt",
        b"No menu items!\n\nShare This Post\n\n- Advertisement -\n",
        "rejected",
        "chrome_only",
    )
    put(
        "binary.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "rejected",
        "binary",
    )
    put("nul.txt", good[:40] + b"\x00" + good[40:], "rejected", "binary")
    put("bom8.txt", codecs.BOM_UTF8 + GOOD.replace("good", "bom8").encode("utf-8"), "record", None)
    put("utf16.txt", GOOD.replace("good", "utf16").encode("utf-16"), "record", None)
    put("utf16le.txt", GOOD.replace("good", "utf16le").encode("utf-16-le"), "record", None)
    put("utf16be.txt", GOOD.replace("good", "utf16be").encode("utf-16-be"), "record", None)
    put(
        "cp949.txt",
        render_donga_page("Korean", ["deck"], ["기사 본문 입니다."]).encode("cp949"),
        "record",
        None,
    )
    put("cp1252.txt", GOOD.replace("good", "naïve café £").encode("cp1252"), "record", None)
    put("crlf.txt", GOOD.replace("good", "crlf").replace("\n", "\r\n").encode(), "record", None)
    put("cr.txt", GOOD.replace("good", "cr").replace("\n", "\r").encode(), "record", None)
    put(
        "headline_only.txt",
        b"No menu items!\n\nJust a headline\n\nShare This Post\n",
        "rejected",
        "no_body",
    )
    put("big.txt", good + b"x" * 5000, "rejected", "too_large")
    put(
        "other_source.txt",
        GOOD.replace("Source: Donga", "Source: Yonhap").encode(),
        "rejected",
        "source_mismatch",
    )
    put("image.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "rejected", "unsupported_extension")
    put("with space and ünïcödé.txt", GOOD.replace("good", "spaced").encode(), "record", None)
    put("-leading-dash.txt", GOOD.replace("good", "dashed").encode(), "record", None)
    put(
        "copy-of-seed.txt",
        (donga / "000_50823aa4b1df31b8.txt").read_bytes(),
        "duplicate",
        "exact_duplicate",
    )
    put("good_crlf_copy.txt", good.replace(b"\n", b"\r\n"), "duplicate", "exact_duplicate")
    (raw / "unknown").mkdir()
    (raw / "unknown" / "article.txt").write_bytes(good)
    expected["unknown/article.txt"] = ("rejected", "undeclared_source")
    (raw / "stray.txt").write_bytes(good)
    expected["stray.txt"] = ("rejected", "undeclared_source")
    outside = tmp_path / "secret.txt"
    outside.write_text("outside raw", encoding="utf-8")
    (donga / "link-outside.txt").symlink_to(outside)
    expected["donga/link-outside.txt"] = ("rejected", "symlink_outside_raw")
    (donga / "link-inside.txt").symlink_to(donga / "good.txt")
    expected["donga/link-inside.txt"] = ("duplicate", "exact_duplicate")
    (donga / "dangling.txt").symlink_to(tmp_path / "nothing-here")
    expected["donga/dangling.txt"] = ("rejected", "broken_symlink")
    os.mkfifo(donga / "fifo.txt")
    expected["donga/fifo.txt"] = ("rejected", "not_a_regular_file")
    return raw, expected


def test_every_bad_kind_is_accounted_for(tmp_path: Path) -> None:
    raw, expected = _bad_raw(tmp_path)
    out = tmp_path / "processed"
    result = newscorpus.build(raw, out, workers=2, max_bytes=4096)
    ledger = _ledger(out)
    got = {name: (entry["outcome"], entry["reason"]) for name, entry in ledger.items()}
    assert got == expected
    assert {reason for _, reason in got.values() if reason} <= set(REASONS)
    assert result.files_found == len(expected)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files_found"] == len(expected)
    assert sum(manifest["ledger"]["outcomes"].values()) == manifest["files_found"]
    assert sum(result.outcomes.values()) == result.files_found
    assert newscorpus.validate(out).ok
    assert not (tmp_path / "processed" / "secret.txt").exists()
    encodings = {ledger[n]["id"]: n for n in ledger if ledger[n]["outcome"] == "record"}
    records = {r["id"]: r for split in newscorpus.load(out).values() for r in split}
    by_file = {encodings[i]: r for i, r in records.items()}
    assert by_file["donga/utf16.txt"]["encoding"] == "utf-16"
    assert by_file["donga/utf16le.txt"]["encoding"] == "utf-16-le"
    assert by_file["donga/utf16be.txt"]["encoding"] == "utf-16-be"
    assert by_file["donga/utf16be.txt"]["headline"] == by_file["donga/good.txt"][
        "headline"
    ].replace("good", "utf16be")
    assert by_file["donga/cp949.txt"]["encoding"] == "cp949"
    assert by_file["donga/cp949.txt"]["body"] == "기사 본문 입니다."
    assert by_file["donga/cp1252.txt"]["encoding"] == "cp1252"
    assert "naïve café £" in by_file["donga/cp1252.txt"]["headline"]
    assert "crlf_to_lf" in by_file["donga/crlf.txt"]["normalization"]
    assert "strip_bom" in by_file["donga/bom8.txt"]["normalization"]
    dup = ledger["donga/copy-of-seed.txt"]
    assert dup["duplicate_of"] == ledger["donga/000_50823aa4b1df31b8.txt"]["id"]


def test_strict_fails_on_rejects_and_plain_build_succeeds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newscorpus.cli import app

    raw = make_raw(tmp_path)
    (raw / "donga" / "empty.txt").write_bytes(b"")
    runner = CliRunner()
    args = ["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "--no-datasheet"]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 0, plain.output
    assert "empty" in plain.output
    strict = runner.invoke(app, [*args, "--strict"])
    assert strict.exit_code == 1
    assert "--strict" in strict.output


def test_unreadable_file_is_rejected_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = make_raw(tmp_path)
    (raw / "donga" / "locked.txt").write_text(GOOD, encoding="utf-8")
    real_open = open

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded_open)
    newscorpus.build(raw, tmp_path / "out", workers=1)
    entry = _ledger(tmp_path / "out")["donga/locked.txt"]
    assert (entry["outcome"], entry["reason"]) == ("rejected", "unreadable")


def test_markup_in_a_headline_does_not_break_the_card(tmp_path: Path) -> None:
    raw = make_raw(tmp_path, with_seed=False)
    nasty = "--- # Breaking | news: `code` ---"
    page = render_donga_page(nasty, ["key: value", "- item"], ["Body text here."])
    (raw / "donga" / "nasty.txt").write_text(page, encoding="utf-8")
    out = tmp_path / "out"
    newscorpus.build(raw, out, workers=1)
    metadata = read_card_metadata(out / "README.md")
    assert metadata["pretty_name"].startswith("newscorpus")
    assert newscorpus.validate(out).ok
    (split,) = newscorpus.load(out).values()
    assert split[0]["headline"] == nasty


def test_second_concurrent_build_fails_fast(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    with output_lock(out), pytest.raises(BuildError, match="another build"):
        newscorpus.build(raw, out, workers=1)
    newscorpus.build(raw, out, workers=1)  # the lock is released afterwards


def test_missing_raw_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="does not exist"):
        newscorpus.build(tmp_path / "nope", tmp_path / "out")


def test_synthetic_articles_are_distinct() -> None:
    assert len({synthetic_article(i) for i in range(500)}) == 500


def test_kill_mid_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    newscorpus.build(raw, out, workers=1)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    add_synthetic(raw, 1500)
    script = "import newscorpus, sys; newscorpus.build(sys.argv[1], sys.argv[2], workers=1)"
    child = subprocess.Popen([sys.executable, "-c", script, str(raw), str(out)])
    deadline = time.monotonic() + 60
    # Kill once the build is under way (its staging folder exists).
    while not list(tmp_path.glob(".out.build-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert newscorpus.validate(out).ok
    assert len(newscorpus.load(out)["train"]) == 1
    result = newscorpus.build(raw, out, workers=1)  # the next build cleans up and succeeds
    assert result.outcomes["record"] == 1501
    assert not list(tmp_path.glob(".out.build-*"))
