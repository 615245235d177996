"""Split assignment: a stable hash of the article id into 80/10/10 buckets.

The bucket depends on the id alone, so adding or removing other articles never moves an
existing article to another split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

SPLITS = ("train", "validation", "test")
# Upper bucket bounds (exclusive) out of 100, in SPLITS order.
_BOUNDS = (80, 90, 100)


def split_bucket(key: str) -> int:
    """Return the bucket (0-99) of a key: sha256 of the key, first 8 bytes, modulo 100."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100


def assign_split(key: str) -> str:
    """Return the split ('train', 'validation' or 'test') of an article id or cluster key.

    >>> assign_split("donga-724ffc14e03e3d2e") in SPLITS
    True
    """
    bucket = split_bucket(key)
    for name, bound in zip(SPLITS, _BOUNDS, strict=True):
        if bucket < bound:
            return name
    raise AssertionError("unreachable: bucket < 100")


def all_in_split(keys: Sequence[str], split: str) -> bool:
    """Return True when every key hashes to `split` (`assign_split`, vectorised).

    >>> all_in_split(["donga-724ffc14e03e3d2e"], assign_split("donga-724ffc14e03e3d2e"))
    True
    """
    heads = b"".join([hashlib.sha256(key.encode("utf-8")).digest()[:8] for key in keys])
    buckets = np.frombuffer(heads, dtype=">u8") % 100
    position = SPLITS.index(split)
    low = _BOUNDS[position - 1] if position else 0
    high = _BOUNDS[position]
    return bool(((buckets >= low) & (buckets < high)).all())
