"""croissant.json: Croissant 1.0 metadata derived from the schema, validated and loaded.

`mlcroissant validate` checks the metadata only (a wrong column or a glob matching
nothing passes), so the records are also loaded through mlcroissant and counted per
split against the manifest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest
from corpus_factory import REPO, add_synthetic, make_raw

import newscorpus
from newscorpus.publish.croissant import RECORD_SET_ID, croissant_metadata
from newscorpus.publish.folder import CROISSANT_FILE_NAME
from newscorpus.record.schema import arrow_schema, load_schema

MLCROISSANT = [sys.executable, "-m", "mlcroissant.scripts.cli"]


def _mlcroissant_cli() -> list[str]:
    found = shutil.which("mlcroissant", path=str(Path(sys.executable).parent))
    return [found] if found else MLCROISSANT


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("croissant")
    raw = make_raw(root)
    add_synthetic(raw, 29)
    out = root / "processed"
    newscorpus.build(raw, out, workers=1)
    return out


def _manifest_counts(folder: Path) -> dict[str, int]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {split: info["num_examples"] for split, info in manifest["splits"].items()}


def _load(folder: Path) -> list[dict[str, Any]]:
    dataset = mlc.Dataset(jsonld=str(folder / CROISSANT_FILE_NAME))
    return list(dataset.records(record_set=RECORD_SET_ID))


@pytest.mark.parametrize("which", ["fresh", "committed"])
def test_mlcroissant_validates_the_metadata(which: str, corpus: Path) -> None:
    folder = corpus if which == "fresh" else REPO / "processed"
    result = subprocess.run(
        [*_mlcroissant_cli(), "validate", "--jsonld", str(folder / CROISSANT_FILE_NAME)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


@pytest.mark.parametrize("which", ["fresh", "committed"])
def test_mlcroissant_loads_every_record_in_its_split(which: str, corpus: Path) -> None:
    folder = corpus if which == "fresh" else REPO / "processed"
    records = _load(folder)
    splits = Counter(r[f"{RECORD_SET_ID}/split"].decode() for r in records)
    expected = _manifest_counts(folder)
    assert sum(expected.values()) > 0
    assert dict(splits) == expected  # zero records (a glob matching nothing) fails here


def test_loaded_values_equal_the_parquet_rows(corpus: Path) -> None:
    records = {r[f"{RECORD_SET_ID}/id"].decode(): r for r in _load(corpus)}
    for path in sorted((corpus / "data").glob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            loaded = records[row["id"]]
            assert loaded[f"{RECORD_SET_ID}/headline"].decode() == row["headline"]
            assert [s.decode() for s in loaded[f"{RECORD_SET_ID}/subheadlines"]] == row[
                "subheadlines"
            ]
            quotes = loaded[f"{RECORD_SET_ID}/quotes"]
            assert [q[f"{RECORD_SET_ID}/quotes/text"].decode() for q in quotes] == [
                q["text"] for q in row["quotes"]
            ]
            assert [q[f"{RECORD_SET_ID}/quotes/start"] for q in quotes] == [
                q["start"] for q in row["quotes"]
            ]


def test_fields_are_derived_from_the_schema() -> None:
    document = croissant_metadata(["train"], "@misc{x}")
    (record_set,) = [r for r in document["recordSet"] if r["@id"] == RECORD_SET_ID]
    fields = {f["name"]: f for f in record_set["field"]}
    assert list(fields) == [*arrow_schema().names, "split"]
    properties = load_schema()["properties"]
    for name in ("quotes", "speakers"):
        assert fields[name]["repeated"] is True
        assert [s["name"] for s in fields[name]["subField"]] == list(
            properties[name]["items"]["properties"]
        )
    assert fields["subheadlines"]["repeated"] is True
    assert fields["published"]["dataType"] == "sc:Date"
    assert fields["quotes"]["subField"][1]["dataType"] == "sc:Integer"


def test_metadata_is_deterministic_and_undated(corpus: Path) -> None:
    text = (corpus / CROISSANT_FILE_NAME).read_text(encoding="utf-8")
    assert "datePublished" not in text and "dateCreated" not in text
    assert croissant_metadata(["train", "test"], "c") == croissant_metadata(["train", "test"], "c")
    document = json.loads(text)
    assert document["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    distributions = document["distribution"]
    assert [d["includes"] for d in distributions] == [
        "data/*.parquet",
        "quotes/*.parquet",
        "speakers/*.parquet",
    ]
    assert {d["encodingFormat"] for d in distributions} == {"application/x-parquet"}


@pytest.mark.parametrize("config", ["quotes", "speakers"])
def test_mlcroissant_loads_the_derived_configs_record_sets(config: str, corpus: Path) -> None:
    """The task-ready configs are record sets too: every row, in its file's split."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        split: info["num_examples"] for split, info in manifest["configs"][config]["splits"].items()
    }
    dataset = mlc.Dataset(jsonld=str(corpus / CROISSANT_FILE_NAME))
    records = list(dataset.records(record_set=config))
    by_split = Counter(r[f"{config}/file_split"].decode() for r in records)
    assert dict(by_split) == expected and sum(expected.values()) > 0
    assert {r[f"{config}/split"].decode() for r in records} == set(expected)
