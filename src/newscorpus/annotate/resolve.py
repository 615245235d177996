"""A speaker phrase through the entity table: which entity it names, and by which rule.

`resolve_mention(table, number, start, phrase)` reads the phrase once per table
(`read_phrase`: its capitalised head as a name, or its lower-case head noun) and then
answers for its place: a full name, a surname (the nearest person of that surname), a
title, an organisation, an acronym, or a description ("the governor", "the company",
"the executive"; the rules are listed in `entity_table`'s docstring). The table is built
by `entity_table.build_table`; this module only looks up, adding the entities a
description or a full name first brings (a person named only at the attribution, a
source introduced before).
"""

from __future__ import annotations

import bisect
import math
import re
from functools import cache

from newscorpus.annotate.entity_table import (
    PHRASE_END,
    Entity,
    EntityTable,
    Mention,
    PhraseReading,
    _gender_agrees,
    _nearest,
    _place,
)
from newscorpus.annotate.index import JOINERS
from newscorpus.annotate.names import (
    ACRONYM,
    DETERMINERS,
    ORGANISATION,
    PERSON,
    lexicon,
    read_piece,
)
from newscorpus.annotate.words import lexicon_data

# The organisation a description ("the company") names: each organisation of that kind
# mentioned before scores this much per feature; the highest wins.
_ORGANISATION_SCORE = {
    "in_paragraph": 2.0,  # mentions in the description's paragraph
    "in_article": 0.5,  # mentions before it in the article
    "distance": -0.25,  # log(1 + paragraphs since its latest mention)
}


def _words_of(entity: Entity) -> set[str]:
    return {w.casefold().rstrip(".") for w in entity.name.split()}


def _describe_organisation(table: EntityTable, role: str, number: int, pos: int) -> Entity | None:
    """The organisation "the <role>" names at (`number`, `pos`), by `_ORGANISATION_SCORE`."""
    heads = lexicon().organisation_roles.get(role)
    if heads is None:
        return None
    here = table.index.texts[number]
    paragraph = here.paragraph(pos)
    best: tuple[float, int, Entity] | None = None
    # an organisation named with the role's noun ("Samsung Electronics Co."), else, for
    # a company, one whose name holds no organisation noun at all ("Lycos Europe")
    named = [e for e in table.entities if e.kind == ORGANISATION and _words_of(e) & heads]
    if not named and "company" in heads:
        named = [
            e
            for e in table.entities
            if e.kind == ORGANISATION and not _words_of(e) & lexicon().organisation_words
        ]
    for entity in named:
        order = table.entities.index(entity)
        count = bisect.bisect_left(entity.mentions, (number, pos), key=_place)
        if not count:
            continue
        in_paragraph = 0
        while in_paragraph < count:  # the paragraph's mentions are the last ones
            m = entity.mentions[count - 1 - in_paragraph]
            if m.field != number or here.paragraph(m.start) != paragraph:
                break
            in_paragraph += 1
        latest = entity.mentions[count - 1]
        gap = paragraph - here.paragraph(latest.start) if latest.field == number else paragraph
        score = (
            _ORGANISATION_SCORE["in_paragraph"] * in_paragraph
            + _ORGANISATION_SCORE["in_article"] * count
            + _ORGANISATION_SCORE["distance"] * math.log1p(max(0, gap))
        )
        if best is None or (score, order) > (best[0], best[1]):
            best = (score, order, entity)
    return best[2] if best is not None else None


def _describe_person(table: EntityTable, role: str, number: int, pos: int) -> Entity | None:
    """The person the text last gave `role` before (`number`, `pos`)."""
    best: tuple[tuple[int, int], Entity] | None = None
    for entity in table.entities:
        if entity.kind != PERSON or role not in entity.roles:
            continue
        latest = entity.latest_before((number, pos))
        if latest is not None and (best is None or latest > best[0]):
            best = (latest, entity)
    return best[1] if best is not None else None


_NO_READING = PhraseReading()
_POSSESSIVE = re.compile(r"['’]s?$")


def read_phrase(table: EntityTable, phrase: str) -> PhraseReading:
    """The reading of the speaker phrase `phrase`, made once per table (`table.phrases`)."""
    found = table.phrases.get(phrase)
    if found is not None:
        return found
    cut = PHRASE_END.split(f"{phrase.strip()} ", maxsplit=1)[0].strip()
    words = cut.split()
    lows = [w.casefold() for w in words]
    while len(words) > 1 and lows[0] in DETERMINERS:
        words, lows = words[1:], lows[1:]
    if not words:
        found = _NO_READING
    elif words[-1][:1].isupper():
        # the head is a name: the capitalised words that end the phrase
        first = len(words) - 1
        while first > 0 and (words[first - 1][:1].isupper() or lows[first - 1] in JOINERS):
            first -= 1
        while first < len(words) - 1 and lows[first] in JOINERS:
            first += 1
        cleaned = tuple(_POSSESSIVE.sub("", w) for w in words[first:])
        found = PhraseReading(cleaned, read_piece(cleaned))
    elif len(lows) >= 2 and lows[-2] in lexicon().other_role_modifiers:
        found = _NO_READING  # the vice president is not the president
    else:
        found = PhraseReading(head=lows[-1].rstrip("."))
    table.phrases[phrase] = found
    return found


def resolve_mention(
    table: EntityTable, number: int, start: int, phrase: str
) -> tuple[Entity | None, str]:
    """The entity the speaker phrase `phrase` (at `start` of text `number`) names, and
    the rule that linked it; (None, "as_written") when it names none of the table."""
    reading = read_phrase(table, phrase)
    name = reading.name
    if name is not None:
        cleaned = reading.words
        if name.kind == ACRONYM:
            entity = table.acronym(name.words[0]) or table.organisation(name.words[0])
            return (entity, "acronym") if entity is not None else (None, "as_written")
        if name.kind == ORGANISATION:
            entity = table.organisation(" ".join(cleaned[name.first :]))
            return (entity, "organisation") if entity is not None else (None, "as_written")
        if name.kind != PERSON:
            return None, "as_written"
        if len(name.words) > 1:
            entity = table.person(" ".join(name.words))
            if entity is None:
                entity = table.add_person(name.words, name.surname, name.gender)
            return entity, "full_name"
        people = [p for p in table.people(name.surname) if _gender_agrees(p.gender, name.gender)]
        person = _nearest(people, number, start)
        if person is not None:
            return person, ("title" if name.roles else "surname")
        if name.roles and not table.people(name.surname):
            return table.add_person([name.surname], name.surname, name.gender), "title"
        return None, "as_written"
    head = reading.head
    lex = lexicon()
    entity = None
    if head in lex.person_roles:
        entity = _describe_person(table, head, number, start)
    elif head in lex.organisation_roles:
        entity = _describe_organisation(table, head, number, start)
    if entity is None and head in _source_heads():
        entity = _describe_source(table, head, number, start)
    return (entity, "description") if entity is not None else (None, "as_written")


@cache
def _source_heads() -> frozenset[str]:
    """Nouns an unnamed source is introduced with ("an official at …", "a source")."""
    return frozenset(lexicon_data("speaker_roles")["person_nouns"]) | {"source"}


# An unnamed source as introduced, "an executive at a global platform operator": the
# indefinite head, then what says where it is from, up to a comma, a cue or the end.
_PLACE_OF_SOURCE = re.compile(
    r"(?:[ \t]+(?:at|from|with|of|in|for|on|close to|familiar with)[ \t]+"
    r"[^,.;:“”\"\n]{1,80}?)?(?=[,.;:“”\"\n]|[ \t]+(?:said|says|told|tells|who|which|as)\b|$)"
)


def _describe_source(table: EntityTable, head: str, number: int, start: int) -> Entity | None:
    """ "the executive" (a definite or bare head at `start`) -> the unnamed source the
    text introduced before with an indefinite "an executive at …": a source entity
    named as introduced. An indefinite mention is a source of its own: None."""
    text = table.index.texts[number].text
    if re.search(r"(?:^|\s)an?\s+\Z", text[max(0, start - 4) : start], re.I):
        return None  # "an official …" introduces a source, it refers to none
    found = None
    pattern = re.compile(
        rf"(?<![\w'’-])[Aa]n?[ \t]+(?:(?!(?:an?|the)[ \t])[\w’'-]+[ \t]+){{0,4}}?{head}(?![\w'’-])"
    )
    for match in pattern.finditer(text, max(0, start - _SOURCE_REACH), start):
        found = match
    if found is None:
        return None
    tail = _PLACE_OF_SOURCE.match(text, found.end())
    end = tail.end() if tail is not None else found.end()
    phrase = text[found.start() : end].strip()
    entity = table.add_source(phrase)
    entity.add_mention(
        Mention(number, found.start(), found.start() + len(phrase), phrase, "source")
    )
    return entity


# How far back (characters) an unnamed source's introduction is looked for.
_SOURCE_REACH = 3000
