"""Sentence boundaries of a text, abbreviation aware, found once per text (kept with an
indexed text, `index.IndexedText`) and looked up by offset (`_sentence_start`,
`_sentence_end`).
"""

from __future__ import annotations

import bisect

from newscorpus.annotate.marks import (
    _ABBREV,
    _LEN_MAX,
    _SENT_END_RE,
)
from newscorpus.annotate.words import word_set

# Abbreviations that are also common words: abbreviations only when capitalised.
_COMMON_WORD_ABBREV = word_set("abbrev_common_words")


def _boundary_at(text: str, lo: int, j: int) -> bool:
    """Is the terminal-punctuation match at `j` a real sentence end (not "U.S." /
    "Sen.")? `lo` bounds the look back for the word before a full stop."""
    if text[j] != ".":
        return True
    # The word before the full stop: the run of alphanumerics and dots ending at j (not
    # before lo). Usually a space precedes it; otherwise walk back character by character.
    k = max(lo, text.rfind(" ", lo, j) + 1)
    if not text[k:j].replace(".", "").isalnum():
        k = j
        while k > lo and (text[k - 1].isalnum() or text[k - 1] == "."):
            k -= 1
    written = text[k:j]
    word = written.casefold()
    return not (_abbreviation(word, written) or len(word.replace(".", "")) <= 1 or "." in word)


def _abbreviation(word: str, written: str) -> bool:
    """Is `word` (casefolded; `written` as in the text) an abbreviation? One that is also
    a common word ("ill", "no", "miss") only when written capitalised ("Ill.", "No. 1"):
    "He was ill." ends a sentence."""
    return word in _ABBREV and (word not in _COMMON_WORD_ABBREV or written[:1].isupper())


# Longest stretch read as one sentence (far past real ones).
_MAX_SENTENCE_CHARS = 2000


_LOOKAHEAD_OPENERS = "“‘\"'(["


class _Sentences:
    """Every `_SENT_END_RE` match of a text, found once per text.

    A match depends only on where it starts, so the matches `finditer(text, a, b)`
    yields are exactly the whole-text matches starting at or after `a` whose lookahead
    (one character, or two after an opening mark) ends by `b`. `_boundary_at` reads no
    text before the last space ahead of the full stop, so its answer for `lo` at or
    before that space is the same for every such `lo` and is cached.
    """

    __slots__ = ("_bound", "_ends", "_need", "_space", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # A match starts at a terminal mark and no match holds another one, so trying
        # each mark (found with str.find, far faster than the regex's own scan) gives
        # exactly the matches of `_SENT_END_RE.finditer(text)`.
        marks = []
        for ch in ".!?":
            i = text.find(ch)
            while i >= 0:
                marks.append(i)
                i = text.find(ch, i + 1)
        marks.sort()
        match = _SENT_END_RE.match
        spans = [m.span() for p in marks if (m := match(text, p)) is not None]
        self._starts: list[int] = [a for a, _ in spans]
        self._ends: list[int] = [b for _, b in spans]
        # endpos a window needs for the lookahead to see what it saw in the whole text
        self._need = [b + 1 + (text[b] in _LOOKAHEAD_OPENERS) for b in self._ends]
        # last space before the match (_LEN_MAX: the answer never depends on `lo`;
        # -2: not looked at yet) and the answer for any `lo` at or before it
        self._space = [-2] * len(spans)
        self._bound = [False] * len(spans)

    def _settle(self, k: int) -> int:
        text = self._text
        j = self._starts[k]
        if text[j] != ".":
            space, bound = _LEN_MAX, True
        else:
            space = text.rfind(" ", 0, j)
            word = text[space + 1 : j]
            if space >= 0 and word.isalnum():
                # the common case of `_boundary_at`: a plain word after a space
                bound = not (_abbreviation(word.casefold(), word) or len(word) <= 1)
            else:
                bound = space >= 0 and _boundary_at(text, space, j)
        self._space[k] = space
        self._bound[k] = bound
        return space

    def start(self, lo: int, pos: int) -> int:
        """`_sentence_start(text, lo, pos)`."""
        # Candidates end by `pos` (so their lookahead ends by pos + 2) and start in the
        # window; the last boundary wins, so they are tried from the right.
        starts, space = self._starts, self._space
        first = max(lo, pos - 600)
        k = bisect.bisect_right(self._ends, pos) - 1
        while k >= 0 and starts[k] >= first:
            sp = space[k]
            if sp == -2:
                sp = self._settle(k)
            if self._bound[k] if lo <= sp else _boundary_at(self._text, lo, starts[k]):
                return self._ends[k]
            k -= 1
        return lo

    def end(self, pos: int, hi: int, cap: int = _LEN_MAX) -> int:
        """min(cap, `_sentence_end(text, pos, hi)`): no boundary at or past `cap` is
        looked at."""
        hi = min(hi, pos + _MAX_SENTENCE_CHARS)
        stop = min(cap, hi)
        need, starts, space = self._need, self._starts, self._space
        k = bisect.bisect_left(starts, pos)
        # lookahead ends never decrease along the matches
        while k < len(need) and need[k] <= hi:
            j = starts[k]
            if j + 1 >= stop:
                break
            sp = space[k]
            if sp == -2:
                sp = self._settle(k)
            if self._bound[k] if pos <= sp else _boundary_at(self._text, pos, j):
                return j + 1
            k += 1
        return stop

    def starts_in(self, lo: int, hi: int) -> list[int]:
        """The boundary match ends `_sentence_starts` takes from text[lo:hi]."""
        need, starts, space = self._need, self._starts, self._space
        out: list[int] = []
        k = bisect.bisect_left(starts, lo)
        while k < len(need) and need[k] <= hi:
            sp = space[k]
            if sp == -2:
                sp = self._settle(k)
            if self._bound[k] if lo <= sp else _boundary_at(self._text, lo, starts[k]):
                out.append(self._ends[k])
            k += 1
        return out

    def last_starts_in(self, lo: int, hi: int, count: int) -> list[int]:
        """The last `count` of `starts_in(lo, hi)` (ascending), looked for from the
        right: a pronoun reads only the few sentences nearest it."""
        need, starts, space, ends = self._need, self._starts, self._space, self._ends
        first = bisect.bisect_left(starts, lo)
        # `need` never decreases, so the window's matches are first .. k
        k = bisect.bisect_right(need, hi) - 1
        out: list[int] = []
        while k >= first and len(out) < count:
            sp = space[k]
            if sp == -2:
                sp = self._settle(k)
            if self._bound[k] if lo <= sp else _boundary_at(self._text, lo, starts[k]):
                out.append(ends[k])
            k -= 1
        out.reverse()
        return out


def _sentences(text: str) -> _Sentences:
    """The `_Sentences` of `text`: the one an indexed text (`index.IndexedText`) carries,
    made once per text; for any other string, made for this call."""
    table: _Sentences | None = getattr(text, "sentence_table", None)
    return table if table is not None else _Sentences(text)


def _sentence_start(text: str, lo: int, pos: int) -> int:
    """Start of the sentence containing `pos`, not before `lo` (abbreviation aware)."""
    return _sentences(text).start(lo, pos)


def _sentence_end(text: str, pos: int, hi: int) -> int:
    """End (just past the terminal punctuation) of the sentence at `pos`, at most `hi`
    and at most `_MAX_SENTENCE_CHARS` on: real sentences are far shorter, and the cap keeps
    the work per quotation bounded on text without sentence ends (bad input)."""
    return _sentences(text).end(pos, hi)
