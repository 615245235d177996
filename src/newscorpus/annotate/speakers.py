"""From the speaker phrase at an attribution to the entity that spoke: named passes.

`canonical_speakers(text, quotes)` rewrites each quotation's resolved `speaker` (never its
`speaker_mention`, which stays as written, with its offsets). Each pass has a name and
is tried in this order; the first that applies decides (`explain` tells which):

- `label`: a headline label (`Exclusive: '…'`, `Analysis:`) is nobody: no speaker;
- `relay`: "KCNA quoted Kim as saying" — the outlet is the channel, Kim the speaker;
- `member_of`: "Rep. Ahn Cheol-soo of the People Power Party said" — the person, not
  the party the phrase ended on;
- `appositive_name`: "said the principal, Dr. Henrik Vass" — the name after the role;
- `acronym`: "the UNC" — the fullest name whose initials it is ("United Nations Command");
- `role`: "the governor" — the most recent person the text gave that role ("Gov. Lee
  Cheol-woo", "Lee Cheol-woo, the governor of …"); "the company", "the ministry" — the
  most recent organisation named with that word;
- `person`: a person's name, titled or surname-only ("Kim", "Rep. Kim Byung-kee") — the
  entity's canonical name, its fullest name as first written without title; only when
  one person of the article answers to it (two Kims: "Kim" stays as written).

Pure: text and quotes in, quotes out; word lists are data (`lexicon/speaker_roles.json`).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from newscorpus.annotate.entities import Entity, People, entity_of, find_people
from newscorpus.annotate.persons import person_parts

# A person-like run: optional title words, then capitalised name words.
_NAME = r"(?:[A-Z][\w’'-]*\.?)(?:[ \t]+(?:[A-Z][\w’'-]*\.?|de|van|von|bin|al))*"
_RELAY_RE = re.compile(
    rf"\s+(?:quoted|cited)\s+(?P<name>{_NAME})\s+(?:as\s+)?(?:saying|telling|stating)\b"
)
_MEMBER_OF_RE = re.compile(rf"(?P<name>{_NAME})\s+of\s+(?:the\s+)?\Z")
_APPOSITIVE_RE = re.compile(rf",\s+(?P<name>{_NAME})")
_ACRONYM_RE = re.compile(r"\A(?:the\s+)?(?P<acronym>[A-Z][A-Z&]{1,7})\Z")
_ROLE_RE = re.compile(r"\A(?:the|a|an|that|this)\s+(?P<role>[a-z][a-z -]*[a-z])\Z", re.I)
# Capitalised phrases that may be organisations or long names ("Ministry of Science and
# ICT", "United Nations Command").
_PHRASE_RE = re.compile(
    r"\b[A-Z][\w’'&.-]*(?:[ \t]+(?:(?:of|and|for|the|on|&)[ \t]+)*[A-Z][\w’'&.-]*)*"
)
_JOINERS = frozenset(("of", "and", "for", "the", "on", "in", "to", "at", "&"))


@dataclasses.dataclass(frozen=True)
class Decision:
    """How a quotation's speaker was made canonical: the pass and the result."""

    rule: str
    speaker: str | None


@cache
def _roles() -> dict[str, Any]:
    path = Path(__file__).resolve().parent / "lexicon" / "speaker_roles.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def _labels() -> frozenset[str]:
    return frozenset(w.casefold() for w in _roles()["headline_labels"])


def _initials(phrase: str) -> str:
    words = [w for w in phrase.split() if w.casefold() not in _JOINERS]
    return "".join(w[0] for w in words if w[:1].isupper())


def _person(people: People, name: str, pos: int) -> str | None:
    """The canonical name of the person `name` is, nearest before `pos`, or None."""
    entity = entity_of(people, name, before=pos)
    return entity.name if entity is not None else None


class _Article:
    """What the passes need of one text, made once per text and kind of question, so
    that each quotation costs a look-up (bisect), not a scan of the text."""

    def __init__(
        self, text: str, quoted: Sequence[tuple[int, int]], people: People | None = None
    ) -> None:
        self.text = text
        self._quoted = quoted
        self._people: People | None = people
        self._phrases: list[tuple[int, str]] | None = None
        self._names: dict[str, list[Entity]] | None = None
        # Question -> (offsets, answers) in text order; the answer is the last before pos.
        self._hits: dict[tuple[str, str], tuple[list[int], list[str]]] = {}

    @property
    def people(self) -> People:
        if self._people is None:
            self._people = find_people(self.text, self._quoted)
        return self._people

    @property
    def phrases(self) -> list[tuple[int, str]]:
        """(offset, phrase) of every capitalised phrase, in order."""
        if self._phrases is None:
            self._phrases = [(m.start(), m.group()) for m in _PHRASE_RE.finditer(self.text)]
        return self._phrases

    def answering(self, name: str) -> list[Entity]:
        """The people whose name holds `name`'s last word (candidates for `entity_of`)."""
        if self._names is None:
            self._names = {}
            for entity in self.people:
                for word in set(entity.words):
                    self._names.setdefault(word, []).append(entity)
        words = name.replace("’s", "").replace("'s", "").split()
        key = words[-1].casefold().rstrip(".,") if words else ""
        return [e for e in self._names.get(key, []) if entity_of([e], name) is not None]

    def _last_before(self, question: tuple[str, str], pos: int) -> str | None:
        found = self._hits.get(question)
        if found is None:
            found = self._answers(question)
            self._hits[question] = found
        offsets, answers = found
        index = bisect.bisect_left(offsets, pos) - 1
        return answers[index] if index >= 0 else None

    def _answers(self, question: tuple[str, str]) -> tuple[list[int], list[str]]:
        kind, key = question
        hits: list[tuple[int, str]] = []
        if kind == "acronym":
            for match in re.finditer(rf"\({re.escape(key)}\)", self.text):
                words = self.text[max(0, match.start() - 120) : match.start()].split()
                for count in range(len(key), min(len(words), 3 * len(key)) + 1):
                    tail = words[-count:]
                    if tail[0][:1].isupper() and _initials(" ".join(tail)) == key:
                        hits.append((match.start(), " ".join(tail)))
                        break
            for start, phrase in self.phrases:
                parts = phrase.split()
                for first in range(len(parts) - 1):
                    if parts[first][:1].isupper() and parts[first].casefold() not in _JOINERS:
                        candidate = " ".join(parts[first:])
                        if _initials(candidate) == key:
                            hits.append((start, candidate.removeprefix("The ")))
                            break
        elif kind == "organisation":
            heads = set(_roles()["organisation_roles"][key])
            for start, phrase in self.phrases:
                if any(w.casefold().rstrip(".") in heads for w in phrase.split()[1:] or [phrase]):
                    hits.append((start, phrase.removeprefix("The ").strip()))
        else:  # a person's role
            titles = _roles()["person_roles"][key]
            # Each title as written in running text and before a name: "governor", "Governor".
            cased = {v for t in {key, *titles} for v in (t, t[:1].upper() + t[1:])}
            forms = "|".join(re.escape(t) for t in sorted(cased, key=len, reverse=True))
            pattern = re.compile(
                rf"\b(?:{forms})\.?\s+(?P<name>{_NAME})"  # "Governor Lee Cheol-woo"
                rf"|(?P<before>{_NAME}),\s+(?:the\s+|a\s+)?(?:[\w-]+\s+){{0,3}}(?:{forms})\b"
            )
            for match in pattern.finditer(self.text):
                name = match.group("name") or match.group("before")
                found = _person(self.people, name, match.end())
                if found is not None:
                    hits.append((match.end(), found))
        hits.sort(key=lambda hit: hit[0])
        return [at for at, _ in hits], [answer for _, answer in hits]

    def acronym(self, acronym: str, pos: int) -> str | None:
        """The nearest earlier phrase whose initials spell `acronym` (or that an explicit
        "(ACRONYM)" follows), or None."""
        return self._last_before(("acronym", acronym), pos)

    def role(self, role: str, pos: int) -> str | None:
        """The most recent person given `role` (or organisation named with it) before
        `pos`, or None."""
        low = role.casefold()
        if low in _roles()["person_roles"]:
            return self._last_before(("person", low), pos)
        if low in _roles()["organisation_roles"]:
            return self._last_before(("organisation", low), pos)
        return None


# The passes, in the order they are tried.
PASSES = ("label", "relay", "member_of", "appositive_name", "acronym", "role", "person")


def _decide(
    article: _Article, quote: Any, passes: frozenset[str] = frozenset(PASSES)
) -> Decision | None:
    """The first pass of `passes` that decides this quotation's speaker, or None."""
    decision = _decide_all(article, quote)
    return decision if decision is None or decision.rule in passes else None


def _decide_all(article: _Article, quote: Any) -> Decision | None:
    """The pass that makes this quotation's speaker canonical, or None to keep it."""
    speaker, start, end = quote.speaker, quote.speaker_start, quote.speaker_end
    if speaker is None or start is None or end is None:
        return None
    text = article.text
    mention = quote.speaker_mention or ""
    if mention.casefold() in _labels() and text[end : end + 1] == ":":
        return Decision("label", None)
    # Each pattern is tried only where a cheap look at the text allows it: most
    # quotations' speakers need none, and a regex per pass per quotation adds up.
    near = text[end : end + 12].lstrip()
    relay = (
        _RELAY_RE.match(text, end, min(len(text), end + 120))
        if near.startswith(("quoted", "cited"))
        else None
    )
    if relay is not None and mention == speaker:
        name = relay.group("name")
        return Decision("relay", _person(article.people, name, relay.end()) or name)
    before = (
        _MEMBER_OF_RE.search(text, max(0, start - 80), start)
        if text.rfind(" of ", max(0, start - 9), start) >= 0
        else None
    )
    if before is not None and mention == speaker:
        person = _person(article.people, before.group("name"), start)
        if person is not None:
            return Decision("member_of", person)
    role = _ROLE_RE.match(speaker) if mention == speaker else None
    role_words = (role.group("role") if role else speaker).casefold().split()
    after = (
        _APPOSITIVE_RE.match(text, end, min(len(text), end + 80))
        if text.startswith(",", end)
        else None
    )
    if (
        after is not None
        and (role is not None or speaker.islower())
        and role_words[-1] in _roles()["person_nouns"]
    ):
        person = _person(article.people, after.group("name"), after.end())
        if person is not None:
            return Decision("appositive_name", person)
    acronym = _ACRONYM_RE.match(speaker) if speaker[-1:].isupper() else None
    if acronym is not None:
        full = article.acronym(acronym.group("acronym"), start)
        if full is not None:
            return Decision("acronym", full)
    if role is not None or speaker.islower():
        if role_words[0] in _roles()["other_role_modifiers"]:
            return None  # a vice president is not the president
        found = article.role(role_words[-1], start)
        if found is not None:
            return Decision("role", found)
        return None
    # Only where one person of the article answers to the name: with two Kims, "Kim"
    # stays as written rather than go to the wrong one.
    if any(w[:1].islower() for w in speaker.split()):
        return None  # a described speaker ("organizing director Kendall Fells") stays
    parts = person_parts(speaker)
    if parts is None or (parts[0] == speaker and len(speaker.split()) > 1):
        return None  # not a person, or already a full name without title
    matches = article.answering(speaker)
    if len(matches) == 1 and matches[0].name != speaker:
        return Decision("person", matches[0].name)
    return None


def canonical_speakers(
    text: str,
    quotes: Sequence[Any],
    quoted: Sequence[tuple[int, int]] = (),
    passes: Sequence[str] = PASSES,
    people: People | None = None,
) -> list[Any]:
    """The quotations with their speakers made canonical (see the module docstring).

    `quotes` are `Quote`s of `text` (or any frozen dataclass with the same fields);
    `quoted` are the spans of the text inside quotation marks (their words name nobody);
    `passes` switches passes off to measure what each buys (default: all); `people`,
    `find_people(text, quoted)` when the caller has it already.
    """
    article = _Article(text, quoted, people)
    chosen = frozenset(passes)
    result = []
    for quote in quotes:
        decision = _decide(article, quote, chosen)
        if decision is None:
            result.append(quote)
        elif decision.speaker is None:
            result.append(
                dataclasses.replace(
                    quote,
                    speaker=None,
                    speaker_mention=None,
                    speaker_start=None,
                    speaker_end=None,
                    speaker_resolution=None,
                )
            )
        else:
            # A pass after a pronoun's resolution keeps both steps ("pronoun+person").
            before = getattr(quote, "speaker_resolution", None)
            chained = (
                decision.rule if before in (None, "as_written") else f"{before}+{decision.rule}"
            )
            result.append(
                dataclasses.replace(quote, speaker=decision.speaker, speaker_resolution=chained)
            )
    return result


def explain(text: str, quote: Any, quoted: Sequence[tuple[int, int]] = ()) -> str | None:
    """The name of the pass that decided this quotation's speaker, or None."""
    decision = _decide(_Article(text, quoted), quote)
    return decision.rule if decision is not None else None
