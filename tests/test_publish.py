"""The published folder as a dataset repository: card, datasheet, plots, manifest.

Acceptance: `load_dataset(folder)` offline applies the card's features and split sizes,
which agree with the Parquet files; a rebuild reproduces the datasheet's generated
section and the plots byte for byte.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from corpus_factory import REPO, add_synthetic, make_raw

import newscorpus
from newscorpus.publish.card import (
    DATASHEET_BEGIN,
    DATASHEET_END,
    QUOTE_BASELINE_PATH,
    fill_datasheet,
)
from newscorpus.publish.folder import read_card_metadata, sha256_file
from newscorpus.publish.report import accuracy_markdown, card_body, field_rows
from newscorpus.publish.stats import CorpusStats

TEMPLATE = (
    "# Datasheet\n\nHand-written answer.\n\n"
    + DATASHEET_BEGIN
    + "\nold\n"
    + DATASHEET_END
    + "\n\nTail.\n"
)
GENERATED_FILES = (
    "figures/article_lengths.svg",
    "figures/quotes_per_article.svg",
    "croissant.json",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50-article corpus (all three splits), built with a datasheet template."""
    root = tmp_path_factory.mktemp("publish")
    raw = make_raw(root)
    add_synthetic(raw, 49)
    (root / "DATASHEET.md").write_text(TEMPLATE, encoding="utf-8")
    out = root / "processed"
    newscorpus.build(raw, out, workers=1, datasheet=root / "DATASHEET.md")
    return out


def _parquet_counts(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        split = path.name.split("-", 1)[0]
        counts[split] = counts.get(split, 0) + pq.read_metadata(path).num_rows
    return counts


@pytest.mark.parametrize("which", ["fresh", "committed"])
def test_load_dataset_uses_the_cards_features_and_split_sizes(which: str, corpus: Path) -> None:
    from datasets import Features, load_dataset

    folder = corpus if which == "fresh" else REPO / "processed"
    card = read_card_metadata(folder / "README.md")
    (info,) = [i for i in card["dataset_info"] if i["config_name"] == "default"]
    declared = Features._from_yaml_list(info["features"])
    for path in (folder / "data").glob("*.parquet"):
        on_disk = Features.from_arrow_schema(pq.read_schema(path))
        assert on_disk == declared, f"{path.name}: Parquet schema differs from the card"
    card_counts = {s["name"]: s["num_examples"] for s in info["splits"]}
    assert card_counts == _parquet_counts(folder)
    (default,) = [c for c in card["configs"] if c["config_name"] == "default"]
    assert {d["split"] for d in default["data_files"]} == set(card_counts)
    dataset = load_dataset(str(folder))
    assert {split: len(ds) for split, ds in dataset.items()} == card_counts
    for ds in dataset.values():
        assert ds.features == declared


def test_card_metadata_is_complete(corpus: Path) -> None:
    card = read_card_metadata(corpus / "README.md")
    for key in (
        "pretty_name",
        "license",
        "license_name",
        "license_link",
        "language",
        "task_categories",
        "task_ids",
        "size_categories",
        "annotations_creators",
        "source_datasets",
        "configs",
        "dataset_info",
    ):
        assert card.get(key), key
    assert card["license"] == "other"
    assert (corpus / card["license_link"]).is_file()  # a link inside the folder
    assert card["annotations_creators"] == ["machine-generated"]
    assert [i["config_name"] for i in card["dataset_info"]] == ["default", "quotes", "speakers"]
    assert all(s["num_bytes"] > 0 for i in card["dataset_info"] for s in i["splits"])


def test_card_body_documents_every_field_with_an_example(corpus: Path) -> None:
    text = (corpus / "README.md").read_text(encoding="utf-8")
    rows = field_rows()
    assert any(row[0] == "`quotes[].speaker`" for row in rows)
    assert any(row[0] == "`speakers[].quote_count`" for row in rows)
    for row in rows:
        assert f"| {row[0]} |" in text, row[0]
    table = [line for line in text.splitlines() if line.startswith("| `quotes[].text` |")]
    assert table and "—" not in table[0].split("|")[3], "no example value from the data"
    for needle in (
        'load_dataset("<user>/newscorpus")',
        "hf upload <user>/newscorpus processed . --repo-type dataset",
        "upload_folder",
        "@misc{newscorpus",
        "## Known limitations",
        "figures/article_lengths.svg",
    ):
        assert needle in text, needle


def test_card_reports_the_pinned_accuracy_or_says_it_is_absent(corpus: Path) -> None:
    text = (corpus / "README.md").read_text(encoding="utf-8")
    if QUOTE_BASELINE_PATH.is_file():
        baseline = json.loads(QUOTE_BASELINE_PATH.read_text(encoding="utf-8"))
        sets = baseline["sets"]
        assert sets
        for figures in sets.values():
            assert f"{figures['speaker']:.3f}" in text
        # Dev-set figures first, training figures labelled as such.
        section = text.split("### Measured accuracy", 1)[1]
        assert section.index("PolNeAR dev") < section.index("PolNeAR train \\(840")
        assert "training data" in text
    assert "No measurement" in accuracy_markdown(None)
    assert "—" in accuracy_markdown({"sets": {"polnear_dev": {"data": "held out"}}})
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert "No measurement" in card_body(manifest, CorpusStats().as_dict(), [], None)


def test_manifest_lists_croissant_and_plots_with_their_sha256(corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for name in GENERATED_FILES:
        assert manifest["files"][name]["sha256"] == sha256_file(corpus / name), name
    assert newscorpus.validate(corpus).ok


def test_datasheet_keeps_hand_written_text_and_fills_the_section(corpus: Path) -> None:
    sheet = (corpus / "DATASHEET.md").read_text(encoding="utf-8")
    assert sheet.startswith("# Datasheet\n\nHand-written answer.\n")
    assert sheet.endswith(DATASHEET_END + "\n\nTail.\n")
    section = sheet.split(DATASHEET_BEGIN, 1)[1].split(DATASHEET_END, 1)[0]
    for heading in (
        "Records per split",
        "Records per source",
        "Quotations",
        "Top speakers",
        "Body length",
        "Rejects and duplicates",
        "figures/quotes_per_article.svg",
    ):
        assert heading in section, heading
    assert fill_datasheet(sheet, "new") == fill_datasheet(TEMPLATE, "new")


def test_rebuild_reproduces_datasheet_plots_and_croissant_byte_for_byte(
    corpus: Path, tmp_path: Path
) -> None:
    raw = make_raw(tmp_path)
    add_synthetic(raw, 49)
    template = corpus.parent / "DATASHEET.md"
    again = tmp_path / "again"
    newscorpus.build(raw, again, workers=2, datasheet=template)
    for name in (*GENERATED_FILES, "DATASHEET.md", "README.md", "manifest.json"):
        assert (again / name).read_bytes() == (corpus / name).read_bytes(), name


def test_plots_carry_no_date_and_are_valid_svg(corpus: Path) -> None:
    for name in GENERATED_FILES[:2]:
        svg = (corpus / name).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
        assert "<dc:date>" not in svg
        assert not re.search(r"20\d\d-\d\d-\d\dT", svg)
