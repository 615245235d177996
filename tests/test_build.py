"""End to end: build, validate, load with `datasets`, determinism, staleness, tampering."""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from corpus_factory import REPO, add_synthetic, make_raw

import newscorpus
from newscorpus.publish.folder import read_card_metadata
from newscorpus.record.schema import hf_features_yaml


def _same_tree(left: Path, right: Path) -> list[str]:
    """Return relative paths that differ (content or presence) between two folders."""
    names = lambda root: {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    differing = sorted(names(left) ^ names(right))
    for name in sorted(names(left) & names(right)):
        if not filecmp.cmp(left / name, right / name, shallow=False):
            differing.append(name)
    return differing


def test_one_article_corpus_builds_validates_and_loads(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    result = newscorpus.build(raw, tmp_path / "processed", workers=1)
    assert result.outcomes == {"record": 1, "duplicate": 0, "rejected": 0, "excluded": 0}
    assert newscorpus.validate(tmp_path / "processed").ok
    dataset = newscorpus.load(tmp_path / "processed")
    assert list(dataset) == list(result.manifest["splits"])  # only the non-empty split
    (split,) = list(dataset)
    row = dataset[split][0]
    assert row["source"] == "Donga"
    assert row["body"].count("\n\n") == 12
    infos = read_card_metadata(tmp_path / "processed" / "README.md")["dataset_info"]
    (features,) = [i["features"] for i in infos if i["config_name"] == "default"]
    assert features == hf_features_yaml()
    assert (
        dataset[split].features.to_dict()
        == type(dataset[split].features)._from_yaml_list(features).to_dict()
    )


def test_thousand_article_corpus_loads_all_splits(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    add_synthetic(raw, 999)
    result = newscorpus.build(raw, tmp_path / "out", workers=2)
    assert result.outcomes["record"] == 1000
    counts = {s: i["num_examples"] for s, i in result.manifest["splits"].items()}
    assert set(counts) == {"train", "validation", "test"}
    assert sum(counts.values()) == 1000
    assert 700 < counts["train"] < 900  # 80 % by hash
    dataset = newscorpus.load(tmp_path / "out")
    assert {s: len(d) for s, d in dataset.items()} == counts
    streamed = newscorpus.load(tmp_path / "out", split="test", streaming=True)
    assert sum(1 for _ in streamed) == counts["test"]
    assert newscorpus.validate(tmp_path / "out").ok


def test_two_builds_are_byte_identical_whatever_the_workers(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    add_synthetic(raw, 60)
    newscorpus.build(raw, tmp_path / "a", workers=1)
    newscorpus.build(raw, tmp_path / "b", workers=2)
    assert _same_tree(tmp_path / "a", tmp_path / "b") == []


def test_committed_processed_is_what_the_build_makes(tmp_path: Path) -> None:
    fresh = tmp_path / "processed"
    newscorpus.build(REPO / "raw", fresh, datasheet=REPO / "DATASHEET.md")
    differing = _same_tree(fresh, REPO / "processed")
    assert differing == [], f"processed/ is stale; run `newscorpus build` and commit: {differing}"
    published_sheet = (fresh / "DATASHEET.md").read_text(encoding="utf-8")
    assert (REPO / "DATASHEET.md").read_text(encoding="utf-8") == published_sheet


def test_split_of_an_article_never_moves_when_others_change(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    paths = add_synthetic(raw, 40)
    first = newscorpus.build(raw, tmp_path / "a", workers=1)
    for path in paths[::3]:
        path.unlink()
    add_synthetic(raw, 0)
    second = newscorpus.build(raw, tmp_path / "b", workers=1)

    def splits(folder: Path) -> dict[str, str]:
        lines = (folder / "inputs.jsonl").read_text(encoding="utf-8").splitlines()
        return {e["id"]: e["split"] for e in map(json.loads, lines) if e["outcome"] == "record"}

    before, after = splits(tmp_path / "a"), splits(tmp_path / "b")
    assert first.outcomes["record"] > second.outcomes["record"]
    assert all(before[i] == s for i, s in after.items())


def test_validate_reports_a_corrupted_quote_offset(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    add_synthetic(raw, 5)
    out = tmp_path / "out"
    newscorpus.build(raw, out, workers=1)
    records = []
    for info in json.loads((out / "manifest.json").read_text())["splits"].values():
        for name in info["files"]:
            records += pq.read_table(out / name).to_pylist()
    target = next(r for r in records if r["quotes"])
    target["published"] = None
    target["quotes"][0]["start"] += 1
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text(json.dumps(target, default=str) + "\n", encoding="utf-8")
    report = newscorpus.validate(jsonl)
    assert not report.ok
    assert any(
        p.record_id == target["id"] and p.pointer == "/quotes/0/start" for p in report.problems
    )


def test_validate_reports_a_corrupted_parquet_file(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    newscorpus.build(raw, out, workers=1)
    (shard,) = (out / "data").glob("*.parquet")
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    report = newscorpus.validate(out)
    assert not report.ok
    assert any(p.file == f"data/{shard.name}" and "sha256" in p.message for p in report.problems)


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    raw = make_raw(tmp_path)
    out = tmp_path / "out"
    newscorpus.build(raw, out, workers=1)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (raw / "sources.toml").write_text("not = [valid", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sources\.toml"):
        newscorpus.build(raw, out, workers=1)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".out.build-*"))
    shutil.rmtree(out)
