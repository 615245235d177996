"""Corpus statistics, accumulated record by record (constant memory per distinct speaker).

The same figures feed the build summary, the datasheet's generated section, the dataset
card and `newscorpus stats`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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
    # The published record with the smallest id, abridged: the card's example.
    example: dict[str, Any] | None = None

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
        if self.example is None or record["id"] < self.example["id"]:
            self.example = {k: record[k] for k in ("id", "source", "headline", "subheadlines")}
            self.example["quotes"] = record["quotes"][:1]
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
        }
