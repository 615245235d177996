"""`newscorpus stats`: figures recounted from the Parquet files and the ledger.

They must equal what the build wrote into the manifest (counts per split and outcome)
and what it put into the datasheet (the same CorpusStats, fed record by record).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from corpus_factory import add_synthetic, make_raw
from typer.testing import CliRunner

import newscorpus
from newscorpus.cli import app
from newscorpus.publish.stats import published_figures

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A corpus with all three splits, a duplicate and a reject."""
    root = tmp_path_factory.mktemp("stats")
    raw = make_raw(root)
    paths = add_synthetic(raw, 40)
    shutil.copy(paths[0], raw / "donga" / "zz_copy_of_first.txt")  # an exact duplicate
    (raw / "donga" / "zz_empty.txt").write_bytes(b"")  # rejected: empty
    out = root / "processed"
    result = newscorpus.build(raw, out, workers=1)
    return out, result


def test_stats_json_equals_the_manifest(built: tuple[Path, Any]) -> None:
    out, _ = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["stats", str(out), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["ledger"] == manifest["ledger"]
    assert manifest["ledger"]["outcomes"]["duplicate"] >= 1
    assert manifest["ledger"]["outcomes"]["rejected"] >= 1
    published = {s: i["num_examples"] for s, i in manifest["splits"].items()}
    assert {s: n for s, n in figures["per_split"].items() if n} == published
    assert set(published) == {"train", "validation", "test"}
    assert figures["records"] == sum(published.values())
    assert figures["records"] == manifest["ledger"]["outcomes"]["record"]


def test_recount_equals_the_build_time_figures(built: tuple[Path, Any]) -> None:
    out, result = built
    at_build = {k: v for k, v in result.stats.items() if not k.startswith("example")}
    assert published_figures(out) == {**at_build, "ledger": result.manifest["ledger"]}


def test_stats_tables_name_every_figure(built: tuple[Path, Any]) -> None:
    out, _ = built
    result = runner.invoke(app, ["stats", str(out)])
    assert result.exit_code == 0, result.output
    for title in ("Records per split", "Records per source", "Top speakers", "Body length"):
        assert title in result.output


def test_stats_of_a_missing_folder_exits_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["stats", str(tmp_path / "absent")]).exit_code == 2
