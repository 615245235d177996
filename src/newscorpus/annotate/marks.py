"""Quotation marks and the spans they enclose: which mark opens or closes, apostrophes
told apart, nesting, quotations running over paragraphs, stray marks; and the shapes of
quoted text that are terms or titles rather than speech.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from newscorpus.annotate.words import word_set

# Two straight single quotes ('') are a double mark in some newswire feeds (NYT).
_MARK_RE = re.compile(r"'''|''|[“”‘’\"'«»„]")


_DOUBLES = frozenset(("“", "”", '"', "«", "»", "„", "''"))


# Markup tags (e.g. `<tweet author="...">`): marks inside them are not quotations.
_TAG_RE = re.compile(r"<[A-Za-z/][^<>\n]{0,400}>")


_BLANK_RE = re.compile(r"[ \t\r\f\v\u00a0]*")


_ELISIONS = ("em", "til", "cause", "n", "tis", "twas", "bout", "nuff", "round")


_D_OPEN = "“«„"


_WORD_RE = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*")


# Sentence boundary: terminal punctuation (+ closing marks) then space then a capital
# or an opening mark. Abbreviations are filtered in `_sentence_start`.
_SENT_END_RE = re.compile(r"[.!?][”’\"')\]]*\s+(?=[“‘\"'(\[]?[A-Z0-9])")


_ABBREV = word_set("abbrev")


class _Span(NamedTuple):
    """An outermost quotation candidate: interior [start, end), mark positions."""

    start: int
    end: int
    open_pos: int
    close_pos: int  # -1 when the quotation runs to the paragraph end (multi-paragraph)
    group: int  # multi-paragraph group id (unique per quotation otherwise)


def _classify(text: str, i: int, ch: str, single_open: bool, double_open: bool) -> str:
    """Return "open", "close" or "" (apostrophe / ignorable) for the mark at i."""
    prev = text[i - 1] if i > 0 else " "
    j = i + len(ch)
    nxt = text[j] if j < len(text) else " "
    if ch == "''":
        ch = '"'
    pw, nw = prev.isalnum(), nxt.isalnum()
    if ch in _D_OPEN:
        return "open"
    if ch in "”»":
        return "close"
    if ch == '"':
        if double_open and not (prev.isspace() and nw):
            return "close"
        if double_open:
            # `"a "b` — a second opener: the earlier one was stray
            return "open"
        return "open" if not nxt.isspace() else ""
    if ch == "‘":
        if pw or nxt.isdigit():
            return ""
        return "open"
    # ’ and '
    if pw and nw:
        return ""  # China’s, don't
    if not pw and nw:
        if nxt.isdigit():
            return ""
        rest = text[i + 1 : i + 6].casefold()
        for el in _ELISIONS:
            if rest.startswith(el) and not (len(rest) > len(el) and rest[len(el)].isalpha()):
                return ""
        if ch == "'":
            return "open"
        return ""  # a ’ before a word is a misused apostrophe more often than an opener
    if single_open:
        return "close"
    return ""


def _in_tag(tags: list[tuple[int, int]], i: int) -> bool:
    k = bisect.bisect_right(tags, (i, _LEN_MAX)) - 1
    return k >= 0 and tags[k][0] <= i < tags[k][1]


_LEN_MAX = 1 << 62


_NON_APOSTROPHE_MARKS = '“”‘’"«»„'


# A ’ that is not between two word characters (`[^\W_]`, i.e. str.isalnum).
_CURLY_MARK_RE = re.compile(r"’(?:(?<![^\W_]’)|(?![^\W_]))")


# A whole run of straight single quotes, unless it is one between two word characters.
_STRAIGHT_RUN_RE = re.compile(r"'(?:(?<![^\W_]')'*|'+|(?![^\W_]))")


class _MarkIndex:
    """Every quotation mark of a text, found once (not a regex scan per line).

    `tokens(text, lo, hi)` returns what `_MARK_RE.finditer(text, lo, hi)` matches, as
    (position, mark) pairs, less the lone ’ and ' between two word characters (China’s,
    don't), which `_classify` always reads as apostrophes, so `_scan_block` skips them.
    Marks other than ' are single characters; a run of straight single quotes is kept
    whole and cut per window, from its first character inside the window, into pieces
    of at most three (what the regex takes at each position).
    """

    __slots__ = ("_items", "_starts")

    def __init__(self, text: str) -> None:
        items: list[tuple[int, int]] = []  # (start, end); end -1 for a single mark
        # isascii() is read from the string's header: no curly marks to look for
        if not text.isascii():
            for mark in "“”‘«»„":
                i = text.find(mark)
                while i >= 0:
                    items.append((i, -1))
                    i = text.find(mark, i + 1)
            items.extend((m.start(), -1) for m in _CURLY_MARK_RE.finditer(text))
        i = text.find('"')
        while i >= 0:
            items.append((i, -1))
            i = text.find('"', i + 1)
        items.extend(m.span() for m in _STRAIGHT_RUN_RE.finditer(text))
        items.sort()
        self._items = items
        self._starts = [start for start, _ in items]

    def first_at(self, lo: int) -> int:
        """Offset of the first mark token at or after `lo` (-1 if none)."""
        k = bisect.bisect_left(self._starts, lo)
        if k > 0 and self._items[k - 1][1] > lo:
            return lo  # a run of ' that starts before `lo` and reaches past it
        return self._starts[k] if k < len(self._starts) else -1

    def tokens(self, text: str, lo: int, hi: int) -> list[tuple[int, str]]:
        """(position, mark) of each mark token in text[lo:hi], left to right."""
        items = self._items
        k = bisect.bisect_left(self._starts, lo)
        if k > 0 and items[k - 1][1] > lo:
            k -= 1  # a run of ' that starts before `lo` and reaches into the window
        out: list[tuple[int, str]] = []
        # Indexed, not `items[k:]`: a slice would copy every mark after the window.
        for i in range(k, len(items)):
            start, end = items[i]
            if start >= hi:
                break
            if end < 0:
                out.append((start, text[start]))
                continue
            at, stop = max(start, lo), min(end, hi)
            while at < stop:
                size = min(3, stop - at)
                out.append((at, "'" * size))
                at += size
        return out


def _scan_block(
    text: str,
    lo: int,
    hi: int,
    tags: list[tuple[int, int]] | None = None,
    marks: _MarkIndex | None = None,
) -> tuple[list[tuple[int, int]], int]:
    """Pair outermost marks in text[lo:hi].

    Returns the closed (open_pos, close_pos) pairs and the position of an outermost
    opening mark left unclosed at `hi` (-1 if none). Unclosed inner single marks are
    treated as apostrophes. `marks` (the text's `_MarkIndex`) saves rescanning it.
    """
    pairs: list[tuple[int, int]] = []
    outer = -1
    outer_kind = ""  # "D" or "S"
    inner_single = 0  # open single quotations nested inside the outer one
    found = (
        marks.tokens(text, lo, hi)
        if marks is not None
        else [(m.start(), m.group()) for m in _MARK_RE.finditer(text, lo, hi)]
    )
    n = len(text)
    for i, ch in found:
        if tags and _in_tag(tags, i):
            continue
        if ch == '"':
            # the commonest mark, classified inline as `_classify` does it
            nxt = text[i + 1] if i + 1 < n else " "
            if outer < 0:
                if not nxt.isspace():
                    outer, outer_kind, inner_single = i, "D", 0
            elif outer_kind == "D":
                if not ((text[i - 1] if i > 0 else " ").isspace() and nxt.isalnum()):
                    pairs.append((outer, i))
                    outer = -1
                else:
                    # a new opener while one is open: the earlier one was stray
                    outer, inner_single = i, 0
            continue
        if ch in _D_OPEN:
            # `_classify` reads these as openers, and ”/» as closers, whatever surrounds
            # them; a single quotation open outside takes no double mark
            if outer < 0 or outer_kind == "D":
                outer, outer_kind, inner_single = i, "D", 0
            continue
        if ch in "”»":
            if outer >= 0 and outer_kind == "D":
                pairs.append((outer, i))
                outer = -1
            continue
        if ch == "'''":
            # ''' = a single mark next to a '' double mark; which comes first
            # depends on whether a nested single quotation is open
            if outer >= 0 and outer_kind == "D" and inner_single > 0:
                events = [(i, "'"), (i + 1, "''")]
            else:
                events = [(i, "''"), (i + 2, "'")]
        else:
            events = [(i, ch)]
        for i, ch in events:
            is_double = ch in _DOUBLES
            if outer < 0:
                kind = _classify(text, i, ch, False, False)
                if kind == "open":
                    outer, outer_kind, inner_single = i, ("D" if is_double else "S"), 0
                continue
            if outer_kind == "D":
                kind = _classify(text, i, ch, inner_single > 0, True)
                if is_double:
                    if kind == "close":
                        pairs.append((outer, i))
                        outer = -1
                    elif kind == "open":
                        # a new opener while one is open: the earlier one was stray
                        outer, inner_single = i, 0
                elif kind == "open":
                    inner_single += 1
                elif kind == "close":
                    inner_single -= 1
            elif not is_double and _classify(text, i, ch, True, False) == "close":
                # outer single quotation (doubles inside it are nested)
                pairs.append((outer, i))
                outer = -1
    return pairs, outer


def _mlen(text: str, i: int) -> int:
    """Length of the quotation mark at i (2 for a '' double mark)."""
    return 2 if text.startswith("''", i) else 1


def _starts_with_opener(text: str, lo: int, hi: int) -> bool:
    m = _BLANK_RE.match(text, lo, hi)
    j = m.end() if m else lo
    return j < hi and (
        text[j] in _D_OPEN or (text[j] == '"' and j + 1 < hi and not text[j + 1].isspace())
    )


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _next_line(text: str, hi: int) -> tuple[int, int] | None:
    """The first line after the one ending at `hi` that is not blank, if any."""
    n = len(text)
    pos = hi + 1
    while pos <= n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        line = text[pos:end]
        if line and (not line[0].isspace() or line.strip()):
            return pos, end
        pos = end + 1
    return None


def find_quote_spans(text: str) -> list[_Span]:
    """All outermost quotation candidates in `text` (before the speech filter)."""
    tags = [m.span() for m in _TAG_RE.finditer(text)] if "<" in text else []
    marks = _MarkIndex(text)
    out: list[_Span] = []
    next_group = 0
    carry: int | None = None  # group id continued by a multi-paragraph quotation
    first_nonblank = 0

    def emit(s: int, e: int, op: int, cl: int) -> None:
        nonlocal next_group, carry
        if text[s : s + 1].isspace() or text[e - 1 : e].isspace():
            s, e = _trimmed(text, s, e)
        if e <= s:
            return
        if carry is not None and op == first_nonblank:
            gid = carry
        else:
            gid = next_group
            next_group += 1
        carry = None
        out.append(_Span(s, e, op, cl, gid))

    # Lines (not blank, split at "\n") are read in order, but only those holding a mark
    # token: a line without one yields nothing and only ends a continued quotation,
    # whose next line always opens with a mark. `start_at` is where the next line to
    # read may start (past a hard-wrapped quotation's end on its continuation line).
    start_at = 0
    while True:
        p = marks.first_at(start_at)
        if p < 0:
            break
        lo = max(start_at, text.rfind("\n", 0, p) + 1)
        hi = text.find("\n", p)
        if hi < 0:
            hi = len(text)
        start_at = hi + 1
        m = _BLANK_RE.match(text, lo, hi)
        first_nonblank = m.end() if m else lo
        scan_from = lo
        continued = False
        looked = False  # is `nxt` known yet?
        nxt: tuple[int, int] | None = None
        while True:
            pairs, unclosed = _scan_block(text, scan_from, hi, tags, marks)
            for op, cl in pairs:
                emit(op + (2 if text.startswith("''", op) else 1), cl, op, cl)
            if unclosed < 0:
                break
            if not looked:
                nxt, looked = _next_line(text, hi), True
            if (
                nxt is not None
                and text[unclosed] not in "'‘"
                and _starts_with_opener(text, nxt[0], nxt[1])
            ):
                # newswire multi-paragraph quotation: this paragraph's part runs to
                # its end; the next paragraph's opening quotation joins the group
                emit(unclosed + _mlen(text, unclosed), hi, unclosed, -1)
                carry = out[-1].group if out and out[-1].open_pos == unclosed else None
                continued = True
                break
            if nxt is not None and text.count("\n", hi, nxt[0]) == 1:
                # hard-wrapped line: continue only if the next line closes the
                # quotation before opening anything else
                cont_pairs, _ = _scan_block(text, unclosed, nxt[1], tags, marks)
                if cont_pairs and cont_pairs[0][0] == unclosed and cont_pairs[0][1] >= nxt[0]:
                    emit(
                        unclosed + _mlen(text, unclosed),
                        cont_pairs[0][1],
                        unclosed,
                        cont_pairs[0][1],
                    )
                    start_at = cont_pairs[0][1] + _mlen(text, cont_pairs[0][1])
                    break
            scan_from = unclosed + _mlen(
                text, unclosed
            )  # stray mark: ignore it and rescan the rest
        if not continued:
            carry = None
    return out


def _at_least(n: int) -> re.Pattern[str]:
    """Matches (at the start) a text with at least `n` `_WORD_RE` words: each word
    and the gap before it are taken whole (possessive), as `findall` takes them."""
    return re.compile(r"(?:[\W_]*+[^\W_]++(?:[’'][^\W_]++)*+){" + str(n) + "}")


_FOUR_WORDS_RE = _at_least(4)


_SEVEN_WORDS_RE = _at_least(7)


_NINE_WORDS_RE = _at_least(9)


_CLAUSE_PUNCT_RE = re.compile(r"[,;:!?]")


def looks_like_term(quote_text: str) -> bool:
    """Shape test for scare quotes, titles and terms (not speech on their own).

    True for a short phrase that is not a sentence: at most 3 words, or at most 6
    words that neither start with a capital nor contain clause punctuation.
    """
    # The word count only matters up to 7: found without listing every word.
    if _SEVEN_WORDS_RE.match(quote_text) is not None:
        return False
    if _FOUR_WORDS_RE.match(quote_text) is None:
        return True
    stripped = quote_text.strip()
    return not stripped[:1].isupper() and not _CLAUSE_PUNCT_RE.search(stripped)


_TITLE_SMALL = frozenset(
    "a an the and or of to in on at for with by from as nor but vs".split()  # noqa: SIM905
)


_TITLE_LEADS = frozenset(
    "on of titled entitled called in show book film movie song program series".split()  # noqa: SIM905
)


def looks_like_title(source: str, start: int, end: int, open_pos: int) -> bool:
    """A Title-Case phrase (show, book, film, slogan) rather than speech.

    True for at most 8 Title-Case words when the phrase is very short (<= 3 words) or
    follows a possessive or a title lead word (`NBC's "Meet the Press"`, `titled "…"`).
    """
    first = source[start : start + 1]
    if first.isalnum() and not first.isupper():
        return False  # the first word does not start with a capital
    if _NINE_WORDS_RE.match(source, start, end) is not None:
        return False  # more than 8 words
    words = _WORD_RE.findall(source, start, end)
    if not words or not words[0][0].isupper():
        return False
    if not all(w[0].isupper() or w[0].isdigit() or w.lower() in _TITLE_SMALL for w in words):
        return False
    if len(words) <= 3:
        return True
    before = source[max(0, open_pos - 20) : open_pos].rstrip()
    if before.endswith(("’s", "'s", "s’", "s'")):
        return True
    last = before.rsplit(None, 1)[-1].lower() if before.split() else ""
    return last in _TITLE_LEADS
