"""Checking the dataset card's features and split sizes, and croissant.json."""

from __future__ import annotations

import json
from pathlib import Path

from newscorpus.check.records import ValidationReport
from newscorpus.publish.folder import (
    CARD_FILE_NAME,
    read_card_metadata,
)
from newscorpus.record.records import (
    Problem,
)
from newscorpus.record.schema import expected_card_features


def check_card(folder: Path, counts: dict[str, int], report: ValidationReport) -> None:
    """The card's features, split sizes and declared splits must agree with the schema
    and with `counts` (rows per split in the Parquet files); problems go to `report`."""
    path = folder / CARD_FILE_NAME
    try:
        metadata = read_card_metadata(path)
    except (OSError, ValueError) as exc:
        report.problems.append(Problem(CARD_FILE_NAME, None, "", f"unreadable card: {exc}"))
        return
    info = metadata.get("dataset_info", {})
    if info.get("features") != expected_card_features():
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/dataset_info/features",
                "features disagree with the Parquet schema",
            )
        )
    card_counts = {s.get("name"): s.get("num_examples") for s in info.get("splits", [])}
    if card_counts != counts:
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/dataset_info/splits",
                f"split sizes {card_counts} differ from {counts}",
            )
        )
    configs = metadata.get("configs", [])
    declared = {d.get("split") for c in configs for d in c.get("data_files", [])}
    if declared != set(counts):
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/configs",
                f"declares splits {sorted(declared)}, data has {sorted(counts)}",
            )
        )


def check_croissant(folder: Path, report: ValidationReport) -> None:
    """croissant.json, when present, must be a JSON-LD object with record sets.

    Only that it parses: `tests/test_croissant.py` validates and loads it with mlcroissant,
    too heavy a dependency for every validation.
    """
    path = folder / "croissant.json"
    if not path.is_file():
        return
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.problems.append(Problem("croissant.json", None, "", f"unreadable: {exc}"))
        return
    if not isinstance(document, dict) or not document.get("recordSet"):
        report.problems.append(Problem("croissant.json", None, "", "no Croissant record sets"))
