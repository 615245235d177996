"""Corpus statistics, accumulated record by record (constant memory per distinct speaker).

The same figures feed the build summary, the datasheet's generated section, the dataset
card and `newscorpus stats`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscorpus.publish.plots import LENGTH_PLOT_STEP

# Histogram bin edges (upper bounds, inclusive) for body length in characters.
LENGTH_BINS = (500, 1_000, 2_000, 4_000, 8_000, 16_000)
QUOTE_BINS = (0, 1, 2, 3, 5, 10, 20)
TOP_SPEAKERS = 10


def _bin_label(value: int, bins: tuple[int, ...]) -> str:
    previous = None
    for bound in bins:
        if value <= bound:
            if previous is None:
                return f"≤{bound}" if bound else "0"
            return f"{previous + 1}–{bound}" if previous + 1 != bound else str(bound)
        previous = bound
    return f">{bins[-1]}"


def _bin_labels(bins: tuple[int, ...]) -> list[str]:
    samples = [b for b in bins] + [bins[-1] + 1]
    return list(dict.fromkeys(_bin_label(v, bins) for v in samples))


@dataclass
class CorpusStats:
    """Running counts over published records."""

    records: int = 0
    per_split: Counter[str] = field(default_factory=Counter)
    per_source: Counter[str] = field(default_factory=Counter)
    quotes: int = 0
    quotes_with_speaker: int = 0
    quotes_per_article: Counter[str] = field(default_factory=Counter)
    body_chars: Counter[str] = field(default_factory=Counter)
    speakers: Counter[str] = field(default_factory=Counter)
    # Exact quotes per article and body length by LENGTH_PLOT_STEP bucket: the plots'
    # data (the tables above use coarser, labelled bins).
    quote_counts: Counter[int] = field(default_factory=Counter)
    length_buckets: Counter[int] = field(default_factory=Counter)
    # The published record with the smallest id, abridged: the card's example.
    example: dict[str, Any] | None = None
    # The same record in full, and the first quote of the smallest-id record that has
    # one: the card's field reference takes its example values from them.
    example_record: dict[str, Any] | None = None
    example_quote: dict[str, Any] | None = None
    _example_quote_id: str | None = None

    def add(self, record: dict[str, Any], split: str) -> None:
        """Count one published record."""
        self.records += 1
        self.per_split[split] += 1
        self.per_source[record["source"]] += 1
        quotes = record["quotes"]
        self.quotes += len(quotes)
        self.quotes_with_speaker += sum(1 for q in quotes if q["speaker"])
        self.quotes_per_article[_bin_label(len(quotes), QUOTE_BINS)] += 1
        self.body_chars[_bin_label(len(record["body"]), LENGTH_BINS)] += 1
        self.quote_counts[len(quotes)] += 1
        self.length_buckets[len(record["body"]) // LENGTH_PLOT_STEP * LENGTH_PLOT_STEP] += 1
        if self.example is None or record["id"] < self.example["id"]:
            self.example = {k: record[k] for k in ("id", "source", "headline", "subheadlines")}
            self.example["quotes"] = record["quotes"][:1]
            self.example_record = dict(record)
        if quotes and (self._example_quote_id is None or record["id"] < self._example_quote_id):
            self._example_quote_id = record["id"]
            self.example_quote = dict(quotes[0])
        for speaker in record["speakers"]:
            self.speakers[speaker["name"]] += speaker["quote_count"]

    def as_dict(self) -> dict[str, Any]:
        """Return the figures as plain, deterministically ordered JSON data."""
        top = sorted(self.speakers.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SPEAKERS]
        return {
            "records": self.records,
            "per_split": {s: self.per_split[s] for s in ("train", "validation", "test")},
            "per_source": dict(sorted(self.per_source.items())),
            "quotes": self.quotes,
            "quotes_with_speaker": self.quotes_with_speaker,
            "quotes_per_article": {k: self.quotes_per_article[k] for k in _bin_labels(QUOTE_BINS)},
            "body_chars": {k: self.body_chars[k] for k in _bin_labels(LENGTH_BINS)},
            "top_speakers": [{"name": n, "quotes": c} for n, c in top],
            "example": self.example,
            "example_record": self.example_record,
            "example_quote": self.example_quote,
        }

    def figures(self) -> dict[str, Any]:
        """Return only the figures (no example records): what `newscorpus stats` prints."""
        shown = self.as_dict()
        for key in ("example", "example_record", "example_quote"):
            del shown[key]
        return shown


def collect(folder: str | Path) -> tuple[CorpusStats, dict[str, Any]]:
    """Recount a published folder from its Parquet files and its ledger.

    Returns the statistics and the ledger summary; both are computed from the data, not
    copied from the manifest, so comparing them with the manifest checks the build.
    """
    import pyarrow.parquet as pq

    from newscorpus.publish.folder import LEDGER_FILE_NAME, published_shards
    from newscorpus.record.ledger import summarize
    from newscorpus.record.schema import from_arrow_row

    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder")
    stats = CorpusStats()
    for split, path in published_shards(root):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                stats.add(from_arrow_row(row), split)
    entries = []
    ledger_path = root / LEDGER_FILE_NAME
    if ledger_path.is_file():
        with ledger_path.open(encoding="utf-8") as handle:
            entries = [json.loads(line) for line in handle if line.strip()]
    return stats, summarize(entries)


def published_figures(folder: str | Path) -> dict[str, Any]:
    """Return the figures of a published folder as JSON data (`newscorpus stats --json`)."""
    stats, ledger = collect(folder)
    return {**stats.figures(), "ledger": ledger}


def figures_tables(figures: dict[str, Any]) -> list[Any]:
    """Return the figures of `published_figures` as rich tables, in datasheet order."""
    from rich.table import Table

    def table(title: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Table:
        shown = Table(title=title, title_justify="left")
        for index, header in enumerate(headers):
            shown.add_column(header, justify="left" if index == 0 else "right")
        for row in rows:
            shown.add_row(*(str(cell) for cell in row))
        return shown

    ledger = figures["ledger"]
    outcomes = ledger["outcomes"]
    reasons = [("rejected", r, c) for r, c in ledger["rejects_by_reason"].items()]
    reasons += [("duplicate", r, c) for r, c in ledger["duplicates_by_reason"].items()]
    return [
        table(
            "Inputs and outcomes",
            ("ledger entries", "records", "duplicates", "rejected", "excluded"),
            [
                (
                    ledger["entries"],
                    outcomes["record"],
                    outcomes["duplicate"],
                    outcomes["rejected"],
                    # Corpora published before the `excluded` outcome lack the key.
                    outcomes.get("excluded", 0),
                )
            ],
        ),
        table("Records per split", ("split", "records"), list(figures["per_split"].items())),
        table("Records per source", ("source", "records"), list(figures["per_source"].items())),
        table(
            f"Quotations: {figures['quotes']}, {figures['quotes_with_speaker']} with a speaker",
            ("quotes per article", "articles"),
            list(figures["quotes_per_article"].items()),
        ),
        table(
            "Top speakers",
            ("speaker", "quotes"),
            [(s["name"], s["quotes"]) for s in figures["top_speakers"]],
        ),
        table(
            "Body length (characters)", ("length", "articles"), list(figures["body_chars"].items())
        ),
        table(
            "Rejects and duplicates by reason",
            ("outcome", "reason", "count"),
            reasons or [("none", "", 0)],
        ),
    ]
