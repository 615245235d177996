"""Speakers from the entity table: each quotation's attribution resolved to an entity.

Whatever picked a quotation's attribution mention (`quotes`, `heads`), the mention goes
through the article's one entity table (`resolve.resolve_mention`): `speaker`
becomes the entity's canonical name, `speaker_mention` stays the words at the
attribution, and `speaker_resolution` names the step that linked them:

- ``full_name``, ``surname``, ``title``, ``organisation``, ``acronym``,
  ``description``: the entity-table rule that linked the mention (see
  `entity_table`);
- ``pronoun``: a he/she/it/they resolved to an earlier referent (then sent through the
  table like any name); ``relative``: who/which, to the noun phrase before it;
- ``as_written``: the mention names no entity of the table; the speaker is the
  phrase's head as written (its verbs, adverbs and stray adjectives dropped).

Pure: a table and quotations in, quotations out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from newscorpus.annotate.entity_table import (
    PHRASE_END as _PHRASE_END,
)
from newscorpus.annotate.entity_table import (
    Entity,
    EntityTable,
    Mention,
)
from newscorpus.annotate.heads import LABEL, speaker_head
from newscorpus.annotate.names import PERSON, lexicon
from newscorpus.annotate.resolve import resolve_mention

# A quotation: `quotes.Quote` (or any frozen dataclass with its speaker fields and a
# `with_speaker(speaker, resolution)` that returns it with those two replaced).
Quote = Any

# The steps a pronoun's speaker took before the table (quotes.resolve's names).
_PRONOUN_STEPS = {"pronoun": "pronoun", "pronoun_entity": "pronoun", "relative": "relative"}
_VERBISH = re.compile(r"^[a-z]+(?:ed|ing|ly)$")
_DETERMINERS = ("the", "a", "an")
_OBJECTS = frozenset({"him", "her", "them", "it", "us", "me", "you"})
_PARTICLES = frozenset({"off", "up", "out", "down", "away", "back", "on"})


def head_as_written(phrase: str) -> str:
    """A speaker phrase that names no entity, as written from its head's noun phrase:
    before its first preposition or comma, from the last determiner ("him the passport"
    -> "the passport"), else without leading verbs, adverbs, numbers or hyphenated
    modifiers ("13-strong jury" -> "jury"), without a verb it ran on into ("prime
    minister shrugged off" -> "prime minister"); what follows a preposition stays
    ("official from the presidential office")."""
    match = _PHRASE_END.search(phrase)
    cut = match.start() if match is not None else len(phrase)
    words = phrase[:cut].split()
    if len(words) < 2:
        return phrase
    lows = [w.casefold() for w in words]
    end = len(words)
    if end > 2 and lows[-1] in _PARTICLES:
        end -= 1
    if (
        match is None
        and end > 1
        and lows[end - 1].endswith("ed")
        and words[end - 1].islower()
        and lows[end - 2] not in _DETERMINERS  # "the accused" is a noun phrase
    ):
        # "prime minister shrugged off": the phrase ran on into its verb
        phrase, words, lows = " ".join(words[: end - 1]), words[: end - 1], lows[: end - 1]
        cut = len(phrase)
        if len(words) < 2:
            return phrase
    first = 0
    for i in range(len(words) - 2, 0, -1):
        if lows[i] in _DETERMINERS and (lows[i - 1] in _OBJECTS or _VERBISH.match(lows[i - 1])):
            first = i  # "him the passport", "visited the ministry": a verb's object
            break
    else:
        persons = lexicon().person_roles
        while first < len(words) - 1 and (
            any(c.isdigit() for c in words[first])
            or ("-" in words[first] and words[first].islower())
            or (_VERBISH.match(words[first]) and lows[first] not in persons)
        ):
            first += 1
    return " ".join([*words[first:], phrase[cut:].strip()]).strip() if first else phrase


def resolve_speakers(table: EntityTable, number: int, quotes: Sequence[Quote]) -> list[Quote]:
    """`quotes` of text `number` of the table's article, each speaker resolved through
    the table (see the module docstring); a mention that links an entity is added to
    it, so the table's quoted entities are the record's speakers."""
    text = table.index.texts[number].text
    out: list[Quote] = []
    # A pronoun's referent is an earlier speaker as written ("Lee"): the entity that
    # speaker resolved to, not whichever Lee the text named last before the pronoun.
    earlier: dict[str, Entity] = {}
    for quote in quotes:
        out.append(_resolve(table, number, text, quote, earlier))
    return out


def _resolve(
    table: EntityTable, number: int, text: str, quote: Quote, earlier: dict[str, Entity]
) -> Quote:
    speaker, start, end = quote.speaker, quote.speaker_start, quote.speaker_end
    mention = quote.speaker_mention
    if speaker is None or start is None or end is None or mention is None:
        return quote
    step = _PRONOUN_STEPS.get(quote.speaker_resolution or "")
    if step is not None:
        # the pronoun's referent (a name written earlier) goes through the table too
        entity = earlier.get(speaker) or resolve_mention(table, number, start, speaker)[0]
        name = entity.name if entity is not None else speaker
        return quote.with_speaker(name, step)
    head = speaker_head(text, mention, start, end)
    if head is not None and head.rule == LABEL:
        return dataclasses.replace(
            quote,
            speaker=None,
            speaker_mention=None,
            speaker_start=None,
            speaker_end=None,
            speaker_resolution=None,
        )
    if head is not None:
        entity, rule = resolve_mention(table, number, head.start, text[head.start : head.end])
        if entity is not None and (entity.kind == PERSON or head.rule == "relay"):
            entity.add_mention(
                Mention(number, head.start, head.end, text[head.start : head.end], rule)
            )
            earlier[speaker] = entity
            return quote.with_speaker(entity.name, rule)
    entity, rule = resolve_mention(table, number, start, speaker)
    if entity is None:
        written = head_as_written(speaker)
        if written == speaker:
            return quote.with_speaker(speaker, "as_written")
        # the head alone may name an entity ("prime minister shrugged off")
        entity, rule = resolve_mention(table, number, start, written)
        if entity is None:
            return quote.with_speaker(written, "as_written")
    entity.add_mention(Mention(number, start, end, mention, rule))
    earlier[speaker] = entity
    return quote.with_speaker(entity.name, rule)
