"""One index per article: what every later question about its texts reads.

`ArticleIndex(texts)` is built once for an article's texts (headline, sub-headlines,
body, in that order) and passed to whatever needs it (the entity table, speaker
resolution); nothing about a text is kept at module level, so two articles never share
state and a text's tables go when its index goes.

It holds, per text, the runs of capitalised words (found by one regular expression per
text: the only places a name can be), the paragraph starts, and, for the article, the
words it writes in lower case (a capitalised "Diplomatic" is no given name when the
article also writes "diplomatic"). Runs are split at sentence ends and possessives here,
once, so every reader sees the same words with the same offsets.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from newscorpus.annotate.words import word_set

# A capitalised word (hyphenated, Mc/O' names, initials, abbreviations).
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.&-]*"
# Lower-case words that may stand inside a name ("Ministry of Science and ICT",
# "Ludwig van Beethoven").
JOINERS = frozenset(
    ("of", "and", "for", "the", "on", "de", "van", "von", "der", "bin", "al", "da", "di", "del")
)
_RUN_RE = re.compile(
    rf"(?<![\w'’-]){_CAP}(?:(?:[ \t](?:{'|'.join(sorted(JOINERS))}))*[ \t]{_CAP})*"
)
# Abbreviations whose full stop ends no sentence, besides titles and initials.
_SUFFIXES = frozenset({"st", "jr", "sr", "co", "ltd", "inc", "corp", "plc", "llc", "no", "vs"})


@cache
def _titles() -> frozenset[str]:
    """Title and role words written with a full stop that ends no sentence."""
    words = word_set("titles") | word_set("role_words") | word_set("honorifics")
    return frozenset(w.rstrip(".") for w in words)


@dataclass(frozen=True, slots=True)
class Word:
    """A capitalised word of a run (possessive dropped) at `start`..`end` of its text."""

    text: str
    start: int
    end: int


def _keeps_stop(word: str) -> bool:
    """Whether the full stop ending `word` belongs to it ("Mr.", "W.", "U.S.", "Co.")."""
    body = word[:-1]
    low = body.casefold()
    return len(body) == 1 or "." in body or low in _titles() or low in _SUFFIXES


def split_run(text: str, start: int, end: int) -> list[list[Word]]:
    """The capitalised run `text[start:end]` as pieces of words: a sentence's full stop
    or a possessive ends a piece ("Seoul. Warren", "Blair's Labour"); joiners stay inside
    ("Ministry of Science"); offsets index `text`."""
    pieces: list[list[Word]] = []
    current: list[Word] = []
    pos = start
    for token in text[start:end].split():
        at = text.index(token, pos)
        pos = at + len(token)
        word, stop = token, False
        if word.endswith(".") and not _keeps_stop(word):
            word, stop = word[:-1], True
        if word.endswith(("'s", "’s")):
            word, stop = word[:-2], True
        elif word.endswith(("s'", "s’")):
            word, stop = word[:-1], True
        if word:
            current.append(Word(word, at, at + len(word)))
        if stop and current:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


class TextIndex:
    """One text of the article: its capitalised runs (as pieces) and paragraph starts."""

    __slots__ = ("_paragraphs", "pieces", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces: list[list[Word]] = []
        for match in _RUN_RE.finditer(text):
            run = match.group()
            if (
                " " not in run
                and "\t" not in run
                and run[-1] not in ".'’"
                and run[-2:-1] not in "'’"
            ):
                self.pieces.append([Word(run, match.start(), match.end())])
            else:
                self.pieces.extend(split_run(text, match.start(), match.end()))
        self._paragraphs: list[int] | None = None

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
