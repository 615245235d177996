"""Who a "he" or "she" is: the fitted scorer over the persons of the entity table.

The candidates are the persons of the article's entity table (`entity_table`) mentioned
within `PRONOUN_REACH` characters before the pronoun, outside quotations, whose known
gender does not clash; each carries the `PRONOUN_FEATURES` (recency, paragraph, gender,
earlier quote speaker, salience, whether the attribution rules chose it, subject
position) and the weights fitted on PolNeAR train (`lexicon/pronoun_weights.json`,
bench/fit_pronoun_weights.py) choose. An "it" that is no person goes to the nearest
document before it (`latest_document`). `is_not_person` says which names a he/she never
takes (places, nationalities, parties).

Pure: mentions and text in, a choice out.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from newscorpus.annotate.entity_table import Entity


@cache
def _lexicon(key: str) -> frozenset[str]:
    """One word list of `lexicon/name_context.json`, casefolded."""
    path = Path(__file__).resolve().parent / "lexicon" / "name_context.json"
    return frozenset(w.casefold() for w in json.loads(path.read_text(encoding="utf-8"))[key])


@cache
def _sentence_words() -> frozenset[str]:
    """Words that open a sentence in capitals, months and days included."""
    return _lexicon("sentence_words") | _lexicon("months_and_days")


@cache
def not_person_words() -> frozenset[str]:
    """Single words that name a place, a nationality, a party or an institution
    (casefolded), from `lexicon/not_persons.json`: never the referent of he/she."""
    path = Path(__file__).resolve().parent / "lexicon" / "not_persons.json"
    words = json.loads(path.read_text(encoding="utf-8"))["words"]
    return frozenset(w.casefold() for w in words)


# Words that, before a place or nationality, keep it a place ("North Korea", "South
# Korean"): a he/she never refers to such a phrase either.
_PLACE_MODIFIERS = frozenset(("north", "south", "east", "west", "central", "new", "united"))


def is_not_person(name: str) -> bool:
    """True when `name` (a possessive dropped) is a place, nationality, party or
    institution of `not_person_words` ("Vermont", "North Korea's", "South Korean"), or a
    word that opens a sentence without naming anyone ("Some", "Most")."""
    words = [w.casefold().rstrip(".,") for w in name.replace("’s", "").replace("'s", "").split()]
    if not words:
        return False
    if len(words) == 1 and words[0] in _sentence_words():
        return True
    places = not_person_words()
    return words[-1] in places and all(w in places or w in _PLACE_MODIFIERS for w in words)


PRONOUN_FEATURES = (
    "recency",  # log(1 + characters since the latest mention / 100): farther is weaker
    "same_paragraph",  # mentioned in the pronoun's paragraph
    "gender_fits",  # a known gender that fits the pronoun
    "gender_unknown",  # no known gender
    "quoted_before",  # the speaker of an earlier quotation
    "mentions",  # log(1 + mentions before the pronoun, within reach)
    "rule_pick",  # the referent the attribution rules found
    "opens_sentence",  # the latest mention opens its sentence (a likely subject)
)
# How far back (characters) candidates are looked for.
PRONOUN_REACH = 3000


@cache
def pronoun_weights() -> tuple[float, ...]:
    """The weights of `PRONOUN_FEATURES`, from `lexicon/pronoun_weights.json`."""
    path = Path(__file__).resolve().parent / "lexicon" / "pronoun_weights.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != PRONOUN_FEATURES:
        raise ValueError(f"{path}: features {data['features']} are not {PRONOUN_FEATURES}")
    return tuple(float(w) for w in data["weights"])


def pronoun_candidates(
    pronoun: str,
    pos: int,
    mentions: Sequence[tuple[int, Entity]],
    text: str,
    rule_pick: Entity | None = None,
    quoted: Sequence[Entity] = (),
    rule_at: int | None = None,
) -> list[tuple[Entity, tuple[float, ...]]]:
    """The people a "he"/"she" at `pos` may refer to, each with its `PRONOUN_FEATURES`:
    persons of `mentions` ((offset, person) in text order, the entity table's persons in
    this text outside quotations) mentioned within `PRONOUN_REACH` characters before it
    whose known gender does not clash. `rule_pick` is the rules' referent, `quoted` the
    earlier quote speakers; `rule_at`, where the rules found `rule_pick` mentioned (a
    mention of it too: "Lee said …" that the table linked to another Lee)."""
    want = {"he": "m", "she": "f"}.get(pronoun.casefold())
    if want is None:
        return []
    index = bisect.bisect_left(mentions, pos, key=lambda m: m[0]) - 1
    latest: dict[int, tuple[int, Entity]] = {}
    counts: dict[int, int] = {}
    while index >= 0 and pos - mentions[index][0] <= PRONOUN_REACH:
        at, entity = mentions[index]
        latest.setdefault(id(entity), (at, entity))
        counts[id(entity)] = counts.get(id(entity), 0) + 1
        index -= 1
    if rule_pick is not None and rule_at is not None and 0 <= pos - rule_at <= PRONOUN_REACH:
        key = id(rule_pick)
        if key not in latest or latest[key][0] < rule_at:
            latest[key] = (rule_at, rule_pick)
            counts[key] = counts.get(key, 0) + 1
    paragraph = text.rfind("\n\n", 0, pos)
    quoted_ids = {id(e) for e in quoted}
    out: list[tuple[Entity, tuple[float, ...]]] = []
    for key, (at, entity) in latest.items():
        if entity.gender and entity.gender != want:
            continue
        before = text[max(0, at - 3) : at].rstrip(" \t")
        opens = not before or before[-1] in ".!?\n”\"'’"
        features = (
            math.log1p((pos - at) / 100),
            float(at > paragraph),
            float(entity.gender == want),
            float(not entity.gender),
            float(key in quoted_ids),
            math.log1p(counts[key]),
            float(entity is rule_pick),
            float(opens),
        )
        out.append((entity, features))
    return out


def score_pronoun(
    candidates: Sequence[tuple[Entity, tuple[float, ...]]],
    weights: Sequence[float] | None = None,
) -> Entity | None:
    """The candidate of highest score (the weights' dot product with its features)."""
    w = pronoun_weights() if weights is None else weights
    best: tuple[float, Entity] | None = None
    for entity, features in candidates:
        score = sum(a * b for a, b in zip(w, features, strict=True))
        if best is None or score > best[0]:
            best = (score, entity)
    return best[1] if best is not None else None


# "the email", "a statement", "Thursday's memo": a document that speaks ("it said").
_DOCUMENT_RE = re.compile(
    r"\b(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat|[A-Z][\w.-]*[’']s)\s+(?:[\w-]+\s+){0,2}?"
    r"(?P<noun>email|e-mail|letter|memo|statement|post|tweet|report|ad|advertisement|"
    r"website|editorial|study|poll|survey|lawsuit|complaint|filing|paper|document|"
    r"constitution|book|video|release|announcement|notice|sign|message|column|article)s?\b"
)
# How far back (characters) a document is looked for.
DOCUMENT_REACH = 600


def latest_document(text: str, pos: int) -> tuple[int, int, str] | None:
    """The last document phrase (start, end, phrase) within `DOCUMENT_REACH` characters
    before `pos`, or None."""
    found = None
    for match in _DOCUMENT_RE.finditer(text, max(0, pos - DOCUMENT_REACH), pos):
        found = (match.start(), match.end(), match.group())
    return found
