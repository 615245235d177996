"""Checking the dataset card's features and split sizes, and croissant.json."""

from __future__ import annotations

import json
from pathlib import Path

from newscorpus.check.records import ValidationReport
from newscorpus.publish.folder import (
    CARD_FILE_NAME,
    config_dir,
    read_card_metadata,
)
from newscorpus.record.records import (
    Problem,
)
from newscorpus.record.schema import CONFIGS, DEFAULT_CONFIG, expected_card_features


def check_card(folder: Path, counts: dict[str, dict[str, int]], report: ValidationReport) -> None:
    """The card's configs must be the schema's ("default", "quotes", "speakers"), each
    with the features its JSON Schema gives and the split sizes of `counts` (per config,
    rows per split in its Parquet files); problems go to `report`."""
    path = folder / CARD_FILE_NAME
    try:
        metadata = read_card_metadata(path)
    except (OSError, ValueError) as exc:
        report.problems.append(Problem(CARD_FILE_NAME, None, "", f"unreadable card: {exc}"))
        return
    infos = metadata.get("dataset_info", [])
    infos = infos if isinstance(infos, list) else [infos]
    by_config = {info.get("config_name", DEFAULT_CONFIG): info for info in infos}
    declared = {c.get("config_name"): c for c in metadata.get("configs", [])}
    if set(by_config) != set(CONFIGS) or set(declared) != set(CONFIGS):
        report.problems.append(
            Problem(
                CARD_FILE_NAME,
                None,
                "/configs",
                f"declares configs {sorted(map(str, declared))} with features for "
                f"{sorted(map(str, by_config))}, not {list(CONFIGS)}",
            )
        )
    for config in CONFIGS:
        info = by_config.get(config, {})
        where = f"/dataset_info/{config}"
        if info.get("features") != expected_card_features(config):
            report.problems.append(
                Problem(
                    CARD_FILE_NAME,
                    None,
                    f"{where}/features",
                    "features disagree with the Parquet schema",
                )
            )
        expected = counts.get(config, {})
        card_counts = {s.get("name"): s.get("num_examples") for s in info.get("splits", [])}
        if card_counts != expected:
            report.problems.append(
                Problem(
                    CARD_FILE_NAME,
                    None,
                    f"{where}/splits",
                    f"split sizes {card_counts} differ from {expected}",
                )
            )
        files = declared.get(config, {}).get("data_files", [])
        splits = {d.get("split") for d in files}
        paths = {d.get("path") for d in files}
        wanted = {f"{config_dir(config)}/{split}-*.parquet" for split in expected}
        if splits != set(expected) or paths != wanted:
            report.problems.append(
                Problem(
                    CARD_FILE_NAME,
                    None,
                    f"/configs/{config}",
                    f"declares splits {sorted(map(str, splits))} at {sorted(map(str, paths))},"
                    f" data has {sorted(expected)}",
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
