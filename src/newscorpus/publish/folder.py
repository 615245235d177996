"""What a published folder is, what stands beside it, and which folders a build may replace.

A build publishes into `OUT` and keeps, beside it, only what this module names:

- `.OUT.lock`: the lock that keeps two builds off one output (it stays: removing a lock
  file another build may be waiting on would break the lock);
- `.OUT.cache/`: the incremental build cache of that output (one per output, so builds
  of different outputs in one folder never share a database);
- `.OUT.build-*` and `.OUT.old`: transient, removed when a build ends (and by the next
  build if one was killed).

A build may replace `OUT` only when it is absent, an empty folder, or a folder this tool
published (its manifest says so); it refuses anything else before doing any work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from newscorpus.errors import UsageError
from newscorpus.record.splits import SPLITS

# What a published folder holds (all paths relative to it).
DATA_DIR = "data"
MANIFEST_FILE_NAME = "manifest.json"
CARD_FILE_NAME = "README.md"
DATASHEET_FILE_NAME = "DATASHEET.md"
LEDGER_FILE_NAME = "inputs.jsonl"
CROISSANT_FILE_NAME = "croissant.json"
ARTICLE_LENGTHS_FIGURE = "figures/article_lengths.svg"
QUOTES_PER_ARTICLE_FIGURE = "figures/quotes_per_article.svg"
# The manifest's `name`: what marks a folder as one this tool published.
MANIFEST_NAME = "newscorpus"


def config_dir(config: str) -> str:
    """The folder of a config's Parquet shards: `data/` for the articles ("default"),
    the config's name for a derived one (`quotes/`, `speakers/`)."""
    return DATA_DIR if config == "default" else config


def shard_name(split: str, index: int, count: int) -> str:
    """Return the Hub-style file name of one shard under `data/`:
    `{split}-NNNNN-of-NNNNN.parquet`."""
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_card_metadata(card_path: Path) -> dict[str, Any]:
    """Parse the YAML front matter of a dataset card."""
    text = card_path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{card_path}: no YAML front matter")
    end = text.index("\n---\n", 4)
    # libyaml's loader when PyYAML has it: the card's front matter lists every config's
    # features, ≈ 50 ms to parse in pure Python, a few in C (same safe subset).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = yaml.load(text[4:end], Loader=loader)
    if not isinstance(loaded, dict):
        raise ValueError(f"{card_path}: front matter is not a mapping")
    return loaded


def published_shards(folder: Path) -> list[tuple[str, Path]]:
    """Return (split, path) of every Parquet shard of a published folder, in split order.

    The manifest names the shards; without one, the Hub-style file names
    (`data/{split}-NNNNN-of-NNNNN.parquet`) do.
    """
    manifest_path = folder / MANIFEST_FILE_NAME
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        return [
            (split, folder / name)
            for split, info in manifest.get("splits", {}).items()
            for name in info.get("files", [])
        ]
    shards = []
    for split in SPLITS:
        shards += [(split, path) for path in sorted((folder / DATA_DIR).glob(f"{split}-*.parquet"))]
    return shards


class UnsafeOutputError(UsageError):
    """`--out` (or `--cache`) names a place a build must not write to; nothing was touched."""


def lock_path(out_dir: Path) -> Path:
    """Return the lock file of builds into `out_dir`."""
    return out_dir.parent / f".{out_dir.name}.lock"


def default_cache_path(out_dir: Path) -> Path:
    """Return the default incremental-cache folder of builds into `out_dir`."""
    return out_dir.absolute().parent / f".{out_dir.name}.cache"


def staging_prefix(out_dir: Path) -> str:
    """Return the name prefix of the folders a build stages `out_dir` in (beside it)."""
    return f".{out_dir.name}.build-"


def aside_path(out_dir: Path) -> Path:
    """Return where the old `out_dir` waits during a swap without RENAME_EXCHANGE."""
    return out_dir.parent / f".{out_dir.name}.old"


def read_published_manifest(folder: Path) -> dict[str, Any] | None:
    """Return the manifest of a folder this tool published, or None when it is not one.

    A folder counts as published when its `manifest.json` parses, names this tool and
    lists splits and files: a folder of the user's that merely holds some JSON does not.
    """
    try:
        data = json.loads((folder / MANIFEST_FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        isinstance(data, dict)
        and data.get("name") == MANIFEST_NAME
        and isinstance(data.get("splits"), dict)
        and isinstance(data.get("files"), dict)
    ):
        return data
    return None


def published_record_count(manifest: dict[str, Any]) -> int:
    """Return how many records a published folder's manifest says it holds."""
    total = 0
    for split in manifest.get("splits", {}).values():
        if isinstance(split, dict) and isinstance(split.get("num_examples"), int):
            total += split["num_examples"]
    return total


def is_published_folder(folder: Path) -> bool:
    """Return True when `folder` is a corpus this tool published."""
    return folder.is_dir() and read_published_manifest(folder) is not None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def refuse_unless_replaceable(
    out: Path, is_own: Callable[[Path], bool], not_a_folder: str, foreign: str
) -> None:
    """Refuse (UnsafeOutputError) an output folder that is not absent, empty, or one
    `is_own` recognises as this tool's own (which may be replaced); `not_a_folder` and
    `foreign` finish the messages for a file and for someone else's folder."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise UnsafeOutputError(
            f"output {out} exists and is not a folder; {not_a_folder}: choose another --out"
        )
    if is_own(out):
        return
    try:
        empty = next(out.iterdir(), None) is None
    except OSError as exc:
        raise UnsafeOutputError(f"output {out} cannot be listed: {exc}") from exc
    if not empty:
        raise UnsafeOutputError(
            f"output {out} is a folder that is neither empty nor {foreign}: choose a new or "
            "empty folder"
        )


def check_output_folder(out_dir: Path, raw_dir: Path, cache_dir: Path | None = None) -> None:
    """Refuse an output a build must not replace; raise UnsafeOutputError saying why.

    Allowed: a path that does not exist, an empty folder, a folder this tool published.
    Refused: a regular file (or anything not a folder), any other folder (someone's
    notes), an output inside the raw folder or holding it (the next build would read its
    own output as input, or the swap would replace the input), a cache inside the raw
    folder.
    """
    out_abs, raw_abs = out_dir.resolve(), raw_dir.resolve()
    if _inside(out_abs, raw_abs):
        raise UnsafeOutputError(
            f"output {out_dir} is inside the raw folder {raw_dir}: the next build would read "
            "it as input; choose a folder outside it"
        )
    if _inside(raw_abs, out_abs):
        raise UnsafeOutputError(
            f"the raw folder {raw_dir} is inside the output {out_dir}, which a build "
            "replaces whole; choose an output outside it"
        )
    if cache_dir is not None and _inside(cache_dir.resolve(), raw_abs):
        raise UnsafeOutputError(
            f"cache {cache_dir} is inside the raw folder {raw_dir}: the next build would "
            "read it as input; choose a folder outside it"
        )
    refuse_unless_replaceable(
        out_dir,
        lambda folder: read_published_manifest(folder) is not None,
        "a build publishes a folder there and will not replace it",
        f"a corpus this tool published (no {MANIFEST_FILE_NAME} naming {MANIFEST_NAME}); a "
        "build replaces its output whole, so it will not touch this one",
    )
