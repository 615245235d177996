"""Near-duplicate detection: MinHash signatures (in the worker) and a compact LSH index.

Exact duplicates (same whitespace-collapsed body) are found by `pipeline.text_key`. Near
duplicates are bodies whose word 5-gram sets have a Jaccard similarity of at least 0.8
(the default threshold): the same story re-published with a changed sentence, a
corrected figure, a different sign-off.

- Shingles: the body's casefolded word tokens (`\\w+`), taken 5 at a time. Five words
  ignore accidental overlap between different stories (common phrases share 2-3 word
  runs) while one edited sentence changes only a few shingles.
- Signature: one-permutation MinHash (Li, Owen & Zhang 2012, "one permutation
  hashing") with 128 bins, computed with NumPy in one pass per article in the worker
  (`minhash_signature`) and carried in the outcome as 512 bytes, so that the reducer
  never sees text. Each shingle's UTF-8 bytes are hashed to 32 bits (a polynomial hash
  modulo 2**64 from prefix sums, then a xor-shift-multiply round, top 32 bits); the top
  7 bits of a hash choose its bin and value k of the signature is the least hash in bin
  k. An empty bin (a short text) borrows, circularly, the value of the next non-empty
  bin to its right plus `distance * _BORROW_STEP` mod 2**32 ("rotation densification",
  Shrivastava & Li 2014), so two texts agree on it only when they agree on the bin lent
  from the same distance. Two bodies agree on a bin with probability their Jaccard
  similarity, as with 128 independent permutations, at one hash per shingle instead of
  128 (scheme `oph32`; the earlier `affine32`, 128 affine permutations of each hash,
  cost ≈ 30 µs more an article). 128 bins estimate a Jaccard of 0.8 within about
  +/-0.035 (one standard deviation). 64 were tried first: their +/-0.05 let about 2 % of
  pairs at a true 0.88 fall under 0.8, and let pairs at 0.7 in.
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
import os
import re
import sys
from array import array
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from newscorpus.run.rowstore import DiskRows
from newscorpus.settings import DEFAULT_THRESHOLD

SHINGLE_WORDS = 5
# Signature values (bins of the one-permutation scheme; "permutations" in MinHash terms).
NUM_PERM = 128
MINHASH_SEED = 1
# The signature scheme, named: the signature bytes depend on it (see the module docstring).
MINHASH_SCHEME = "oph32"
# Bits of a shingle hash below its bin number (32 bits = 7 bin bits + 25).
_BIN_SHIFT = np.uint32(25)
# Added once per bin of distance to a borrowed value (odd, golden ratio): an empty bin's
# value differs from the value it borrows in its low bits too, which the index keeps.
_BORROW_STEP = 0x9E3779B1
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


# Shingle hashing (see `_shingle_hashes`): a polynomial hash of each shingle's UTF-8
# bytes modulo 2**64 (odd base, so it is invertible and any substring's hash comes from
# prefix sums), then one xor-shift-multiply round.
_POLY_BASE = 0xC2B2AE3D27D4EB4F
_POLY_INVERSE = pow(_POLY_BASE, -1, 1 << 64)
_FINAL_MULTIPLIER = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's fmix64 multiplier
_SHIFT = np.uint64(32)
# Powers are cached up to this many bytes of joined words (8 bytes each, two tables).
_CACHED_POWERS = 1 << 16
# ASCII fast path of the tokenizer: \w is [A-Za-z0-9_] there; everything else becomes
# a space and capitals become lower case (ASCII casefold).
_ASCII_WORDS = bytes(
    (c + 32 if 65 <= c <= 90 else c) if c < 128 and (chr(c).isalnum() or c == 95) else 32
    for c in range(256)
)

_NON_WORD_MARKS = tuple("\u00a0“”‘’–—…£€¥°·•«»„′″§¶©®™\u2009\u200a\u202f\u3000")
assert not any(_WORD.match(mark) for mark in _NON_WORD_MARKS)


def _powers_table(size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """(B**j, B**-j) mod 2**64 for j < size."""
    with np.errstate(over="ignore"):
        forward = np.full(size, _POLY_BASE, dtype=np.uint64)
        forward[0] = 1
        np.cumprod(forward, out=forward)
        inverse = np.full(size, _POLY_INVERSE, dtype=np.uint64)
        inverse[0] = 1
        np.cumprod(inverse, out=inverse)
    return forward, inverse


# Constant tables, built once at import (about 1 MB) rather than per article.
_FORWARD, _INVERSE = _powers_table(_CACHED_POWERS)
_ALL_ONES = np.full(NUM_PERM, 0xFFFFFFFF, dtype="<u4").tobytes()
# The 32-bit half of a uint64 holding its high bits, in a uint32 view of the array.
_HIGH_HALF = 1 if sys.byteorder == "little" else 0
_EMPTY_VALUE = 0xFFFFFFFF
_EMPTY_BIN = np.uint32(_EMPTY_VALUE)
# Up to this many empty bins are filled by a scan in Python (see `_densify`).
_FEW_HOLES = 8
# An empty signature, copied per article; little-endian, so `tobytes` is the wire form.
_NO_VALUES = np.full(NUM_PERM, _EMPTY_BIN, dtype="<u4")
_BIN_INDEX = np.arange(NUM_PERM)


def _padded_words(text: str) -> npt.NDArray[np.uint8]:
    """UTF-8 bytes of the casefolded `\\w+` tokens of `text`, each preceded by one space,
    with one space after the last: b" w1 w2 ... wn " (b" " for a text without words).
    """
    if not text.isascii():
        # Common non-word characters of English news text ("curly quotes", dashes, £)
        # separate words like a space does; without them most texts take the fast path.
        for mark in _NON_WORD_MARKS:
            if mark in text:
                text = text.replace(mark, " ")
    if not text.isascii():
        joined = " ".join(_WORD.findall(text.casefold())).encode("utf-8")
        return np.frombuffer(b" " + joined + b" " if joined else b" ", dtype=np.uint8)
    raw = np.frombuffer((" " + text + " ").encode("ascii").translate(_ASCII_WORDS), np.uint8)
    # Keep every word byte and the first space after each word: runs of separators
    # collapse to one space (raw starts with a space, which is kept).
    in_word = raw != 32
    keep = np.empty(len(raw), dtype=np.bool_)
    keep[0] = True
    np.logical_or(in_word[1:], in_word[:-1], out=keep[1:])
    words: npt.NDArray[np.uint8] = raw[keep]
    return words


def _shingle_hashes(
    padded: npt.NDArray[np.uint8], size: int = SHINGLE_WORDS
) -> npt.NDArray[np.uint32]:
    """32-bit hashes of the word `size`-grams of `padded` (b" w1 w2 ... wn ", n >= 1).

    Each value depends only on the shingle's bytes (a shingle is `" ".join` of its words,
    as `shingles` returns it): the polynomial hash sum(c_j * B**j) modulo 2**64 of its
    bytes, taken from prefix sums, then one xor-shift-multiply round; the top 32 bits are
    kept. Repeated shingles repeat their hash, which leaves the minimum unchanged. Few
    NumPy calls on purpose: in the worker each one runs with cold caches.
    """
    count = len(padded)
    spaces = (padded == 32).nonzero()[0]  # one before each word and one after the last
    if len(spaces) - 1 <= size:
        before, after = spaces[:1], spaces[-1:]
    else:
        before, after = spaces[:-size], spaces[size:]
    # The shingle is padded[before + 1 : after].
    forward, inverse = (_FORWARD, _INVERSE) if count <= _CACHED_POWERS else _powers_table(count)
    # prefix[i]: the weighted bytes before position i (prefix[0] = 0).
    prefix = np.empty(count + 1, dtype=np.uint64)
    prefix[0] = 0
    np.multiply(padded, forward[:count], out=prefix[1:])
    prefix = np.cumsum(prefix)  # a new array: in place, NumPy copies it first
    hashes = prefix.take(after)
    hashes -= prefix[1:].take(before)
    hashes *= inverse[1:].take(before)
    hashes ^= hashes >> _SHIFT
    hashes *= _FINAL_MULTIPLIER
    high: npt.NDArray[np.uint32] = hashes.view(np.uint32)[_HIGH_HALF::2]
    return high


def minhash_signature(text: str) -> bytes:
    """Return the MinHash signature of `text`'s shingles: 128 little-endian uint32 (512 bytes).

    The shingles are those of `shingles` (without building the strings): each is hashed
    to 32 bits (`_shingle_hashes`); value k of the signature is the least hash whose top
    7 bits are k, and an empty bin borrows from the next non-empty one (`_densify`). A
    text without words gets the all-ones signature. Deterministic (no salted hashing, no
    random draws), so any worker computes the same bytes.
    """
    padded = _padded_words(text)
    if len(padded) <= 1:
        return _ALL_ONES
    signature = _NO_VALUES.copy()
    if len(padded) <= _CACHED_POWERS:
        hashes = _shingle_hashes(padded)
        np.minimum.at(signature, hashes >> _BIN_SHIFT, hashes)
    else:
        for hashes in _hash_chunks(padded[1:-1].tobytes()):
            np.minimum.at(signature, hashes >> _BIN_SHIFT, hashes)
    if signature.max() == _EMPTY_BIN:  # a short text: some bins got no shingle
        _densify(signature, signature == _EMPTY_BIN)
    return signature.tobytes()


def _densify(signature: npt.NDArray[np.uint32], empty: npt.NDArray[np.bool_]) -> None:
    """Fill each empty bin (in place) from the next non-empty bin to its right, circularly:
    that bin's value plus `distance * _BORROW_STEP` modulo 2**32. A bin whose least hash
    is 0xFFFFFFFF counts as empty (the value cannot be told from "none")."""
    holes = np.flatnonzero(empty)
    if len(holes) == NUM_PERM:
        return  # every hash was 0xFFFFFFFF: nothing to lend
    if len(holes) <= _FEW_HOLES:
        # An article-length text leaves a bin or two empty: a short scan beats the
        # vector form's dozen NumPy calls.
        values = signature.tolist()
        for hole in holes.tolist():
            lender = (hole + 1) % NUM_PERM
            while values[lender] == _EMPTY_VALUE:
                lender = (lender + 1) % NUM_PERM
            distance = (lender - hole) % NUM_PERM
            signature[hole] = (values[lender] + distance * _BORROW_STEP) & 0xFFFFFFFF
        return
    full = np.flatnonzero(~empty)
    lender_of = full[np.searchsorted(full, _BIN_INDEX) % len(full)]
    distances = ((lender_of - _BIN_INDEX) % NUM_PERM).astype(np.uint64)
    borrowed = signature[lender_of].astype(np.uint64) + distances * np.uint64(_BORROW_STEP)
    signature[empty] = (borrowed & 0xFFFFFFFF).astype(np.uint32)[empty]


def _hash_chunks(joined: bytes, size: int = SHINGLE_WORDS) -> Iterator[npt.NDArray[np.uint32]]:
    """The shingle hashes of `joined` (words separated by one space), in pieces that fit
    the cached power tables.

    A long text is cut at word boundaries into overlapping runs of words (size - 1
    words shared), so every shingle is hashed once, with the same value (a shingle's
    hash depends on its bytes only), and the temporary arrays stay small.
    """
    limit = _CACHED_POWERS - 2  # the two padding spaces
    words = joined.split(b" ")
    start = 0
    while True:
        end, length = start, -1
        while end < len(words) and (end - start < size or length + 1 + len(words[end]) <= limit):
            length += 1 + len(words[end])
            end += 1
        chunk = b" " + b" ".join(words[start:end]) + b" "
        yield _shingle_hashes(np.frombuffer(chunk, dtype=np.uint8), size)
        if end >= len(words):
            return
        start = end - (size - 1)


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


class Prepared(NamedTuple):
    """What `NearDuplicateIndex.prepare` computes ahead for a batch of signatures.

    Per signature: its band keys, the low 8 bits of its values, and the rows of the
    sorted arrays sharing one of its bands (as they were when the batch was prepared).
    """

    keys: list[list[int]]
    low: npt.NDArray[np.uint8]
    merged: list[list[int]]


class NearDuplicateIndex:
    """An LSH index of signatures grouped in clusters, answering "is this near one?".

    Feed records in a fixed order with `check_and_add`. A record near an indexed one joins
    that one's cluster and is reported with the cluster's kept record (the first of the
    cluster in input order); any other record starts a cluster and is kept. Duplicates
    are indexed too, so that a record near a duplicate but a little further from the kept
    record still joins the cluster instead of being published beside it.

    Memory: 12 bytes per band and 4 per record (the cluster row); each record's id and
    the low 8 bits of its signature go to a temporary file, read only for candidates.

    Speed: `prepare` hashes the bands of a whole batch of signatures and looks them up in
    the sorted arrays with a few NumPy calls; `check_and_add` then only consults the
    pending dict (records added since) and verifies candidates. Pending keys are merged
    into the sorted arrays only by `prepare`, never while a prepared batch is in use, so
    every candidate is found whether prepared one by one or in batches.
    """

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, folder: str | os.PathLike[str] | None = None
    ) -> None:
        """`folder`: where the index's temporary file goes (default: the system's)."""
        self.threshold = threshold
        self.bands, self.rows = band_layout(threshold)
        # Row i: record i's id and the low 8 bits of its signature. Both are read only
        # for candidates (to confirm and to name them), so they live on disk.
        self._ids = DiskRows(folder=folder)
        self._low_bits = DiskRows(NUM_PERM, folder=folder)
        # Row of the kept record of each row's cluster (itself for a kept record).
        self._cluster = array("I")
        self._pending: dict[int, list[int]] = {}
        # The same pending (key, row) pairs, flat, for `_merge`.
        self._pending_keys: list[int] = []
        self._pending_rows: list[int] = []
        self._pending_count = 0
        self._keys: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._rows: npt.NDArray[np.uint32] = np.empty(0, dtype=np.uint32)
        self._band_seeds = (np.arange(self.bands, dtype=np.uint64) + np.uint64(1)) * _MIX

    def __len__(self) -> int:
        """Number of indexed records (kept ones and their near duplicates)."""
        return len(self._ids)

    def band_keys(self, values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One 64-bit key per band (band number mixed in, so bands never collide).

        `values` is one signature (128 values) or a batch of them (n x 128): the keys
        are then n x bands, row i those of signature i.
        """
        batch = values.reshape(-1, values.shape[-1])[:, : self.bands * self.rows]
        bands = batch.reshape(len(batch), self.bands, self.rows).astype(np.uint64)
        keys = np.broadcast_to(self._band_seeds, (len(batch), self.bands)).copy()
        for column in range(self.rows):
            keys ^= bands[:, :, column]
            keys *= _MIX
            keys ^= keys >> np.uint64(29)
        result: npt.NDArray[np.uint64] = keys if values.ndim > 1 else keys[0]
        return result

    def prepare(self, signatures: list[bytes]) -> Prepared:
        """Hash the bands of a batch of signatures and look them up in the sorted arrays.

        The result is valid until the next `prepare`; use it for these signatures, in
        order, with `check_and_add(..., prepared=(batch, i))`.
        """
        for signature in signatures:
            if len(signature) != NUM_PERM * 4:
                raise ValueError(f"a signature is {NUM_PERM * 4} bytes, not {len(signature)}")
        if self._pending_count >= _MERGE_EVERY:
            self._merge()
        count = len(signatures)
        values = np.frombuffer(b"".join(signatures), dtype="<u4").reshape(count, NUM_PERM)
        keys = self.band_keys(values) if count else np.empty((0, self.bands), np.uint64)
        merged: list[list[int]] = [[] for _ in range(count)]
        if len(self._keys) and count:
            flat = keys.ravel()
            left = np.searchsorted(self._keys, flat, side="left")
            right = np.searchsorted(self._keys, flat, side="right")
            for hit in np.flatnonzero(right > left).tolist():
                merged[hit // self.bands].extend(self._rows[left[hit] : right[hit]].tolist())
        return Prepared(keys.tolist(), values.astype(np.uint8), merged)

    def _similarity(self, row: int, low: npt.NDArray[np.uint8]) -> float:
        return b_bit_jaccard(int(np.count_nonzero(self._low_row(row) == low)))

    def _low_row(self, row: int) -> npt.NDArray[np.uint8]:
        return np.frombuffer(self._low_bits.get(row), dtype=np.uint8)

    def _id(self, row: int) -> str:
        return self._ids.get(row).decode("utf-8")

    def check_and_add(
        self, record_id: str, signature: bytes, prepared: tuple[Prepared, int] | None = None
    ) -> NearMatch | None:
        """Index `record_id`'s signature; return its NearMatch if it joined a cluster,
        None if it starts one (then it is a record to keep).

        `prepared` is (what `prepare` returned for a batch holding `signature`, its
        position there); without it the signature is prepared alone.
        """
        if prepared is None:
            prepared = (self.prepare([signature]), 0)
        batch, position = prepared
        keys, low = batch.keys[position], batch.low[position]
        found = set(batch.merged[position])
        pending = self._pending
        for key in keys:
            rows = pending.get(key)
            if rows is not None:
                found.update(rows)
        match: NearMatch | None = None
        via = -1
        if found:
            candidates = sorted(found)
            lows = np.stack([self._low_row(candidate) for candidate in candidates])
            matches = np.count_nonzero(lows == low, axis=1)
            best = int(np.argmax(matches))  # argmax takes the first (earliest) on ties
            via_similarity = b_bit_jaccard(int(matches[best]))
            if via_similarity >= self.threshold:
                via = candidates[best]
                kept = self._cluster[via]
                match = NearMatch(
                    self._id(kept), self._similarity(kept, low), self._id(via), via_similarity
                )
        row = self._ids.append(record_id.encode("utf-8"))
        self._low_bits.append(low.tobytes())
        self._cluster.append(row if match is None else self._cluster[via])
        for key in keys:
            rows = pending.get(key)
            if rows is None:
                pending[key] = [row]
            else:
                rows.append(row)
        self._pending_keys.extend(keys)
        self._pending_rows.extend([row] * len(keys))
        self._pending_count += len(keys)
        return match

    def _merge(self) -> None:
        """Move pending band keys into the sorted arrays (O(n) insertion, not a re-sort).

        Pending rows are newer than every merged one, so inserting them after the equal
        keys keeps each key's rows in row order, as sorting everything again would.
        """
        keys = np.array(self._pending_keys, dtype=np.uint64)
        rows = np.array(self._pending_rows, dtype=np.uint32)
        order = np.lexsort((rows, keys))
        keys, rows = keys[order], rows[order]
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys, self._rows = np.insert(self._keys, at, keys), np.insert(self._rows, at, rows)
        self._pending.clear()
        self._pending_keys.clear()
        self._pending_rows.clear()
        self._pending_count = 0
