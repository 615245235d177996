"""Speaker and cue finding for direct quotations, plus pronoun resolution.

Rule based, standard library only. Every function is pure: it reads the source text
and offsets and returns new values; the only module-level state is compiled regexes,
constant word lists and caches that never change an answer (a letters-only copy of
the text last worked on, see `prepare_text`, and bounded memos of pure functions of
a mention string).

Vocabulary:

* *cue*: the attributing verb phrase ("said", "told", "according to", …), all
  inflections of a fixed verb list.
* *mention*: the surface naming phrase of the speaker ("the U.S. Department of
  Defense" → mention "U.S. Department of Defense": a leading determiner is dropped;
  "Robert Sinche, head of currency strategy at …" → "Robert Sinche": an appositive is
  dropped; "an official from the presidential office" keeps the phrase that says
  where the person is from; a time or circumstance phrase between speaker and cue is
  not part of it: "President Yoon on the 10th said", "the ministry in a statement
  said").
* *speaker*: the resolved name. Equal to the mention except for pronouns, which are
  resolved to the most recent compatible named speaker (see `resolve_referent`;
  candidates are `Referent`s: quotation speakers, reporting-verb subjects and
  person-like sentence subjects, reduced to the name by `person_core`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from newscorpus.annotate.words import word_list, word_set

# --- cue lexicon -----------------------------------------------------------------

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

PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])
_PERSON_PRONOUNS = frozenset(("he", "she"))

# Words that end a backward noun-phrase scan: clause openers, prepositions, verbs.
_STOP_WORDS = word_set("stop_words")
_DETERMINERS = frozenset(("the", "a", "an"))
_TIME_WORDS = word_set("time_words")
_ORG_WORDS = word_set("org_words")
_TITLES = word_set("titles")

_TOKEN_RE = re.compile(r"[\w’'.&-]+")
# Precompiled forms of patterns used in the hot paths (re's own cache costs a lookup).
_INITIALS_RE = re.compile(r"(?:[A-Za-z]\.)+")
_DETERMINER_RE = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)
_AFTER_LEAD_RE = re.compile(r"[\s,;]*(?:[—–-]+\s*)?")
_THAT_OR_QUOTE_RE = re.compile(r"\bthat\b|[“\"]")
_INVERTED_LEAD_RE = re.compile(r"\s*[^,.;:!?]{1,80}?[:,]\s*")
_LAST_TOKEN_RE = re.compile(r"([\w’'.&-]+)\s*\Z")
_TOKEN_PUNCTUATION = "’'.&-_"
_TOKEN_FULL_RE = re.compile(r"[\w’'.&-]+")


def _word_start(text: str, start: int, end: int) -> int:
    """`start` moved past leading hyphens, full stops and ampersands (a token such as
    "-he" or ".Smith" in broken text): a speaker phrase starts with a word."""
    while start < end and text[start] in "-.&":
        start += 1
    return start


def _last_token(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Span of `_LAST_TOKEN_RE.search(text, lo, hi)`'s group: the token that ends
    text[lo:hi] but for trailing whitespace, found from the right (the regex search
    tries every start from `lo`). `\\w` is `str.isalnum` or "_", `\\s` `str.isspace`."""
    end = hi
    while end > lo and text[end - 1].isspace():
        end -= 1
    # Usually a space precedes the token: then it is all of text[space + 1 : end].
    start = max(lo, text.rfind(" ", lo, end) + 1)
    if start < end and _TOKEN_FULL_RE.fullmatch(text, start, end) is not None:
        return start, end
    start = end
    while start > lo and (text[start - 1].isalnum() or text[start - 1] in _TOKEN_PUNCTUATION):
        start -= 1
    return (start, end) if start < end else None


_WS_RE = re.compile(r"\s+")


class Attribution(NamedTuple):
    """A speaker mention and cue found for one quotation (offsets into the source)."""

    mention: str | None
    mention_start: int | None
    mention_end: int | None
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    kind: str  # "after", "before", "colon", "inherited", "previous"


_HARD_DELIMITERS = ',;:()“”"‘!?—–\n'


# The last hard delimiter of a window: greedy, so the match ends just past it.
_LAST_HARD_RE = re.compile("(?s).*[" + re.escape(_HARD_DELIMITERS) + "]")


def _tokens_back(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Token spans in text[lo:hi], right to left, stopping at punctuation/quote marks."""
    # Only the tail after the last hard delimiter is a candidate NP.
    cut = _LAST_HARD_RE.match(text, lo, hi)
    toks = [m.span() for m in _TOKEN_RE.finditer(text, cut.end() if cut is not None else lo, hi)]
    toks.reverse()
    return toks


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


# Prepositions that attach a phrase to the person who speaks ("an official *from* the
# ministry", "residents *of* the area", "a source *familiar with* the talks").
_HEAD_PREPOSITIONS = frozenset(("of", "from", "at", "for", "with", "in", "to"))
# Adjectives between such a person and the preposition ("close to", "familiar with").
_HEAD_ADJECTIVES = frozenset(("close", "familiar", "closest"))
# Modifiers taken left of that person at most ("two senior officials").
_MAX_HEAD_MODIFIERS = 3


def _is_person_noun(word: str) -> bool:
    """A common noun for people who speak (`official`, `residents`, `minister`)."""
    low = word.rstrip(".").casefold()
    return (
        low in _PERSON_HEADS
        or low in _GROUP_NOUNS
        or _is_role(low)
        or _is_role(low.removesuffix("s"))
    )


# Objects that make a prepositional phrase say when or how, not where a person is from
# ("the official at a briefing", "her lawyers in a court filing", "at the time").
_ADVERBIAL_OBJECTS = word_set("adverbial_objects")


# Prepositions of a phrase saying when, where or how someone spoke, between the
# speaker and the cue ("X in a statement said", "X at a press conference said").
_CIRCUMSTANCE_PREPOSITIONS = frozenset(("in", "at", "during", "on", "through", "via", "over"))
# A cheap first test: one of them among the last characters before the cue.
_CIRCUMSTANCE_RE = re.compile(r"(?i)\b(?:in|at|during|on|through|via|over)\s")
_CIRCUMSTANCE_REACH = 80


def _noun_cue(text: str, cue_start: int) -> bool:
    """Is the cue at `cue_start` a noun (`in a statement`, `in an interview`)? Then the
    phrase before it is that noun's own, not a circumstance of a verb."""
    match = _TOKEN_RE.match(text, cue_start)
    word = match.group().casefold() if match is not None else ""
    return word in _ADVERBIAL_OBJECTS or word.removesuffix("s") in _ADVERBIAL_OBJECTS


def _circumstance_phrase_start(text: str, lo: int, hi: int) -> int | None:
    """Start of a circumstance phrase ending at `hi` (right before a cue), or None.

    It is one of `_CIRCUMSTANCE_PREPOSITIONS` and an object at most 5 words long that
    is indefinite, possessive (`in his speech`) or a when/how noun (`during the
    meeting`, see `_adverbial_object`), with a word that can end a speaker phrase
    before it (not a number or a stop word): "Officials in the ministry said" keeps
    its phrase. The word before must end a subject (a name, a person or an
    organisation).
    """
    toks = _tokens_back(text, lo, hi)
    for index, (s, e) in enumerate(toks[:6]):
        low = text[s:e].casefold()
        if low not in _CIRCUMSTANCE_PREPOSITIONS:
            continue
        if index == 0 or index + 1 >= len(toks):
            return None
        object_words = [text[a:b].casefold() for a, b in toks[:index]]
        if all(w in _DETERMINERS or w in _POSSESSIVE_PRON for w in object_words):
            return None  # "in a written …": the cue is the object's own word
        first = object_words[-1]
        if not (first in _POSSESSIVE_PRON or _adverbial_object(text, e, hi)):
            return None
        word = text[toks[index + 1][0] : toks[index + 1][1]]
        left = word.rstrip(".").casefold()
        if left.isdigit() or left in _STOP_WORDS or left in _DETERMINERS:
            return None
        # The word before must end a subject: a name, a person or an organisation
        # ("Trump in his speech", "the ministry in a statement"), not a verb's object
        # ("fanned controversy in a speech").
        if not (word[:1].isupper() or _is_person_noun(word) or left in _ORG_WORDS):
            return None
        return s
    return None


def _adverbial_object(text: str, pos: int, hi: int) -> bool:
    """Is the phrase object from `pos` on indefinite (`at a briefing`) or a when/how
    word (`at the time`, `in the statement`), i.e. not where a person is from?"""
    words = [m.group().rstrip(".").casefold() for m in _TOKEN_RE.finditer(text, pos, hi)][:3]
    if not words or words[0] in ("a", "an"):
        return True
    if words[0] in _DETERMINERS or words[0] in _POSSESSIVE_PRON:
        words = words[1:]
    return any(
        w in _ADVERBIAL_OBJECTS or w.removesuffix("s") in _ADVERBIAL_OBJECTS for w in words[:2]
    )


def _attaches_phrase(text: str, chosen: list[tuple[int, int]], preposition: str) -> bool:
    """Does a prepositional phrase after the tokens `chosen` name where a person is from
    (`an official | from …`, `a source close | to …`)? See `_head_before_phrase`."""
    last = text[chosen[-1][0] : chosen[-1][1]]
    if last.casefold() in _HEAD_ADJECTIVES and len(chosen) > 1:
        return _is_person_noun(text[chosen[-2][0] : chosen[-2][1]])
    return preposition != "to" and _is_person_noun(last)


def _head_before_phrase(text: str, toks: list[tuple[int, int]], stop: int, start: int) -> int:
    """Where the speaker phrase starts when a prepositional phrase ends it.

    The tokens right of `toks[stop]` (right to left) made the phrase `text[start:…]`.
    `An official from the presidential office said` stops at "the": the phrase is the
    office, but the speaker is the official. When a determiner (optional), one of
    `_HEAD_PREPOSITIONS` and a person noun (`_is_person_noun`, perhaps with
    `_HEAD_ADJECTIVES` between) come next, the phrase starts at that person (and up to
    `_MAX_HEAD_MODIFIERS` words before it, not a determiner); otherwise at `start`.
    """
    j = stop
    if j < len(toks) and text[toks[j][0] : toks[j][1]].casefold() in _DETERMINERS:
        j += 1
    if j >= len(toks) - 1:
        return start
    preposition = text[toks[j][0] : toks[j][1]].casefold()
    if preposition not in _HEAD_PREPOSITIONS:
        return start
    k = j + 1
    adjective = text[toks[k][0] : toks[k][1]].casefold()
    if adjective in _HEAD_ADJECTIVES and k + 1 < len(toks):
        k += 1
    elif preposition == "to":
        return start  # "to" only after "close": "sent to the ministry" is no speaker
    if not _is_person_noun(text[toks[k][0] : toks[k][1]]):
        return start
    if _adverbial_object(text, toks[j][1], toks[0][1]):
        return start
    head_start = toks[k][0]
    for s, e in toks[k + 1 : k + 1 + _MAX_HEAD_MODIFIERS]:
        low = text[s:e].rstrip(".").casefold()
        if low in _DETERMINERS or low in _STOP_WORDS or low in PRONOUNS or low in _TIME_WORDS:
            break
        head_start = s
    return head_start


# Words of a time phrase read right to left from its head ("the 10th", "last week",
# "less than two weeks ago", "on Jan. 9"), and the heads themselves.
_TIME_HEADS = frozenset(
    [
        *(w for w in _TIME_WORDS if w not in ("last", "this", "next", "later", "earlier")),
        "weekend",
    ]
)
# Units counted back from "ago" ("two weeks ago").
_TIME_UNITS = word_set("time_units")
_TIME_LEADS = word_set("time_leads")
_MONTHS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april "  # noqa: SIM905
    "june july august september october november december".split()
)
_ORDINAL_DAY_RE = re.compile(r"\d{1,2}(?:st|nd|rd|th)")


def _time_phrase_start(text: str, lo: int, last: tuple[int, int]) -> int | None:
    """Start of a time phrase that ends with the token `last` (right before a cue),
    or None: "on the 10th", "last week", "two days ago", "on Jan. 9", "on Tuesday".

    The phrase must end in a time head (a day, week, "ago", an ordinal day, a date)
    and leave a word before it for the speaker.
    """
    word = text[last[0] : last[1]]
    low = word.rstrip(".").casefold()
    ago = low == "ago"
    if not (
        ago
        or low in _TIME_HEADS
        or _ORDINAL_DAY_RE.fullmatch(low) is not None
        or (low.isdigit() and len(low) <= 2)
    ):
        return None
    start = last[0]
    taken = 0
    while taken < 6:
        previous = _last_token(text, lo, start)
        if previous is None:
            return None  # nothing left for the speaker
        prev_low = text[previous[0] : previous[1]].rstrip(".").casefold()
        is_time_word = (
            prev_low in _TIME_LEADS
            or prev_low in _MONTHS
            or (ago and (prev_low in _TIME_UNITS or prev_low.isdigit()))
        )
        if not is_time_word:
            break
        start = previous[0]
        taken += 1
    if not ago and low.isdigit():
        # a bare number is a date only after a month ("on Jan. 9")
        month = _last_token(text, lo, last[0])
        if month is None or text[month[0] : month[1]].rstrip(".").casefold() not in _MONTHS:
            return None
    if text[start : last[0]].strip() == "" and low not in _TIME_HEADS and not ago:
        return None  # a lone ordinal or number is not a time phrase by itself
    speaker_end = _last_token(text, lo, start)
    if speaker_end is None:
        return None  # nothing left for the speaker
    left = text[speaker_end[0] : speaker_end[1]].rstrip(".").casefold()
    if left.isdigit() or left in _STOP_WORDS:
        return None  # "within 24 hours", "by the 10th": not after a subject
    return start


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


_POSSESSIVE_PRON = frozenset(("his", "her", "its", "their", "our", "my", "your"))
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


@lru_cache(maxsize=_MEMO_LIMIT)
def is_person_name(name: str) -> bool:
    """Heuristic: does a named speaker look like a person (vs an organisation)?"""
    return _is_person_name(name)


def _is_person_name(name: str) -> bool:
    words = name.replace("’s", "").replace("'s", "").split()
    if not words:
        return False
    lows = [w.casefold().rstrip(".,") for w in words]
    if any(w in _ORG_WORDS for w in lows):
        return False
    if lows[0] in _TITLES:
        return True
    caps = [w for w in words if _is_cap(w)]
    if len(caps) != len(words):
        return False  # nominal phrases ("the spokesman") are not treated as names
    if any(w.isupper() and len(w) > 1 for w in words):
        return False  # acronyms: organisations
    return 1 <= len(words) <= 4


_MALE_TITLES = word_set("male_titles")
_FEMALE_TITLES = word_set("female_titles")
# Honorifics stay part of a person's name core ("Mr Bakes"); role words before a name
# are dropped from it ("Foreign Affairs Minister Alexander Downer" → "Alexander Downer").
_HONORIFICS = word_set("honorifics")
_ROLE_WORDS = word_set("role_words")
# Plural or collective nouns that open sentences as subjects ("Analysts said"): not a
# person's name even when capitalised.
_GROUP_NOUNS = word_set("group_nouns")
_NAME_PREPOSITIONS = word_set("name_prepositions")
_PARTICLES = word_set("particles")


def _report_forms() -> frozenset[str]:
    bases = [
        "add",
        "announce",
        "explain",
        "warn",
        "claim",
        "insist",
        "argue",
        "note",
        "stress",
        "confirm",
        "deny",
        "acknowledge",
        "admit",
        "predict",
        "urge",
        "suggest",
        "reveal",
        "declare",
        "tell",
        "say",
    ]
    forms: set[str] = set()
    for b in bases:
        forms |= set(_IRREGULAR[b]) if b in _IRREGULAR else _inflect(b)
    forms = {f for f in forms if not f.endswith("ing")} | {"saying", "according to"}
    return frozenset(forms | {"reported", "stated"})


# Reporting verbs whose subject (without a quotation) introduces a speaker that a
# later "he said" may refer to.
REPORT_FORMS = _report_forms()


class Referent(NamedTuple):
    """A named speaker a later pronoun may refer to.

    `kind` is "quote" (the speaker of a quotation), "report" (the subject of a
    reporting verb without a quotation: `X said that …`, `according to X`) or
    "subject" (a person-like proper name opening a plain sentence; weakest).
    """

    name: str
    pos: int  # offset of the mention in the source
    person: bool  # person-like: a candidate for he/she
    gender: str  # "m", "f" or "" (unknown)
    kind: str


def name_gender(mention: str) -> str:
    """Gender "m"/"f" from a gendered title in the mention (Mr, Ms, Queen, …), else ""."""
    for w in mention.split()[:3]:
        low = w.casefold()
        if low in _MALE_TITLES:
            return "m"
        if low in _FEMALE_TITLES:
            return "f"
    return ""


def gender_key(name: str) -> str:
    """The word a person is referred to by across the article (the surname)."""
    words = name.split()
    return words[-1].casefold().rstrip(".,") if words else ""


def person_core(mention: str, text: str = "") -> str | None:
    """The person's name inside a subject phrase, or None when it is not person-like.

    Drops what precedes a possessive (`the Bureau of Meteorology's Claire Richards`),
    lowercase descriptors (`South African captain Shaun Pollock`) and capitalised role
    words (`Republican Chuck Hagel`, `Emergency Services Minister Ted Quinlan`); an
    honorific stays (`Mr Bakes`). Organisations (a word such as Ministry, Committee,
    Party in the name; acronyms; a name after "of"), plural or collective nouns
    (`Analysts`, a single word that `text` also uses in lowercase) and long phrases are
    not persons. A bare role (`the President`) is a person and is kept whole.
    """
    parts = person_parts(mention, text)
    return parts[0] if parts is not None else None


_ROMAN_RE = re.compile(r"[IVXLC]+")


def person_parts(mention: str, text: str = "") -> tuple[str, bool] | None:
    """`person_core` plus whether the phrase marks a person beyond capitalisation: an
    honorific, a role word or a lowercase descriptor before the name (`Premier Peter
    Beattie`, `Australian paceman Glenn McGrath`)."""
    parts, lowercase_test = _person_parts_memoised(mention)
    if lowercase_test and text and _lowercase_use(text, lowercase_test):
        return None  # a common noun capitalised at the sentence start
    return parts


@lru_cache(maxsize=_MEMO_LIMIT)
def _person_parts_memoised(mention: str) -> tuple[tuple[str, bool] | None, str]:
    return _person_parts(mention)


def person_parts_in_any_text(mention: str) -> tuple[tuple[str, bool] | None, str]:
    """`person_parts` before the text is consulted: the answer, and the word whose
    lowercase use in a text (`lowercase_use`) would make it None ("" if none)."""
    return _person_parts_memoised(mention)


def lowercase_use(text: str, low: str) -> bool:
    """Does `text` use `low` as a lowercase word somewhere?"""
    return _lowercase_use(text, low)


def _person_parts(mention: str) -> tuple[tuple[str, bool] | None, str]:
    """`person_parts` without the text: the answer, and the word whose lowercase use
    in the text (if any) would make it None instead ("" if none)."""
    words = mention.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i].endswith(("’s", "'s")) and i < len(words) - 1:
            words = words[i + 1 :]
            break
    run: list[str] = []
    for w in reversed(words):
        low = w.casefold().rstrip(",")
        if _is_cap(w) or (low in _PARTICLES and run):
            run.append(w)
        else:
            break
    before = words[: len(words) - len(run)]
    run.reverse()
    if not run:
        return None, ""
    while before and before[-1].casefold() in _DETERMINERS:
        before.pop()
    if before and before[-1].casefold() in _NAME_PREPOSITIONS:
        return None, ""  # the name is a modifier: "Ministry of National Defense"
    lows = [w.casefold().rstrip(".,") for w in run]
    cut = 0
    for i, low in enumerate(lows):
        if _is_role(low):
            cut = i + 1
        elif low in _HONORIFICS:
            cut = i
    core = run[cut:] if cut < len(run) else run
    core_lows = lows[cut:] if cut < len(run) else lows
    if any(w in _ORG_WORDS or w in _GROUP_NOUNS for w in core_lows):
        return None, ""
    if any(w.isupper() and len(w.rstrip(".")) > 1 and not _ROMAN_RE.fullmatch(w) for w in core):
        return None, ""  # acronyms: organisations
    if not 1 <= len(core) <= 4:
        return None, ""
    lowercase_test = ""
    if len(core) == 1 and cut == 0:
        low = core_lows[0]
        if low.endswith("men") and len(low) > 7:
            return None, ""  # "The Englishmen", "Fishermen"
        if low.endswith("s"):
            lowercase_test = low
    evidence = cut > 0 or bool(before) or core_lows[0] in _HONORIFICS
    return (" ".join(core), evidence), lowercase_test


def _is_role(low: str) -> bool:
    """A role word, also hyphenated (`Attorney-General`, `Lieutenant-General`)."""
    low = low.rstrip(".")
    return low in _ROLE_WORDS or ("-" in low and any(p in _ROLE_WORDS for p in low.split("-")))


def is_bare_role(name: str) -> bool:
    """A person referred to by a role only (`Foreign Minister`): no name in it."""
    words = name.split()
    return bool(words) and _is_role(words[-1].casefold())


_PERSON_HEADS = frozenset(
    ["official", "officials", "spokesman", "spokeswoman", "spokesperson", "source", "sources"]
)


def _person_head(name: str) -> bool:
    """Does a non-name phrase denote people (`a senior official`, `the minister`)?"""
    words = name.split()
    if not words:
        return False
    head = words[-1].casefold()
    return head in _PERSON_HEADS or _is_role(head) or _is_role(head.removesuffix("s"))


def _lowercase_use(text: str, low: str) -> bool:
    """Does `text` use `low` as a lowercase word somewhere?"""
    i = text.find(low)
    while i >= 0:
        end = i + len(low)
        if (i == 0 or not text[i - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        i = text.find(low, end)
    return False


def resolve_referent(
    pronoun: str,
    pos: int,
    candidates: Sequence[Referent],
    reach: int,
    genders: Mapping[str, str] | None = None,
    organisations_as_he: bool = False,
) -> Referent | None:
    """The referent of a pronoun speaker at `pos` among `candidates` (sorted by `pos`).

    he/she → the most recent gender-compatible person-like referent (a plain sentence
    subject only within `reach` characters), else, with `organisations_as_he` (a habit of
    translated news, a source's annotation option), the most recent non-person quote
    speaker (an organisation quoted with "he said");
    they/it → the most recent non-person quote or report referent, else the most recent
    quote speaker. None when nothing fits (the pronoun then stays its own speaker).
    `genders` maps a name's `gender_key` to what the article says elsewhere ("m"/"f").
    """
    low = pronoun.casefold()
    if low not in ("he", "she", "they", "it"):
        return None
    k = len(candidates)
    while k > 0 and candidates[k - 1].pos >= pos:
        k -= 1
    if low in _PERSON_PRONOUNS:
        want = "m" if low == "he" else "f"
        for r in reversed(candidates[:k]):
            if not r.person:
                continue
            gender = r.gender or (genders.get(gender_key(r.name), "") if genders else "")
            if gender and gender != want:
                continue
            if r.kind == "subject" and pos - r.pos > reach:
                continue
            return r
        if organisations_as_he:
            for r in reversed(candidates[:k]):
                if not r.person and r.kind == "quote":
                    return r
        return None
    fallback: Referent | None = None
    for r in reversed(candidates[:k]):
        if r.kind == "subject":
            continue
        if not r.person and not (r.kind == "report" and low == "it" and _person_head(r.name)):
            return r
        if fallback is None and r.kind == "quote":
            fallback = r
    return fallback


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
_letters_cache: tuple[str, bytes] = ("", b"")


def _letters(text: str) -> bytes:
    """`text` with one byte per character: its ASCII letters, and spaces for the rest.

    The letter runs of any window are then `_letters(text)[lo:hi].split()`, the runs
    `_LETTER_RUN_RE.findall(text, lo, hi)` finds, several times faster; a word of
    ASCII letters occurs at the same offsets in both. Kept for the last text asked.
    """
    cached = _letters_cache
    if cached[0] is text:
        return cached[1]
    return prepare_text(text)


def prepare_text(text: str) -> bytes:
    """Build the per-text table `find_cues` reads (else built when first needed), anew:
    one extraction pays for its own tables even when given the same text again."""
    global _letters_cache
    # "replace" writes one "?" per non-ASCII character, so offsets are kept
    letters = text.encode("ascii", "replace").translate(_LETTER_TABLE)
    _letters_cache = (text, letters)
    return letters


def find_cues(text: str, lo: int, hi: int) -> list[CueHit]:
    """All cue occurrences in text[lo:hi], left to right.

    A linear token scan with set lookups (a large regex alternation was the hot spot).
    """
    if hi - lo < 3:
        return []  # every cue word has at least three letters
    cached = _letters_cache
    letters = cached[1] if cached[0] is text else _letters(text)
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
    cached = _letters_cache
    letters = cached[1] if cached[0] is text else _letters(text)
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


def attribution_after(text: str, pos: int, hi: int) -> Attribution | None:
    """Attribution right after a closing mark: `,” X said` / `,” said X` / `,” according to X`.

    `pos` is just past the closing mark; `hi` bounds the search (sentence/paragraph end).
    """
    m = _AFTER_LEAD_RE.match(text, pos, hi)
    start = m.end() if m else pos
    window_end = min(hi, start + 160)
    cues = find_cues(text, start, window_end)
    if not cues:
        return None
    cue = cues[0]
    if cue.s != start:
        ended = text[pos - 2 : pos].lstrip("”\"’'")[-1:] in (".", "!", "?") or (
            pos >= 2 and text[pos - 2] in ".!?"
        )
        new_sentence = ended and text[start : start + 1].isupper()
        return _subject_first_after(text, start, cues, new_sentence)
    # verb-first inversion or "according to X"; besides the listed verbs any
    # finite reporting verb inverts in newswire (`,” scoffed X`, `,” exhorted X`)
    cue_low = normalize_ws(cue.text).casefold()
    if cue_low.replace(" ", "_") not in _INVERTIBLE and not _finite_cue(cue_low):
        return None
    np = np_after(text, cue.e, window_end)
    if np is None:
        return None
    s, e = np
    if text[s:e].casefold() in ("that", "it"):
        return None
    return _outer_source(text, Attribution(text[s:e], s, e, cue.text, cue.s, cue.e, "after"), hi)


def _outer_source(text: str, att: Attribution, hi: int) -> Attribution:
    """Nested attribution `“…” X said (…), according to Y.`: the reporting clause is
    itself attributed to Y, which is the source of record for the quotation (the
    writer only relays Y's account of what X said). Only within the same clause: no
    quotation mark or sentence end between the cue and "according to"."""
    if att.cue_end is None or att.cue is None or att.cue.casefold() == "according to":
        return att
    end = min(hi, att.cue_end + 90)
    if text.find("according to", att.cue_end, end) < 0:
        return att  # none even before the clause is cut short (the usual case)
    for ch in '.“”"!?;':
        stop = text.find(ch, att.cue_end, end)
        if stop >= 0:
            end = stop
    idx = text.find("according to", att.cue_end, end)
    if idx < 0:
        return att
    np = np_after(text, idx + len("according to"), min(hi, idx + 120))
    if np is None:
        return att
    s, e = np
    return Attribution(text[s:e], s, e, "according to", idx, idx + len("according to"), "after")


# Words that open an adjunct after a cue (`“…?” X said about the plan.`), as
# opposed to a complement clause (`X said the plan …`), which is new content.
_ADJUNCT_LEADS = word_set("adjunct_leads")


def _finite_cue(cue_low: str) -> bool:
    """A single-word past-tense or 3rd-person cue form (scoffed, exhorts), which can
    precede its subject in a quotation-final inversion."""
    return " " not in cue_low and (cue_low.endswith("ed") or cue_low.endswith("s"))


def _subject_first_after(
    text: str, start: int, cues: list[CueHit], new_sentence: bool = False
) -> Attribution | None:
    """`,” X said`: the first cue whose subject NP starts right at `start`.

    With `new_sentence` (the quotation ended a sentence and a capitalised sentence
    follows) the cue must end its clause (`“…” Smith said.`), not introduce new
    content (`“…” Smith said that …`), which belongs to another attribution.
    """
    for cue in cues[:4]:
        if new_sentence:
            rest = text[cue.e : cue.e + 60].split(".", 1)[0]
            words = rest.split()
            adjunct = bool(words) and words[0].casefold().strip(",") in _ADJUNCT_LEADS
            if (len(words) > 5 and not adjunct) or _THAT_OR_QUOTE_RE.search(rest):
                return None
        np = np_before(text, start, cue.s)
        if np is None:
            continue
        s, e = np
        lead = text[start:s].strip().casefold()
        if lead not in ("", "the", "a", "an"):
            continue
        att = Attribution(text[s:e], s, e, cue.text, cue.s, cue.e, "after")
        return _outer_source(text, att, len(text))
    return None


_LEADING_ADVERBIAL = word_set("leading_adverbial")
_VERBISH = word_set("verbish")
_REL_PRONOUNS = frozenset(("who", "which", "that"))


# Sentence adverbs/conjunctions skipped without a comma ("Perhaps young voters …").
_SENTENCE_ADVERBS = word_set("sentence_adverbs")
# Newswire dateline before the first sentence: "NEW YORK - ", "WASHINGTON — ".
_DATELINE_RE = re.compile(r"\s*[A-Z][A-Z.]+(?:[ ,]+[A-Z][A-Za-z.]*){0,3}\s+[-—–]+\s+")


_PARTICIPLE_STOPS = _STOP_WORDS - {"that", "by", "at"}
# Prepositions that continue a sentence-initial participle ("Reading from …"); after a
# short -ing word they may follow a name instead ("King in …"), hence the length test.
_PARTICIPLE_PREPOSITIONS = frozenset(("from", "in", "on", "with", "to", "into", "through"))


def _opens_participial(word: str, nxt: str) -> bool:
    """A capitalised sentence-initial participle or manner adverb opens an adverbial
    phrase, not the subject: "Citing …, Will urged", "Led by …, the rally",
    "Hastily politicizing …, Trump cast". The next word must continue the phrase
    (lowercase, not a finite verb), so names like "Beijing warned" or "Kelly said"
    are not taken for participles."""
    low = word.casefold()
    if not word[:1].isupper() or not nxt[:1].islower():
        return False
    nlow = nxt.casefold()
    if nlow in _PARTICIPLE_PREPOSITIONS and low.endswith("ing") and len(low) > 6:
        return True  # "Reading from a prepared text, Carson …", "Writing in the Post, …"
    if nlow in _SINGLE_CUES or nlow in _VERBISH or nlow in _PARTICIPLE_STOPS:
        return False
    if low.endswith("ly") and len(low) > 4:
        return nlow.endswith(("ing", "ed"))  # "Hastily politicizing"
    if low.endswith(("ing", "ed")) and len(low) > 3:
        return not nlow.endswith(("ed", "s"))
    return False


def _role_before_name(text: str, low: str, end: int, hi: int) -> bool:
    """Is `low` (a lowercase word after a capitalised one) a role between an
    organisation and a name ("Conservative co-chairman Liam Fox", "Labour leader
    Keir Starmer")? Then it belongs to the subject instead of being its verb."""
    if not (_is_role(low) or low in _PERSON_HEADS):
        return False
    following = _TOKEN_RE.search(text, end, hi)
    return following is not None and following.group()[:1].isupper()


def subject_np(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Guess the grammatical subject at the start of the sentence text[lo:hi].

    Skips a leading adverbial phrase ("On Tuesday, …", "But …") and takes the noun
    phrase up to the first verb-like word. Used for participial cues (", saying …")
    and for quotes embedded in a sentence without a recognised cue.
    """
    pos = lo
    dateline = _DATELINE_RE.match(text, lo, hi)
    if dateline is not None:
        pos = dateline.end()  # "NEW YORK - Trump …"
    for _ in range(3):
        m = _TOKEN_RE.search(text, pos, hi)
        if m is None:
            return None
        first = _strip_token(m.group())
        nxt = _TOKEN_RE.search(text, m.end(), hi)
        following = nxt.group() if nxt is not None else ""
        if first in _LEADING_ADVERBIAL or _opens_participial(m.group(), following):
            comma = text.find(",", m.end(), hi)
            if first in _SENTENCE_ADVERBS:
                pos = m.end()
            elif comma >= 0 and comma - pos < 80:
                pos = comma + 1
            else:
                return None
            if nxt is None:
                return None
            continue
        break
    count = 0  # tokens chosen
    first_s = last_s = last_e = 0  # the first chosen token's start, the last one's span
    last_cap = False  # does the last chosen token start with a capital or digit?
    prev_end = pos  # end of the last chosen (or skipped) token
    for m in _TOKEN_RE.finditer(text, pos, hi):
        ms, me = m.span()
        if text[prev_end:ms].strip():
            break
        word = m.group()
        low = word.rstrip(".").casefold()
        if not count and not any(ch.isalnum() for ch in low):
            # a full stop left of the sentence ('… records". Mr Beith urged') or a
            # list bullet ("- People coming …"): the sentence starts after it
            prev_end = me
            continue
        if not count and low in PRONOUNS:
            return ms, me
        if low in _DETERMINERS and not count:
            prev_end = me
            continue
        if low in _STOP_WORDS or low in _VERBISH or low in _REL_PRONOUNS:
            break
        cap = word[0].isupper() or word[0].isdigit()
        if not cap and (word.casefold() in _SINGLE_CUES or low.endswith("ed")):
            break
        if not cap and count and last_cap and not _role_before_name(text, low, me, hi):
            break  # a lowercase word after a name is the verb ("Trump mocked")
        if not count:
            first_s = _word_start(text, ms, me)
        last_s, last_e, last_cap, prev_end = ms, me, cap, me
        count += 1
        if count > 8:
            return None
    if not count:
        return None
    s, e = first_s, last_e
    if text[e - 1] == "." and not _INITIALS_RE.fullmatch(text, last_s, e):
        e -= 1
    return (s, e) if _subject_mention_ok(text[s:e]) else None


def _att(text: str, span: tuple[int, int], cue: CueHit | None, kind: str) -> Attribution:
    s, e = span
    if cue is None:
        return Attribution(text[s:e], s, e, None, None, None, kind)
    return Attribution(text[s:e], s, e, cue.text, cue.s, cue.e, kind)


def _leftmost_np(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """`X, appositive, said`: the first comma-delimited chunk that is a named NP."""
    pos = lo
    for _ in range(3):
        comma = text.find(",", pos, hi)
        if comma < 0:
            return None
        chunk = text[pos:comma].strip()
        words = chunk.split()
        if words and _strip_token(words[0]) not in _LEADING_ADVERBIAL and len(words) <= 8:
            np = np_before(text, pos, comma)
            if np is not None and _looks_named(text[np[0] : np[1]]):
                return np
        pos = comma + 1
    return None


def attribution_before(text: str, lo: int, open_pos: int) -> Attribution | None:
    """Attribution in the same sentence before the opening mark.

    Covers `X said, “…”`, `X said that … “…”`, `X told reporters: “…”`,
    `According to X, “…”`, `Continued X: “…”`, `X, who …, said “…”`, participles
    (`X did Y, saying “…”` → the sentence subject) and relative `who said`.
    `lo` is the sentence start (or the end of the previous quotation in the same
    sentence).
    """
    for cue in reversed(find_cues(text, lo, open_pos)):
        att = attribution_before_cue(text, lo, open_pos, cue)
        if att is not None:
            return att
    return None


def attribution_before_cue(text: str, lo: int, open_pos: int, cue: CueHit) -> Attribution | None:
    """`attribution_before` for one cue of text[lo:open_pos] (the last one it tries).

    None only for an "according to" without a phrase after it (`attribution_before`
    then tries the cue before); any other cue yields an attribution, perhaps without a
    mention. A caller that already knows the window's last cue (and that it is not
    "according to") saves finding the cues again.
    """
    cue_low = normalize_ws(cue.text).casefold()
    if cue_low == "according to":
        np = np_after(text, cue.e, open_pos)
        if np is None:
            return None
        return _att(text, np, cue, "before")
    if cue_low.endswith("ing"):
        # absolute construction ("with X telling reporters …"): X speaks
        np = np_before(text, lo, cue.s)
        if np is not None:
            w = _last_token(text, lo, np[0])
            if w is not None and text[w[0] : w[1]].casefold() == "with":
                return _att(text, np, cue, "before")
        # participle (", saying …"): the sentence subject speaks; if there is none
        # in reach the quotation continues the current speaker
        subj = subject_np(text, lo, cue.s)
        if subj is not None:
            return _att(text, subj, cue, "before")
        return Attribution(None, None, None, cue.text, cue.s, cue.e, "before")
    # relative clause: "the mayor, who said …" -> mention "who"
    last = _last_token(text, lo, cue.s)
    if last is not None and text[last[0] : last[1]].casefold() in ("who", "which"):
        return _att(text, last, cue, "before")
    np = _np_before(text, lo, cue.s, 8, last)  # = np_before(text, lo, cue.s)
    if np is None:
        np = _leftmost_np(text, lo, cue.s)
    if np is None and _INVERTED_LEAD_RE.fullmatch(text, cue.e, open_pos):
        # inverted: "Continued Stone: “…”", "explained CBS moderator X: “…”"
        np = np_after(text, cue.e, open_pos)
        if np is not None and not _looks_named(text[np[0] : np[1]]):
            np = None
    if np is None:
        subj = subject_np(text, lo, cue.s)
        if subj is not None and text[lo : cue.s].rstrip().endswith(","):
            return _att(text, subj, cue, "before")
        # cue with no subject in reach ("and added, “…”"): inherits the speaker
        return Attribution(None, None, None, cue.text, cue.s, cue.e, "before")
    return _att(text, np, cue, "before")


def antecedent(text: str, lo: int, rel_start: int) -> str | None:
    """Antecedent of a relative pronoun: the named NP before ", who"."""
    head = text[lo:rel_start].rstrip()
    if not head.endswith(","):
        return None
    np = np_before(text, lo, lo + len(head) - 1)
    if np is None:
        np = _leftmost_np(text, lo, lo + len(head))
    return text[np[0] : np[1]] if np is not None else None


_COLON_RE = re.compile(r"\s*:\s*$")


def attribution_colon(text: str, lo: int, open_pos: int) -> Attribution | None:
    """Headline / label form `China: ‘We will never …’` (capitalised short NP, colon)."""
    seg = text[lo:open_pos]
    if not seg.rstrip().endswith(":"):
        return None  # `_COLON_RE` (tried from every position) cannot match
    m = _COLON_RE.search(seg)
    if not m:
        return None
    name_end = lo + m.start()
    name_start = lo + (len(seg) - len(seg.lstrip()))
    name = text[name_start:name_end]
    words = name.split()
    if not 1 <= len(words) <= 6:
        return None
    ok_small = {"of", "the", "and", "for", "on"}
    if not all(_is_cap(w) or w in ok_small for w in words) or not _is_cap(words[0]):
        return None
    s, e = strip_determiner(text, name_start, name_end)
    return Attribution(text[s:e], s, e, None, None, None, "colon")
