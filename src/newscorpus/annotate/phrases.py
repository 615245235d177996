"""Noun phrases around a cue: the speaker phrase before or after it, and what is not
part of it (time and circumstance phrases, adverbs, appositives).

Pure functions of the text and offsets; word lists are data (`lexicon/`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from newscorpus.annotate.adjuncts import (
    _CIRCUMSTANCE_RE,
    _CIRCUMSTANCE_REACH,
    _DETERMINERS,
    _HEAD_PREPOSITIONS,
    _POSSESSIVE_PRON,
    _STOP_WORDS,
    _TIME_WORDS,
    _TOKEN_RE,
    PRONOUNS,
    _adverbial_object,
    _attaches_phrase,
    _circumstance_phrase_start,
    _head_before_phrase,
    _last_token,
    _noun_cue,
    _time_phrase_start,
    _tokens_back,
)
from newscorpus.annotate.cues import (
    _ADV_WORDS,
    _SINGLE_CUES,
)
from newscorpus.annotate.words import word_set

_PERSON_PRONOUNS = frozenset(("he", "she"))


_TITLES = word_set("titles")


# Precompiled forms of patterns used in the hot paths (re's own cache costs a lookup).
_INITIALS_RE = re.compile(r"(?:[A-Za-z]\.)+")


_DETERMINER_RE = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)


_AFTER_LEAD_RE = re.compile(r"[\s,;]*(?:[—–-]+\s*)?")


_THAT_OR_QUOTE_RE = re.compile(r"\bthat\b|[“\"]")


_INVERTED_LEAD_RE = re.compile(r"\s*[^,.;:!?]{1,80}?[:,]\s*")


_LAST_TOKEN_RE = re.compile(r"([\w’'.&-]+)\s*\Z")


def _word_start(text: str, start: int, end: int) -> int:
    """`start` moved past leading hyphens, full stops and ampersands (a token such as
    "-he" or ".Smith" in broken text): a speaker phrase starts with a word."""
    while start < end and text[start] in "-.&":
        start += 1
    return start


class Attribution(NamedTuple):
    """A speaker mention and cue found for one quotation (offsets into the source)."""

    mention: str | None
    mention_start: int | None
    mention_end: int | None
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    kind: str  # "after", "before", "colon", "inherited", "previous"


def _is_cap(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _strip_token(word: str) -> str:
    return word.rstrip(".").casefold()


def np_before(text: str, lo: int, cue_start: int, max_tokens: int = 8) -> tuple[int, int] | None:
    """Find the speaker noun phrase that ends right before a cue (subject position).

    Skips adverbs/auxiliaries between NP and cue ("X also said", "X has said"), handles
    an appositive ("X, head of Y, said" → X), keeps a phrase saying where a person is
    from with that person ("an official from the ministry said", `_head_before_phrase`)
    and drops a leading determiner.
    Returns (start, end) or None when no plausible phrase is there.
    """
    return _np_before(text, lo, cue_start, max_tokens, _last_token(text, lo, cue_start))


def _np_before(
    text: str, lo: int, cue_start: int, max_tokens: int, last: tuple[int, int] | None
) -> tuple[int, int] | None:
    """`np_before`, given `_last_token(text, lo, cue_start)` (`last`)."""
    hi = cue_start
    for _ in range(2):
        # "X on the 10th said", "X less than two weeks ago said", "X in a statement
        # said": a time or circumstance phrase between subject and cue is not the
        # speaker ("X on Tuesday in a statement said": both). A lone token has none.
        if last is None or last[0] == lo or text[lo : last[0]].isspace():
            break
        before = _time_phrase_start(text, lo, last)
        if (
            before is None
            and _CIRCUMSTANCE_RE.search(text, max(lo, hi - _CIRCUMSTANCE_REACH), hi) is not None
            and not _noun_cue(text, cue_start)
        ):
            before = _circumstance_phrase_start(text, lo, hi)
        if before is None:
            break
        hi = before
        last = _last_token(text, lo, hi)
    # Skip adverbs and auxiliaries directly left of the cue ("X also said").
    while last is not None and text[last[0] : last[1]].rstrip(".").casefold() in _ADV_WORDS:
        hi = last[0]
        last = _last_token(text, lo, hi)
    if last is not None and (last[0] == lo or text[lo : last[0]].isspace()):
        # A lone token (the common `“…,” Smith said`): what the general path below
        # does with one token, without listing tokens (no delimiter, "(" or "," in it).
        s, e = last
        word = text[s:e]
        low = word.rstrip(".").casefold()
        if low in _DETERMINERS or low in _STOP_WORDS:
            return None
        if low not in PRONOUNS and (not word[0].isalnum() or max_tokens <= 1):
            return None
        if not valid_mention(word) or low in ("of", "for", "and", "at") or low in _TIME_WORDS:
            return None
        return s, e
    tail = text[lo:hi].rstrip()
    if tail.endswith(")"):
        # party/state label between the name and the cue: "Sen. X (D-Ohio) said"
        paren = text.rfind("(", lo, lo + len(tail))
        if paren > lo and lo + len(tail) - paren <= 16 and text[paren - 1].isspace():
            hi = paren - 1
            tail = text[lo:hi].rstrip()
    if tail.endswith(","):
        # Appositive: "X, the senator from Y, said" -> X
        chunk_lo = lo
        for _ in range(3):
            comma = text.find(",", chunk_lo, lo + len(tail) - 1)
            if comma < 0:
                return None
            first = _TOKEN_RE.search(text, chunk_lo, comma)
            if first is not None and _strip_token(first.group()) in _LEADING_ADVERBIAL:
                chunk_lo = comma + 1  # "Still, X, who …, said": skip the adverbial
                continue
            np = np_before(text, chunk_lo, comma, max_tokens)
            # the NP must be the whole chunk (modulo a determiner)
            lead = text[chunk_lo : np[0]].strip().casefold() if np is not None else "x"
            if lead in ("", "the", "a", "an"):
                return np
            # "… aimed at the U.S. Yang Moo-jin, president of …, said": the sentence
            # splitter kept "U.S." inside; the chunk's last sentence starts after it
            stop = text.rfind(". ", chunk_lo, comma)
            if stop >= 0 and text[stop + 2 : stop + 3].isupper():
                np = np_before(text, stop + 2, comma, max_tokens)
                if np is not None and np[0] == stop + 2 and _looks_named(text[np[0] : np[1]]):
                    return np
            return None
        return None
    toks = _tokens_back(text, lo, hi)
    if not toks or text[toks[0][1] : hi].strip():
        return None
    chosen = 0  # tokens taken, from the right
    start = end = toks[0][1]
    last_cap = False  # does the leftmost chosen token start with a capital or digit?
    stop = len(toks)  # index of the token the phrase stopped at
    for i, (s, e) in enumerate(toks):
        word = text[s:e]
        low = word.rstrip(".").casefold()
        stop = i
        if low in _DETERMINERS or not low:
            # a determiner opens the NP and is not part of the mention; a lone full
            # stop ('… records". Mr Beith urged') ends the sentence before it
            break
        if low in _STOP_WORDS and not (
            low in ("and", "for", "at")
            and chosen
            and last_cap
            and i + 1 < len(toks)
            and (text[toks[i + 1][0]].isupper() or text[toks[i + 1][0]].isdigit())
        ):
            break
        if low in PRONOUNS:
            if not chosen:
                start = s
                chosen = 1
            break
        initial = word[0]
        if not chosen and not initial.isalnum():
            break
        # A lowercase word left of a capitalised name is usually not part of it
        # ("reporters Trump said"), except nominal heads ("campaign manager X").
        start = s
        last_cap = initial.isupper() or initial.isdigit()
        chosen += 1
        if chosen >= max_tokens:
            return None
    else:
        stop = len(toks)
    if not chosen:
        return None
    start = _word_start(text, _head_before_phrase(text, toks, stop, start), end)
    # trailing period of an abbreviation is part of the name ("U.S."), but a lone
    # sentence-final period is not: tokens never span past `hi`, so nothing to trim.
    return (start, end) if _np_mention_ok(text[start:end]) else None


def np_after(text: str, pos: int, hi: int, max_tokens: int = 10) -> tuple[int, int] | None:
    """Find the speaker NP that follows an inverted cue (`said Robert Sinche, head …`)."""
    chosen: list[tuple[int, int]] = []
    attached = False  # has a prepositional phrase been taken ("official from the …")?
    for m in _TOKEN_RE.finditer(text, pos, hi):
        gap = text[(chosen[-1][1] if chosen else pos) : m.start()]
        if chosen and gap.strip():
            break  # punctuation between tokens ends the phrase (appositive comma)
        if not chosen and gap.strip():
            return None
        word = m.group()
        low = _strip_token(word)
        if not chosen and low in _DETERMINERS:
            # skip the determiner: the mention starts after it
            pos = m.end()
            continue
        if (
            low in _HEAD_PREPOSITIONS
            and low in _STOP_WORDS
            and chosen
            and not attached
            and _attaches_phrase(text, chosen, low)
            and not _adverbial_object(text, m.end(), hi)
        ):
            # "said an official from the ministry": the phrase belongs to the official
            attached = True
            chosen.append(m.span())
            continue
        if low in _STOP_WORDS and not (low in ("and", "for") and chosen):
            break
        if low in _TIME_WORDS and low not in ("last", "this", "next"):
            if not chosen:
                return None
            break
        s, e = m.start(), m.end()
        if (
            word.endswith(".")
            and word.casefold() not in _TITLES
            and not _INITIALS_RE.fullmatch(word)
        ):
            e -= 1  # sentence-final period ("said the president."), not "Gov."
            chosen.append((s, e))
            break
        chosen.append((s, e))
        if len(chosen) > max_tokens:
            return None
    while chosen and _strip_token(text[chosen[-1][0] : chosen[-1][1]]) in (
        "and",
        "for",
        "of",
        *_HEAD_PREPOSITIONS,
        *_DETERMINERS,
    ):
        chosen.pop()
    if not chosen:
        return None
    first = _word_start(text, chosen[0][0], chosen[-1][1])
    if first >= chosen[-1][1] or not valid_mention(text[first : chosen[-1][1]]):
        return None
    return first, chosen[-1][1]


_CONTRACTION_RE = re.compile(r"[’'](?:t|re|ve|ll|d|m)$|^(?:it|that|there|here|what|he|she)[’']s$")


# Results of pure functions of a short string (mentions, names), which recur within and
# across articles, are memoised (least recently used ones dropped past this many).
_MEMO_LIMIT = 4096


@lru_cache(maxsize=_MEMO_LIMIT)
def valid_mention(mention: str) -> bool:
    """Reject spans that cannot be a speaker: verb-like words, contractions, a bare
    possessive ("His"), a dangling possessive ("Pyongyang's"), sentence adverbs."""
    return _valid_mention(mention)


@lru_cache(maxsize=_MEMO_LIMIT)
def _np_mention_ok(mention: str) -> bool:
    """`np_before`'s last checks of the phrase it found (memoised, as `valid_mention`)."""
    low_words = [w.rstrip(".").casefold() for w in mention.split()]
    return (
        valid_mention(mention)
        and not (low_words and low_words[0] in ("of", "for", "and", "at"))
        and not all(w in _TIME_WORDS for w in low_words)
    )


@lru_cache(maxsize=_MEMO_LIMIT)
def _subject_mention_ok(mention: str) -> bool:
    """`subject_np`'s last checks of the phrase it found (memoised, as `valid_mention`)."""
    return not all(
        w.rstrip(".").casefold() in _TIME_WORDS for w in mention.split()
    ) and valid_mention(mention)


# Nouns ending in "ly" that are not adverbs: they may open a speaker phrase.
_LY_NOUNS = word_set("ly_nouns")


def _valid_mention(mention: str) -> bool:
    words = mention.split()
    if not words:
        return False
    lows = [w.casefold().rstrip(".,") for w in words]
    if lows[-1] in _POSSESSIVE_PRON:
        return False
    for w, low in zip(words, lows, strict=True):
        # both contraction forms hold an apostrophe
        if ("'" in low or "’" in low) and _CONTRACTION_RE.search(low):
            return False
        if low in _SINGLE_CUES and not (w[0].isupper() or w[0].isdigit()):
            return False
    if not _is_cap(words[0]) and lows[0].endswith("ly") and lows[0] not in _LY_NOUNS:
        return False  # "similarly discounted …" (but "the family said")
    if len(words) == 1 and lows[0] in _LEADING_ADVERBIAL:
        return False  # "Still", "Later"
    return lows[0] not in ("see", "read", "here", "there", "this", "that", "what", "written")


def _looks_named(mention: str) -> bool:
    words = mention.split()
    return bool(words) and any(_is_cap(w) for w in words)


def strip_determiner(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the/a/an " from a mention span."""
    m = _DETERMINER_RE.match(text[start:end])
    if m and m.end() < end - start:
        return start + m.end(), end
    return start, end


def is_pronoun(mention: str) -> bool:
    """True for a bare personal pronoun mention (he, she, they, it, we, I, you)."""
    return mention.strip().casefold() in PRONOUNS


_LEADING_ADVERBIAL = word_set("leading_adverbial")
