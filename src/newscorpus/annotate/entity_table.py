"""The one model of who: the entity table of an article.

`build_table(index)` reads an `ArticleIndex` (headline, sub-headlines, body) once and
returns an `EntityTable`: people and organisations, each an `Entity` with a kind, a
canonical name, a gender where the text gives it, the roles the text gives a person
("governor", "chancellor") and every mention with offsets (`Mention.field` is the index
of the text). Other sources (a statement, a report) enter the table when a quotation is
attributed to one. `resolve.resolve_mention(table, number, start, phrase)` sends a
speaker phrase through the table: the entity it names and the rule that linked it.

The rules, each named (a mention's `rule` says which one linked it; a new rule is a
function here, or in `resolve` for one that reads a speaker phrase, and a test in
tests/test_entity_table.py):

- ``full_name``: a piece of capitalised words, titles, roles and adjectives before the
  name dropped ("Deputy Minister Park Ji-hoon" -> "Park Ji-hoon"), is a person's full
  name (how a piece reads, Korean family-name-first names included: `names.read_piece`);
  the canonical name is the full name as first written, and two writings of one name
  ("Kim Jong-un", "Kim Jong Un"; "Donald J. Trump", "Donald Trump") are one person.
- ``surname``: a capitalised word alone ("Blair", "Lee") joins the one person of the
  article with that surname; when people share it they stay apart, and the surname goes
  to the one whose full name was written last before it.
- ``title``: a title and a surname ("Mr Blair", "Rep. Lee") join likewise; Mr gives a
  male, Mrs/Ms/Miss a female person, and a gender the person already has must agree.
  With no full name of that surname in the article, the person is the surname without
  its title ("Mr Blair" -> "Blair").
- ``organisation``: a piece holding an organisation noun (`org_words`: "Ministry",
  "Party") or a company suffix ("Co.") beside another word is an organisation (a titled
  person after its last noun is split off: "People Power Party Chair Rep. X Y"); a name
  contained in a longer one of the article joins it: the canonical name is the fullest.
- ``acronym``: a word in capitals ("UNC") joins the one organisation whose initials
  spell it, or that the text followed with it in brackets ("United Nations Command
  (UNC)").
- ``description``: "the governor", "the chancellor" join the person the text last gave
  that role before ("Gov. Lee Cheol-woo", "Gordon Brown, the chancellor"); "the
  company", "the ministry" join the organisation of that kind chosen by a score
  (`_ORGANISATION_SCORE`: mentions in the paragraph, in the article, recency), not the
  last one named; "the executive", "the source" join the unnamed source the text
  introduced before ("An executive at a global platform operator … said"), a source.

Pure: an index in, a table out; no module-level state beyond the word lists.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from newscorpus.annotate.index import JOINERS, ArticleIndex, Piece, Word
from newscorpus.annotate.names import (
    ACRONYM,
    ORGANISATION,
    PERSON,
    Name,
    initials,
    is_acronym,
    lexicon,
    person_roles,
    read_piece,
)

SOURCE = "source"

PHRASE_END = re.compile(r"[,;:()\[\]]|\s(?:who|which|at|from|in|for|with|on|of)\s")
_APPOSITIVE_ROLE = re.compile(r",\s+(?:the|a|an|its|his|her)\s+(?:[\w-]+\s+){0,3}?([a-z]+)\b")
_ROLE_BEFORE = re.compile(r"\b([a-z]+),?\s+\Z")


class Mention(NamedTuple):
    """Where an entity is named: text `field` of the article, `start`..`end` in it.

    A named tuple (immutable, fields by name): an article's table makes thousands, at a
    third of a frozen dataclass's cost."""

    field: int
    start: int
    end: int
    text: str
    rule: str  # the rule that linked it (see the module docstring)


@dataclass(slots=True)
class Entity:
    """A person, organisation or other source of the article."""

    kind: str  # PERSON, ORGANISATION or SOURCE
    name: str  # the canonical name
    gender: str = ""  # "m", "f" or "" (unknown)
    surname: str = ""  # a person's surname (family name), casefolded
    roles: set[str] = field(default_factory=set)  # roles the text gives a person
    mentions: list[Mention] = field(default_factory=list)  # in text order
    full_names: list[tuple[int, int]] = field(default_factory=list)  # (field, offset)

    def latest_before(self, at: tuple[int, int], full_name: bool = False) -> tuple[int, int] | None:
        """(field, offset) of the entity's latest mention before `at` (of its full name,
        with `full_name`), or None: a binary search in places kept in text order
        (`add_mention`), not a scan of every mention."""
        if full_name:
            index = bisect.bisect_left(self.full_names, at) - 1
            return self.full_names[index] if index >= 0 else None
        index = bisect.bisect_left(self.mentions, at, key=_place) - 1
        return _place(self.mentions[index]) if index >= 0 else None

    def add_mention(self, mention: Mention) -> None:
        """Add a mention, keeping the mentions (and full-name places) in text order."""
        place = (mention.field, mention.start)
        mentions = self.mentions
        if not mentions or (mentions[-1].field, mentions[-1].start) <= place:
            mentions.append(mention)  # after the last (the usual case): where insort puts it
        else:
            bisect.insort(mentions, mention, key=_place)
        if mention.rule == "full_name":
            bisect.insort(self.full_names, place)


def _place(mention: Mention) -> tuple[int, int]:
    return (mention.field, mention.start)


def _name_key(words: Sequence[str]) -> str:
    """A person's name as compared: casefolded, hyphens as spaces, initials dropped
    ("Kim Jong-un" = "Kim Jong Un", "Donald J. Trump" = "Donald Trump")."""
    parts = " ".join(words).replace("-", " ").casefold().split()
    kept = [p for p in parts if len(p.rstrip(".")) > 1] or parts
    return " ".join(kept)


@dataclass(slots=True)
class EntityTable:
    """The entities of one article, in order of first mention."""

    index: ArticleIndex
    entities: list[Entity] = field(default_factory=list)
    _persons: dict[str, Entity] = field(default_factory=dict)  # name key -> person
    _surnames: dict[str, list[Entity]] = field(default_factory=dict)
    _organisations: dict[str, Entity] = field(default_factory=dict)  # casefolded name
    _sources: dict[str, Entity] = field(default_factory=dict)  # casefolded phrase
    _initials: dict[str, str] = field(default_factory=dict)  # name -> `initials(name)`
    _keys: dict[tuple[str, ...], str] = field(default_factory=dict)  # words -> `_name_key`
    names: dict[tuple[str, ...], Name] = field(default_factory=dict)  # `read_piece` memo
    # speaker phrase -> its reading (`_read_phrase`): an article resolves the same phrase
    # at several steps and places, and the reading depends on the phrase alone
    phrases: dict[str, PhraseReading] = field(default_factory=dict)

    def people(self, surname: str) -> list[Entity]:
        """The persons whose surname is `surname` (case-insensitive)."""
        return self._surnames.get(surname.casefold(), [])

    def person(self, name: str) -> Entity | None:
        """The person whose name (any writing of it) is `name`, if any."""
        return self._persons.get(self._key(tuple(name.split())))

    def _key(self, words: tuple[str, ...]) -> str:
        """`_name_key(words)`, made once per name: an article names its people often."""
        key = self._keys.get(words)
        if key is None:
            key = self._keys[words] = _name_key(words)
        return key

    def organisation(self, name: str) -> Entity | None:
        """The organisation named `name`, or the fullest one whose name contains it (a
        name of two words or more)."""
        low = name.casefold()
        found = self._organisations.get(low)
        if found is not None or " " not in low:
            return found
        padded = f" {low} "
        longer = [e for k, e in self._organisations.items() if padded in f" {k} "]
        return max(longer, key=lambda e: len(e.name)) if longer else None

    def acronym(self, word: str) -> Entity | None:
        """The one organisation whose initials spell `word` (or that the text followed
        with "(WORD)"), if exactly one."""
        found: dict[int, Entity] = {}
        for entity in self._organisations.values():
            if entity.kind != ORGANISATION:
                continue
            spelt = self._initials.get(entity.name)
            if spelt is None:  # an article asks for acronyms often, of few organisations
                spelt = self._initials[entity.name] = initials(entity.name)
            if spelt == word or word in entity.roles:
                found[id(entity)] = entity
        return next(iter(found.values())) if len(found) == 1 else None

    def add_person(self, words: Sequence[str], surname: str, gender: str) -> Entity:
        """The person named `words` (a full name), created at its first mention."""
        key = self._key(tuple(words))
        entity = self._persons.get(key)
        if entity is None:
            entity = Entity(PERSON, " ".join(words), gender, surname.casefold())
            self._persons[key] = entity
            self._surnames.setdefault(entity.surname, []).append(entity)
            self.entities.append(entity)
        elif not entity.gender:
            entity.gender = gender
        return entity

    def add_organisation(self, name: str) -> Entity:
        """The organisation named `name`, created at its first mention."""
        low = name.casefold()
        entity = self._organisations.get(low)
        if entity is None:
            entity = Entity(ORGANISATION, name)
            self._organisations[low] = entity
            self.entities.append(entity)
        return entity

    def add_source(self, phrase: str) -> Entity:
        """The source that is neither person nor organisation ("the statement", "the
        email") named `phrase`, created when first named."""
        key = phrase.casefold()
        entity = self._sources.get(key)
        if entity is None:
            entity = self._sources[key] = Entity(SOURCE, phrase)
            self.entities.append(entity)
        return entity


def build_table(index: ArticleIndex) -> EntityTable:
    """The entity table of the article `index` indexes (see the module docstring)."""
    table = EntityTable(index)
    titled: list[tuple[int, Word, Name]] = []
    for number, text_index in enumerate(index.texts):
        for piece in text_index.groups:
            _read(table, number, text_index.text, piece, titled)
    _note_acronyms(table)
    for number, word, name in titled:
        _link_single(table, number, word, name)
    # Lone capitalised words (most pieces) only link to an entity found elsewhere, once
    # the full names are known; linking them changes no entity but the one linked, so
    # they are linked text by text, each word once for all its places.
    openers = lexicon().sentence_words
    for number, text_index in enumerate(index.texts):
        for text, starts in text_index.lone.items():
            low = text.casefold()
            if low in openers:
                continue
            if is_acronym(text):
                entity = table.acronym(text.replace(".", ""))
                if entity is not None:
                    for start in starts:
                        entity.add_mention(
                            Mention(number, start, start + len(text), text, "acronym")
                        )
            elif low in table._surnames:
                # `_link_single` for a surname alone: no gender or role to check or add
                people = table._surnames[low]
                for start in starts:
                    person = _nearest(people, number, start)
                    if person is not None:
                        person.add_mention(
                            Mention(number, start, start + len(text), text, "surname")
                        )
    return table


def _read(
    table: EntityTable,
    number: int,
    text: str,
    piece: Piece,
    singles: list[tuple[int, Word, Name]],
) -> None:
    """Add what one piece of capitalised words names to the table."""
    name = _name(table, piece.words)
    if name.kind == PERSON:
        if len(name.words) == 1:
            singles.append((number, piece.word(name.first), name))
            return
        entity = table.add_person(name.words, name.surname, name.gender)
        start, end = piece.offset(name.first), piece.end
        entity.add_mention(Mention(number, start, end, text[start:end], "full_name"))
        if name.roles:
            entity.roles |= person_roles(name.roles)
        _roles_around(entity, text, piece.start, end)
    elif name.kind == ORGANISATION:
        _read_organisation(table, number, text, piece.part(name.first), singles)
    elif name.kind == ACRONYM:
        singles.append((number, piece.word(name.first), name))
    elif name.kind == "" and not JOINERS.isdisjoint(piece.words):
        # "Minister of Defence Kim Yong-hyun": each part on its own
        first = 0
        for i, word in enumerate((*piece.words, "of")):  # a joiner closes the last part
            if word in JOINERS:
                if i > first:
                    _read(table, number, text, piece.part(first, i), singles)
                first = i + 1


def _name(table: EntityTable, words: tuple[str, ...]) -> Name:
    """`read_piece` of `words` in the table's article, read once per article."""
    name = table.names.get(words)
    if name is None:
        name = table.names[words] = read_piece(words, table.index)
    return name


def _read_organisation(
    table: EntityTable,
    number: int,
    text: str,
    piece: Piece,
    singles: list[tuple[int, Word, Name]],
) -> None:
    """Add the organisation `piece` names (a person before or after it split off)."""
    lex = lexicon()
    lows = [w.casefold().rstrip(".") for w in piece.words]
    joiner = -1
    if not JOINERS.isdisjoint(lows):  # (few organisations have a joiner)
        joiner = next(i for i, low in enumerate(lows) if low in JOINERS)
    if joiner > 0:
        head = _name(table, piece.words[:joiner])
        if head.kind == PERSON and (len(head.words) > 1 or head.roles):
            # "Rep. Lee Min-ho of the People Power Party": the person, then the party
            _read(table, number, text, piece.part(0, joiner), singles)
            rest = joiner
            while rest < len(lows) and piece.words[rest].casefold() in JOINERS:
                rest += 1
            if rest < len(lows):
                _read(table, number, text, piece.part(rest), singles)
            return
    last_noun = len(lows) - 1  # an organisation noun, if `read_piece` found one
    while last_noun > 0 and lows[last_noun] not in lex.organisation_words:
        last_noun -= 1
    role = next((i for i in range(last_noun + 1, len(lows) - 1) if lows[i] in lex.roles), -1)
    if role > 0:
        # "People Power Party Chair Rep. X Y": the party, then the person
        _read(table, number, text, piece.part(role), singles)
        piece = piece.part(0, role)
    start, end = piece.start, piece.end
    entity = table.add_organisation(text[start:end])
    entity.add_mention(Mention(number, start, end, text[start:end], "organisation"))


def _roles_around(entity: Entity, text: str, start: int, end: int) -> None:
    """Roles written beside a name: "Gordon Brown, the chancellor", "chancellor Gordon
    Brown" (lower-case, before)."""
    if text.startswith(",", end):
        match = _APPOSITIVE_ROLE.match(text, end, min(len(text), end + 60))
        if match is not None:
            entity.roles |= person_roles([match.group(1)])
    if start >= 2 and text[start - 1] == " ":
        before, lo = text[start - 2], max(0, start - 25)
        # `_ROLE_BEFORE` needs a lower-case word, a comma or more space before that space:
        # a cheap test first (many names open a sentence or follow a quotation mark)
        if before == "," or "a" <= before <= "z" or before.isspace():
            if not before.isspace():
                # then no match takes in a space before that word (the match's space runs
                # on to the name): search from the word on
                lo = max(lo, text.rfind(" ", lo, start - 1) + 1)
            match = _ROLE_BEFORE.search(text, lo, start)
            if match is not None:
                entity.roles |= person_roles([match.group(1)])


def _link_single(table: EntityTable, number: int, word: Word, name: Name) -> None:
    """Link a surname, titled surname or acronym to the one entity it can name."""
    if name.kind == ACRONYM:
        entity = table.acronym(name.words[0])
        if entity is None:
            return
        entity.add_mention(Mention(number, word.start, word.end, word.text, "acronym"))
        return
    people = [p for p in table.people(name.surname) if _gender_agrees(p.gender, name.gender)]
    person = _nearest(people, number, word.start)
    if person is not None:
        if not person.gender:
            person.gender = name.gender
        rule = "title" if name.roles else "surname"
        person.roles |= person_roles(name.roles)
        person.add_mention(Mention(number, word.start, word.end, word.text, rule))
    elif not people and name.roles:
        # a titled surname with no full name in the article: the surname is the name
        person = table.add_person([word.text], word.text, name.gender)
        person.roles |= person_roles(name.roles)
        person.add_mention(Mention(number, word.start, word.end, word.text, "title"))


def _nearest(people: Sequence[Entity], number: int, pos: int) -> Entity | None:
    """The person a surname at (`number`, `pos`) names among `people` who share it: the
    one, or the one whose full name was written last before it (news names the person
    again before a surname turns to them), else the first named after it."""
    if len(people) < 2:
        return people[0] if people else None
    best: tuple[tuple[int, int], Entity] | None = None
    for person in people:
        at = person.latest_before((number, pos), full_name=True)
        if at is not None and (best is None or at > best[0]):
            best = (at, person)
    return best[1] if best is not None else people[0]


def _gender_agrees(entity: str, mention: str) -> bool:
    return not entity or not mention or entity == mention


def _note_acronyms(table: EntityTable) -> None:
    """ "United Nations Command (UNC)": the bracketed capitals name the organisation
    before them, whatever its initials."""
    for entity in table.entities:
        if entity.kind != ORGANISATION:
            continue
        for m in entity.mentions:
            text = table.index.texts[m.field].text
            if text.startswith(" (", m.end):
                close = text.find(")", m.end + 2, m.end + 12)
                inner = text[m.end + 2 : close] if close > 0 else ""
                if is_acronym(inner):
                    entity.roles.add(inner.replace(".", ""))


class PhraseReading(NamedTuple):
    """What a speaker phrase says whatever its place (`resolve.read_phrase`): the name its
    capitalised head words give (`name`, read from `words`, the head's words without
    possessives), or else its lower-case head noun (`head`; "" when the phrase can name
    nothing: empty, or "the vice president")."""

    words: tuple[str, ...] = ()
    name: Name | None = None
    head: str = ""
