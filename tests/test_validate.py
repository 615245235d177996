"""Tamper-evidence: `validate` catches every kind of damage and names the file or record."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from corpus_factory import add_synthetic, make_raw
from typer.testing import CliRunner

import newscorpus
from newscorpus.check import forked as forked_module
from newscorpus.check import published
from newscorpus.cli import app
from newscorpus.run.writer import write_table


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("validate")
    raw = make_raw(root)
    add_synthetic(raw, 80)
    out = root / "processed"
    newscorpus.build(raw, out, workers=1)
    return out


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "processed"
    shutil.copytree(built, target)
    return target


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _rewrite_shard(folder: Path, split: str, change: Callable[[list[dict]], list[dict]]) -> str:
    """Rewrite a split's first shard through `change`, re-sealing the manifest checksum."""
    manifest = _manifest(folder)
    name = manifest["splits"][split]["files"][0]
    rows = [
        {**r, "published": r["published"].isoformat() if r["published"] else None}
        for r in pq.read_table(folder / name).to_pylist()
    ]
    write_table(change(rows), folder / name)
    manifest["files"][name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return name


def _messages(folder: Path) -> list[str]:
    report = newscorpus.validate(folder)
    assert not report.ok
    return [str(p) for p in report.problems]


def test_clean_corpus_is_valid(built: Path) -> None:
    report = newscorpus.validate(built)
    assert report.ok, report.problems
    assert report.records == 81


def test_modified_data_file(copy: Path) -> None:
    name = _manifest(copy)["splits"]["train"]["files"][0]
    with (copy / name).open("ab") as handle:
        handle.write(b"tampered")
    assert any(name in m and "sha256" in m for m in _messages(copy))


def test_missing_data_file(copy: Path) -> None:
    name = _manifest(copy)["splits"]["test"]["files"][0]
    (copy / name).unlink()
    assert any(name in m and "missing" in m for m in _messages(copy))


def test_extra_data_file(copy: Path) -> None:
    (copy / "data" / "train-00001-of-00002.parquet").write_bytes(b"PAR1")
    assert any("train-00001-of-00002.parquet" in m and "not listed" in m for m in _messages(copy))


def test_record_violating_the_schema(copy: Path) -> None:
    def blank_headline(rows: list[dict]) -> list[dict]:
        rows[0]["headline"] = ""
        return rows

    _rewrite_shard(copy, "train", blank_headline)
    assert any("/headline" in m and "should be non-empty" in m for m in _messages(copy))


def test_quote_offsets_not_slicing_to_the_text(copy: Path) -> None:
    victim: list[str] = []

    def shift(rows: list[dict]) -> list[dict]:
        row = next(r for r in rows if r["quotes"])
        row["quotes"][0]["start"] += 1
        victim.append(row["id"])
        return rows

    _rewrite_shard(copy, "train", shift)
    assert any(victim[0] in m and "/quotes/" in m and "slice" in m for m in _messages(copy))


def test_duplicate_id_within_a_split(copy: Path) -> None:
    _rewrite_shard(copy, "train", lambda rows: sorted([*rows, rows[0]], key=lambda r: r["id"]))
    assert any("duplicate id" in m for m in _messages(copy))


def test_duplicate_id_across_splits(copy: Path) -> None:
    stolen: list[dict] = []
    name = _manifest(copy)["splits"]["train"]["files"][0]
    stolen.append(pq.read_table(copy / name).to_pylist()[0])
    stolen[0]["published"] = None
    _rewrite_shard(copy, "test", lambda rows: sorted([*rows, stolen[0]], key=lambda r: r["id"]))
    messages = _messages(copy)
    assert any(stolen[0]["id"] in m and "duplicate id" in m for m in messages)


def test_card_features_disagreeing_with_parquet(copy: Path) -> None:
    card = (copy / "README.md").read_text(encoding="utf-8")
    _, front, body = card.split("---\n", 2)
    metadata = yaml.safe_load(front)
    metadata["dataset_info"][0]["features"][0]["dtype"] = "int64"
    (copy / "README.md").write_text(
        f"---\n{yaml.safe_dump(metadata, sort_keys=False)}---\n{body}", encoding="utf-8"
    )
    assert any("README.md" in m and "features" in m for m in _messages(copy))


def test_card_split_sizes_disagreeing(copy: Path) -> None:
    card = (copy / "README.md").read_text(encoding="utf-8")
    (copy / "README.md").write_text(
        card.replace("num_examples: ", "num_examples: 1"), encoding="utf-8"
    )
    assert any("README.md" in m and "split sizes" in m for m in _messages(copy))


def test_cli_exit_codes_and_report(copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(copy)])
    assert ok.exit_code == 0, ok.output
    assert "valid" in ok.output
    name = _manifest(copy)["splits"]["train"]["files"][0]
    (copy / name).write_bytes(b"garbage")
    bad = runner.invoke(app, ["validate", str(copy)])
    assert bad.exit_code == 1
    assert name in bad.output and "INVALID" in bad.output


def test_jsonl_of_records(tmp_path: Path, built: Path) -> None:
    name = _manifest(built)["splits"]["train"]["files"][0]
    rows = pq.read_table(built / name).to_pylist()[:3]
    lines = [json.dumps({**r, "published": None}) for r in rows]
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert newscorpus.validate(good).ok
    broken = json.loads(lines[1])
    broken["extra_field"] = 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(broken), "{not json"]) + "\n", encoding="utf-8")
    messages = [str(p) for p in newscorpus.validate(bad).problems]
    assert any("bad.jsonl:2" in m and "extra_field" in m for m in messages)
    assert any("bad.jsonl:3" in m and "not JSON" in m for m in messages)


def test_missing_folder(tmp_path: Path) -> None:
    report = newscorpus.validate(tmp_path / "absent")
    assert not report.ok
    # A problem with a file (no record, no pointer) reads "file: message".
    assert [str(p) for p in report.problems] == [f"{tmp_path / 'absent'}: no such folder or file"]


def _corrupt_everywhere(folder: Path) -> None:
    """Damage seen by each part of validation: checksums, records, ids, ledger, card."""

    def damage(rows: list[dict]) -> list[dict]:
        rows[0]["headline"] = ""
        row = next(r for r in rows[1:] if r["quotes"])
        row["quotes"][0]["start"] += 1
        return sorted([*rows, rows[1]], key=lambda r: r["id"])

    _rewrite_shard(folder, "train", damage)
    (folder / "data" / "train-00001-of-00002.parquet").write_bytes(b"PAR1")
    test_file = _manifest(folder)["splits"]["test"]["files"][0]
    with (folder / test_file).open("ab") as handle:
        handle.write(b"tampered")
    ledger = folder / "inputs.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    lines[2] = "{not json"
    lines[5] = lines[5].replace('"outcome":"record"', '"outcome":"kept"')
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    card = folder / "README.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace("num_examples: ", "num_examples: 1"),
        encoding="utf-8",
    )


def test_forked_and_serial_validation_report_the_same(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corrupt_everywhere(copy)
    forks: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    monkeypatch.setattr(forked_module, "spare_core", lambda: True)
    forked = newscorpus.validate(copy, fork=True)
    assert len(forks) == 1  # the checksums and the ledger ran in a child
    serial = newscorpus.validate(copy)  # by default a library call never forks
    monkeypatch.setattr(forked_module, "spare_core", lambda: False)
    assert newscorpus.validate(copy, fork=True).problems == serial.problems
    assert len(forks) == 1
    assert forked.problems == serial.problems
    assert (forked.records, forked.files) == (serial.records, serial.files)
    messages = [str(p) for p in serial.problems]
    for expected in ("sha256", "not listed", "/headline", "slice", "duplicate id", "not JSON"):
        assert any(expected in m for m in messages), expected
    assert any("inputs.jsonl:6" in m and "/outcome" in m for m in messages)
    assert any("README.md" in m and "split sizes" in m for m in messages)
    # In the order of the checks: files, records, ledger, card.
    order = ["not listed", "sha256", "/headline", "not JSON", "split sizes"]
    firsts = [next(i for i, m in enumerate(messages) if key in m) for key in order]
    assert firsts == sorted(firsts)


def test_a_failing_child_falls_back_to_this_process(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _corrupt_everywhere(copy)
    expected = published.validate_path(copy).problems
    parent = os.getpid()
    side_checks = published._side_checks

    def fails_in_the_child(*args: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return side_checks(*args)

    monkeypatch.setattr(published, "_side_checks", fails_in_the_child)
    monkeypatch.setattr(forked_module, "spare_core", lambda: True)
    assert published.validate_path(copy, fork=True).problems == expected


def test_one_core_validates_serially(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not forked_module.spare_core()

    def no_fork() -> int:
        raise AssertionError("validation forked with one core")

    monkeypatch.setattr(os, "fork", no_fork)
    assert newscorpus.validate(copy, fork=True).ok
    _corrupt_everywhere(copy)
    assert not newscorpus.validate(copy, fork=True).ok


def test_validate_starts_without_the_build_or_the_annotator(built: Path) -> None:
    """`newscorpus validate` on a clean corpus imports neither the annotator, the readers,
    the build nor `jsonschema` (only a record the compiled validator rejects needs it)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from newscorpus.check.published import validate_path\n"
        f"assert validate_path({str(built)!r}).ok\n"
        "loaded = [m for m in sys.modules if m.startswith(('newscorpus.annotate',"
        " 'newscorpus.run', 'newscorpus.read.profiles', 'jsonschema.', 'trafilatura'))"
        " or m == 'jsonschema']\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
