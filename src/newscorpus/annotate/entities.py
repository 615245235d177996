"""The people an article names, grouped into entities, for resolving "he" and "she".

Pure: text in, entities out. A person is found where the text names one (a run of
capitalised words that `attribution.person_parts` reads as a person: an honorific, a role
word or two or more name words, not an organisation); later mentions join the entity
they continue, in the spirit of the Stanford sieve's precision-ranked passes:

1. the same name again ("Kim Byung-kee" … "Kim Byung-kee");
2. a surname or family name alone, or with an honorific ("Kim", "Mr. Trump"), joins the
   most recent entity whose name holds that word first or last: Korean names put the
   family name first ("Kim Byung-kee"), Western ones last ("Donald Trump");
3. a longer name joins an earlier shorter one it extends ("Trump" … "Donald Trump").

An entity's canonical name is its fullest name as first written, without title: what a
quotation's speaker should read. Its gender comes from a gendered honorific or from the
given-name lexicon (`lexicon/given_names.json`); otherwise it is unknown.

`resolve_person_pronoun` picks the entity a "he"/"she" at a position refers to: the most
recently mentioned person of a compatible gender, mentions inside quotations left out (a
quoted speaker rarely names the person they are), preferring within a short reach a
person whose gender is known to fit.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from newscorpus.annotate.persons import (
    lowercase_use,
    name_gender,
    person_parts,
    person_parts_in_any_text,
)

# A run of capitalised words (hyphenated, Mc/O' names, initials, abbreviations); split
# later where a word ends a sentence ("Seoul. Warren" is two runs).
# `[A-Z](?<!\w[A-Z])` is `\b[A-Z]` with the capital tried first: the engine then
# rejects most positions on one character class test (≈ 1.6× faster on news text).
_NAME_RUN_RE = re.compile(r"[A-Z](?<!\w[A-Z])[\w’'.-]*(?:[ \t]+[A-Z][\w’'.-]*)*")
# Words whose period does not end a sentence inside a name.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "sens",
        "rep",
        "reps",
        "gov",
        "gen",
        "lt",
        "col",
        "capt",
        "sgt",
        "rev",
        "prof",
        "st",
        "jr",
        "sr",
    ]
)


def _runs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, words) of every run of capitalised words, split at sentence ends."""
    for match in _NAME_RUN_RE.finditer(text):
        run = match.group()
        if "." not in run:
            yield match.start(), run
            continue
        start = match.start()
        offset = 0
        for token in re.finditer(r"\S+", run):
            word = token.group()
            if word.endswith(".") and len(word) > 2 and word[:-1].casefold() not in _ABBREVIATIONS:
                piece = run[offset : token.end() - 1].strip()
                if piece:
                    yield start + offset, piece
                offset = token.end()
        piece = run[offset:].strip()
        if piece:
            yield start + offset + (len(run[offset:]) - len(run[offset:].lstrip())), piece


@cache
def _lexicon(key: str) -> frozenset[str]:
    """One word list of `lexicon/name_context.json`, casefolded."""
    path = Path(__file__).resolve().parent / "lexicon" / "name_context.json"
    return frozenset(w.casefold() for w in json.loads(path.read_text(encoding="utf-8"))[key])


@cache
def _sentence_words() -> frozenset[str]:
    """Words that open a sentence in capitals, months and days included."""
    return _lexicon("sentence_words") | _lexicon("months_and_days")


@dataclass
class Entity:
    """One person of the article: canonical name, gender, and where it is named."""

    name: str
    gender: str  # "m", "f" or "" (unknown)
    words: tuple[str, ...]  # the canonical name's words, casefolded
    mentions: list[int] = field(default_factory=list)  # start offsets, in order


@cache
def _given_names() -> dict[str, str]:
    """Given name (casefolded) -> "m"/"f", from the lexicon data file."""
    path = Path(__file__).resolve().parent / "lexicon" / "given_names.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for gender in ("m", "f"):
        for name in data[gender]:
            names[name.casefold()] = gender if name.casefold() not in names else ""
    return names


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


def _gender_of(core: str, mention: str) -> str:
    titled = name_gender(mention)
    if titled:
        return titled
    words = core.split()
    if len(words) >= 2:
        return _given_names().get(words[0].casefold().rstrip("."), "")
    return ""


class _Spans:
    """Sorted, non-overlapping spans; `holds(pos)` in O(log n)."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._ends = [end for _, end in ordered]

    def holds(self, pos: int) -> bool:
        index = bisect.bisect_right(self._starts, pos) - 1
        return index >= 0 and pos < self._ends[index]


# A capitalised run right after one of these words names a place or an organisation
# ("the Ministry of National Defense", "in New York"), not a person.
_PLACE_PREPOSITION_RE = re.compile(r"(?:^|\s)(?:of|in|at|from|to|near)\s+\Z")


def _core_words(core: str) -> tuple[str, ...]:
    return tuple(w.casefold().rstrip(".,") for w in core.split())


def _honorific_only(words: tuple[str, ...]) -> tuple[str, ...]:
    """Drop honorifics from a core ("mr", "trump" → "trump")."""
    return tuple(w for w in words if w not in ("mr", "mrs", "ms", "miss", "dr", "sir", "dame"))


class People(list[Entity]):
    """The entities of an article, with every mention in text order (made once)."""

    _order: list[tuple[int, int]] | None = None

    def mentions_in_order(self) -> list[tuple[int, int]]:
        """(offset, entity number) of every mention, by offset."""
        if self._order is None:
            self._order = _mentions_in_order(self)
        return self._order


@lru_cache(maxsize=4096)
def _named(mention: str) -> tuple[str, bool, tuple[str, ...], str, str] | None:
    """What a run of capitalised words names, memoised (names recur): the person's core
    name, whether the run marks a person beyond capitals, its name words without
    honorifics, the name without honorifics, and the word whose lowercase use in the
    text would make it a common noun ("" if none). None when it names no person."""
    parts, lowercase_test = person_parts_in_any_text(mention)
    if parts is None:
        return None
    core, evidence = parts
    key = _honorific_only(_core_words(core))
    if not key:
        return None
    bare = " ".join(w for w in core.split() if _honorific_only(_core_words(w))) or core
    return core, evidence, key, bare, lowercase_test


def find_people(text: str, quoted: Sequence[tuple[int, int]] = ()) -> People:
    """The people named in `text`, in order of first mention (see the module docstring).

    Mentions inside the `quoted` spans are not taken (the words of a quotation).
    """
    entities = People()
    index = _Index()
    inside = _Spans(quoted)
    sentence_words = _sentence_words()
    heads = _lexicon("place_or_group_heads")
    by_word = index.by_word
    for start, mention in _runs(text):
        if (
            " " not in mention
            and "\t" not in mention
            and (low := mention.casefold().rstrip(".")) not in by_word
            and low not in _ABBREVIATIONS
        ):
            continue  # the common case (`_Index.knows`): a lone word no one was named by
        words = mention.split()
        if words[0].casefold().rstrip(".") in sentence_words:
            # "But Kim said": the run starts after the sentence word.
            if len(words) < 2:
                continue
            start += mention.index(words[1])
            mention = mention[mention.index(words[1]) :]
            words = words[1:]
        if (
            len(words) > 1
            and len(words[0]) > 5
            and words[0].casefold().endswith(("ed", "ing", "ly"))
            and words[0].casefold() not in _given_names()
        ):
            # "Continued Stone", "Speaking Kim": a verb or adverb opening the sentence.
            start += mention.index(words[1])
            mention = mention[mention.index(words[1]) :]
            words = words[1:]
        if len(words) == 1 and not index.knows(words[0]):
            continue  # a lone capitalised word only continues someone named before
        if inside.holds(start) or _PLACE_PREPOSITION_RE.search(text, max(0, start - 8), start):
            continue
        if words[-1].casefold().rstrip(".") in heads:
            continue
        if len(words) > 1 and index.is_surname(words[0]):
            continue  # "Trump Village", "Clinton Cash": named after a person, not one
        if any(w.casefold() in sentence_words for w in words[1:]):
            continue  # a title in capitals ("President On Trump"), not a name
        named = _named(mention)
        if named is None:
            continue
        core, evidence, key, bare, lowercase_test = named
        if lowercase_test and lowercase_use(text, lowercase_test):
            continue  # a common noun capitalised at the sentence start
        entity = index.link(key)
        if entity is None:
            if len(key) < 2 and not evidence:
                continue  # a lone capitalised word is a person only with evidence
            entity = Entity(bare, _gender_of(core, mention), key)
            entities.append(entity)
        elif len(key) > len(entity.words) and set(entity.words) <= set(key):
            # "Trump" … "Donald Trump": the fuller name becomes canonical.
            entity.words = key
            entity.name = bare
            entity.gender = entity.gender or _gender_of(core, mention)
        if not entity.gender:
            entity.gender = name_gender(mention)
        entity.mentions.append(start)
        index.note(entity, key)
    return entities


class _Index:
    """Which entity a mention's name words continue, in O(1): the latest entity each
    full name and each first or last name word was seen with."""

    def __init__(self) -> None:
        self._by_name: dict[tuple[str, ...], Entity] = {}
        self._by_word: dict[str, Entity] = {}
        # read directly by `find_people`'s hot loop (the same test as `knows`)
        self.by_word = self._by_word

    def is_surname(self, word: str) -> bool:
        """Whether `word` ends the name of a person of more than one name word."""
        entity = self._by_word.get(word.casefold().rstrip("."))
        return entity is not None and len(entity.words) > 1 and entity.words[-1] == word.casefold()

    def knows(self, word: str) -> bool:
        """Whether a lone name word (or honorific + name) may continue an entity."""
        low = word.casefold().rstrip(".")
        return low in self._by_word or low in _ABBREVIATIONS

    def link(self, key: tuple[str, ...]) -> Entity | None:
        """The entity a mention with these name words continues, or None."""
        entity = self._by_name.get(key)
        if entity is not None:
            return entity
        if len(key) == 1:
            return self._by_word.get(key[0])
        for word in (key[0], key[-1]):
            earlier = self._by_word.get(word)
            if earlier is not None and len(earlier.words) == 1:
                return earlier  # "Trump" … "Donald Trump"
        return None

    def note(self, entity: Entity, key: tuple[str, ...]) -> None:
        """Record a mention of `entity` with these name words."""
        self._by_name[key] = entity
        self._by_name[entity.words] = entity
        for words in (key, entity.words):
            self._by_word[words[0]] = entity
            self._by_word[words[-1]] = entity


def entity_of(entities: Sequence[Entity], name: str, before: int | None = None) -> Entity | None:
    """The entity a speaker name (full, surname or titled) belongs to, if any; with
    `before`, the one mentioned most recently before that offset (two people may share
    a surname)."""
    parts = person_parts(name)
    key = _honorific_only(_core_words(parts[0] if parts is not None else name))
    if not key:
        return None
    best: tuple[int, Entity] | None = None
    for entity in entities:
        if not (
            entity.words == key
            or (len(key) == 1 and key[0] in (entity.words[0], entity.words[-1]))
            or (len(key) > 1 and set(key) <= set(entity.words))
        ):
            continue
        if before is None:
            return entity
        # The latest mention before `before` by binary search (mentions are in text
        # order): a walk over all of them made every quotation cost the article's size.
        latest = bisect.bisect_left(entity.mentions, before) - 1
        if latest >= 0 and (best is None or entity.mentions[latest] > best[0]):
            best = (entity.mentions[latest], entity)
    return best[1] if best is not None else None


def resolve_person_pronoun(
    pronoun: str, pos: int, entities: Sequence[Entity], reach: int = 1500
) -> Entity | None:
    """The person a "he"/"she" at `pos` refers to (see the module docstring), or None.

    Mentions are walked back from `pos`: a person of the pronoun's known gender within
    `reach` characters wins; else the most recent person whose gender does not clash.
    """
    want = {"he": "m", "she": "f"}.get(pronoun.casefold())
    if want is None:
        return None
    mentions = (
        entities.mentions_in_order()
        if isinstance(entities, People)
        else _mentions_in_order(entities)
    )
    index = bisect.bisect_left(mentions, (pos, -1)) - 1
    fallback: Entity | None = None
    while index >= 0:
        at, number = mentions[index]
        entity = entities[number]
        index -= 1
        if entity.gender and entity.gender != want:
            continue
        if entity.gender == want and pos - at <= reach:
            return entity
        if fallback is None:
            fallback = entity
        if pos - at > reach:
            break
    return fallback


def _mentions_in_order(entities: Sequence[Entity]) -> list[tuple[int, int]]:
    """(offset, entity number) of every mention, by offset."""
    return sorted((at, number) for number, e in enumerate(entities) for at in e.mentions)


# The features a "he"/"she" candidate is scored on (`pronoun_candidates`), in order; the
# weights are data (`lexicon/pronoun_weights.json`), fitted on PolNeAR train by
# bench/fit_pronoun_weights.py.
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
    entities: People,
    text: str,
    rule_pick: Entity | None = None,
    quoted: Sequence[Entity] = (),
) -> list[tuple[Entity, tuple[float, ...]]]:
    """The people a "he"/"she" at `pos` may refer to, each with its `PRONOUN_FEATURES`:
    persons mentioned within `PRONOUN_REACH` characters before it whose known gender does
    not clash. `rule_pick` is the rules' referent, `quoted` the earlier quote speakers."""
    want = {"he": "m", "she": "f"}.get(pronoun.casefold())
    if want is None:
        return []
    mentions = entities.mentions_in_order()
    index = bisect.bisect_left(mentions, (pos, -1)) - 1
    latest: dict[int, int] = {}
    counts: dict[int, int] = {}
    while index >= 0 and pos - mentions[index][0] <= PRONOUN_REACH:
        at, number = mentions[index]
        latest.setdefault(number, at)
        counts[number] = counts.get(number, 0) + 1
        index -= 1
    paragraph = text.rfind("\n\n", 0, pos)
    quoted_ids = {id(e) for e in quoted}
    out: list[tuple[Entity, tuple[float, ...]]] = []
    for number, at in latest.items():
        entity = entities[number]
        if entity.gender and entity.gender != want:
            continue
        before = text[max(0, at - 3) : at].rstrip(" \t")
        opens = not before or before[-1] in ".!?\n”\"'’"
        features = (
            math.log1p((pos - at) / 100),
            float(at > paragraph),
            float(entity.gender == want),
            float(not entity.gender),
            float(id(entity) in quoted_ids),
            math.log1p(counts[number]),
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
