"""Persons among speaker phrases: person-like names, gender from titles, the core name
of a titled phrase, and the referent a pronoun speaker takes (`resolve_referent`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from newscorpus.annotate.adjuncts import (
    _DETERMINERS,
    _GROUP_NOUNS,
    _ORG_WORDS,
    _PERSON_HEADS,
    _is_role,
)
from newscorpus.annotate.cues import (
    _IRREGULAR,
    _inflect,
)
from newscorpus.annotate.phrases import (
    _MEMO_LIMIT,
    _PERSON_PRONOUNS,
    _TITLES,
    _is_cap,
)
from newscorpus.annotate.words import word_set


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


def is_bare_role(name: str) -> bool:
    """A person referred to by a role only (`Foreign Minister`): no name in it."""
    words = name.split()
    return bool(words) and _is_role(words[-1].casefold())


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
    k = len(candidates)
    while k > 0 and candidates[k - 1].pos >= pos:
        k -= 1

    def latest(test: Callable[[Referent], bool]) -> Referent | None:
        # Walked by index from the end: a reversed slice would copy every candidate.
        for i in range(k - 1, -1, -1):
            if test(candidates[i]):
                return candidates[i]
        return None

    return choose_referent(pronoun, pos, latest, reach, genders, organisations_as_he)


def choose_referent(
    pronoun: str,
    pos: int,
    latest: Callable[[Callable[[Referent], bool]], Referent | None],
    reach: int,
    genders: Mapping[str, str] | None = None,
    organisations_as_he: bool = False,
) -> Referent | None:
    """`resolve_referent`'s choice, given `latest(test)`: the most recent candidate
    before `pos` that passes `test`, or None. A caller with many candidates answers it
    from an index (`quotes._SpeakerHistory`); the tests read only a referent's name,
    person, gender and kind, and its position only for a "subject"."""
    low = pronoun.casefold()
    if low not in ("he", "she", "they", "it"):
        return None
    if low in _PERSON_PRONOUNS:
        want = "m" if low == "he" else "f"

        def fits(r: Referent) -> bool:
            if not r.person:
                return False
            gender = r.gender or (genders.get(gender_key(r.name), "") if genders else "")
            if gender and gender != want:
                return False
            return not (r.kind == "subject" and pos - r.pos > reach)

        found = latest(fits)
        if found is None and organisations_as_he:
            found = latest(lambda r: not r.person and r.kind == "quote")
        return found

    def group(r: Referent) -> bool:
        if r.kind == "subject" or r.person:
            return False
        return not (r.kind == "report" and low == "it" and _person_head(r.name))

    found = latest(group)
    return found if found is not None else latest(lambda r: r.kind == "quote")
