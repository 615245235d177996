"""What stands between a speaker and its cue without being the speaker: time phrases
("on the 10th", "two weeks ago"), circumstance phrases ("in a statement"), adverbial
objects, and the head noun a phrase attaches to.
"""

from __future__ import annotations

import re

from newscorpus.annotate.words import word_set

PRONOUNS = frozenset(["he", "she", "they", "it", "we", "i", "you"])


# Words that end a backward noun-phrase scan: clause openers, prepositions, verbs.
_STOP_WORDS = word_set("stop_words")


_DETERMINERS = frozenset(("the", "a", "an"))


_TIME_WORDS = word_set("time_words")


_ORG_WORDS = word_set("org_words")


_TOKEN_RE = re.compile(r"[\w’'.&-]+")


_TOKEN_PUNCTUATION = "’'.&-_"


_TOKEN_FULL_RE = re.compile(r"[\w’'.&-]+")


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
    """Is the phrase object from `pos` on indefinite (`at a briefing`; not an
    organisation: `at a Korean internet company`) or a when/how word (`at the time`,
    `in the statement`), i.e. not where a person is from?"""
    words = [m.group().rstrip(".").casefold() for m in _TOKEN_RE.finditer(text, pos, hi)][:5]
    if not words:
        return True
    if words[0] in ("a", "an"):
        # "at a briefing", "in a court filing" say when; "at a Korean internet company"
        # says where one works
        rest = words[1:]
        if any(w in _ADVERBIAL_OBJECTS or w.removesuffix("s") in _ADVERBIAL_OBJECTS for w in rest):
            return True
        return not any(w in _ORG_WORDS for w in rest)
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


_POSSESSIVE_PRON = frozenset(("his", "her", "its", "their", "our", "my", "your"))


_ROLE_WORDS = word_set("role_words")


# Plural or collective nouns that open sentences as subjects ("Analysts said"): not a
# person's name even when capitalised.
_GROUP_NOUNS = word_set("group_nouns")


def _is_role(low: str) -> bool:
    """A role word, also hyphenated (`Attorney-General`, `Lieutenant-General`)."""
    low = low.rstrip(".")
    return low in _ROLE_WORDS or ("-" in low and any(p in _ROLE_WORDS for p in low.split("-")))


_PERSON_HEADS = frozenset(
    ["official", "officials", "spokesman", "spokeswoman", "spokesperson", "source", "sources"]
)
