"""The annotator's word lists, read from the data files under `lexicon/`.

Word lists are data, not code: `lexicon/attribution_words.json` (reporting verbs,
adverbs, titles, roles, organisation and group nouns, time and circumstance words, …)
and `lexicon/quote_words.json` (abbreviations, title contexts, speech cues, …), each a
mapping from a list's name to its words. A list is read once per process.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LEXICON = Path(__file__).resolve().parent / "lexicon"
_FILES = ("attribution_words.json", "quote_words.json")


@cache
def _lists() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for name in _FILES:
        data = json.loads((LEXICON / name).read_text(encoding="utf-8"))
        for key, words in data.items():
            if key in merged:
                raise ValueError(f"word list {key!r} is defined in two lexicon files")
            merged[key] = words
    return merged


def word_list(name: str) -> list[str]:
    """The words of list `name`, in file order (a new list each call)."""
    return list(_lists()[name])


def word_set(name: str) -> frozenset[str]:
    """The words of list `name` as a frozenset."""
    return frozenset(_lists()[name])


@cache
def lexicon_data(name: str) -> dict[str, Any]:
    """The whole data file `lexicon/<name>.json` (a mapping), read once per process."""
    data: dict[str, Any] = json.loads((LEXICON / f"{name}.json").read_text(encoding="utf-8"))
    return data
