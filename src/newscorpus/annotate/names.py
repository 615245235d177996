"""What a piece of capitalised words names: a person, an organisation, an acronym or
nothing (`read_piece`), and the word lists those readings use (`lexicon`).

The entity table (`entity_table`) reads every piece of an article through
`read_piece`, and so does speaker resolution for the phrase at an attribution: one
reading of names for both. The rules it applies (titles and roles dropped, Korean family
name first, a word the article writes lower-case opens no name, …) are listed in
`entity_table`'s docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from newscorpus.annotate.index import JOINERS, ArticleIndex
from newscorpus.annotate.words import lexicon_data, word_set

PERSON = "person"
ORGANISATION = "organisation"
ACRONYM = "acronym"

DETERMINERS = frozenset({"the", "a", "an", "this", "that"})
_SHORT_GIVEN = 5  # a Korean given-name syllable written alone: at most this many letters
_LONGEST_NAME = 3  # more capitalised words after the roles: a title-case headline
_LONGEST_ORGANISATION = 8
_NOT_GIVEN = ("ed", "ly", "ing", "ive", "ful", "ous")  # a capitalised verb or adjective
_LONGEST_GIVEN = 5  # "Ted", "Emily": shorter words with those endings may be names
_COMPANY = frozenset({"co", "ltd", "plc", "llc", "inc", "corp", "gmbh", "ag"})
_PARTICLES = frozenset({"de", "van", "von", "der", "bin", "al", "da", "di", "del"})


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """The word lists the rules read, casefolded, full stops dropped."""

    roles: frozenset[str]  # titles and role words that may stand before a name
    male: frozenset[str]
    female: frozenset[str]
    organisation_nouns: frozenset[str]
    organisation_words: frozenset[str]  # organisation nouns and company suffixes
    korean: frozenset[str]
    not_persons: frozenset[str]
    sentence_words: frozenset[str]
    given: dict[str, str]  # given name -> "m" / "f" / "" (both)
    person_roles: dict[str, frozenset[str]]  # role -> its forms ("governor": gov, governor)
    role_forms: dict[str, frozenset[str]]  # a form ("gov") -> the roles it gives
    organisation_roles: dict[str, frozenset[str]]  # "company" -> the names' nouns
    other_role_modifiers: frozenset[str]  # "vice", "deputy": another office
    place_heads: frozenset[str]


# Heads of place names and words of `org_words` that make no organisation of a name.
_NOT_ORGANISATION_NOUNS = frozenset(
    {
        *("white", "spokesman", "spokeswoman", "spokesperson", "officials", "staff"),
        *("avenue", "bay", "city", "county", "district", "island", "islands", "lake"),
        *("mountains", "ocean", "peninsula", "province", "river", "road", "sea", "state"),
        *("street", "valley", "report", "review", "show", "program", "programme"),
        *("project", "initiative"),
    }
)


def _fold(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w.casefold().rstrip(".") for w in words)


@cache
def lexicon() -> _Lexicon:
    """The word lists, read once (`lexicon/*.json` through `words.word_set`)."""
    roles = _fold(
        word_set("titles")
        | word_set("role_words")
        | word_set("honorifics")
        | word_set("male_titles")
        | word_set("female_titles")
    )
    context = lexicon_data("name_context")
    speaker_roles = lexicon_data("speaker_roles")
    person_roles = {k: frozenset({k, *v}) for k, v in speaker_roles["person_roles"].items()}
    given: dict[str, str] = {}
    names = lexicon_data("given_names")
    for gender in ("m", "f"):
        for name in names[gender]:
            low = name.casefold()
            given[low] = gender if low not in given else ""
    organisation_nouns = (
        _fold(word_set("org_words")) | frozenset(context["place_or_group_heads"])
    ) - _NOT_ORGANISATION_NOUNS
    return _Lexicon(
        roles=roles,
        male=_fold(word_set("male_titles")),
        female=_fold(word_set("female_titles")),
        organisation_nouns=organisation_nouns,
        organisation_words=organisation_nouns | _COMPANY,
        korean=_fold(word_set("korean_family_names")),
        not_persons=frozenset(w.casefold() for w in lexicon_data("not_persons")["words"]),
        sentence_words=frozenset(
            w.casefold() for w in context["sentence_words"] + context["months_and_days"]
        ),
        given=given,
        person_roles=person_roles,
        role_forms={
            form: frozenset(r for r, forms in person_roles.items() if form in forms)
            for forms in person_roles.values()
            for form in forms
        },
        organisation_roles={
            k: frozenset(v) for k, v in speaker_roles["organisation_roles"].items()
        },
        other_role_modifiers=frozenset(speaker_roles["other_role_modifiers"]),
        place_heads=frozenset(w.casefold() for w in context["place_or_group_heads"]),
    )


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def is_acronym(word: str) -> bool:
    """A word in capitals ("UNC", "U.S.", "AT&T")."""
    if not word.isupper():
        return False  # most words; full stops and "&" change nothing to `isupper`
    letters = word.replace(".", "").replace("&", "")
    return len(letters) > 1 and letters.isupper() and letters.isalpha()


def _is_modifier(word: str) -> bool:
    """A hyphenated adjective before a name ("American-led", "Seoul-based")."""
    parts = word.split("-")
    return len(parts) > 1 and parts[-1][:1].islower() and not _korean_given(word)


def _korean_given(word: str) -> bool:
    """A romanised Korean given name: two syllables, hyphenated, the second lower-case."""
    if "-" not in word:
        return False  # most words: no list made
    parts = word.split("-")
    return (
        len(parts) == 2
        and parts[0][:1].isupper()
        and parts[1][:1].islower()
        and parts[0].isalpha()
        and parts[1].isalpha()
        and len(parts[0]) <= _SHORT_GIVEN
        and len(parts[1]) <= _SHORT_GIVEN
    )


class Name(NamedTuple):
    """What a piece of capitalised words names: a person (name words, surname, gender,
    the roles before it), an organisation, an acronym, or nothing. A named tuple: made
    for every piece read, at a third of a frozen dataclass's cost."""

    kind: str  # PERSON, ORGANISATION, "acronym" or "" (nothing)
    words: tuple[str, ...] = ()
    surname: str = ""
    gender: str = ""
    roles: tuple[str, ...] = ()
    first: int = 0  # index in the piece of the name's first word


def organisation_noun(low: str) -> bool:
    """An organisation noun ("ministry", "party") or company suffix ("co"), casefolded."""
    return low in lexicon().organisation_words


# What names nothing: one value for all (a `Name` is immutable), not one made per piece.
_NOTHING = Name("")


# Words that make a place of the region after them ("North Korea", "New South Wales").
_PLACE_WORDS = frozenset(
    {
        *("north", "south", "east", "west", "central", "new", "united", "greater"),
        *("northern", "southern", "eastern", "western", "upper", "lower", "saint", "st"),
    }
)


def read_piece(words: Sequence[str], index: ArticleIndex | None = None) -> Name:
    """What the capitalised words `words` (a piece of a run) name; `index`, when given,
    answers whether the article writes a word in lower case."""
    lex = lexicon()
    lows = [w.casefold().rstrip(".") for w in words]
    size = len(words)
    skip = 0
    while skip < size - 1 and (
        lows[skip] in DETERMINERS or ("-" in words[skip] and _is_modifier(words[skip]))
    ):
        skip += 1
    if skip < size - 1 and lows[skip] in lex.sentence_words and lows[skip] not in lex.roles:
        skip += 1  # "But Kim", "In Seoul"
    if size - skip > 2:  # a joiner between two words
        for i in range(skip + 1, size - 1):
            if lows[i] in JOINERS and words[i][:1].isupper():
                return _NOTHING  # "Campaign Of Paul Manafort": a title-case headline
    tail = lows[skip:] if skip else lows
    # an organisation noun beside another word ("Seoul Ministry", not "Ministry")
    if (
        len(tail) <= _LONGEST_ORGANISATION
        and not lex.organisation_words.isdisjoint(tail)
        and not lex.organisation_words.issuperset(tail)
    ):
        return Name(ORGANISATION, tuple(words[skip:]), first=skip)
    gender, roles, last_role = "", [], skip - 1
    for i in range(skip, size - 1):
        # the last role word before the final word ends the titles ("Deputy Prime
        # Minister Choi X"); a final role word is a surname ("John Major")
        low = lows[i]
        if low in JOINERS:
            return _NOTHING  # "Minister of Defence Kim": read in parts by the caller
        if low in lex.roles:
            last_role = i
            roles.append(low)
            if low in lex.male:
                gender = "m"
            elif low in lex.female:
                gender = "f"
        elif last_role == i - 1 >= skip and is_acronym(words[i]):
            last_role = i  # "ICT" of "Minister of Science and ICT Bae Kyung-hoon"
    if lows[-1] in lex.roles and (last_role >= size - 2 or lows[-2] not in lex.given):
        return _NOTHING  # "Prime Minister", "the President": a role, no name
    first = last_role + 1
    rest = words[first:]
    rest_lows = lows[first:]
    while len(rest) > 2 and is_acronym(rest[0]):
        rest, rest_lows, first = rest[1:], rest_lows[1:], first + 1  # "ICT Bae Kyung-hoon"
    if not rest:
        return _NOTHING
    if len(rest) == 1 and not roles and is_acronym(rest[0]):
        return Name(ACRONYM, (rest[0].replace(".", ""),), first=first)
    if (len(rest) < 2 or rest_lows[0] not in lex.given) and (  # no known given name first
        not lex.not_persons.isdisjoint(rest_lows) or any(map(is_acronym, rest))
    ):
        if (
            not roles
            and 2 <= len(rest) <= 3
            and rest_lows[-1] in lex.not_persons
            and not any(w in lex.not_persons or w in _PLACE_WORDS for w in rest_lows[:-1])
            and rest_lows[0] not in lex.sentence_words
            and not any(map(is_acronym, rest))
        ):
            # "Lycos Europe", "Air France": a name and a region, no place of its own
            return Name(ORGANISATION, tuple(rest), first=first)
        return _NOTHING  # "South Korea", "North Korean", "US"; not "Steve Israel"
    if rest_lows[-1] in lex.place_heads:
        return _NOTHING  # "Seoul Station"
    if len(rest) >= 2 and _korean_given(rest[-1]):
        # a given name written "Sung-lac" marks the family name before it, whatever
        # stands before ("Presidential National Security Adviser Wi Sung-lac")
        return Name(PERSON, (rest[-2], rest[-1]), rest[-2], gender, tuple(roles), size - 2)
    for i, low in enumerate(rest_lows[:2]):
        if low in lex.korean and i + 1 < len(rest):
            tail_words = rest[i + 1 :]
            if "-" in tail_words[0] and len(tail_words) == 1:
                return Name(
                    PERSON, (rest[i], tail_words[0]), rest[i], gender, tuple(roles), first + i
                )
            if len(tail_words) == 2 and all(len(w) <= _SHORT_GIVEN for w in tail_words):
                return Name(
                    PERSON, (rest[i], *tail_words), rest[i], gender, tuple(roles), first + i
                )
    if len(rest) > _LONGEST_NAME:
        return _NOTHING  # a headline in title case, not a name
    if len(rest) == 1:
        return Name(PERSON, (rest[0],), rest[0], gender, tuple(roles), first)
    name_at = len(rest) - 2
    if len(rest) >= 3 and (len(rest[-2].rstrip(".")) == 1 or rest_lows[-2] in _PARTICLES):
        name_at = len(rest) - 3  # a middle initial or a particle kept
    given = rest_lows[name_at]
    if given not in lex.given and given not in lex.korean:
        if given in lex.sentence_words or (
            len(given) > _LONGEST_GIVEN and given.endswith(_NOT_GIVEN)
        ):
            return _NOTHING  # "Continued Stone", "However Smith"
        if index is not None and index.written_lower(given):
            return _NOTHING  # "Diplomatic Security"
    if not gender:
        gender = lex.given.get(given, "")
    name = tuple(rest[name_at:])
    return Name(PERSON, name, name[-1], gender, tuple(roles), first + name_at)


def person_roles(words: Sequence[str]) -> set[str]:
    """The roles (`speaker_roles.json` keys) the role words before a name give."""
    lex = lexicon()
    roles: set[str] = set()
    for word in words:
        if word in lex.other_role_modifiers:
            return set()  # a vice president is not the president
        roles.update(lex.role_forms.get(word, ()))
    return roles
