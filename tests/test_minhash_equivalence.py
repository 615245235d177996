"""`minhash_signature` equals a plain reference implementation of its definition.

The signature bytes are committed in outputs and decide near duplicates, so the fast
NumPy version must never change them. The reference below follows the definition in
`dedup`'s docstring one shingle at a time with Python integers: shingles from
`shingles`, each hashed with the polynomial hash of its UTF-8 bytes modulo 2**64 and one
xor-shift-multiply round (top 32 bits kept); the top 7 bits choose one of 128 bins, each
bin keeps its least hash, and an empty bin borrows the next non-empty bin's value (to
its right, circularly) plus distance * 0x9E3779B1 mod 2**32 (scheme `oph32`).
"""

from __future__ import annotations

import hashlib
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newscorpus.run import dedup
from newscorpus.run.dedup import NUM_PERM, minhash_signature, shingles

_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1
_BASE = 0xC2B2AE3D27D4EB4F
_FMIX = 0xFF51AFD7ED558CCD


def _reference_hash(shingle: str) -> int:
    value = 0  # sum(byte_j * B**j), by Horner's rule from the last byte
    for byte in reversed(shingle.encode("utf-8")):
        value = (value * _BASE + byte) & _MASK64
    value ^= value >> 32
    value = (value * _FMIX) & _MASK64
    return value >> 32


def reference_signature(text: str) -> bytes:
    """The signature by its definition, one shingle and one bin at a time."""
    hashes = {_reference_hash(shingle) for shingle in shingles(text)}
    if not hashes:
        return b"\xff" * (4 * NUM_PERM)
    bins: list[int | None] = [None] * NUM_PERM
    for h in hashes:
        k = h >> 25
        bins[k] = h if bins[k] is None else min(h, bins[k])
    # A least hash of 0xFFFFFFFF cannot be told from an empty bin: it counts as empty.
    bins = [None if value == _MASK32 else value for value in bins]
    values = []
    for k in range(NUM_PERM):
        if bins[k] is not None or all(value is None for value in bins):
            values.append(_MASK32 if bins[k] is None else bins[k])
            continue
        distance = 1
        while bins[(k + distance) % NUM_PERM] is None:
            distance += 1
        lent = bins[(k + distance) % NUM_PERM]
        assert lent is not None
        values.append((lent + distance * 0x9E3779B1) & _MASK32)
    return np.array(values, dtype="<u4").tobytes()


FIXED_TEXTS = [
    "",
    " ",
    "\n\n\t ",
    "...!?",
    "one",
    "one two",
    "one two three",
    "one two three four",
    "one two three four five",
    "one two three four five six",
    "  Leading and   trailing\twhitespace,\nnewlines\n\nand  doubled  spaces  ",
    "Punctuation: commas, full stops. (Brackets) [and] 'quotes' -- dashes; co-op e-mail.",
    "snake_case words_with_underscores and digits 2024 3.14 10,000",
    "UPPER lower MiXeD CaSe words that casefold to the same shingles",
    "“Curly quotes” and ‘single ones’ – en dash — em dash… £5 €6 ¥7 30° · • « » „x“",
    "non\u00a0breaking\u2009thin\u200ahair\u202fnarrow\u3000ideographic spaces",
    "Café naïve résumé Zürich São Paulo Ångström ÉCOLE",
    "Straße STRASSE ß ẞ ﬁne ﬃ İstanbul ǅ Σίσυφος ΣΊΣΥΦΟΣ",
    "日本語のテキスト 中文 한국어 العربية עברית हिन्दी",
    "emoji 😀 between 🎉 words and combining e\u0301 marks",
    "superscripts x² and digits ٣ ⅷ ½ are word characters",
    "zero\u200bwidth space and soft\u00adhyphen",
    "replacement \ufffd character and control \x00\x1f characters",
    "a" * 1000,
    "word " * 5000,
]


def _long_text(words: int, seed: int) -> str:
    rng = random.Random(seed)
    vocabulary = ["alpha", "beta", "gamma", "delta", "Épsilon", "zeta", "eta’s", "theta"]
    return " ".join(rng.choice(vocabulary) + rng.choice(["", ",", ".", "  "]) for _ in range(words))


def test_fixed_texts_match_the_reference() -> None:
    for text in FIXED_TEXTS:
        assert minhash_signature(text) == reference_signature(text), text[:60]


def test_texts_longer_than_the_cached_power_tables_match_the_reference() -> None:
    # Past _CACHED_POWERS bytes the words are hashed in overlapping chunks.
    for seed, words in enumerate((12_000, 15_000, 30_000)):
        text = _long_text(words, seed)
        assert len(text) > dedup._CACHED_POWERS
        assert minhash_signature(text) == reference_signature(text)


def test_signatures_at_the_chunk_boundary_match_the_reference() -> None:
    text = _long_text(12_000, 7)
    # The prefix whose words, joined by single spaces, just fill the cached tables.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        joined = " ".join(dedup._WORD.findall(text[:middle].casefold()))
        low, high = (middle + 1, high) if len(joined) + 2 <= dedup._CACHED_POWERS else (low, middle)
    for length in range(low - 30, low + 30, 3):
        assert minhash_signature(text[:length]) == reference_signature(text[:length])


def test_golden_digest_of_fixed_texts() -> None:
    """The signature bytes as the previous implementation computed them."""
    digest = hashlib.sha256(b"".join(minhash_signature(text) for text in FIXED_TEXTS))
    assert digest.hexdigest() == _GOLDEN


# sha256 of the signatures of FIXED_TEXTS under scheme `oph32` (pipeline 0.3.0); a
# change of scheme changes it, and bumps the pipeline version.
_GOLDEN = "b644f751b03d0700e6e133e08cb3dc87ab81d5898982b99cb4881f4297a76362"


def test_article_length_texts_with_a_few_empty_bins_match_the_reference() -> None:
    """~650 shingles leave a bin or two empty in about half of all articles: the scan
    that fills a few holes gives what the definition gives."""
    few_holes = 0
    for seed in range(40):
        rng = random.Random(seed)
        text = " ".join(f"w{rng.randrange(10**6)}" for _ in range(650))
        hashes = {h >> 25 for h in map(_reference_hash, shingles(text))}
        few_holes += 0 < NUM_PERM - len(hashes) <= dedup._FEW_HOLES
        assert minhash_signature(text) == reference_signature(text)
    assert few_holes >= 5  # the path under test was taken


_ALPHABET = st.sampled_from(
    list("abcXYZ019_ .,;'-\n\t\r\x0b\x0c\x1c\x85\xa0éÉßẞİıﬁ’“—…£ΣσςΑ日本\u200b\u3000😀\u0301²٣")
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_random_texts_match_the_reference(text: str) -> None:
    assert minhash_signature(text) == reference_signature(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_matches_the_reference(text: str) -> None:
    assert minhash_signature(text) == reference_signature(text)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(["news", "Report", "said", "the", "minister’s", "£5bn", "café", "—"]),
        min_size=0,
        max_size=400,
    ),
    st.sampled_from([" ", "  ", "\n\n", ", ", " - "]),
)
def test_article_like_texts_match_the_reference(words: list[str], separator: str) -> None:
    text = separator.join(words)
    assert minhash_signature(text) == reference_signature(text)
