"""Load a published corpus with Hugging Face `datasets`, offline by construction."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load(path: str | Path = "processed", split: str | None = None, streaming: bool = False) -> Any:
    """Return `datasets.load_dataset(path, split=split, streaming=streaming)` for a local folder.

    The path is checked first: `datasets` treats a missing local path as a Hub id and, offline,
    reports a connection error instead of "not found". The card's declared features apply.
    """
    folder = Path(path)
    if not (folder / "README.md").is_file() or not (folder / "data").is_dir():
        raise FileNotFoundError(
            f"{folder} is not a published newscorpus folder (no README.md/data)"
        )
    from datasets import load_dataset

    return load_dataset(str(folder), split=split, streaming=streaming)
