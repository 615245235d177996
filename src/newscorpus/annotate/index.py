"""One index per article: what every later question about its texts reads.

`ArticleIndex(texts)` is built once for an article's texts (headline, sub-headlines,
body, in that order) and passed to whatever needs it (the entity table, speaker
resolution); nothing about a text is kept at module level, so two articles never share
state and a text's tables go when its index goes.

It holds, per text, the runs of capitalised words (found by one regular expression per
text: the only places a name can be), the paragraph starts, and, for the article, the
words it writes in lower case (a capitalised "Diplomatic" is no given name when the
article also writes "diplomatic"). Runs are split at sentence ends and possessives here,
once, so every reader sees the same words with the same offsets. The pieces are kept in
the cheapest form for the entity table, which reads every piece of every article: a
word standing alone by word (`TextIndex.lone`), longer pieces as word tuples with their
start (`Piece`); `TextIndex.pieces` gives them all as `Word`s.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from newscorpus.annotate.cues import letters_of
from newscorpus.annotate.sentences import _Sentences
from newscorpus.annotate.words import word_set

# A capitalised word (hyphenated, Mc/O' names, initials, abbreviations).
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.&-]*"
# Lower-case words that may stand inside a name ("Ministry of Science and ICT",
# "Ludwig van Beethoven").
JOINERS = frozenset(
    ("of", "and", "for", "the", "on", "de", "van", "von", "der", "bin", "al", "da", "di", "del")
)
# A run opens at a capital no word character, apostrophe or hyphen stands before. The
# capital comes first in the pattern and the look-behind (over it and the character
# before) after it: a pattern that opens with a look-behind is tried at every offset of
# the text, one that opens with a character class is scanned for fast (2x faster).
# Within a run, words are one space or tab apart (`split_run` counts on it).
_RUN_RE = re.compile(
    rf"[A-ZÀ-ÖØ-Þ](?<![\w'’-].)[\w'’.&-]*"
    rf"(?:(?:[ \t](?:{'|'.join(sorted(JOINERS))}))*[ \t]{_CAP})*"
)
# The endings `_cut` may take off a word (a full stop, a possessive); a word ending
# otherwise is kept whole.
_CUT_ENDS = (".", "'", "’", "'s", "’s")
# Abbreviations whose full stop ends no sentence, besides titles and initials.
_SUFFIXES = frozenset({"st", "jr", "sr", "co", "ltd", "inc", "corp", "plc", "llc", "no", "vs"})


@cache
def _titles() -> frozenset[str]:
    """Title and role words written with a full stop that ends no sentence."""
    words = word_set("titles") | word_set("role_words") | word_set("honorifics")
    return frozenset(w.rstrip(".") for w in words)


class Word(NamedTuple):
    """A capitalised word of a run (possessive dropped) at `start`..`end` of its text."""

    text: str
    start: int
    end: int


class Piece(NamedTuple):
    """A piece of a capitalised run: its words (possessive dropped), the offset of the
    first and the end of the last. A reader looks the words up as they are
    (`names.read_piece`, memoised by them) and needs the offset of a word inside only
    where the piece names someone: it is counted then (`offset`), not kept for each of
    an article's thousands of words."""

    words: tuple[str, ...]
    start: int
    end: int

    def offset(self, i: int) -> int:
        """Where word `i` starts. The words of a run are one space or tab apart and only
        a piece's last word can have lost a full stop or a possessive (it ends the piece):
        the words before it are as written."""
        if i == 0:
            return self.start
        return self.start + sum(map(len, self.words[:i])) + i

    def word(self, i: int) -> Word:
        """Word `i` of the piece, with its offsets."""
        start = self.offset(i)
        return Word(self.words[i], start, start + len(self.words[i]))

    def part(self, first: int, stop: int | None = None) -> Piece:
        """Words `first` up to `stop` (to the end without it) as a piece."""
        if stop is None:
            return self if first == 0 else Piece(self.words[first:], self.offset(first), self.end)
        words = self.words[first:stop]
        start = self.offset(first)
        return Piece(words, start, start + sum(map(len, words)) + len(words) - 1)


def _keeps_stop(word: str) -> bool:
    """Whether the full stop ending `word` belongs to it ("Mr.", "W.", "U.S.", "Co.")."""
    body = word[:-1]
    low = body.casefold()
    return len(body) == 1 or "." in body or low in _titles() or low in _SUFFIXES


def _cut(token: str) -> tuple[str, bool]:
    """`token` without a sentence's full stop or a possessive, and whether it had one
    (then it ends its piece)."""
    word, stop = token, False
    if word.endswith(".") and not _keeps_stop(word):
        word, stop = word[:-1], True
    if word.endswith(("'s", "’s")):
        word, stop = word[:-2], True
    elif word.endswith(("s'", "s’")):
        word, stop = word[:-1], True
    return word, stop


def _split(text: str, start: int, end: int) -> list[Piece]:
    """`split_run`, as `Piece`s."""
    pieces: list[Piece] = []
    words: list[str] = []
    first = last = at = start  # the current piece's start and end, the token's start
    for token in text[start:end].split():
        word, stop = _cut(token) if token.endswith(_CUT_ENDS) else (token, False)
        if word:
            if not words:
                first = at
            words.append(word)
            last = at + len(word)
        if stop and words:
            pieces.append(Piece(tuple(words), first, last))
            words = []
        at += len(token) + 1  # one separator: offsets are counted, not searched for
    if words:
        pieces.append(Piece(tuple(words), first, last))
    return pieces


def split_run(text: str, start: int, end: int) -> list[list[Word]]:
    """The capitalised run `text[start:end]` as pieces of words: a sentence's full stop
    or a possessive ends a piece ("Seoul. Warren", "Blair's Labour"); joiners stay inside
    ("Ministry of Science"); offsets index `text`. The run's words are one space or tab
    apart, as `_RUN_RE` matches them."""
    return [[piece.word(i) for i in range(len(piece.words))] for piece in _split(text, start, end)]


class IndexedText(str):
    """A text that carries its tables: the sentence bounds (`sentence_table`, read by
    `sentences._sentence_start`/`_sentence_end`) and the letters-only copy (`letters`,
    read by `cues.find_cues`), each made the first time a pass asks and kept with the
    text, so every function keeps its `(text, lo, hi)` signature and no module keeps a
    cache keyed on the text. It is a `str` (slices of it are plain strings)."""

    # no __slots__: a str subclass keeps its tables in the instance's __dict__

    @functools.cached_property
    def sentence_table(self) -> _Sentences:
        """The text's sentence bounds (`sentences._Sentences`)."""
        return _Sentences(self)

    @functools.cached_property
    def letters(self) -> bytes:
        """The text's letters-only copy (`cues.letters_of`)."""
        return letters_of(str(self))


class TextIndex:
    """One text of the article (`text`, an `IndexedText`): its capitalised runs (as
    pieces), paragraph starts, and what its `IndexedText` carries.

    Most pieces are one word ("Clinton", "The", "Seoul"): those are kept by word, with
    the offsets where the word stands alone (`lone`), so that a reader handles each word
    once, not each place; the pieces of two words or more are `groups`. `pieces` gives
    them all as lists of `Word`s, in text order."""

    __slots__ = ("_groups", "_lone", "_paragraphs", "text")

    def __init__(self, text: str) -> None:
        self.text = text if isinstance(text, IndexedText) else IndexedText(text)
        # the runs are read when the entity table first asks (most texts without a
        # quotation never need them)
        self._lone: dict[str, list[int]] | None = None
        self._groups: list[Piece] = []
        self._paragraphs: list[int] | None = None

    @property
    def lone(self) -> dict[str, list[int]]:
        """Each word that stands alone as a piece -> its offsets, in text order."""
        if self._lone is None:
            self._scan()
        assert self._lone is not None
        return self._lone

    @property
    def groups(self) -> list[Piece]:
        """The pieces of two words or more, in text order."""
        if self._lone is None:
            self._scan()
        return self._groups

    def _scan(self) -> None:
        """Read the text's capitalised runs into `lone` and `groups`, once."""
        text = self.text
        lone: dict[str, list[int]] = {}
        groups = self._groups
        for match in _RUN_RE.finditer(text):
            run = match.group()
            if " " not in run and "\t" not in run:
                # one word (most runs): `_split`'s one piece, without its loop
                if run.endswith(_CUT_ENDS):
                    run = _cut(run)[0]
                if run:
                    starts = lone.get(run)
                    if starts is None:
                        lone[run] = [match.start()]
                    else:
                        starts.append(match.start())
            elif "." in run or "'" in run or "’" in run:
                for piece in _split(text, match.start(), match.end()):
                    if len(piece.words) > 1:
                        groups.append(piece)
                    else:
                        lone.setdefault(piece.words[0], []).append(piece.start)
            else:  # words with nothing to cut (most longer runs): `_split`'s one piece
                groups.append(Piece(tuple(run.split()), match.start(), match.end()))
        self._lone = lone

    @property
    def pieces(self) -> list[list[Word]]:
        """Every piece of the text's runs as its words, in text order (a lone word: a
        piece of one)."""
        found = [[Word(w, s, s + len(w))] for w, starts in self.lone.items() for s in starts]
        found += [[p.word(i) for i in range(len(p.words))] for p in self.groups]
        return sorted(found, key=lambda piece: piece[0].start)

    def paragraph(self, pos: int) -> int:
        """The number of the paragraph (blank-line separated) holding offset `pos`."""
        if self._paragraphs is None:
            starts, at = [0], self.text.find("\n\n")
            while at >= 0:
                starts.append(at + 2)
                at = self.text.find("\n\n", at + 2)
            self._paragraphs = starts
        return bisect.bisect_right(self._paragraphs, pos) - 1


class ArticleIndex:
    """The index of an article's texts (headline, sub-headlines, body, in order)."""

    __slots__ = ("_lower", "texts")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = [TextIndex(text) for text in texts]
        self._lower: dict[str, bool] = {}

    def written_lower(self, word: str) -> bool:
        """Whether the article writes `word` in lower case somewhere ("diplomatic")."""
        low = word.casefold()
        found = self._lower.get(low)
        if found is None:
            found = self._lower[low] = any(_has_word(t.text, low) for t in self.texts)
        return found


def _has_word(text: str, word: str) -> bool:
    """Whether `word` occurs in `text` as a whole word."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not _glued(text[at - 1])) and (end == len(text) or not _glued(text[end])):
            return True
        at = text.find(word, at + 1)
    return False


def _glued(char: str) -> bool:
    return char.isalnum() or char in "_'’-"
