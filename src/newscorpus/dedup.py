"""Near-duplicate detection: MinHash signatures (in the worker) and a compact LSH index.

Exact duplicates (same whitespace-collapsed body) are found by `pipeline.text_key`. Near
duplicates are bodies whose word 5-gram sets have a Jaccard similarity of at least 0.8
(the default threshold): the same story re-published with a changed sentence, a
corrected figure, a different sign-off.

- Shingles: the body's casefolded word tokens (`\\w+`), taken 5 at a time. Five words
  ignore accidental overlap between different stories (common phrases share 2-3 word
  runs) while one edited sentence changes only a few shingles.
- Signature: MinHash with 128 permutations (datasketch, scheme affine32, seed 1),
  computed per article in the worker (`minhash_signature`) and carried in the outcome as
  512 bytes, so that the reducer never sees text. 128 permutations estimate a Jaccard of
  0.8 within about +/-0.035 (one standard deviation). 64 were tried first: their
  +/-0.05 let about 2 % of pairs at a true 0.88 fall under 0.8, and let pairs at 0.7 in.
- Index (`NearDuplicateIndex`): LSH banding over the kept records only. For a threshold t
  it uses the largest row count r whose band count b (b*r <= 128) still gives a pair at
  exactly t a 95 % chance of becoming a candidate: 13 bands of 7 rows for t = 0.8.
  Candidates are then verified on the whole signature. Clusters grow by single linkage:
  a record near any member (the kept record or an earlier duplicate) joins the cluster,
  so two versions that are each near a third but a little further apart never end up
  published in two splits. The ledger names the kept record, the estimated similarity to
  it, and the member matched when that is not the kept record. The reducer streams, so a
  record already published never joins a cluster later: two versions below the
  threshold to each other, both seen before a third that is near each, are both kept
  (by the definition they are not near duplicates of each other).
- Memory per indexed record (kept records and their near duplicates): the low 8 bits
  of each MinHash value (128 bytes; "b-bit MinHash", whose 1-in-256 chance agreements
  are corrected for in `b_bit_jaccard`), 12 bytes per band in sorted NumPy arrays and
  the id: about 300 bytes, under 100 MB at 300,000 articles.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

SHINGLE_WORDS = 5
NUM_PERM = 128
MINHASH_SEED = 1
# datasketch 2's 32-bit scheme, named explicitly: the signature bytes depend on it.
MINHASH_SCHEME = "affine32"
DEFAULT_THRESHOLD = 0.8
# Chance that a pair exactly at the threshold shares at least one band.
_CANDIDATE_RECALL = 0.95
_WORD = re.compile(r"\w+")
# New band keys are collected in a dict and merged into sorted arrays in batches: a dict
# entry costs ~80 bytes, a sorted-array entry 12.
_MERGE_EVERY = 50_000
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio), for mixing


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Return the set of word `size`-grams of `text` (casefolded `\\w+` tokens).

    A text shorter than `size` words is one shingle of all its words.

    >>> sorted(shingles("The cat sat on the mat", size=5))
    ['cat sat on the mat', 'the cat sat on the']
    """
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@cache
def _minhash_factory() -> tuple[Any, Any]:
    """(datasketch.MinHash, the seeded permutations every signature shares)."""
    # datasketch is imported on first use: it pulls SciPy, which `import newscorpus`
    # should not pay for.
    from datasketch import MinHash  # type: ignore[import-untyped]

    return MinHash, MinHash(
        num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME
    ).permutations


def minhash_signature(text: str) -> bytes:
    """Return the MinHash signature of `text`'s shingles: 128 little-endian uint32 (512 bytes).

    Deterministic (fixed seed, sha1-based hashing), so any worker computes the same bytes.
    """
    minhash_type, permutations = _minhash_factory()
    minhash = minhash_type(
        num_perm=NUM_PERM, seed=MINHASH_SEED, permutations=permutations, scheme=MINHASH_SCHEME
    )
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    values: npt.NDArray[np.uint32] = minhash.hashvalues
    return values.astype("<u4").tobytes()


def band_layout(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """Return (bands, rows) for `threshold`: the most rows that keep 95 % recall at it.

    >>> band_layout(0.8)
    (13, 7)
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        hit = threshold**rows
        if hit >= 1.0:
            bands = 1
        elif hit <= 0.0:
            break
        else:
            bands = math.ceil(math.log(1 - _CANDIDATE_RECALL) / math.log(1 - hit))
        if bands * rows > num_perm:
            break
        best = (bands, rows)
    return best


def b_bit_jaccard(matches: int, num_perm: int = NUM_PERM, bits: int = 8) -> float:
    """Estimated Jaccard from `matches` equal low-`bits` values out of `num_perm`.

    Unequal MinHash values still agree on their low bits by chance (1 in 2**bits), so the
    raw share is corrected: J = (share - c) / (1 - c), with c = 2**-bits (Li & König,
    b-bit minwise hashing), clipped to [0, 1].

    >>> b_bit_jaccard(128), b_bit_jaccard(0)
    (1.0, 0.0)
    """
    chance = 2.0**-bits
    estimate = (matches / num_perm - chance) / (1 - chance)
    return min(1.0, max(0.0, estimate))


def jaccard_estimate(first: bytes, second: bytes) -> float:
    """Share of equal MinHash values of two signatures: the estimated Jaccard similarity."""
    a = np.frombuffer(first, dtype="<u4")
    b = np.frombuffer(second, dtype="<u4")
    return float(np.count_nonzero(a == b)) / len(a)


class NearMatch(NamedTuple):
    """What a near duplicate is near: its cluster's kept record, and the member it matched.

    `similarity` is the estimate against the kept record; `via` and `via_similarity`
    name the cluster member that matched best (the kept record itself, or an earlier
    duplicate of it: clusters grow by single linkage).
    """

    kept: str
    similarity: float
    via: str
    via_similarity: float


class NearDuplicateIndex:
    """An LSH index of signatures grouped in clusters, answering "is this near one?".

    Feed records in a fixed order with `check_and_add`. A record near an indexed one joins
    that one's cluster and is reported with the cluster's kept record (the first of the
    cluster in input order); any other record starts a cluster and is kept. Duplicates
    are indexed too, so that a record near a duplicate but a little further from the kept
    record still joins the cluster instead of being published beside it.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.bands, self.rows = band_layout(threshold)
        self._ids: list[str] = []
        # Row of the kept record of each row's cluster (itself for a kept record).
        self._cluster: list[int] = []
        # Row i: the low 8 bits of record i's signature; grown by doubling.
        self._low_bits: npt.NDArray[np.uint8] = np.empty((1024, NUM_PERM), dtype=np.uint8)
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0
        self._keys: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._rows: npt.NDArray[np.uint32] = np.empty(0, dtype=np.uint32)

    def __len__(self) -> int:
        """Number of indexed records (kept ones and their near duplicates)."""
        return len(self._ids)

    def band_keys(self, values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One 64-bit key per band (band number mixed in, so bands never collide)."""
        bands = values[: self.bands * self.rows].reshape(self.bands, self.rows).astype(np.uint64)
        keys = (np.arange(self.bands, dtype=np.uint64) + np.uint64(1)) * _MIX
        for column in range(self.rows):
            keys = (keys ^ bands[:, column]) * _MIX
            keys ^= keys >> np.uint64(29)
        return keys

    def _candidates(self, keys: npt.NDArray[np.uint64]) -> set[int]:
        found: set[int] = set()
        for key in keys.tolist():
            found.update(self._pending.get(key, ()))
        if len(self._keys):
            left = np.searchsorted(self._keys, keys, side="left")
            right = np.searchsorted(self._keys, keys, side="right")
            for start, stop in zip(left.tolist(), right.tolist(), strict=True):
                found.update(self._rows[start:stop].tolist())
        return found

    def _similarity(self, row: int, low: npt.NDArray[np.uint8]) -> float:
        return b_bit_jaccard(int(np.count_nonzero(self._low_bits[row] == low)))

    def check_and_add(self, record_id: str, signature: bytes) -> NearMatch | None:
        """Index `record_id`'s signature; return its NearMatch if it joined a cluster,
        None if it starts one (then it is a record to keep)."""
        values = np.frombuffer(signature, dtype="<u4")
        if values.shape != (NUM_PERM,):
            raise ValueError(f"a signature is {NUM_PERM * 4} bytes, not {len(signature)}")
        keys = self.band_keys(values)
        low = values.astype(np.uint8)
        match: NearMatch | None = None
        candidates = sorted(self._candidates(keys))
        if candidates:
            matches = np.count_nonzero(self._low_bits[candidates] == low, axis=1)
            best = int(np.argmax(matches))  # argmax takes the first (earliest) on ties
            via_similarity = b_bit_jaccard(int(matches[best]))
            if via_similarity >= self.threshold:
                via = candidates[best]
                kept = self._cluster[via]
                match = NearMatch(
                    self._ids[kept], self._similarity(kept, low), self._ids[via], via_similarity
                )
        row = len(self._ids)
        self._ids.append(record_id)
        self._cluster.append(row if match is None else self._cluster[candidates[best]])
        if row == len(self._low_bits):
            self._low_bits = np.concatenate([self._low_bits, np.empty_like(self._low_bits)])
        self._low_bits[row] = low
        for key in keys.tolist():
            self._pending.setdefault(key, []).append(row)
        self._pending_count += len(keys)
        if self._pending_count >= _MERGE_EVERY:
            self._merge()
        return match

    def _merge(self) -> None:
        """Move pending band keys into the sorted arrays (stable: rows stay in order)."""
        pairs = [(key, row) for key, rows in self._pending.items() for row in rows]
        keys = np.concatenate([self._keys, np.array([k for k, _ in pairs], dtype=np.uint64)])
        rows = np.concatenate([self._rows, np.array([r for _, r in pairs], dtype=np.uint32)])
        order = np.lexsort((rows, keys))
        self._keys, self._rows = keys[order], rows[order]
        self._pending.clear()
        self._pending_count = 0
