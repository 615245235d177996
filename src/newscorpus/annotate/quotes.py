"""Direct-quotation extraction: find quoted speech in plain text with exact offsets.

Design (rule based, standard library only, pure functions):

* **Marks.** Curly double “…”, straight double "…", two straight singles ''…'' (the
  NYT feed's double mark), guillemets «…», low-9 „…”, and
  single ‘…’ / '…'. The right single mark ’ and the straight ' double as apostrophes;
  a mark between two word characters (China’s, don't) is always an apostrophe, and a
  word-final one (States’, Jones') closes a quotation only when a single quotation is
  actually open. A leading ’/' before a digit or an elision ('90s, 'em) is an apostrophe.
* **Nesting.** Only outermost quotations are returned; ‘…’ inside “…” stays part of
  the outer text.
* **Boundaries.** A quotation never crosses a blank line ("\\n\\n") or a line break,
  except (a) a hard-wrapped line whose continuation line closes the quotation, and
  (b) newswire multi-paragraph quotations: an opening mark left unclosed at the end of
  a paragraph whose next paragraph starts with an opening mark. For (b) **one
  quotation per paragraph** is emitted, all sharing one speaker.
* **Stray marks.** An opening mark left unclosed at a paragraph end (and not followed
  by a continuation paragraph) is dropped, and scanning resumes after it, so a stray
  mark never swallows the rest of the text and never yields a quotation itself.
* **Text.** `Quote.text` is the content without the enclosing marks, trimmed of
  surrounding whitespace; `text == source[start:end]`.
* **Speech vs terms.** A quotation is kept when it has a cue in its own sentence
  (`“No,” he said.`, `X said that … “…”`, headline `X: ‘…’`) or when it does not look
  like a term (`looks_like_term`: a few words, not a sentence). Scare quotes and titles
  (`the ‘one China’ principle`, `a ‘counterpart’`) are therefore left out, and so are
  Title-Case titles (`looks_like_title`: NBC's “Meet the Press”) unless a cue follows
  the closing mark. Marks inside markup tags (`<tweet author="…">`) are ignored.
  A term-shaped fragment is nevertheless a partial direct quotation (kept) when its
  sentence reports someone's words: a reporting, naming or judging verb earlier in
  the sentence outside other quotations (`Bush tweeted that Trump is a “loser,” a
  “liar” and a “whiner”`, `called Rubio “Little Marco”`, `blamed it on a “disturbed
  person”`), or a sentence-final attribution clause (`… a “mistake” …, Comey said.`),
  and so is a short quoted sentence of its own after others in its paragraph, when
  a speaker is in context (`“No,” he said. “Never.”`; `_whole_sentence`).
  A licensed Title-Case fragment is still dropped right after a possessive, a
  preposition or a determiner (`told NBC's “Today”`, `on “Meet the Press”`).
* **Speakers.** See `newscorpus.annotate.attribution`. Order of preference: a cue in the
  quotation's own sentence (after the closing mark, then before the opening mark,
  then the headline `X: ‘…’` form); the multi-paragraph group; the previous quotation
  in the same paragraph (`“…,” X said. “…”`); for a quote-only paragraph, the last
  attributed quotation of the paragraph right before; the subject of the quotation's
  own sentence (`Kasich resisted: “…”`); a colon-ended previous sentence/paragraph,
  or, for a quotation that is a sentence of its own, a previous sentence in the
  paragraph that reports speech (`Kim said the economy would recover. “…”`, the cue
  outside quotation marks); a sentence-final attribution clause (`“…” if she lost,
  said X, an analyst.`); a dash signature on the next line after a quote-only
  paragraph (`-Michelle Marks, Philadelphia.`); for a paragraph opening with an
  unattributed quotation, a reporting verb's subject in the last sentence of the
  paragraph right before.
  Inherited mention/cue offsets point at the mention/cue that attributes the quote.
  Pronouns are resolved to the most recent compatible named speaker: quotation
  speakers, subjects of reporting verbs without a quotation (`Gambill said the win …`,
  `according to X`) and, within a few hundred characters, a person-like proper name
  opening a plain sentence (`Premier X has rejected …`); see `_Discourse` and
  `attribution.resolve_referent`. he/she want a person (not an organisation or a plural
  noun) of compatible gender (titles, `X said she …`, earlier resolutions), falling back
  to the latest organisation quoted; they/it want an organisation or group. The
  surface pronoun stays in `speaker_mention`; unresolvable pronouns (and we/I/you)
  keep speaker == mention rather than None.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import NamedTuple

from newscorpus.annotate.attribution import (
    antecedent,
    attribution_after,
    attribution_before,
    attribution_before_cue,
    attribution_colon,
    subject_np,
)
from newscorpus.annotate.cues import (
    CueHit,
    Ranges,
    find_cues,
    has_reporting_word,
    normalize_ws,
    prepare_text,
)
from newscorpus.annotate.entities import (
    People,
    entity_of,
    find_people,
    is_not_person,
    resolve_person_pronoun,
)
from newscorpus.annotate.persons import (
    REPORT_FORMS,
    Referent,
    gender_key,
    is_bare_role,
    is_person_name,
    name_gender,
    person_core,
    person_parts,
    resolve_referent,
)
from newscorpus.annotate.phrases import (
    Attribution,
    is_pronoun,
    np_after,
)
from newscorpus.annotate.speakers import canonical_speakers
from newscorpus.annotate.words import word_set


@dataclass(frozen=True, slots=True)
class Quote:
    """One direct quotation found in a text, with offsets into that text.

    `text == source[start:end]` is the quoted content *without* the enclosing marks.
    Speaker and cue offsets, when present, slice the same source text likewise.
    """

    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_mention: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    # How the speaker was found: the attribution pattern (`cue_after`, `same_paragraph`,
    # … see `PATTERNS`) and how the mention became `speaker` (`as_written`, `pronoun`,
    # `pronoun_entity`, `relative`, or the pass of `speakers.PASSES` that decided).
    speaker_pattern: str | None = None
    speaker_resolution: str | None = None


# The attribution patterns a quotation's speaker can come from, in the order tried.
PATTERNS = (
    "cue_after",  # “…,” X said / said X
    "cue_before",  # X said, “…”
    "colon",  # X: “…”
    "bare_cue_continues",  # and added, “…”: the current speaker
    "continued_quotation",  # a quotation running over paragraphs
    "same_paragraph",  # the paragraph's speaker
    "quote_paragraph_after",  # a quote-only paragraph after an attributed one
    "sentence_subject",  # Kim, visibly moved, “…”
    "previous_sentence",  # Kim said … . “…”
    "dash_signature",  # “…” — Kim
    "previous_paragraph",  # the speaker of the paragraph before
    "trailing_cue",  # … “fragment” …, X said.
)
_OWN_PATTERNS = {"after": "cue_after", "before": "cue_before", "colon": "colon"}


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
        for start, end in items[k:]:
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
    word = text[k:j].casefold()
    return not (word in _ABBREV or len(word.replace(".", "")) <= 1 or "." in word)


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
                word = word.casefold()
                bound = not (word in _ABBREV or len(word) <= 1)
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


_sentences_cache: tuple[str, _Sentences] = ("", _Sentences(""))


def _sentences(text: str) -> _Sentences:
    """The `_Sentences` of `text` (kept for the text last asked about)."""
    global _sentences_cache
    cached = _sentences_cache
    if cached[0] is text:
        return cached[1]
    index = _Sentences(text)
    _sentences_cache = (text, index)
    return index


def _sentence_start(text: str, lo: int, pos: int) -> int:
    """Start of the sentence containing `pos`, not before `lo` (abbreviation aware)."""
    cached = _sentences_cache
    return (cached[1] if cached[0] is text else _sentences(text)).start(lo, pos)


def _sentence_end(text: str, pos: int, hi: int) -> int:
    """End (just past the terminal punctuation) of the sentence at `pos`, at most `hi`
    and at most `_MAX_SENTENCE_CHARS` on: real sentences are far shorter, and the cap keeps
    the work per quotation bounded on text without sentence ends (bad input)."""
    cached = _sentences_cache
    return (cached[1] if cached[0] is text else _sentences(text)).end(pos, hi)


# The slot setters of Quote's fields, in order. A frozen dataclass's __init__ sets each
# field through object.__setattr__, which costs more than the rest of a quotation's
# bookkeeping; `_make_quote` fills the slots directly (same object, same fields).
(
    _SET_TEXT,
    _SET_START,
    _SET_END,
    _SET_SPEAKER,
    _SET_MENTION,
    _SET_MENTION_START,
    _SET_MENTION_END,
    _SET_CUE,
    _SET_CUE_START,
    _SET_CUE_END,
    _SET_PATTERN,
    _SET_RESOLUTION,
) = (getattr(Quote, f.name).__set__ for f in fields(Quote))
_new_object = object.__new__


def _make_quote(
    text: str,
    sp: _Span,
    speaker: str | None,
    att: Attribution | None,
    pattern: str | None = None,
    resolution: str | None = None,
) -> Quote:
    """`Quote(text[sp.start : sp.end], sp.start, sp.end, speaker, <att's mention and
    cue fields>, pattern, resolution)`, or with the defaults (None) when there is no
    attribution (a resolution only with a speaker)."""
    q: Quote = _new_object(Quote)
    _SET_TEXT(q, text[sp.start : sp.end])
    _SET_START(q, sp.start)
    _SET_END(q, sp.end)
    _SET_PATTERN(q, pattern if att is not None else None)
    _SET_RESOLUTION(q, resolution if speaker is not None else None)
    if att is None:
        _SET_SPEAKER(q, None)
        _SET_MENTION(q, None)
        _SET_MENTION_START(q, None)
        _SET_MENTION_END(q, None)
        _SET_CUE(q, None)
        _SET_CUE_START(q, None)
        _SET_CUE_END(q, None)
        return q
    _SET_SPEAKER(q, speaker)
    _SET_MENTION(q, att.mention)
    _SET_MENTION_START(q, att.mention_start)
    _SET_MENTION_END(q, att.mention_end)
    _SET_CUE(q, att.cue)
    _SET_CUE_START(q, att.cue_start)
    _SET_CUE_END(q, att.cue_end)
    return q


def _paragraph_of(text: str, pos: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return lo, (len(text) if hi < 0 else hi)


def _own_attribution(
    text: str, spans: list[_Span], idx: int, plo: int, phi: int, lo: int
) -> Attribution | None:
    """Attribution found in the quotation's own sentence (after, before or colon form)."""
    sp = spans[idx]
    if sp.close_pos >= 0:
        after_start = sp.close_pos + (2 if text.startswith("''", sp.close_pos) else 1)
        nxt_open = spans[idx + 1].open_pos if idx + 1 < len(spans) else len(text)
        cached = _sentences_cache
        sentences = cached[1] if cached[0] is text else _sentences(text)
        after_hi = sentences.end(after_start, phi, min(phi, nxt_open))
        att = attribution_after(text, after_start, after_hi)
        if att is not None:
            return att
    sent_lo = _sentence_start(text, lo, sp.open_pos)
    before = attribution_before(text, sent_lo, sp.open_pos)
    if before is None:
        before = attribution_colon(text, sent_lo, sp.open_pos)
    return before


_CLAUSE_COMMA_RE = re.compile(r",[”’\"']*\s")
_TRAIL_BLOCK_RE = re.compile(r"\bthat\b|[“”\"‘]")


def _trailing_attribution(text: str, pos: int, hi: int) -> Attribution | None:
    """A sentence-final attribution clause after `pos`: `…, X said [adjuncts].`,
    `…, said X, title.`, `…, according to X.` The whole sentence is then reported
    speech, so a quotation anywhere in it belongs to X. The clause must close the
    sentence: nothing after the cue introduces new content ("that", a quotation)."""
    cues = find_cues(text, pos, hi)
    if not cues:
        return None
    for m in _CLAUSE_COMMA_RE.finditer(text, pos, hi):
        if not any(0 <= c.s - m.end() <= 120 for c in cues):
            continue
        att = attribution_after(text, m.end(), hi)
        if att is None or att.mention is None or att.cue_end is None:
            continue
        tail = text[max(att.cue_end, att.mention_end or 0) : hi]
        if len(tail.split()) > 16 or _TRAIL_BLOCK_RE.search(tail):
            continue
        return att
    return None


_DASH_SIG_RE = re.compile(
    r"\s*[-—–]+\s*([A-Z][\w’'.-]*(?:[ \t]+[A-Z][\w’'.-]*){0,5})(?=[,.(]|\s*$)"
)


def _dash_signature(text: str, sp: _Span, phi: int) -> Attribution | None:
    """Signature line after a quote-only paragraph: `“…”` / `-Michelle Marks, Philadelphia.`
    (letters, reader comments, collected quotations). The quotation must fill its
    paragraph, and the next paragraph must start with a dash and a capitalised name."""
    if sp.close_pos < 0 or text[sp.close_pos + _mlen(text, sp.close_pos) : phi].strip(" .\t"):
        return None
    nxt = phi
    while nxt < len(text) and text[nxt].isspace():
        nxt += 1
    if nxt - phi > 3 or nxt >= len(text) or text[nxt] not in "-—–":
        return None
    m = _DASH_SIG_RE.match(text, nxt - 1 if nxt > 0 else nxt)
    if m is None:
        return None
    name = m.group(1).rstrip(".")
    s = m.start(1)
    return Attribution(name, s, s + len(name), None, None, None, "signature")


def _previous_paragraph_speaker(text: str, plo: int) -> Attribution | None:
    """For a paragraph that opens with an unattributed quotation: the speaker of a
    reporting verb in the last sentence of the paragraph right before it (`Coan
    argues that his client never encouraged violence.` / `“…”`). News style
    introduces a speaker and then gives the quotation its own paragraph."""
    end = plo
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end <= 0 or text.count("\n", end, plo) > 2:
        return None
    pplo = text.rfind("\n", 0, end) + 1
    s_lo = _sentence_start(text, pplo, end - 1)
    if any(ch in text[s_lo:end] for ch in '“”"«»'):
        return None  # a quotation there was already considered
    att = attribution_before(text, s_lo, end)
    if att is None or att.mention is None or att.cue is None:
        return None
    return att


def _licensed(text: str, sp: _Span, sent_lo: int, skip: Ranges) -> bool:
    """A term-shaped quotation is speech when its clause reports someone's words:
    a reporting/characterising verb earlier in its sentence (outside other
    quotations), `he called her “weak”`, `said the plan was “a disaster”`."""
    return has_reporting_word(text, sent_lo, sp.open_pos, skip)


_SENTENCE_FINAL_RE = re.compile(r"[.!?…]['’\"”]?\s*$")


def _whole_sentence(text: str, sp: _Span, sent_lo: int, para_lo: int) -> bool:
    """A short quotation that is a sentence of its own after others in its paragraph:
    `“No,” he said. “Never.”`.

    It opens its sentence, starts with a capital and ends with sentence-final
    punctuation inside the marks: speech continuing the speaker in context (a term or
    a scare quote sits inside someone else's sentence), not a term. One that opens its
    paragraph is left out: alone, it is as often a quoted section heading or a crowd's
    reply as the last speaker's words.
    """
    if sp.close_pos < 0 or text[sent_lo : sp.open_pos].strip():
        return False
    if not text[para_lo : sp.open_pos].strip():
        return False
    quoted = text[sp.start : sp.end].strip()
    return quoted[:1].isupper() and _SENTENCE_FINAL_RE.search(quoted) is not None


_TITLE_CONTEXT = word_set("title_context")


def _title_context(text: str, open_pos: int) -> bool:
    """Is the word before an opening mark one that introduces a title or a name
    (`NBC's “Today”`, `on “Meet the Press”`, `the book “…”`)?"""
    before = text[max(0, open_pos - 24) : open_pos].rstrip()
    if before.endswith(("’s", "'s", "s’", "s'")):
        return True
    words = before.split()
    return bool(words) and words[-1].lower().strip(",") in _TITLE_CONTEXT


# Cues that report someone's words (not "called", "wrote about" ...): a quotation
# standing alone after such a sentence continues its speaker.
_SPEECH_CUES = word_set("speech_cues")
# Double quotation marks (single ones double as apostrophes).
_DOUBLE_MARK_RE = re.compile('["“”«»„]')
# One of them in a sentence, found before looking for its attribution.
_SPEECH_CUE_RE = re.compile(r"(?i)\b(?:" + "|".join(sorted(_SPEECH_CUES)) + r")\b")


def _previous_sentence_attribution(
    text: str, plo: int, open_pos: int, lo: int
) -> Attribution | None:
    """Attribution in the sentence before the quotation (same paragraph), or in a
    previous paragraph that ends with a colon ("Mr. X said:")."""
    sent_lo = _sentence_start(text, plo, open_pos)
    if sent_lo > plo:
        prev_lo = _sentence_start(text, plo, sent_lo - 1)
        seg_end = sent_lo
        while seg_end > prev_lo and text[seg_end - 1].isspace():
            seg_end -= 1
        if text[seg_end - 1 : seg_end] == ":":
            prev = attribution_before(text, max(prev_lo, lo), seg_end)
            if prev is not None and prev.mention is not None:
                return prev
            return None
        # "Kim said the economy would recover. “We are confident.”": a quotation
        # that is a sentence of its own continues the speaker whose words the
        # sentence before it reports, through a speech verb ("said", "told").
        if (
            not text[sent_lo:open_pos].strip()
            and _SPEECH_CUE_RE.search(text, max(prev_lo, lo), seg_end) is not None
        ):
            prev = attribution_before(text, max(prev_lo, lo), seg_end)
            # The cue must frame the sentence, not sit in someone's quoted words:
            # '“I stumbled but my experience told through. “I still feel …”' is no
            # report, 'Wenger said: “Freddie is an option. “I have to decide …”' is.
            mark = _DOUBLE_MARK_RE.search(text, max(prev_lo, lo), seg_end)
            if (
                prev is not None
                and prev.mention is not None
                and prev.cue is not None
                and prev.cue.casefold() in _SPEECH_CUES
                and (mark is None or (prev.cue_start or 0) < mark.start())
            ):
                return prev
        return None
    prev_end = plo
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    if prev_end > 0 and text[prev_end - 1] == ":":
        pplo, _ = _paragraph_of(text, prev_end - 1)
        s_lo = _sentence_start(text, pplo, prev_end - 1)
        prev = attribution_before(text, s_lo, prev_end)
        if prev is None:
            prev = attribution_colon(text, s_lo, prev_end)
        if prev is None:
            # "The president was blunt:" — the subject introduces the quotation
            subj = subject_np(text, s_lo, prev_end - 1)
            if subj is not None:
                prev = Attribution(
                    text[subj[0] : subj[1]], subj[0], subj[1], None, None, None, "subject"
                )
        if prev is not None and prev.mention is not None:
            return prev
    return None


# How far back (characters) a plain sentence subject may be for a pronoun speaker.
_SUBJECT_REACH = 400
# How far back (characters) reporting clauses are searched when no quotation speaker
# fits the pronoun.
_DISCOURSE_REACH = 1000
# At most this many sentences before a pronoun speaker are searched for a referent.
_SENTENCES_BACK = 4
_PREP_AFTER_RE = re.compile(r"\s+(?:of|from|at|for|with)\s")
# "X said she …" / "X said it …": the pronoun right after the cue tells X's kind
_PRONOUN_AFTER_RE = re.compile(r"\s+(?:that\s+)?(he|she|it|they)\b")
# an appositive name after a role: "The Federal Privacy Commissioner, Malcolm Crompton,"
_APPOSITIVE_NAME_RE = re.compile(r",\s*([A-Z][\w’'.-]*(?:\s+[A-Za-z][\w’'.-]*){0,3}),")
_HONORIFIC_FORMS = word_set("honorific_forms")
_PRONOUN_SUBJECTS = word_set("pronoun_subjects")
_TELL_CUES = frozenset(("told", "tell", "tells", "according to"))


_OPENERS = word_set("openers")


def _names_before(text: str, lo: int, hi: int) -> bool:
    """Does text[lo:hi] (a sentence start) hold a capitalised word other than an
    opening determiner or conjunction ("The company said" has none)?"""
    seg = text[lo:hi]
    first, _, rest = seg.partition(" ")
    if first.casefold() in _OPENERS:
        seg = rest
    return seg != seg.lower()


def _sentence_starts(text: str, lo: int, hi: int) -> list[int]:
    """Start offsets of the sentences (and lines) of text[lo:hi], ascending; `lo` must
    be a sentence start. (The pronoun search needs only the last few, and reads them
    with `_last_sentence_starts`; this is their plain definition.)"""
    starts = [lo, *_sentences(text).starts_in(lo, hi)]
    i = text.find("\n", lo, hi)
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1, hi)
    return sorted(set(starts))


def _last_sentence_starts(text: str, lo: int, hi: int, count: int) -> list[int]:
    """The last `count` of `_sentence_starts(text, lo, hi)`: the last `count` of its
    sentence ends and of its line starts are enough to know them."""
    starts = [lo, *_sentences(text).last_starts_in(lo, hi, count)]
    i = text.rfind("\n", lo, hi)
    for _ in range(count):
        if i < 0:
            break
        starts.append(i + 1)
        i = text.rfind("\n", lo, i)
    return sorted(set(starts))[-count:]


def _appositive_name(text: str, end: int, hi: int) -> tuple[int, int] | None:
    """`<role>, Name Surname,` right after a subject phrase ending at `end`: the name."""
    m = _APPOSITIVE_NAME_RE.match(text, end, hi)
    if m is None or person_core(m.group(1), text) != normalize_ws(m.group(1)):
        return None
    return m.start(1), m.end(1)


def _report_referent(
    text: str, cue: CueHit, cue_low: str, sent_lo: int, sent_hi: int
) -> Referent | None:
    """The speaker introduced by a reporting verb outside quotations (`Gambill said
    the win …`, `according to X`), as a referent for later pronoun speakers.

    `cue` is one of `find_cues(text, sent_lo, sent_hi)`."""
    cue_start, cue_end = cue.s, cue.e
    if cue_low == "according to":
        np = np_after(text, cue_end, sent_hi)
        if np is None:
            return None
        s, e = np
    else:
        prev = text[max(sent_lo, cue_start - 4) : cue_start].split()
        if prev and prev[-1].casefold() == "to":
            return None  # "refused to say": no reporting
        # = attribution_before(text, sent_lo, cue_end): `cue` is the last cue of that
        # window (a later one would start inside it, and no cue word continues a
        # two-word cue), and it is not "according to", so only it is tried
        att = attribution_before_cue(text, sent_lo, cue_end, cue)
        if att is None or att.mention is None or att.mention_start is None:
            return None
        s, e = att.mention_start, att.mention_end or att.mention_start
        if att.mention.casefold() in ("who", "which"):
            head = antecedent(text, sent_lo, s)
            if head is None:
                return None
            return _named_referent(text, head, s, "report", "")
        before = text[max(sent_lo, s - 6) : s].split()
        if before and before[-1].casefold() in ("in", "of", "at", "from", "for", "on", "by"):
            return None  # "An Iraqi defector living in Australia claims": not the subject
    mention = text[s:e]
    if is_pronoun(mention):
        return None
    kind = ""
    if cue_low not in _TELL_CUES:
        g = _PRONOUN_AFTER_RE.match(text, cue_end, sent_hi)
        if g is not None:
            kind = {"he": "m", "she": "f"}.get(g.group(1), "o")  # "Seles said she had …"
    if kind == "o":
        return Referent(mention, s, False, "", "report")  # "Pakistan says it will …"
    parts = person_parts(mention, text)
    if parts is None or not parts[1] or is_bare_role(parts[0]):
        apposed = _appositive_name(text, e, cue_start + 1)
        if apposed is not None:
            return _named_referent(text, text[apposed[0] : apposed[1]], s, "report", kind)
    if parts is None and cue_low != "according to":
        # "Chuck Hagel of the Foreign Relations Committee says": the sentence subject
        subj = subject_np(text, sent_lo, cue_start)
        if (
            subj is not None
            and subj[1] <= s
            and _PREP_AFTER_RE.match(text, subj[1], s + 1)
            and person_core(text[subj[0] : subj[1]], text) is not None
        ):
            s, e = subj
            mention = text[s:e]
    return _named_referent(text, mention, s, "report", kind)


def _named_referent(text: str, mention: str, pos: int, kind: str, gender: str) -> Referent:
    core = person_core(mention, text)
    gender = gender or name_gender(mention)
    if core is None:
        return Referent(mention, pos, False, gender, kind)
    return Referent(core, pos, True, gender, kind)


class _Discourse:
    """Named speakers outside quotations that a pronoun speaker may refer to: subjects
    of reporting verbs (kind "report") and person-like proper names opening a plain
    sentence (kind "subject"; only with a sign of a person: a title or role word, a
    descriptor before the name, or the surname used with Mr/Ms/Dr… in the text).

    Found on demand, sentence by sentence, only in the stretch of text a pronoun can
    reach, and cached per sentence start (the common article needs a few sentences)."""

    __slots__ = ("_cache", "_opens", "_quoted", "_text", "_titled")

    def __init__(self, text: str, spans: list[_Span]) -> None:
        self._text = text
        self._quoted = sorted(
            (
                sp.open_pos,
                sp.close_pos if sp.close_pos >= 0 else _paragraph_of(text, sp.open_pos)[1],
            )
            for sp in spans
        )
        self._opens = [a for a, _ in self._quoted]
        # sentence start -> its referents, or its end while they are not needed yet
        self._cache: dict[int, list[Referent] | int] = {}
        self._titled: dict[str, bool] = {}  # surname -> used with Mr/Ms/Dr… in the text

    def _honorific(self, surname: str) -> bool:
        """Is `surname` used with Mr/Mrs/Ms/Dr… somewhere in the text?"""
        known = self._titled.get(surname)
        if known is None:
            text = self._text
            known = False
            i = text.find(" " + surname)
            while i >= 0 and not known:
                j = text.rfind(" ", 0, i) + 1
                known = text[j:i] in _HONORIFIC_FORMS
                i = text.find(" " + surname, i + 1)
            self._titled[surname] = known
        return known

    def _in_quote(self, pos: int) -> bool:
        k = bisect.bisect_right(self._opens, pos) - 1
        return k >= 0 and pos <= self._quoted[k][1]

    def sentences_back(self, lo: int, hi: int) -> Iterator[list[Referent]]:
        """Referents of each sentence overlapping text[lo:hi], nearest `hi` first.

        Each sentence's extent is fixed (and cached) now, by the first call that
        reaches it; its referents are found only when the caller gets that far."""
        text = self._text
        cache = self._cache
        # Not before the paragraph, nor a sentence's length before `lo`: in a paragraph
        # with no sentence ends (bad input) the paragraph start is arbitrarily far away.
        plo = max(text.rfind("\n", 0, lo) + 1, lo - _MAX_SENTENCE_CHARS)
        starts = _last_sentence_starts(text, _sentence_start(text, plo, lo), hi, _SENTENCES_BACK)
        picked: list[int] = []
        for k in range(len(starts) - 1, max(-1, len(starts) - 1 - _SENTENCES_BACK), -1):
            a = starts[k]
            picked.append(a)
            if a not in cache:
                if k + 1 < len(starts):
                    b = starts[k + 1]
                else:
                    # A sentence ends at its line; the cap keeps the work per sentence
                    # bounded on text with no sentence ends at all (bad input).
                    line_end = text.find("\n", a)
                    limit = min(len(text) if line_end < 0 else line_end, a + _MAX_SENTENCE_CHARS)
                    b = _sentence_end(text, a, limit)
                cache[a] = b
        return self._referents(picked)

    def _referents(self, picked: list[int]) -> Iterator[list[Referent]]:
        cache = self._cache
        for a in picked:
            refs = cache[a]
            if isinstance(refs, int):
                refs = self._sentence(a, refs)
                cache[a] = refs
            yield refs

    def _sentence(self, lo: int, hi: int) -> list[Referent]:
        text = self._text
        out: list[Referent] = []
        taken: set[int] = set()
        for cue in find_cues(text, lo, hi):
            low = cue.text.casefold()
            if " " in low:
                low = normalize_ws(low)
            if low not in REPORT_FORMS or self._in_quote(cue.s):
                continue
            prev = text[max(lo, cue.s - 12) : cue.s].split()[-2:]
            if prev and (
                prev[-1].casefold() in _PRONOUN_SUBJECTS
                or (
                    len(prev) == 2 and prev[0].casefold() in _PRONOUN_SUBJECTS and prev[1].islower()
                )
            ):
                continue  # "he said", "she also said": no new name
            if not _names_before(text, lo, cue.s) and not low.startswith("acc"):
                continue  # "The company said": no name (they/it use quotation speakers)
            ref = _report_referent(text, cue, low, lo, hi)
            if ref is not None:
                out.append(ref)
                taken.add(ref.pos)
        if lo >= len(text) or text[lo] in _NON_APOSTROPHE_MARKS or self._in_quote(lo):
            return out
        head = text[lo : min(hi, lo + 60)].split()[:5]
        if not head or head[0].casefold() in _PRONOUN_SUBJECTS or not head[0][:1].isupper():
            return out
        if len([w for w in head if w[:1].isupper()]) < 2 and not self._honorific(
            head[0].rstrip(",.")
        ):
            return out  # a lone capitalised word opening a sentence is no evidence
        subj = subject_np(text, lo, hi)
        if subj is None or subj[0] in taken:
            return out
        after = text[subj[1] : subj[1] + 40].split()
        if len(after) > 1 and after[0][:1].islower() and after[1][:1].isupper():
            return out  # "South African captain Shaun …": the subject goes on
        mention = text[subj[0] : subj[1]]
        parts = person_parts(mention, text)
        if parts is None:
            return out
        core, evidence = parts
        if evidence or self._honorific(core.split()[-1]):
            out.append(Referent(core, subj[0], True, name_gender(mention), "subject"))
            out.sort(key=lambda r: r.pos)
        return out


def extract_quotes(text: str, *, organisations_as_he: bool = False) -> list[Quote]:
    """Return the direct quotations in `text`, in order of appearance.

    See the module docstring for the rules (marks, nesting, multi-paragraph
    quotations, stray marks, scare quotes, attribution). `organisations_as_he`: a
    "he"/"she" with no person to refer to may refer to the organisation quoted last, as
    translated news writes (a source's annotation option; off by default).
    """
    spans = find_quote_spans(text)
    if spans:
        # this text's tables, built anew (see `_sentences`, `attribution.prepare_text`)
        global _sentences_cache
        _sentences_cache = (text, _Sentences(text))
        prepare_text(text)
    history: list[Referent] = []  # resolved named quotation speakers, oldest first
    discourse: _Discourse | None = None  # other named speakers, found lazily
    kept: list[tuple[_Span, Attribution | None, str | None, str | None]] = []
    resolved: dict[int, str | None] = {}  # id(attribution) -> resolved speaker
    group_att: dict[int, Attribution] = {}
    last_att: Attribution | None = None  # last attribution in the current paragraph
    prev_para_att: Attribution | None = None  # last attribution of the previous paragraph
    prev_para_end = -1
    cur_para = -1
    last_close = -1
    skip: Ranges | None = None  # closed quotation ranges, built lazily

    genders: dict[str, str] = {}  # surname -> "m"/"f" learned from titles and pronouns

    def _resolve_pronoun_speaker(pronoun: str, pos: int) -> Referent | None:
        nonlocal discourse
        low = pronoun.casefold()
        if low not in ("he", "she", "they", "it"):
            return None
        if discourse is None:
            discourse = _Discourse(text, spans)
        # Only text after the nearest quotation speaker the pronoun could take can hold
        # a more recent referent; without one, look back `_DISCOURSE_REACH` characters.
        lo = max(0, pos - _DISCOURSE_REACH)
        earlier = [r for r in history if r.pos < pos]
        found = resolve_referent(
            pronoun, pos, earlier, _SUBJECT_REACH, genders, organisations_as_he
        )
        if found is not None and (found.person or low in ("they", "it")):
            lo = max(lo, found.pos)
        # The nearest sentence with a fitting referent wins (sentences are scanned
        # from the pronoun backwards, so usually one or two are looked at).
        chosen = found
        for refs in discourse.sentences_back(lo, pos):
            for r in refs:
                if r.gender and r.person:
                    genders.setdefault(gender_key(r.name), r.gender)
            near = resolve_referent(
                pronoun, pos, refs, _SUBJECT_REACH, genders, organisations_as_he
            )
            if near is not None:
                chosen = near
                break
        if low in ("he", "she"):
            return _person_check(pronoun, pos, chosen)
        return chosen

    people: People | None = None

    def _person_check(pronoun: str, pos: int, chosen: Referent | None) -> Referent | None:
        """A he/she goes to a person: the referent found above, unless the people the
        article names (`entities.find_people`) say it is of the other gender, or it is a
        place, nationality or party; then, or when nothing was found, the person
        `entities.resolve_person_pronoun` picks. (An organisation found above stands:
        only a source's `organisations_as_he` habit lets one through.)"""
        nonlocal people
        if chosen is not None and not chosen.person:
            return chosen
        if people is None:
            quoted = [(s.open_pos, s.close_pos) for s in spans if s.close_pos >= 0]
            people = find_people(text, quoted)
        mismatch = False
        if chosen is not None:
            want = "m" if pronoun.casefold() == "he" else "f"
            known = entity_of(people, chosen.name)
            mismatch = known is not None and known.gender not in ("", want)
            if not mismatch and not is_not_person(chosen.name):
                return chosen
        entity = resolve_person_pronoun(pronoun, pos, people)
        if entity is None:
            return None if mismatch else chosen
        return Referent(entity.name, entity.mentions[-1], True, entity.gender, "entity")

    how: dict[int, str] = {}  # id(attribution) -> how its mention became the speaker

    def resolve(att: Attribution) -> str | None:
        key = id(att)
        if key in resolved:
            return resolved[key]
        mention = att.mention
        speaker: str | None = None
        how[key] = "as_written"
        if mention is not None and att.mention_start is not None:
            low = mention.casefold()
            if low in ("who", "which"):
                how[key] = "relative"
                plo = _paragraph_of(text, att.mention_start)[0]
                speaker = (
                    antecedent(
                        text, _sentence_start(text, plo, att.mention_start), att.mention_start
                    )
                    or mention
                )
            elif is_pronoun(mention):
                ref = _resolve_pronoun_speaker(mention, att.mention_start)
                if ref is not None:
                    speaker = ref.name
                    how[key] = "pronoun_entity" if ref.kind == "entity" else "pronoun"
                    want = {"he": "m", "she": "f"}.get(mention.casefold(), "")
                    if ref.person and want:
                        genders.setdefault(gender_key(ref.name), want)
                    history.append(Referent(ref.name, att.mention_start, ref.person, "", "quote"))
                else:
                    speaker = mention
            else:
                speaker = mention
                if not history or history[-1].name != speaker:
                    person = is_person_name(speaker) or person_core(speaker, text) is not None
                    gender = name_gender(speaker)
                    if gender and person:
                        genders.setdefault(gender_key(speaker), gender)
                    history.append(Referent(speaker, att.mention_start, person, gender, "quote"))
        resolved[key] = speaker
        return speaker

    for idx, sp in enumerate(spans):
        plo, phi = _paragraph_of(text, sp.open_pos)
        if plo != cur_para:
            if cur_para >= 0:
                # remember the previous paragraph's attribution only if it is adjacent
                prev_para_att = last_att
                prev_para_end = _paragraph_of(text, cur_para)[1]
            last_att, last_close, cur_para = None, -1, plo
        lo = max(plo, last_close + 1)
        att = _own_attribution(text, spans, idx, plo, phi, lo)
        own = att is not None
        own_kind = att.kind if att is not None else ""
        pattern = _OWN_PATTERNS.get(own_kind, own_kind) if att is not None else None
        if att is not None and att.mention is None:
            # a bare cue ("and added, “…”") continues the current speaker
            att = last_att or (group_att.get(sp.group))
            pattern = "bare_cue_continues" if att is not None else None
        if att is None and sp.group in group_att:
            att, pattern = group_att[sp.group], "continued_quotation"
        if att is None and last_att is not None:
            att, pattern = last_att, "same_paragraph"
        if att is None:
            first_in_para = not text[plo : sp.open_pos].strip()
            only_blank_between = prev_para_end >= 0 and not text[prev_para_end:plo].strip()
            if first_in_para and only_blank_between and prev_para_att is not None:
                # newswire: a quote-only paragraph right after an attributed quote
                att, pattern = prev_para_att, "quote_paragraph_after"
        if att is None:
            sent_lo = _sentence_start(text, lo, sp.open_pos)
            if text[sent_lo : sp.open_pos].strip():
                subj = subject_np(text, sent_lo, sp.open_pos)
                if subj is not None:
                    att = Attribution(
                        text[subj[0] : subj[1]], subj[0], subj[1], None, None, None, "subject"
                    )
                    pattern = "sentence_subject"
        if att is None:
            att = _previous_sentence_attribution(text, plo, sp.open_pos, lo)
            pattern = "previous_sentence" if att is not None else None
        if not own and not text[plo : sp.open_pos].strip():
            sig = _dash_signature(text, sp, phi)
            if sig is not None:
                att, own, pattern = sig, True, "dash_signature"
        if att is None and not text[plo : sp.open_pos].strip():
            att = _previous_paragraph_speaker(text, plo)
            pattern = "previous_paragraph" if att is not None else None
        term = not own and looks_like_term(text[sp.start : sp.end])
        licensed = False
        if not own and (term or att is None):
            sent_lo = _sentence_start(text, plo, sp.open_pos)
            close_end = sp.close_pos + _mlen(text, sp.close_pos) if sp.close_pos >= 0 else phi
            trail = _trailing_attribution(text, close_end, _sentence_end(text, close_end, phi))
            if trail is not None:
                # `… “fragment” …, X said.`: the sentence is X's reported speech
                att, own_kind, licensed, pattern = trail, "after", True, "trailing_cue"
            elif term:
                if skip is None:
                    skip = Ranges((s.open_pos, s.close_pos) for s in spans if s.close_pos >= 0)
                licensed = _licensed(text, sp, sent_lo, skip) or (
                    att is not None and _whole_sentence(text, sp, sent_lo, plo)
                )
        if not own and term and not licensed:
            continue
        if (
            own_kind != "after"
            and looks_like_title(text, sp.start, sp.end, sp.open_pos)
            and (not (licensed or own) or _title_context(text, sp.open_pos))
        ):
            continue
        if att is not None and sp.group not in group_att:
            group_att[sp.group] = att
        kept.append((sp, att, resolve(att) if att is not None else None, pattern))
        if att is not None:
            last_att = att
        if sp.close_pos >= 0:
            last_close = sp.close_pos + (1 if text.startswith("''", sp.close_pos) else 0)
    result: list[Quote] = []
    for sp, att, speaker, pattern in kept:
        if att is None and sp.group in group_att:
            # multi-paragraph quotation attributed only in a later paragraph
            att, pattern = group_att[sp.group], "continued_quotation"
            speaker = resolve(att)
        resolution = how.get(id(att)) if att is not None else None
        result.append(_make_quote(text, sp, speaker, att, pattern, resolution))
    if not result:
        return result
    quoted = [(s.open_pos, s.close_pos) for s in spans if s.close_pos >= 0]
    return canonical_speakers(text, result, quoted)
