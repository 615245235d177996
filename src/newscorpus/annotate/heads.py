"""Which words at an attribution name the speaker: the speaker phrase's head.

The attribution patterns find a phrase next to a cue ("KCNA quoted Kim as saying",
"Rep. Ahn of the People Power Party said", "said the principal, Dr. Henrik Vass");
`speaker_head` says which words of the text there name the one who spoke, and the
entity table (`resolve.resolve_mention`) says who that is. Each rule is named:

- `label`: a headline label (`Exclusive: '…'`, `Analysis:`) is nobody: no speaker;
- `relay`: "KCNA quoted Kim as saying", "the newspaper quoted the executive as saying"
  — the outlet is the channel, the one quoted the speaker;
- `member_of`: "Rep. Ahn Cheol-soo of the People Power Party said" — the person, not
  the party the phrase ended on;
- `appositive_name`: "said the principal, Dr. Henrik Vass" — the name after the role.

Pure: text and offsets in, offsets out; word lists are data (`lexicon/speaker_roles.json`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from newscorpus.annotate.words import lexicon_data

# A person-like run: optional title words, then capitalised name words.
_NAME = r"(?:[A-Z][\w’'-]*\.?)(?:[ \t]+(?:[A-Z][\w’'-]*\.?|de|van|von|bin|al))*"
# The relayed speaker: a name, or a description ("the executive", "an aide").
_RELAYED = rf"(?:{_NAME}|(?:the|an?|its|his|her)\s+(?:[\w’'-]+\s+){{0,3}}?[\w’'-]+)"
_RELAY_RE = re.compile(
    rf"\s+(?:quoted|cited)\s+(?P<name>{_RELAYED})\s+(?:as\s+)?(?:saying|telling|stating)\b"
)
_MEMBER_OF_RE = re.compile(rf"(?P<name>{_NAME})\s+of\s+(?:the\s+)?\Z")
_APPOSITIVE_RE = re.compile(rf",\s+(?P<name>{_NAME})")
_ROLE_RE = re.compile(r"\A(?:the|a|an|that|this)\s+(?P<role>[a-z][a-z -]*[a-z])\Z", re.I)

LABEL = "label"


class Head(NamedTuple):
    """The words that name the speaker: `text[start:end]`, found by rule `rule`."""

    start: int
    end: int
    rule: str


@cache
def _labels() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon_data("speaker_roles")["headline_labels"])


@cache
def _person_nouns() -> frozenset[str]:
    return frozenset(lexicon_data("speaker_roles")["person_nouns"])


def speaker_head(text: str, phrase: str, start: int, end: int) -> Head | None:
    """Where in `text` the speaker of the phrase `phrase` (at `start`..`end`) is named,
    when a rule of the module docstring moves it off the phrase; a `Head` with rule
    `label` (and the phrase's offsets) when the phrase is a headline label; else None."""
    if phrase.casefold() in _labels() and text[end : end + 1] == ":":
        return Head(start, end, LABEL)
    # Each pattern is tried only where a cheap look at the text allows it: most
    # speakers need none, and a regex per rule per quotation adds up.
    near = text[end : end + 12].lstrip()
    if near.startswith(("quoted", "cited")):
        relay = _RELAY_RE.match(text, end, min(len(text), end + 120))
        if relay is not None:
            return Head(relay.start("name"), relay.end("name"), "relay")
    if text.rfind(" of ", max(0, start - 9), start) >= 0:
        before = _MEMBER_OF_RE.search(text, max(0, start - 80), start)
        if before is not None and any(w[:1].isupper() for w in before.group("name").split()[1:]):
            return Head(before.start("name"), before.end("name"), "member_of")
    if text.startswith(",", end):
        role = _ROLE_RE.match(phrase)
        words = (role.group("role") if role else phrase).casefold().split()
        if (role is not None or phrase.islower()) and words and words[-1] in _person_nouns():
            after = _APPOSITIVE_RE.match(text, end, min(len(text), end + 80))
            if after is not None and " " in after.group("name"):
                end = after.end("name")
                if text[end - 1] == "." and text[end - 3 : end - 2].isalpha():
                    end -= 1  # the sentence's full stop, not an initial's
                return Head(after.start("name"), end, "appositive_name")
    return None
