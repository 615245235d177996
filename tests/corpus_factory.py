"""Helpers that lay out raw/ folders for tests (generated, never written into the repo)."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from newscorpus.synthetic import render_donga_page, synthetic_file_name

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "raw" / "donga" / "000_50823aa4b1df31b8.txt"

_WORDS = [
    "defense",
    "ministry",
    "talks",
    "policy",
    "navy",
    "summit",
    "trade",
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
    "harbour",
    "bridge",
    "network",
    "village",
    "farmers",
    "weather",
    "storm",
    "river",
    "energy",
    "prices",
    "school",
    "teachers",
    "union",
    "hospital",
    "doctors",
    "police",
    "city",
    "mayor",
    "festival",
    "museum",
    "artist",
    "train",
    "station",
    "airport",
    "pilots",
    "factory",
    "workers",
    "wages",
    "bank",
    "rates",
    "housing",
    "tenants",
    "rent",
    "science",
    "satellite",
    "launch",
    "ocean",
    "fishing",
]


def make_raw(root: Path, with_seed: bool = True) -> Path:
    """Create `root/raw` with the repo's registry (and the seed); return its path."""
    raw = root / "raw"
    (raw / "donga").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "raw" / "sources.toml", raw / "sources.toml")
    if with_seed:
        shutil.copy(SEED, raw / "donga" / SEED.name)
    return raw


def _sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(length)]
    return " ".join(words).capitalize() + "."


def synthetic_article(index: int) -> str:
    """Return a distinct article page in the seed's format, quotes included.

    Word choice is drawn from a PRNG seeded by `index`, so pages are reproducible and far
    from each other (no near-duplicates), like real articles.
    """
    rng = random.Random(index)
    paragraphs = [
        f"Article {index}: " + " ".join(_sentence(rng, 12) for _ in range(3)),
        f"“{_sentence(rng, 10)[:-1]},” the Ministry of {rng.choice(_WORDS).title()} said.",
        " ".join(_sentence(rng, 14) for _ in range(3)),
        f"The {rng.choice(_WORDS)} council added, “{_sentence(rng, 9)}”",
    ]
    return render_donga_page(
        f"Story {index}: {_sentence(rng, 6)[:-1]}",
        [f"Deck line {index}", _sentence(rng, 5)[:-1]],
        paragraphs,
    )


def add_synthetic(raw: Path, count: int) -> list[Path]:
    """Write `count` distinct synthetic articles into raw/donga/; return their paths."""
    paths = []
    for index in range(count):
        text = synthetic_article(index)
        path = raw / "donga" / synthetic_file_name(index, text)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
