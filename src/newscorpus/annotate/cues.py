"""Reporting cues: every inflection of the reporting verbs, found fast in a text.

A *cue* is the attributing verb phrase ("said", "told", "according to", …). The verb
list is data (`lexicon/attribution_words.json`); `find_cues` reads a letters-only copy
of the text (`letters_of`, kept with an indexed text) so that ordinary words are
rejected without lowercasing.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from newscorpus.annotate.words import word_list, word_set

# Base verb -> irregular forms. Regular inflections (-s/-ed/-ing) are generated.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("say", "says", "said", "saying"),
    "tell": ("tell", "tells", "told", "telling"),
    "write": ("write", "writes", "wrote", "writing", "written"),
    "tweet": ("tweet", "tweets", "tweeted", "tweeting"),
    "post": ("post", "posts", "posted", "posting"),
    "go on": ("went on", "goes on", "going on"),
    "point out": ("point out", "points out", "pointed out", "pointing out"),
    "fire back": ("fired back", "fires back", "firing back"),
    "shoot back": ("shot back", "shoots back"),
    "chime in": ("chimed in", "chimes in"),
    "speak": ("speaks", "spoke", "speaking"),
    "swear": ("swore", "swears"),
    "forecast": ("forecast", "forecasts"),
    "put it": ("put it", "puts it"),
    "think": ("thinks", "thought"),
    "read": ("reads",),
}


_REGULAR = word_list("regular")


_ADV_WORDS = word_set("adv_words")


# Verbs of two syllables stressed on the last, which double its consonant.
_FINAL_STRESS = word_set("final_stress")


def _inflect(verb: str) -> set[str]:
    forms = {verb}
    if verb.endswith("e"):
        forms |= {verb + "s", verb + "d", verb[:-1] + "ing"}
    elif verb.endswith("y") and verb[-2] not in "aeiou":
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"}
    elif verb.endswith(("s", "sh", "ch", "x")):
        forms |= {verb + "es", verb + "ed", verb + "ing"}
    elif verb in {"plead"}:
        forms |= {"pleads", "pleaded", "pled", "pleading"}
    elif (
        re.fullmatch(r"(?:qu|[^aeiou])*[aeiou][bdglmnprt]", verb) and verb not in {"say"}
    ) or verb in _FINAL_STRESS:
        # one-syllable CVC, or stress on a final CVC: double the final consonant
        # (quip -> quipped, admit -> admitted)
        forms |= {verb + "s", verb + verb[-1] + "ed", verb + verb[-1] + "ing"}
    else:
        forms |= {verb + "s", verb + "ed", verb + "ing"}
    return forms


def _cue_forms() -> list[str]:
    forms: set[str] = set()
    for v in _REGULAR:
        forms |= _inflect(v)
    for irregular in _IRREGULAR.values():
        forms |= set(irregular)
    # bare forms that are far more often nouns ("the state", "press release")
    forms -= {
        "state",
        "states",
        "press",
        "presses",
        "post",
        "posts",
        "charge",
        "charges",
        "object",
        "objects",
        "counter",
        "counters",
        "quote",
        "quotes",
        "cry",
        # base forms and -s forms that are nouns in running text ("a wake-up call",
        # "his remarks", "a lament", "a tweet", "declined to comment")
        "call",
        "tweet",
        "lament",
        "remarks",
        "comments",
        "comment",
    }
    forms.add("according to")
    forms.add("quoted")
    # "report"/"reports" are mostly nouns; the past forms are reporting verbs
    forms |= {"reported", "remembered", "recalled"}
    # longest first so "according to" / "pointed out" win over shorter prefixes
    return sorted(forms, key=lambda s: (-len(s), s))


CUE_FORMS: tuple[str, ...] = tuple(_cue_forms())


_SINGLE_CUES = frozenset(f for f in CUE_FORMS if " " not in f)


# multi-word cues: first word -> set of possible second words
_MULTI_CUES: dict[str, frozenset[str]] = {}


for _form in CUE_FORMS:
    if " " in _form:
        _a, _b = _form.split(" ", 1)
        _MULTI_CUES[_a] = _MULTI_CUES.get(_a, frozenset()) | {_b}


# A word not glued to a letter, apostrophe or hyphen ("so-called" is no cue).
_CUE_WORD_RE = re.compile(r"(?<![\w’'-])[A-Za-z]+(?![\w’'-])")


_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)(?![\w’'-])")


class CueHit(NamedTuple):
    """One cue occurrence (same accessors as a regex match).

    Named tuples, not frozen dataclasses, for the records made per quotation: they are
    built several times faster."""

    s: int
    e: int
    text: str

    def start(self) -> int:
        """Start offset."""
        return self.s

    def end(self) -> int:
        """End offset."""
        return self.e

    def group(self) -> str:
        """The cue's surface text."""
        return self.text


def is_cue_word(word: str) -> bool:
    """True when `word` alone is a cue form (said, tells, …)."""
    return word.casefold() in _SINGLE_CUES


# Cues that can precede their subject in newswire inversion: `,” said X`.
_INVERTIBLE = word_set("invertible")


_WS_RE = re.compile(r"\s+")


# Every cue word (and multi-word cue head) in lower, Capitalised and UPPER case, so
# `find_cues` can reject ordinary words without lowercasing them.
_CUE_CASED = frozenset(
    v for w in (_SINGLE_CUES | set(_MULTI_CUES)) for v in (w, w.capitalize(), w.upper())
)


_LETTER_RUN_RE = re.compile(r"[A-Za-z]+")


# Cased cue word -> (possible second words if it opens a multi-word cue, whether it
# is a cue on its own).
_CUE_INFO: dict[str, tuple[frozenset[str] | None, bool]] = {
    w: (_MULTI_CUES.get(w.lower()), w.lower() in _SINGLE_CUES) for w in _CUE_CASED
}


_CUE_BYTES = {w.encode("ascii"): w for w in _CUE_CASED}


_CUE_CASED_BYTES = frozenset(_CUE_BYTES)


# Cue word's bytes -> (the word, its length, `_CUE_INFO[word]`): one look-up per word.
_CUE_KEYS: dict[bytes, tuple[str, int, frozenset[str] | None, bool]] = {
    k: (w, len(w), *_CUE_INFO[w]) for k, w in _CUE_BYTES.items()
}


_GLUE = "_’'-"


# ASCII letters stay, every other byte becomes a space.
_LETTER_TABLE = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))


def letters_of(text: str) -> bytes:
    """`text` with one byte per character: its ASCII letters, and spaces for the rest.

    The letter runs of any window are then `letters_of(text)[lo:hi].split()`, the runs
    `_LETTER_RUN_RE.findall(text, lo, hi)` finds, several times faster; a word of ASCII
    letters occurs at the same offsets in both. An indexed text (`index.IndexedText`)
    carries its copy (`letters`), made once; for any other string it is made here.
    """
    letters: bytes | None = getattr(text, "letters", None)
    if letters is None:
        # "replace" writes one "?" per non-ASCII character, so offsets are kept
        letters = text.encode("ascii", "replace").translate(_LETTER_TABLE)
    return letters


def find_cues(text: str, lo: int, hi: int) -> list[CueHit]:
    """All cue occurrences in text[lo:hi], left to right.

    A linear token scan with set lookups (a large regex alternation was the hot spot).
    """
    if hi - lo < 3:
        return []  # every cue word has at least three letters
    letters = letters_of(text)
    # Every match of _CUE_WORD_RE in the window is a whole letter run of it, so when no
    # letter run is a cue word there is no cue (about half the windows asked about).
    present = _CUE_CASED_BYTES.intersection(letters[lo:hi].split())
    if not present:
        return []
    # The matches of _CUE_WORD_RE that are cue words, found with find: an occurrence
    # counts when neither neighbour is glued to it (the lookbehind sees text before
    # `lo`; the lookahead sees nothing at or past `hi`). Glued: [\w’'-]. Two counted
    # occurrences never start at the same offset, so sorting the hits orders them.
    out: list[CueHit] = []
    for key in present:
        word, size, seconds, single = _CUE_KEYS[key]
        i = letters.find(key, lo, hi)
        while i >= 0:
            end = i + size
            if (i == 0 or not ((c := text[i - 1]).isalnum() or c in _GLUE)) and (
                end == hi or not ((c := text[end]).isalnum() or c in _GLUE)
            ):
                if seconds is not None:
                    n = _NEXT_WORD_RE.match(text, end, hi)
                    if n is not None and n.group(1).lower() in seconds:
                        out.append(CueHit(i, n.end(), text[i : n.end()]))
                        i = letters.find(key, end, hi)
                        continue
                if single:
                    out.append(CueHit(i, end, word))
            i = letters.find(key, end, hi)
    if len(out) > 1:
        out.sort()
    return out


# Verbs that report or characterise someone's words without being a speech cue in
# the narrow sense: naming (dub, label, brand), characterising (portray, depict),
# judging (accuse, blame, praise, condemn, deride) and committing (pledge, vow,
# threaten). A short quoted fragment in their clause is a partial direct quotation
# (`Bush tweeted that Trump is a “loser”`, `she labeled him “unfit”`), not a scare
# quote. Used only to license fragments, never to find a speaker.
_LICENSE_VERBS = word_list("license_verbs")


def _license_forms() -> frozenset[str]:
    forms: set[str] = set(_SINGLE_CUES)
    for v in _LICENSE_VERBS:
        forms |= _inflect(v)
    forms |= {"labelled", "labelling", "referred", "referring", "dubbed", "dubbing"}
    forms |= {"described", "calls", "called", "calling", "tweet", "tweets", "lament"}
    forms |= {"comment", "comments", "remarks", "call"}
    # bare nouns far more often than verbs in running text
    return frozenset(forms - {"term", "terms", "report", "reports", "welcome", "blast"})


_LICENSE_FORMS = _license_forms()


_REPORTING_BYTES = frozenset(w.encode("ascii") for w in _LICENSE_FORMS | set(_MULTI_CUES))


class Ranges:
    """Half-open ranges [a, b) (overlapping or not), for `x in ranges` in log time."""

    __slots__ = ("_reach", "_starts")

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        pairs = sorted(ranges)
        self._starts = [a for a, _ in pairs]
        # the furthest end among the ranges starting at or before each start
        self._reach: list[int] = []
        top = -1
        for _, b in pairs:
            if b > top:
                top = b
            self._reach.append(top)

    def __contains__(self, x: int) -> bool:
        k = bisect.bisect_right(self._starts, x) - 1
        return k >= 0 and self._reach[k] > x


def has_reporting_word(
    text: str, lo: int, hi: int, skip: Sequence[tuple[int, int]] | Ranges = ()
) -> bool:
    """True when text[lo:hi] holds a reporting or characterising verb (cue forms plus
    naming/judging verbs) outside the `skip` ranges (other quotations)."""
    # Each word the regex below takes is a whole letter run of the window: none of
    # them a reporting word, no need to look further.
    letters = letters_of(text)
    if _REPORTING_BYTES.isdisjoint(letters[lo:hi].lower().split()):
        return False
    if not isinstance(skip, Ranges):
        skip = Ranges(skip)
    for m in _CUE_WORD_RE.finditer(text, lo, hi):
        low = m.group().lower()
        if (low in _LICENSE_FORMS or low in _MULTI_CUES) and m.start() not in skip:
            if low in _MULTI_CUES and low not in _LICENSE_FORMS:
                n = _NEXT_WORD_RE.match(text, m.end(), hi)
                if n is None or n.group(1).lower() not in _MULTI_CUES[low]:
                    continue
            return True
    return False


def normalize_ws(s: str) -> str:
    """Collapse runs of whitespace to one space."""
    if s.isalpha():
        return s  # a one-word cue: nothing to collapse
    return _WS_RE.sub(" ", s).strip()
