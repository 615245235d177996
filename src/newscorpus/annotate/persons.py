"""Persons among speaker phrases and the referents of pronouns.

Person-like speaker phrases (`is_person_name`, `person_core`, gender from titles), and
the referent a pronoun speaker takes (`resolve_referent`). A `Referent` is a mention of
an entity of the article's entity table (`entity_table`) in a discourse role; who it is
(name, person, gender) is the table's, and `table_referent` finds (or adds) the entity a
mention names. `learn_genders` gives a table's persons the gender a his/her after their
name tells.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
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
from newscorpus.annotate.entity_table import Entity, EntityTable
from newscorpus.annotate.names import PERSON, read_piece
from newscorpus.annotate.phrases import (
    _MEMO_LIMIT,
    _PERSON_PRONOUNS,
    _TITLES,
    _is_cap,
)
from newscorpus.annotate.resolve import resolve_mention
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
    """A mention of an entity of the article's entity table that a later pronoun may
    refer to: the entity, where it is mentioned, and in what role (`kind`): "quote" (the
    speaker of a quotation), "report" (the subject of a reporting verb without a
    quotation: `X said that …`, `according to X`), "subject" (a person-like proper name
    opening a plain sentence; weakest) or "entity" (chosen by the scorer). Who it is
    (name, person or not, gender) is the entity's, so what one mention teaches ("X said
    she …") every later one knows."""

    entity: Entity
    pos: int  # offset of the mention in the source
    kind: str
    # a surname two people share ("Lee" beside Lee Jae-myung and Lee Hye-hoon): all of
    # them, `entity` the one the table's surname rule chose
    sharing: tuple[Entity, ...] = ()

    @property
    def name(self) -> str:
        """The entity's canonical name."""
        return self.entity.name

    @property
    def person(self) -> bool:
        """Whether the entity is a person (a candidate for he/she)."""
        return self.entity.kind == PERSON

    @property
    def gender(self) -> str:
        """The entity's gender, "m", "f" or "" (unknown, or a surname shared by people
        of both)."""
        if self.sharing and len({e.gender for e in self.sharing}) > 1:
            return ""
        return self.entity.gender

    def as_gender(self, want: str) -> Referent:
        """This referent as a he ("m") or she ("f") reads it: of a shared surname, the
        person of that gender the table's rule would choose, or the first such."""
        if not self.sharing or self.entity.gender in ("", want):
            return self
        for entity in self.sharing:
            if entity.gender in ("", want):
                return self._replace(entity=entity)
        return self


def table_referent(
    table: EntityTable,
    number: int,
    text: str,
    mention: str,
    pos: int,
    kind: str,
    gender: str = "",
    person: bool | None = None,
    thing: bool = False,
) -> Referent:
    """The referent a mention at `pos` of text `number` makes: the entity of `table` it
    names (`resolve.resolve_mention`), else a new entity of the table: a person
    when the words read as one (`person_core`), an organisation when capitalised, else
    a source (the table's reading of names decides: "Cheong Wa Dae" is no person).
    `person` says which a new entity is, where the caller knows; `thing`, that the
    words at the mention make it no person whatever the table says; a
    `gender` the mention gives is learned by a person whose gender is unknown."""
    entity, rule = resolve_mention(table, number, pos, mention)
    sharing: tuple[Entity, ...] = ()
    if rule in ("surname", "title") and entity is not None:
        people = table.people(entity.surname)
        sharing = tuple(people) if len(people) > 1 else ()
    if thing and entity is not None and entity.kind == PERSON:
        entity = None  # "X says it will …": the words make X a thing, not a person
    if entity is None:
        core = person_core(mention, text) if person is not False and not thing else None
        if core is None and person:
            core = mention
        name = read_piece(core.replace("’s", "").replace("'s", "").split()) if core else None
        if name is not None and name.kind == PERSON:
            entity = table.add_person(name.words, name.surname, name.gender)
        elif mention[:1].isupper():
            entity = table.add_organisation(mention)
        else:
            entity = table.add_source(mention)
    gender = gender or name_gender(mention)
    if gender and entity.kind == PERSON and not entity.gender:
        entity.gender = gender
    return Referent(entity, pos, kind, sharing if entity.kind == PERSON else ())


def name_gender(mention: str) -> str:
    """Gender "m"/"f" from a gendered title in the mention (Mr, Ms, Queen, …), else ""."""
    for w in mention.split()[:3]:
        low = w.casefold()
        if low in _MALE_TITLES:
            return "m"
        if low in _FEMALE_TITLES:
            return "f"
    return ""


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
    organisations_as_he: bool = False,
) -> Referent | None:
    """The referent of a pronoun speaker at `pos` among `candidates` (sorted by `pos`).

    he/she → the most recent gender-compatible person-like referent (a plain sentence
    subject only within `reach` characters), else, with `organisations_as_he` (a habit of
    translated news, a source's annotation option), the most recent non-person quote
    speaker (an organisation quoted with "he said");
    they/it → the most recent non-person quote or report referent, else the most recent
    quote speaker. None when nothing fits (the pronoun then stays its own speaker).
    A referent's gender is its entity's: what the article says of it anywhere before.
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

    return choose_referent(pronoun, pos, latest, reach, organisations_as_he)


def choose_referent(
    pronoun: str,
    pos: int,
    latest: Callable[[Callable[[Referent], bool]], Referent | None],
    reach: int,
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
            if r.gender and r.gender != want:
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


_GENDERED = re.compile(
    r"(?<![\w'’-])(?:(he|him|his|himself)|(she|her|hers|herself))(?![\w'’-])", re.I
)
# Where the stretch a name's pronoun is looked for ends: a sentence end, a line, or a
# quotation mark (after a quotation, "he said" is its speaker, not a name inside it).
_SENTENCE_STOP = re.compile(r"[.!?](?=\s+[A-Z“\"‘']|\s*$)|[\n“”\"]")


def learn_genders(table: EntityTable) -> None:
    """Give a person of unknown gender the gender of the he/his or she/her that follows
    their full name in the same sentence when no other person is named between: "Lee
    Hye-hoon apologized for her remarks" makes Lee Hye-hoon a woman. Only one gender
    may occur in that stretch, which ends at a quotation mark (`“… Cheong Wa Dae …,”
    he said`: the he is the speaker's)."""
    starts: dict[int, list[int]] = {}
    for entity in table.entities:
        if entity.kind == PERSON:
            for m in entity.mentions:
                starts.setdefault(m.field, []).append(m.start)
    for found in starts.values():
        found.sort()
    for entity in table.entities:
        if entity.kind != PERSON or entity.gender:
            continue
        for m in entity.mentions:
            if m.rule != "full_name":
                continue
            text = table.index.texts[m.field].text
            stop = _SENTENCE_STOP.search(text, m.end)
            end = stop.start() if stop is not None else len(text)
            others = starts[m.field]
            nxt = bisect.bisect_right(others, m.start)
            if nxt < len(others) and others[nxt] < end:
                end = others[nxt]  # another person named: the pronoun may be theirs
            kinds = {("m" if g.group(1) else "f") for g in _GENDERED.finditer(text, m.end, end)}
            if len(kinds) == 1:
                entity.gender = kinds.pop()
                break
