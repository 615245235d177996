"""Near-duplicate detection: signatures, the LSH index, the reducer, splits, BBC copies."""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

import newscorpus
from newscorpus.record.splits import assign_split
from newscorpus.run import dedup
from newscorpus.run.dedup import (
    NearDuplicateIndex,
    band_layout,
    jaccard_estimate,
    minhash_signature,
    shingles,
)
from newscorpus.run.pipeline import text_key
from newscorpus.run.reduce import Reducer

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_VOCABULARY = [
    "harbour",
    "bridge",
    "council",
    "minister",
    "budget",
    "election",
    "court",
    "ruling",
    "market",
    "export",
    "agency",
    "report",
    "province",
    "network",
    "summit",
    "trade",
    "policy",
    "navy",
    "defense",
    "talks",
    "river",
    "steel",
    "price",
    "delay",
    "contract",
    "review",
    "traffic",
    "spring",
    "engineer",
    "business",
    "customer",
    "vehicle",
    "school",
    "hospital",
    "doctor",
    "nurse",
    "patient",
    "farmer",
    "weather",
    "storm",
    "flood",
    "rescue",
    "police",
    "station",
]


def story(seed: int, words: int = 160) -> str:
    """A random but reproducible body of `words` words in four paragraphs."""
    rng = random.Random(seed)
    tokens = [rng.choice(_VOCABULARY) for _ in range(words)]
    quarter = words // 4
    return "\n\n".join(
        " ".join(tokens[i : i + quarter]).capitalize() + "." for i in range(0, words, quarter)
    )


def edited(body: str, seed: int, changes: int = 3) -> str:
    """`body` with `changes` words replaced: a near duplicate (Jaccard ~0.85 at 3 in 160)."""
    rng = random.Random(seed)
    tokens = body.split(" ")
    for position in rng.sample(range(len(tokens)), changes):
        tokens[position] = "CHANGED" + str(seed)
    return " ".join(tokens)


def true_jaccard(first: str, second: str) -> float:
    a, b = shingles(first), shingles(second)
    return len(a & b) / len(a | b)


def test_signatures_are_deterministic_and_estimate_jaccard() -> None:
    base = story(1)
    near, far = edited(base, 2), story(3)
    assert minhash_signature(base) == minhash_signature(base)
    assert len(minhash_signature(base)) == 4 * dedup.NUM_PERM
    assert true_jaccard(base, near) > 0.75
    assert (
        abs(
            jaccard_estimate(minhash_signature(base), minhash_signature(near))
            - true_jaccard(base, near)
        )
        < 0.2
    )
    assert jaccard_estimate(minhash_signature(base), minhash_signature(far)) < 0.2
    assert shingles("") == set() and shingles("One two") == {"one two"}


def test_band_layout_keeps_recall_at_the_threshold() -> None:
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        bands, rows = band_layout(threshold)
        assert bands * rows <= dedup.NUM_PERM
        assert 1 - (1 - threshold**rows) ** bands >= 0.95
    with pytest.raises(ValueError):
        band_layout(0.0)


@pytest.mark.parametrize("merge_every", [10_000_000, 7])
def test_index_keeps_the_first_and_names_it(
    merge_every: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # merge_every=7 exercises the sorted-array path as well as the pending dict.
    monkeypatch.setattr(dedup, "_MERGE_EVERY", merge_every)
    index = NearDuplicateIndex(0.8)
    bases = [story(seed) for seed in range(40)]
    for number, body in enumerate(bases):
        assert index.check_and_add(f"base{number}", minhash_signature(body)) is None
    found = {}
    for number, body in enumerate(bases):
        near = index.check_and_add(
            f"copy{number}", minhash_signature(edited(body, 100 + number, 1))
        )
        assert near is not None
        found[number] = near
    assert all(near.kept == near.via == f"base{n}" for n, near in found.items())
    assert all(0.8 <= near.similarity <= 1.0 for near in found.values())
    # A third version, near the copy: it joins the cluster, named by its kept record.
    chained = edited(edited(bases[0], 100, 1), 300, 1)
    near = index.check_and_add("chained", minhash_signature(chained))
    assert near is not None and near.kept == "base0"


def _record_outcome(record_id: str, body: str) -> dict[str, object]:
    record = {
        "id": record_id,
        "source_file": f"x/{record_id}.txt",
        "raw_sha256": "0" * 64,
        "body": body,
        "headline": "H",
        "subheadlines": [],
        "source": "X",
        "quotes": [],
        "speakers": [],
    }
    return {
        "kind": "record",
        "record": record,
        "text_key": text_key(body),
        "minhash": minhash_signature(body),
    }


def test_reducer_ledger_for_exact_and_near_duplicates() -> None:
    base = story(7)
    reducer = Reducer()
    assert reducer.add(_record_outcome("x-0000000000000001", base)) is not None
    assert reducer.add(_record_outcome("x-0000000000000002", base.replace(" ", "  "))) is None
    assert reducer.add(_record_outcome("x-0000000000000003", edited(base, 9, 1))) is None
    assert reducer.add(_record_outcome("x-0000000000000004", story(8))) is not None
    exact, near = reducer.entries[1], reducer.entries[2]
    assert (exact["reason"], exact["duplicate_of"], exact["similarity"]) == (
        "exact_duplicate",
        "x-0000000000000001",
        1.0,
    )
    assert (near["outcome"], near["reason"], near["duplicate_of"]) == (
        "duplicate",
        "near_duplicate",
        "x-0000000000000001",
    )
    assert 0.8 <= near["similarity"] < 1.0
    # Off: the near duplicate is published.
    plain = Reducer(near_duplicate_threshold=None)
    plain.add(_record_outcome("x-0000000000000001", base))
    assert plain.add(_record_outcome("x-0000000000000003", edited(base, 9, 1))) is not None


def test_outcome_without_signature_is_still_checked() -> None:
    base = story(11)
    reducer = Reducer()
    reducer.add(_record_outcome("x-0000000000000001", base))
    outcome = _record_outcome("x-0000000000000002", edited(base, 12, 1))
    del outcome["minhash"]  # e.g. an outcome cached before signatures existed
    assert reducer.add(outcome) is None


REGISTRY = """
[sources.wire]
name = "Wire"
language = "en"
profile = "plaintext_v1"
licence = "test fixture"
"""


def test_near_duplicate_clusters_never_straddle_splits(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "wire").mkdir(parents=True)
    (raw / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    clusters: dict[str, int] = {}
    for cluster in range(30):
        base = story(1000 + cluster)
        # One word changed per copy: every pair in the cluster is near (true J ~0.88).
        members = [base] + [edited(base, 50 * cluster + k, 1) for k in range(3)]
        for member, body in enumerate(members):
            # Copies sort before and after the original: the first in path order is kept.
            name = f"{(cluster * 7 + member * 13) % 100:02d}_{cluster}_{member}.txt"
            (raw / "wire" / name).write_text(f"Story {cluster}\n\n{body}\n", encoding="utf-8")
            clusters[f"wire/{name}"] = cluster
    for single in range(20):
        (raw / "wire" / f"zz_{single}.txt").write_text(
            f"Single {single}\n\n{story(5000 + single)}\n", encoding="utf-8"
        )
    out = tmp_path / "out"
    newscorpus.build(raw, out, workers=2)
    assert newscorpus.validate(out).ok
    ledger = [json.loads(line) for line in (out / "inputs.jsonl").read_text().splitlines()]
    published = {e["source_file"]: e for e in ledger if e["outcome"] == "record"}
    by_id = {e["id"]: e for e in ledger}
    # One published record per cluster, the first in raw path order.
    per_cluster: dict[int, list[str]] = defaultdict(list)
    for name in sorted(published):
        if name in clusters:
            per_cluster[clusters[name]].append(name)
    assert all(len(names) == 1 for names in per_cluster.values()) and len(per_cluster) == 30
    for cluster, (kept_name,) in per_cluster.items():
        assert kept_name == min(n for n, c in clusters.items() if c == cluster)
    # Every duplicate names a published record of its own cluster; the cluster's split is
    # the kept record's, even where the duplicate's own id would hash elsewhere.
    moved = 0
    for entry in ledger:
        if entry["outcome"] != "duplicate":
            continue
        kept = by_id[entry["duplicate_of"]]
        assert kept["outcome"] == "record"
        assert clusters[kept["source_file"]] == clusters[entry["source_file"]]
        moved += assign_split(entry["id"]) != kept["split"]
    assert moved > 0, "the fixture should have duplicates whose own id hashes elsewhere"
    # No leak: no two published bodies in different splits are near each other.
    dataset = newscorpus.load(out)
    rows = [(split, row["body"]) for split in dataset for row in dataset[split]]
    for i, (split_a, body_a) in enumerate(rows):
        for split_b, body_b in rows[i + 1 :]:
            if split_a != split_b:
                assert true_jaccard(body_a, body_b) < 0.5


def test_bbc_byte_identical_copies_are_all_found() -> None:
    folder = SHARED_DATA / "bbc_news"
    if not folder.is_dir():
        pytest.skip(f"development data not found at {folder} (see ../shared/data/SOURCES.md)")
    from newscorpus.read.profiles import Article, get_profile

    read = get_profile("plaintext_v1").read
    files = sorted(p for p in folder.rglob("*.txt"))
    by_bytes: dict[str, list[str]] = defaultdict(list)
    reducer = Reducer()
    duplicates = set()
    for path in files:
        data = path.read_bytes()
        name = path.relative_to(folder).as_posix()
        by_bytes[hashlib.sha256(data).hexdigest()].append(name)
        # As a build reads it: the BBC source is declared English (some files are cp1252).
        (article,) = read(data, {}, language="en")
        assert isinstance(article, Article)
        body = "\n\n".join(article.paragraphs)
        record_id = "bbc-" + hashlib.sha256(name.encode()).hexdigest()[:16]
        kept = reducer.kept_by_text.get(text_key(body))
        if kept is not None:
            duplicates.add(name)
            continue
        assert reducer.near_duplicates is not None
        if reducer.near_duplicates.check_and_add(record_id, minhash_signature(body)):
            duplicates.add(name)
            continue
        reducer.kept_by_text[text_key(body)] = record_id
    copies = {name for names in by_bytes.values() for name in names[1:]}
    assert len(copies) == 98
    assert copies <= duplicates
