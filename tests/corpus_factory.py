"""Helpers that lay out raw/ folders for tests (generated, never written into the repo)."""

from __future__ import annotations

import shutil
from pathlib import Path

from newscorpus.synthetic import render_donga_page, synthetic_file_name

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "raw" / "donga" / "000_50823aa4b1df31b8.txt"

_WORDS = (
    "defense ministry talks policy navy summit trade council minister budget election "
    "court ruling market export agency report province harbour bridge network"
).split()


def make_raw(root: Path, with_seed: bool = True) -> Path:
    """Create `root/raw` with the repo's registry (and the seed); return its path."""
    raw = root / "raw"
    (raw / "donga").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "raw" / "sources.toml", raw / "sources.toml")
    if with_seed:
        shutil.copy(SEED, raw / "donga" / SEED.name)
    return raw


def synthetic_article(index: int) -> str:
    """Return a distinct article page in the seed's format, quotes included."""
    words = [_WORDS[(index * 7 + k * 3) % len(_WORDS)] for k in range(12)]
    paragraphs = [
        f"Article {index} reports that the {words[0]} and the {words[1]} met on day {index % 28}.",
        f"“We will keep talking about the {words[2]},” the Ministry of {words[3].title()} said.",
        f"Officials said the {words[4]} {words[5]} would continue next {words[6]}.",
        f"The {words[7]} {words[8]} added, “Our position on the {words[9]} is unchanged.”",
    ]
    return render_donga_page(
        f"Story {index}: {words[10]} {words[11]} resume",
        [f"Deck line {index}", "Second deck line"],
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
