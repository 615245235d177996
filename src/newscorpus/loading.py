"""Load a published corpus with Hugging Face `datasets`, offline by construction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The configs a published folder declares in its card (`record.schema.CONFIGS`; spelled
# out here so that `import newscorpus` stays free of pyarrow).
CONFIGS = ("default", "quotes", "speakers")


def load(
    path: str | Path = "processed",
    split: str | None = None,
    streaming: bool = False,
    config: str = "default",
) -> Any:
    """Return `datasets.load_dataset(path, config, split=split, streaming=streaming)` for a
    local folder.

    `config`: "default" (one row per article), "quotes" (one row per quotation, with the
    paragraph it sits in) or "speakers" (one row per speaker of an article, with its
    quotations' ids). The path is checked first: `datasets` treats a missing local path
    as a Hub id and, offline, reports a connection error instead of "not found". The
    card's declared features apply.
    """
    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}: one of {', '.join(CONFIGS)}")
    folder = Path(path)
    if not (folder / "README.md").is_file() or not (folder / "data").is_dir():
        raise FileNotFoundError(
            f"{folder} is not a published newscorpus folder (no README.md/data)"
        )
    from datasets import load_dataset

    return load_dataset(str(folder), config, split=split, streaming=streaming)
