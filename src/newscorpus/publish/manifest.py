"""The manifest of a published folder, and writing everything besides the data into it.

Everything here is a pure function of the build's results (and of the quality gate's
pinned accuracy figures, which the card reports), so a rebuild reproduces the same
bytes: no timestamps, no machine paths, sorted keys where order is not meaningful.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newscorpus.publish.card import (
    card_metadata,
    fill_datasheet,
    load_quote_baseline,
    render_card,
)
from newscorpus.publish.croissant import croissant_metadata, dumps_croissant
from newscorpus.publish.folder import (
    CARD_FILE_NAME,
    CROISSANT_FILE_NAME,
    DATASHEET_FILE_NAME,
    LEDGER_FILE_NAME,
    MANIFEST_FILE_NAME,
    MANIFEST_NAME,
    sha256_file,
)
from newscorpus.publish.plots import write_plots
from newscorpus.publish.report import card_body, citation, datasheet_section
from newscorpus.record.schema import CONFIGS, DEFAULT_CONFIG, schema_version
from newscorpus.record.splits import SPLITS
from newscorpus.version import PIPELINE_VERSION

if TYPE_CHECKING:
    from newscorpus.publish.stats import CorpusStats
    from newscorpus.read.sources import Source


def _shards_info(
    out_dir: Path, split_files: dict[str, list[dict[str, Any]]], files: dict[str, Any]
) -> dict[str, Any]:
    """Per split with rows: its counts and files; every shard is added to `files`."""
    splits: dict[str, Any] = {}
    for split in SPLITS:
        shards = split_files.get(split, [])
        if not shards:
            continue
        splits[split] = {
            "num_examples": sum(s["num_rows"] for s in shards),
            "num_bytes": sum(s["num_bytes"] for s in shards),
            "files": [s["path"] for s in shards],
        }
        for shard in shards:
            files[shard["path"]] = {
                "sha256": sha256_file(out_dir / shard["path"]),
                "bytes": (out_dir / shard["path"]).stat().st_size,
                "num_rows": shard["num_rows"],
            }
    return splits


def build_manifest(
    out_dir: Path,
    config_files: dict[str, dict[str, list[dict[str, Any]]]],
    ledger_summary: dict[str, Any],
    files_found: int,
    extra_files: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Return the manifest: versions, counts per split and outcome, sha256 of every file.

    `config_files` maps each config ("default": the articles; "quotes", "speakers") to its
    shards per split, each `{"path", "num_rows", "num_bytes"}` with `path` relative to
    `out_dir`; the articles' go under `splits`, the derived configs' under `configs`.
    `extra_files` (relative paths: croissant.json, the plots) are listed with their
    sha256 and size.
    """
    files: dict[str, Any] = {}
    splits = _shards_info(out_dir, config_files[DEFAULT_CONFIG], files)
    configs = {
        config: {"splits": _shards_info(out_dir, config_files.get(config, {}), files)}
        for config in CONFIGS
        if config != DEFAULT_CONFIG
    }
    ledger_path = out_dir / LEDGER_FILE_NAME
    files[LEDGER_FILE_NAME] = {
        "sha256": sha256_file(ledger_path),
        "bytes": ledger_path.stat().st_size,
        "num_rows": ledger_summary["entries"],
    }
    for name in extra_files:
        files[name] = {
            "sha256": sha256_file(out_dir / name),
            "bytes": (out_dir / name).stat().st_size,
        }
    return {
        "name": MANIFEST_NAME,
        "schema_version": schema_version(),
        "pipeline_version": PIPELINE_VERSION,
        "files_found": files_found,
        "ledger": ledger_summary,
        "splits": splits,
        "configs": configs,
        "files": dict(sorted(files.items())),
    }


def dump_json(data: Any) -> str:
    """Serialize published JSON deterministically (sorted keys off: order is meaningful)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_publication(
    folder: Path,
    config_files: dict[str, dict[str, list[dict[str, Any]]]],
    ledger_summary: dict[str, Any],
    stats: CorpusStats,
    registry: dict[str, Source],
    files_found: int,
    datasheet_template: str | None,
    *,
    quote_baseline: Path | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the plots, croissant.json, manifest.json, the card and DATASHEET.md into `folder`.

    Takes what it writes: the data files' shards per config and split
    (`build_manifest`), the ledger's summary (`ledger.summarize`)
    and the corpus figures. Needs the data files and the ledger already in place (the
    manifest hashes them, and the plots and croissant.json, which are written first).
    `quote_baseline` names the accuracy figures the card reports (default: the quality
    gate's, when present). Returns (manifest, the figures as a dict).
    """
    figures = stats.as_dict()
    licences = sorted({source.licence for source in registry.values()})
    languages = sorted({source.language for source in registry.values()})
    splits = [split for split in SPLITS if config_files[DEFAULT_CONFIG].get(split)]
    versions = {"schema_version": schema_version(), "pipeline_version": PIPELINE_VERSION}
    extra = write_plots(folder, stats.length_buckets, stats.quote_counts)
    croissant = croissant_metadata(splits, citation(versions), languages)
    (folder / CROISSANT_FILE_NAME).write_text(dumps_croissant(croissant), encoding="utf-8")
    extra.append(CROISSANT_FILE_NAME)
    manifest = build_manifest(folder, config_files, ledger_summary, files_found, sorted(extra))
    (folder / MANIFEST_FILE_NAME).write_text(dump_json(manifest), encoding="utf-8")
    body = card_body(manifest, figures, licences, load_quote_baseline(quote_baseline))
    card = render_card(card_metadata(manifest, licences, languages), body)
    (folder / CARD_FILE_NAME).write_text(card, encoding="utf-8")
    sheet = fill_datasheet(
        datasheet_template or "# Datasheet\n", datasheet_section(manifest, figures)
    )
    (folder / DATASHEET_FILE_NAME).write_text(sheet, encoding="utf-8")
    return manifest, figures
