"""The build at scale: streaming writer, spill sort, bounded executors, determinism.

Small corpora only: these hold the properties (same bytes whatever the batches, workers
or cache) that make the large builds of `bench/build_bench.py` trustworthy.
"""

from __future__ import annotations

import filecmp
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from corpus_factory import add_synthetic, make_raw

import newscorpus
from newscorpus.check.records import check_record
from newscorpus.record.records import fast_validator as _fast_validator
from newscorpus.record.records import schema_problems
from newscorpus.run import writer
from newscorpus.run.executors import ordered_map
from newscorpus.run.writer import SpillSorter, SplitWriter, rows_table

FILES = 200


def same_tree(left: Path, right: Path) -> list[str]:
    """Return relative paths that differ (content or presence) between two folders."""

    def names(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    differing = sorted(names(left) ^ names(right))
    for name in sorted(names(left) & names(right)):
        if not filecmp.cmp(left / name, right / name, shallow=False):
            differing.append(name)
    return differing


@pytest.fixture(scope="module")
def raw_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A raw/ folder of the seed plus 199 synthetic articles (built once per module)."""
    raw = make_raw(tmp_path_factory.mktemp("scale"))
    add_synthetic(raw, FILES - 1)
    return raw


@pytest.fixture(scope="module")
def reference(raw_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The single-process, cache-less build: what every other build must equal."""
    out = tmp_path_factory.mktemp("reference") / "processed"
    newscorpus.build(raw_corpus, out, workers=1, use_cache=False)
    return out


def _records(count: int, seed: int) -> list[dict[str, Any]]:
    """Real records (from a one-process build of synthetic articles), shuffled."""
    from corpus_factory import synthetic_article

    from newscorpus.read.sources import RawFile, load_registry
    from newscorpus.run.pipeline import process_bytes

    registry = load_registry(Path(__file__).resolve().parents[1] / "raw")
    records = []
    for index in range(count):
        raw = RawFile(f"/x/{index}.txt", f"donga/{index:04d}.txt", 1, registry["donga"])
        (outcome,) = process_bytes(raw, synthetic_article(index).encode("utf-8"))
        records.append(outcome["record"])
    random.Random(seed).shuffle(records)
    return records


def test_streaming_writer_equals_one_whole_table_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small row groups and shards, so that several of each are cut from 95 records.
    monkeypatch.setattr(writer, "ROW_GROUP_ROWS", 7)
    records = _records(95, seed=1)
    spill = SpillSorter(tmp_path / "spill", buffer_bytes=20_000)  # several flushes
    for record in records:
        spill.add(record)
    split_writer = SplitWriter("train", tmp_path / "streamed", shard_rows=40)
    (tmp_path / "streamed").mkdir()
    for record in spill.sorted_records():
        split_writer.write(record)
    shards = split_writer.close()
    assert [s.path.name for s in shards] == [f"train-0000{i}-of-00003.parquet" for i in range(3)]
    assert [s.num_rows for s in shards] == [40, 40, 15]
    ordered = sorted(records, key=lambda r: r["id"])
    for index, shard in enumerate(shards):
        reference = tmp_path / f"reference-{index}.parquet"
        table = rows_table(ordered[index * 40 : (index + 1) * 40])
        pq.write_table(table, reference, row_group_size=7, **writer.PARQUET_OPTIONS)
        assert shard.path.read_bytes() == reference.read_bytes()
        assert shard.num_bytes == pq.read_table(shard.path).nbytes
        assert pq.ParquetFile(shard.path).num_row_groups == 6 if index < 2 else 3


def test_shards_end_at_the_byte_bound(
    raw_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "ROW_GROUP_ROWS", 10)  # the bound is checked between groups
    out = tmp_path / "out"
    result = newscorpus.build(raw_corpus, out, workers=1, use_cache=False, shard_bytes=50_000)
    train = result.manifest["splits"]["train"]["files"]
    assert len(train) > 2
    assert train[-1].endswith(f"-of-{len(train):05d}.parquet")
    assert newscorpus.validate(out).ok


def test_spill_sorter_orders_ids_across_sources(tmp_path: Path) -> None:
    # '-' sorts before '_': bucket order must still be id order across source keys.
    ids = ["a-ff00000000000000", "a_b-0000000000000000", "a-0100000000000000", "ab-00"]
    spill = SpillSorter(tmp_path, buffer_bytes=1)
    for record_id in ids:
        spill.add({"id": record_id})
    assert [r["id"] for r in spill.sorted_records()] == sorted(ids)


def test_ordered_map_keeps_a_bounded_window() -> None:
    pulled = 0

    def items() -> Any:
        nonlocal pulled
        for index in range(1_000):
            pulled += 1
            yield index

    results = ordered_map(abs, items(), workers=2, chunksize=10, window=3)
    assert next(results) == 0
    assert pulled <= 4 * 10  # the window plus the one batch refilled; not all 1000
    assert list(results) == list(range(1, 1_000))


def test_output_is_byte_identical_whatever_the_workers_and_cache(
    raw_corpus: Path, reference: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = newscorpus.build(raw_corpus, tmp_path / "n2", workers=2, cache_dir=cache)
    assert (first.processed, first.cached) == (FILES, 0)
    assert same_tree(reference, tmp_path / "n2") == []
    # Every outcome from the cache (another output folder, so no up-to-date shortcut).
    again = newscorpus.build(raw_corpus, tmp_path / "cached", workers=3, cache_dir=cache)
    assert (again.processed, again.cached, again.up_to_date) == (0, FILES, False)
    assert same_tree(reference, tmp_path / "cached") == []


def test_fast_and_full_validators_agree_on_invalid_records() -> None:
    if _fast_validator() is None:
        pytest.skip("jsonschema-rs is not installed")
    (record,) = _records(1, seed=0)
    broken: list[dict[str, Any]] = []
    for key, value in [
        ("id", "Donga-XYZ"),
        ("id", 7),
        ("published", "2024-13-45"),
        ("published", "yesterday"),
        ("url", 5),
        ("headline", None),
        ("subheadlines", "one"),
        ("quotes", [{"text": "x"}]),
        ("speakers", [{"name": "A", "quote_count": -1}]),
        ("language", ""),
        ("schema_version", None),
        ("unexpected", 1),
    ]:
        broken.append({**record, key: value})
    broken.append({k: v for k, v in record.items() if k != "body"})
    broken.append({**record, "quotes": [{**q, "start": "0"} for q in record["quotes"]] or [{}]})
    fast = _fast_validator()
    for candidate in [record, *broken]:
        full_ok = not list(schema_problems(candidate, "f"))
        assert fast.is_valid(candidate) == full_ok, candidate
        if not full_ok:
            problems = check_record(candidate, "f")
            assert problems and "jsonschema-rs rejects" not in problems[0].message
