"""The annotator's fast paths give exactly what their plain definitions give.

Quote annotation reads per-text tables and takes shortcuts for speed (sentence ends
found once per text, cue words through a letters-only byte copy, quotation marks by
str.find, word counts stopped early, memos of pure functions). Each is checked here
against the straightforward regex-based definition it replaces, on structured random
text. bench/annotation_equivalence.py compares whole annotations with another version.
"""

from __future__ import annotations

import dataclasses
import pickle
import re

from hypothesis import given
from hypothesis import strategies as st

from newscorpus.annotate import (
    adjuncts,
    attribution,
    context,
    cues,
    marks,
    phrases,
    quotes,
    sentences,
)
from newscorpus.annotate.cues import (
    _CUE_CASED,
    _CUE_WORD_RE,
    _LETTER_RUN_RE,
    _MULTI_CUES,
    _NEXT_WORD_RE,
    _SINGLE_CUES,
    CueHit,
    Ranges,
    find_cues,
    normalize_ws,
)
from newscorpus.annotate.marks import (
    _MARK_RE,
    _SENT_END_RE,
    _WORD_RE,
    _MarkIndex,
    looks_like_term,
    looks_like_title,
)
from newscorpus.annotate.phrases import (
    _LAST_TOKEN_RE,
)
from newscorpus.annotate.sentences import (
    _Sentences,
)

PIECES = [
    *"“”‘’\"'«»„",
    "''",
    "'''",
    "he",
    "He",
    "said",
    "saying",
    "says",
    "SAID",
    "Said",
    "said-",
    "unsaid",
    "according to",
    "According  to",
    "went on",
    "pointed\nout",
    "told",
    "China’s",
    "don't",
    "'90s",
    "Jones'",
    "U.S.",
    "Mr.",
    "Sen.",
    "No.",
    "a.m.",
    "Smith",
    "The",
    "the",
    "é",
    "_",
    "-",
    "—",
    "3.5",
    ".",
    "!",
    "?",
    "?!",
    ")",
    "(",
    "[",
    ":",
    ",",
    " ",
    " ",
    "  ",
    "\u00a0",
    "\x1c",
    "\n",
    "\n\n",
    "A",
    "1",
    " he. He",
    " it. The",
    " x. Y",
    " Mr. Smith",
    "U.S. Army",
    "No. 1",
    "end.” Next",
    'said. "The',
    "ok?) (A",
    "go.\n\nHe",
]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def _windows(text: str, data: st.DataObject) -> tuple[int, int]:
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    return lo, hi


# --- sentence ends ---------------------------------------------------------------


def _boundary(text: str, lo: int, m: re.Match[str]) -> bool:
    j = m.start()
    if text[j] != ".":
        return True
    k = max(lo, text.rfind(" ", lo, j) + 1)
    if not text[k:j].replace(".", "").isalnum():
        k = j
        while k > lo and (text[k - 1].isalnum() or text[k - 1] == "."):
            k -= 1
    word = text[k:j].casefold()
    return not (word in marks._ABBREV or len(word.replace(".", "")) <= 1 or "." in word)


def _start_reference(text: str, lo: int, pos: int) -> int:
    ends = list(_SENT_END_RE.finditer(text, max(lo, pos - 600), min(len(text), pos + 2)))
    for m in reversed(ends):
        if m.end() <= pos and _boundary(text, lo, m):
            return m.end()
    return lo


def _end_reference(text: str, pos: int, hi: int) -> int:
    hi = min(hi, pos + sentences._MAX_SENTENCE_CHARS)
    for m in _SENT_END_RE.finditer(text, pos, hi):
        if _boundary(text, pos, m):
            return m.start() + 1
    return hi


@given(texts, st.data())
def test_sentence_table_matches_regex_windows(text: str, data: st.DataObject) -> None:
    index = _Sentences(text)
    for _ in range(4):
        lo, hi = _windows(text, data)
        cap = data.draw(st.integers(0, len(text) + 2))
        assert index.start(lo, hi) == _start_reference(text, lo, hi)
        assert index.end(lo, hi) == _end_reference(text, lo, hi)
        assert index.end(lo, hi, cap) == min(cap, _end_reference(text, lo, hi))
        expected = [
            m.end()
            for m in _SENT_END_RE.finditer(text, lo, hi)
            if m.end() < hi and _boundary(text, lo, m)
        ]
        assert index.starts_in(lo, hi) == expected
        for count in (1, 2, 4):
            assert index.last_starts_in(lo, hi, count) == expected[-count:]


@given(texts, st.data())
def test_last_sentence_starts_are_the_tail_of_all(text: str, data: st.DataObject) -> None:
    lo, hi = _windows(text, data)
    for count in (1, 3, context._SENTENCES_BACK):
        expected = context._sentence_starts(text, lo, hi)[-count:]
        assert context._last_sentence_starts(text, lo, hi, count) == expected


# --- cue words -------------------------------------------------------------------


def _glued(ch: str) -> bool:
    return ch.isalnum() or ch in "_’'-"


def _find_cues_reference(text: str, lo: int, hi: int) -> list[CueHit]:
    present = _CUE_CASED.intersection(_LETTER_RUN_RE.findall(text, lo, hi))
    found: list[tuple[int, int, str]] = []
    for word in present:
        i = text.find(word, lo, hi)
        while i >= 0:
            end = i + len(word)
            if (i == 0 or not _glued(text[i - 1])) and (end == hi or not _glued(text[end])):
                found.append((i, end, word))
            i = text.find(word, end, hi)
    found.sort()
    out: list[CueHit] = []
    for start, end, word in found:
        low = word.lower()
        seconds = _MULTI_CUES.get(low)
        if seconds is not None:
            n = _NEXT_WORD_RE.match(text, end, hi)
            if n is not None and n.group(1).lower() in seconds:
                out.append(CueHit(start, n.end(), text[start : n.end()]))
                continue
        if low in _SINGLE_CUES:
            out.append(CueHit(start, end, word))
    return out


@given(texts, st.data())
def test_find_cues_matches_letter_run_scan(text: str, data: st.DataObject) -> None:
    for _ in range(4):
        lo, hi = _windows(text, data)
        assert find_cues(text, lo, hi) == _find_cues_reference(text, lo, hi)


@given(texts, st.data())
def test_one_cue_attribution_before_is_the_window_s_last_cue(
    text: str, data: st.DataObject
) -> None:
    # `_Discourse` passes each cue of a sentence to `attribution_before_cue` with the
    # window ending at that cue, in place of `attribution_before`
    lo, hi = _windows(text, data)
    for cue in find_cues(text, lo, hi):
        if normalize_ws(cue.text).casefold() == "according to":
            continue
        assert find_cues(text, lo, cue.e)[-1] == cue
        expected = attribution.attribution_before(text, lo, cue.e)
        assert attribution.attribution_before_cue(text, lo, cue.e, cue) == expected


@given(
    st.lists(st.sampled_from([*PIECES, "of", "for", "at", "Monday", "last", "week"])).map(" ".join)
)
def test_memoised_mention_checks_match_their_definitions(mention: str) -> None:
    low_words = [w.rstrip(".").casefold() for w in mention.split()]
    time_only = all(w in adjuncts._TIME_WORDS for w in low_words)
    np_ok = (
        phrases.valid_mention(mention)
        and not (low_words and low_words[0] in ("of", "for", "and", "at"))
        and not time_only
    )
    assert phrases._np_mention_ok(mention) is np_ok
    subject_ok = not time_only and phrases.valid_mention(mention)
    assert phrases._subject_mention_ok(mention) is subject_ok


_COLON_REFERENCE_RE = re.compile(r"\s*:\s*$")


@given(st.lists(st.sampled_from([*PIECES, ":", " : ", "China", "Obama said:"])).map("".join))
def test_colon_attribution_prefilter(text: str) -> None:
    # `attribution_colon` gives up early when the window does not end with a colon
    m = _COLON_REFERENCE_RE.search(text)
    if m is None:
        assert attribution.attribution_colon(text, 0, len(text)) is None
    else:
        assert text.rstrip().endswith(":")


@given(texts)
def test_quotes_built_slot_by_slot_equal_constructed_ones(text: str) -> None:
    for q in quotes.extract_quotes(text):
        plain = quotes.Quote(*dataclasses.astuple(q))
        assert q == plain
        assert hash(q) == hash(plain)
        assert repr(q) == repr(plain)
        assert pickle.loads(pickle.dumps(q)) == plain
        assert dataclasses.replace(q) == plain


@given(texts, st.data())
def test_reporting_word_prefilter_and_ranges(text: str, data: st.DataObject) -> None:
    ranges = [_windows(text, data) for _ in range(data.draw(st.integers(0, 3)))]
    lo, hi = _windows(text, data)
    expected = False
    for m in _CUE_WORD_RE.finditer(text, lo, hi):
        low = m.group().lower()
        forms = cues._LICENSE_FORMS
        if (low in forms or low in _MULTI_CUES) and not any(a <= m.start() < b for a, b in ranges):
            if low in _MULTI_CUES and low not in forms:
                n = _NEXT_WORD_RE.match(text, m.end(), hi)
                if n is None or n.group(1).lower() not in _MULTI_CUES[low]:
                    continue
            expected = True
            break
    assert cues.has_reporting_word(text, lo, hi, ranges) is expected
    table = Ranges(ranges)
    for x in range(-1, len(text) + 2):
        assert (x in table) == any(a <= x < b for a, b in ranges)


@given(texts, st.data())
def test_last_token_matches_regex(text: str, data: st.DataObject) -> None:
    lo, hi = _windows(text, data)
    m = _LAST_TOKEN_RE.search(text, lo, hi)
    assert adjuncts._last_token(text, lo, hi) == (m.span(1) if m is not None else None)


# --- quotation marks and word counts -------------------------------------------


@given(texts, st.data())
def test_mark_index_matches_mark_regex(text: str, data: st.DataObject) -> None:
    lo, hi = _windows(text, data)
    expected = [
        (m.start(), m.group())
        for m in _MARK_RE.finditer(text, lo, hi)
        if not (
            m.group() in "’'"
            and 0 < m.start() < len(text) - 1
            and text[m.start() - 1].isalnum()
            and text[m.start() + 1].isalnum()
        )
    ]
    assert _MarkIndex(text).tokens(text, lo, hi) == expected


@given(texts, st.data())
def test_word_shape_tests_match_findall(text: str, data: st.DataObject) -> None:
    n = len(_WORD_RE.findall(text))
    stripped = text.strip()
    term = n <= 3 or (n <= 6 and not stripped[:1].isupper() and not re.search(r"[,;:!?]", stripped))
    assert looks_like_term(text) is term
    start, end = _windows(text, data)
    words = _WORD_RE.findall(text[start:end])
    title = bool(words) and len(words) <= 8 and words[0][0].isupper()
    title = title and all(
        w[0].isupper() or w[0].isdigit() or w.lower() in marks._TITLE_SMALL for w in words
    )
    if title and len(words) > 3:
        before = text[max(0, start - 21) : max(0, start - 1)].rstrip()
        last = before.rsplit(None, 1)[-1].lower() if before.split() else ""
        title = before.endswith(("’s", "'s", "s’", "s'")) or last in marks._TITLE_LEADS
    assert looks_like_title(text, start, end, max(0, start - 1)) is title
