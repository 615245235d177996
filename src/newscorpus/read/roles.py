"""Block roles: what of a parsed article is the story, and what is the rest of the page.

Scraped articles carry more than the story: photo captions and credits, bylines and
"(Reporting by …; Editing by …)" lines, datelines ("SEOUL, Dec. 29 (Yonhap) --"), wire
tags and slug residue ("(LEAD)", "(ATTN: …)"), reporter e-mails closing the story,
translation and help-line notices, "READ MORE:" links. `assign_roles` is the one place
that decides them, for every profile: each paragraph (block) and each block edge gets a
role from its own text and its position, by small named rules (`RULES`), and each piece
moves to a field of its own:

| role | goes to | rules |
|---|---|---|
| caption | `captions` | caption_credit, caption_image_wording, caption_unterminated |
| byline | `bylines` (without a leading "By") | byline_block, byline_email, byline_span |
| signoff | `bylines` (the e-mail) and `removed` (the end tag) | signoff_email |
| dateline | `dateline` | dateline_wire, dateline_dash, dateline_bare |
| note | `notes` | note_block, note_span |
| tag | `removed` as {role: tag} | tag_headline, tag_block, tag_slug |
| other | `removed` as {role: other} | other_link_list |

Nothing is dropped without a trace: headline, sub-headlines, body and the new fields
together hold every character of the parsed article but whitespace and a byline's
leading "By"; each rule that fired is named in the record's `normalization` as
`role_<rule>`. A source may switch a role off (`[sources.<folder>.roles]`), keeping that
role's text where it was. Pure: text in, `Roles` out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newscorpus.read.profiles.base import Article

# Every role a source can switch off, with what it is (the registry checks the table).
ROLES: dict[str, str] = {
    "caption": "photo and graphic captions and credits",
    "byline": "reporter names, '(Reporting by …; Editing by …)' lines, a lone reporter e-mail",
    "signoff": "a reporter e-mail and end tag closing the story ('x@yna.co.kr(END)')",
    "dateline": "the place (and date, wire) opening the story ('SEOUL, Dec. 29 (Yonhap) --')",
    "note": "translation, condolence and help-line notices",
    "tag": "wire tags and slug residue ('(LEAD)', '(ATTN: …)', a repeated headline)",
    "other": "link lists ('READ MORE: …', 'RECOMMENDED: …')",
}

_ALL_ROLES = frozenset(ROLES)
_QUOTE_MARKS = re.compile(r"[\"“”«»„]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# A credit closing a caption: a short parenthesis ending the block, e.g. "(Yonhap)",
# "(File Photo - Reuters)", "(Courtesy of a reader)"; at most this many words inside.
_CREDIT = re.compile(r"\(([^()]{2,80})\)$")
_CREDIT_MAX_WORDS = 8
# What only a caption says of a picture: a position or "pictured" in brackets, a
# caption's opening ("From left:", "Photo:"), "file photo" (see `has_image_wording`).
_IMAGE_BRACKETS = frozenset(
    {
        *("pictured", "left", "right", "centre", "center", "inset", "file", "file photo"),
        *("second from left", "second from right", "second left", "second right"),
    }
)
_IMAGE_OPENINGS = frozenset({"photo", "picture", "image", "pictured", "from left", "from right"})
_CAPTION_MAX_WORDS = 90
# A bracketed sentence ("(Rubio has since dropped out.)") is an aside, not a credit,
# unless it names a picture agency ("(FABRICE COFFRINI/AFP/Getty Images.)").
_AGENCY = re.compile(r"/|\b(?:Photo|Image|Getty|AFP|AP|Reuters|EPA|Yonhap|Xinhua)\b", re.I)
_IMAGE_CAPTION_MAX_WORDS = 60
# Characters past which a block cannot be 60 words (a cheap bound before counting).
_IMAGE_CAPTION_MAX_CHARS = 60 * 12
# An unterminated block this long (no full stop at its end, no quotation) is a caption
# on a page whose other captions the rules above found: story paragraphs end with
# punctuation; short unterminated ones are section subheads. (Alone it is not enough:
# some feeds drop the full stop of a story's first paragraph.)
_UNTERMINATED_MIN_WORDS = 12
_INNER_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+[A-Z]")
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_END_TAG = re.compile(r"\s*\((?:END|MORE|ENDS)\)$")
# "(Reporting by …; Editing by …)", "(Additional reporting by …)"; without brackets
# only as one short line ("Reporting by Kim Min-ji; Editing by Lee Ji-eun").
_CREDIT_LINE = r"(?:additional |further )?(?:reporting|writing|editing|compiled|edited|written)"
_BYLINE_BLOCK = re.compile(rf"^\(\s*{_CREDIT_LINE} by [A-Z][^()]*\)$", re.IGNORECASE)
_BYLINE_LINE = re.compile(rf"^{_CREDIT_LINE} by [A-Z][^.()]*$", re.IGNORECASE)
_BYLINE_LINE_MAX_WORDS = 30
_BY_NAME = r"[Bb]y\s+(?P<name>[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|and|de|van|von)){0,4})"
_BY_BLOCK = re.compile(rf"^{_BY_NAME}$")
_EMAIL_BLOCK = re.compile(rf"^(?:[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){{0,3}}\s*)?\(?{_EMAIL}\)?$")
_NOTE = re.compile(
    r"\b(?:this (?:article|story) was (?:originally )?(?:written|published|produced) in|"
    r"translated (?:by|with|using) (?:a |an )?(?:bilingual|machine|generative|AI)|"
    r"AI-assisted translations?|extends? (?:its|our) (?:deepest |sincere )?condolences|"
    r"if you or someone you know|(?:crisis|suicide|mental health|emotional) "
    r"(?:prevention )?(?:hotline|helpline|support line)|Samaritans on)",
    re.IGNORECASE,
)
# Words one of which every `_NOTE` match holds (a cheap test before the expression),
# each without its first letter, whose case varies ("Hotline", "hotline").
_NOTE_WORDS = (
    "ranslat",
    "ondolence",
    "otline",
    "elpline",
    "upport line",
    "someone you know",
    "his article was",
    "his story was",
    "amaritans",
)
# Notices sit at an article's start or among its last blocks (a help line after the
# story, a translation notice closing it).
_NOTE_LAST_BLOCKS = 2
# A notice block says what it is in its first sentence: only its head is looked at.
_NOTE_HEAD_CHARS = 400
# A notice glued to the story's end starts with one of these (`_NOTE_START`), in its
# last characters.
_NOTE_START_WORDS = ("his article was", "his story was", "f you or someone", "f you are")
_NOTE_TAIL_CHARS = 1000
_NOTE_START = re.compile(
    r"(?:(?<=[.!?\"”’])|^)\s*(?=(?:This (?:article|story) was (?:originally )?(?:written|"
    r"published|produced) in|If you or someone you know|If you are (?:struggling|"
    r"experiencing|having thoughts))\b)"
)
_LINK_LIST = re.compile(
    r"^(?:READ MORE|Read more|RECOMMENDED|Recommended|RELATED|Related(?: articles?| stories)?|"
    r"SEE ALSO|See also|ALSO READ|Also read|MORE|WATCH|Watch)\s*:",
)
# A wire tag: a parenthesis of capitals and numbers ("(LEAD)", "(2nd LD)", "(URGENT)",
# "(UPDATE 2)"), or an advisory ("(ATTN: …)").
_WIRE_TAG = r"\((?:\d+(?:st|nd|rd|th) )?[A-Z][A-Z0-9 ]{1,20}\)|\(ATTN:[^)]*\)"
_HEADLINE_TAG = re.compile(rf"^(?:{_WIRE_TAG})\s*")
_ADVISORY = re.compile(r"\(ATTN:[^)]*\)")
# Datelines of the wires: "SEOUL, Dec. 29 (Yonhap) --", "WASHINGTON (Reuters) -",
# "BEIJING, Jan 5 (AP) —"; a place and dash: "BEIJING —"; a bare place a feed kept
# without its wire: "SEOUL North Korean leader …".
_PLACE = r"[A-Z][A-Z.'’-]+(?:[ ,/][A-Z][A-Z.'’-]+)*"
_DATE = r"[A-Z][a-z]{2,4}\.? \d{1,2}(?:, \d{4})?"
_DATELINE_WIRE = re.compile(
    rf"(?P<dateline>{_PLACE},?(?: {_DATE})? \((?:[A-Z][\w&.-]*)(?: [A-Z][\w&.-]*){{0,2}}\)"
    r"\s?(?:--|—|–|-))\s*"
)
_DATELINE_DASH = re.compile(rf"^(?P<dateline>{_PLACE}(?:, {_DATE})?\s?(?:--|—|–))\s+")
_DATELINE_BARE = re.compile(r"^(?P<dateline>[A-Z]{3,}(?: [A-Z]{3,})?) (?=[A-Z][a-z])")
# The dashes a wire dateline ends with, after its bracket (a cheap test first).
_WIRE_DASHES = (") -", ")-", ") —", ")—", ") –", ")–")
_BYLINE_BEFORE = re.compile(rf"{_BY_NAME}\s*$")
# How far into the story's first block a dateline may sit (after slug residue).
_OPENING_CHARS = 600
_SIGNOFF = re.compile(rf"(?<=[.!?\"”’)])\s*(?P<email>{_EMAIL})\s*(?P<end>\((?:END|ENDS)\))?$")
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Roles:
    """An article's text, separated: the story and the rest of the page, by role."""

    headline: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...] = ()
    bylines: tuple[str, ...] = ()
    dateline: str | None = None
    notes: tuple[str, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()  # (role, text)
    steps: tuple[str, ...] = ()  # `role_<rule>`, one per rule that fired, in order


@dataclass
class _Sorter:
    """The pieces found so far (mutable while one article is sorted)."""

    enabled: frozenset[str]
    captions: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    dateline: str | None = None
    notes: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    wire: bool = False  # the page carries a wire's credit line or sign-off
    maybe_note: bool = False  # notices are looked for (the role is on)

    def fired(self, rule: str) -> None:
        step = f"role_{rule}"
        if step not in self.steps:
            self.steps.append(step)


def _order_in(paragraphs: tuple[str, ...]) -> Any:
    """Sort key: a caption's position among the article's paragraphs."""
    where = {paragraph: index for index, paragraph in reversed(list(enumerate(paragraphs)))}
    return lambda caption: where.get(caption, len(paragraphs))


def enabled_roles(switches: Mapping[str, Any] | None) -> frozenset[str]:
    """Return the roles on for a source: all of `ROLES` but those its table turns off."""
    if not switches:
        return _ALL_ROLES
    return frozenset(role for role in ROLES if switches.get(role, True))


def assign_roles(
    headline: str, paragraphs: tuple[str, ...], switches: Mapping[str, Any] | None = None
) -> Roles:
    """Separate the story from captions, bylines, datelines, tags, notes and link lists.

    `switches`: the source's `[roles]` table (a role set to false stays in the text).

    >>> roles = assign_roles("(LEAD) Rain shuts roads", (
    ...     "SEOUL, Dec. 29 (Yonhap) -- Rain shut roads on Monday.",
    ...     "Drivers waited for hours. kim@yna.co.kr(END)"))
    >>> roles.headline, roles.dateline, roles.paragraphs[0]
    ('Rain shuts roads', 'SEOUL, Dec. 29 (Yonhap) --', 'Rain shut roads on Monday.')
    >>> roles.bylines, roles.removed
    (('kim@yna.co.kr',), (('tag', '(LEAD)'), ('tag', '(END)')))
    """
    sorter = _Sorter(enabled_roles(switches))
    original = headline
    headline = _clean_headline(headline, sorter) if headline.startswith("(") else headline
    sorter.maybe_note = "note" in sorter.enabled
    story: list[str] = []
    count = len(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        # Most paragraphs are plainly story: none of the marks any block rule needs.
        if _plain(paragraph):
            story.append(paragraph)
            continue
        kept = _sort_block(paragraph, sorter, index, count)
        if kept:
            story.append(kept)
    if sorter.maybe_note:
        # Notices open or close the article: its first and last story blocks (after
        # the credit lines and link lists that may follow a notice are gone).
        for index in sorted({0, len(story) - 1} if len(story) > 1 else set(), reverse=True):
            if _note_block(story[index]):
                sorter.notes.insert(0 if index == 0 else len(sorter.notes), story.pop(index))
                sorter.fired("note_block")
    if story:
        # A bare place opens a wire story only: one whose page carries the wire's
        # credit line or sign-off (a feed that kept "SEOUL" but dropped "(Reuters) -").
        sorter.wire = bool(sorter.bylines) or any(
            "@" in p[-200:] and _SIGNOFF.search(p[-200:]) for p in story[-2:]
        )
        story[0] = _opening(story[0], headline, sorter, paragraphs)
        story[-1] = _closing(story[-1], sorter)
        if sorter.captions and "caption" in sorter.enabled:
            # A page with captions found by their credit or wording: its other long
            # unterminated one-sentence blocks (not the story's first) are captions too.
            for index in range(len(story) - 1, 0, -1):
                if _unterminated(story[index]):
                    sorter.captions.append(story.pop(index))
                    sorter.fired("caption_unterminated")
            sorter.captions.sort(key=_order_in(paragraphs))
    story = [paragraph for paragraph in story if paragraph]
    if not story:  # never leave an article without a body: the pieces go back
        return Roles(original, paragraphs)
    return Roles(
        headline=headline,
        paragraphs=tuple(story),
        captions=tuple(sorter.captions),
        bylines=tuple(sorter.bylines),
        dateline=sorter.dateline,
        notes=tuple(sorter.notes),
        removed=tuple(sorter.removed),
        steps=tuple(sorter.steps),
    )


def _clean_headline(headline: str, sorter: _Sorter) -> str:
    """Strip wire tags opening the headline ("(LEAD) …"): rule tag_headline."""
    if "tag" not in sorter.enabled:
        return headline
    while (match := _HEADLINE_TAG.match(headline)) and match.end() < len(headline):
        sorter.removed.append(("tag", match.group().strip()))
        sorter.fired("tag_headline")
        headline = headline[match.end() :]
    return headline


def _sort_block(block: str, sorter: _Sorter, index: int, count: int) -> str | None:
    """File a whole block (the `index`th of `count`) under its role; return it when it
    is story text."""
    on = sorter.enabled
    if "other" in on and ":" in block[:25] and _LINK_LIST.match(block):
        sorter.removed.append(("other", block))
        sorter.fired("other_link_list")
        return None
    if "byline" in on and _byline_block(block, sorter):
        return None
    if "tag" in on and "(ATTN:" in block and _QUOTE_MARKS.search(block) is None:
        # Slug residue standing alone: slug, repeated headline, "(ATTN: …)".
        advisory = list(_ADVISORY.finditer(block))[-1]
        if advisory.end() == len(block):
            sorter.removed.append(("tag", block))
            sorter.fired("tag_block")
            return None
    edge = index == 0 or index >= count - _NOTE_LAST_BLOCKS
    if sorter.maybe_note and edge and _note_block(block):
        sorter.notes.append(block)
        sorter.fired("note_block")
        return None
    if "caption" in on:
        rule = caption_rule(block)
        if rule is not None:
            sorter.captions.append(block)
            sorter.fired(rule)
            return None
    return block


def _note_block(block: str) -> bool:
    """A notice from its first sentence on, with no quotation (a notice glued to the
    story's last paragraph is the closing's: `note_span`)."""
    if not _may_be_note(block[:_NOTE_HEAD_CHARS]):
        return False
    note = _NOTE.search(block)
    if note is None or _QUOTE_MARKS.search(block) is not None:
        return False
    first_end = _INNER_SENTENCE_END.search(block)
    return first_end is None or note.start() < first_end.start()


def _plain(block: str) -> bool:
    """True when no block rule can apply: no bracket, e-mail, early colon or "by"."""
    # find() with bounds: no slice is copied for the common paragraph.
    return (
        "(" not in block
        and "@" not in block
        and block.find(":", 0, 30) < 0
        and block.find(" by ", 0, 40) < 0
        and not block.startswith(("By ", "by "))
    )


def _may_be_note(block: str) -> bool:
    """A cheap test that `_NOTE` can match: one of its words, without the first letter
    (whose case varies), is in the block."""
    for word in _NOTE_WORDS:  # noqa: SIM110 (a loop is faster than any() here, per article)
        if word in block:
            return True
    return False


def _byline_block(block: str, sorter: _Sorter) -> bool:
    """A block that is only a byline: "(Reporting by …)", "By Kim Min-ji", an e-mail."""
    if len(block) > 400 or not (
        block[:1] == "(" or block[:3] in ("By ", "by ") or " by " in block[:40] or "@" in block
    ):
        return False
    if _BYLINE_BLOCK.match(block) or (
        _BYLINE_LINE.match(block) and len(block.split()) <= _BYLINE_LINE_MAX_WORDS
    ):
        sorter.bylines.append(block)
        sorter.fired("byline_block")
        return True
    if (by := _BY_BLOCK.match(block)) is not None:
        sorter.bylines.append(by.group("name"))
        sorter.fired("byline_block")
        return True
    end = _END_TAG.search(block, len(block) - 12) if block.endswith(")") else None
    text = block[: end.start()] if end else block
    if "@" in text and _EMAIL_BLOCK.match(text):
        sorter.bylines.append(text)
        sorter.fired("byline_email")
        if end:
            sorter.removed.append(("tag", end.group().strip()))
            sorter.fired("tag_end")
        return True
    return False


def caption_rule(block: str) -> str | None:
    """Return the rule that makes `block` a photo caption, or None for story text.

    A credit in brackets closing the block after the caption's full stop ("… on
    Friday. (Yonhap)"), or a caption's wording ("(pictured)", "(left)", "From left:")
    in a short block; never a block with a quotation.

    >>> caption_rule("Kim Min-ji speaks in Seoul on Friday. (Yonhap)")
    'caption_credit'
    >>> caption_rule("Kim Min-ji (left) and Lee Ji-eun (Samsung Electronics)")
    'caption_image_wording'
    >>> caption_rule("Howard Webb (South Yorkshire)") is None
    True
    """
    # Cheap tests first: the role pass runs on every paragraph of every article, and
    # most paragraphs have no bracket and no colon near their start.
    ends_in_bracket = block.endswith(")")
    if not ends_in_bracket and (
        len(block) > _IMAGE_CAPTION_MAX_CHARS  # too long for a caption without a credit
        or not has_image_wording(block)
    ):
        return None
    if _QUOTE_MARKS.search(block):
        return None
    words = len(block.split())
    if words > _CAPTION_MAX_WORDS:
        return None
    credit = _CREDIT.search(block, len(block) - 90) if ends_in_bracket else None
    if (
        credit is not None
        and len(credit.group(1).split()) <= _CREDIT_MAX_WORDS
        and credit.group(1)[:1].isupper()
        and (_SENTENCE_END.search(credit.group(1)) is None or _AGENCY.search(credit.group(1)))
        and _SENTENCE_END.search(block[: credit.start()].rstrip()) is not None
        and words >= 6
    ):
        return "caption_credit"
    if (
        has_image_wording(block)
        and words <= _IMAGE_CAPTION_MAX_WORDS
        and _INNER_SENTENCE_END.search(block) is None
    ):
        return "caption_image_wording"
    return None


def has_image_wording(block: str) -> bool:
    """True when `block` says what only a caption says of a picture: "(pictured)",
    "(left)", "(file photo)"…, an opening "From left:", "Photo:", "Clockwise from top:",
    or "file photo". String searches, not an expression: it runs on every bracketed
    paragraph.

    >>> has_image_wording("Kim Min-ji (left) and Lee Ji-eun"), has_image_wording("GDP (2%)")
    (True, False)
    """
    at = block.find("(")
    while at >= 0:
        close = block.find(")", at + 1, at + 24)
        if close > 0 and block[at + 1 : close].strip().lower() in _IMAGE_BRACKETS:
            return True
        at = block.find("(", at + 1)
    colon = block.find(":", 0, 30)
    if colon > 0:
        opening = block[:colon].strip().lower()
        if opening in _IMAGE_OPENINGS or opening.startswith("clockwise from "):
            return True
    return "ile photo" in block or "ILE PHOTO" in block


def _unterminated(block: str) -> bool:
    """One long sentence with no full stop at its end and no quotation."""
    return (
        _SENTENCE_END.search(block) is None
        and len(block.split()) >= _UNTERMINATED_MIN_WORDS
        and _QUOTE_MARKS.search(block) is None
        and _INNER_SENTENCE_END.search(block) is None
    )


def _opening(block: str, headline: str, sorter: _Sorter, paragraphs: tuple[str, ...]) -> str:
    """Take slug residue, a byline and the dateline off the start of the story.

    `paragraphs`: the whole article, where a bare capitalised opening word must not recur.
    """
    head = block[:_OPENING_CHARS]
    wire_dash = ")" in head and any(dash in head for dash in _WIRE_DASHES)
    match = _DATELINE_WIRE.search(head) if wire_dash else None
    rule = "dateline_wire"
    if match is None:
        match = _DATELINE_DASH.match(head)
        rule = "dateline_dash"
    bare = _DATELINE_BARE.match(head) if match is None and sorter.wire else None
    if bare is not None and _is_place(bare.group("dateline"), "\n".join((headline, *paragraphs))):
        match, rule = bare, "dateline_bare"
    if match is None:
        return block
    kept = _opening_prefix(block[: match.start()], headline, sorter)
    if kept is None:
        return block  # a "dateline" inside story text: not the opening
    if "dateline" not in sorter.enabled:
        return kept + block[match.start() :]
    sorter.dateline = match.group("dateline")
    sorter.fired(rule)
    return kept + block[match.end() :].lstrip()


def _opening_prefix(before: str, headline: str, sorter: _Sorter) -> str | None:
    """File what precedes the dateline (slug residue, then a byline); return what of it
    stays in the story (the text of roles switched off), or None when it is story."""
    text = before.rstrip()
    by = _BYLINE_BEFORE.search(text)
    slug = (text[: by.start()] if by is not None else text).strip()
    if slug and not _is_slug(slug, headline):
        return None
    kept = []
    if slug:
        if "tag" in sorter.enabled:
            sorter.removed.append(("tag", slug))
            sorter.fired("tag_slug")
        else:
            kept.append(slug)
    if by is not None:
        if "byline" in sorter.enabled:
            sorter.bylines.append(by.group("name"))
            sorter.fired("byline_span")
        else:
            kept.append(text[by.start() :])
    return "".join(piece + " " for piece in kept)


def _is_slug(text: str, headline: str) -> bool:
    """Slug residue: wire tags or the headline repeated, nothing of the story."""
    if re.search(_WIRE_TAG, text):
        return True
    words = set(_WORD.findall(headline.lower()))
    found = _WORD.findall(text.lower())
    if not words or not found:
        return False
    shared = sum(1 for word in words if word in set(found))
    return shared / len(words) >= 0.6 and len(found) <= 3 * len(words) + 10


def _is_place(word: str, text: str) -> bool:
    """A bare capitalised opening word is a place, not an acronym, when it has four
    letters or more and the article never writes it in capitals again (an acronym
    recurs: "NATO said … NATO")."""
    return len(word) >= 4 and len(re.findall(rf"\b{re.escape(word)}\b", text)) == 1


def _closing(block: str, sorter: _Sorter) -> str:
    """Take a sign-off (reporter e-mail, end tag) and a trailing notice off the story."""
    on = sorter.enabled
    if "note" in on:
        tail = block[-_NOTE_TAIL_CHARS:]
        maybe = sorter.maybe_note and any(word in tail for word in _NOTE_START_WORDS)
        starts = _NOTE_START.finditer(block) if maybe else iter(())
        for start in starts:
            if start.start() > 0 and _NOTE.search(block, start.start()):
                sorter.notes.append(block[start.start() :].strip())
                sorter.fired("note_span")
                block = block[: start.start()].rstrip()
                break
    if "signoff" in on and "@" in block[-120:]:
        match = _SIGNOFF.search(block, len(block) - 200)
        if match is not None and match.start() > 0:
            sorter.bylines.append(match.group("email"))
            if match.group("end"):
                sorter.removed.append(("tag", match.group("end")))
            sorter.fired("signoff_email")
            block = block[: match.start()].rstrip()
    return block


def apply_roles(article: Article, switches: Mapping[str, Any] | None = None) -> Article:
    """Return `article` with its non-story text moved into the role fields (see
    `assign_roles`); pieces a profile found by markup (a `<figcaption>`, an author) come
    first, and every rule that fired is appended to its steps."""
    roles = assign_roles(article.headline, article.paragraphs, switches)
    if not roles.steps:
        return article  # nothing moved (most articles): no copy
    return dataclasses.replace(
        article,
        headline=roles.headline,
        paragraphs=roles.paragraphs,
        captions=(*article.captions, *roles.captions),
        bylines=(*article.bylines, *roles.bylines),
        dateline=article.dateline or roles.dateline,
        notes=(*article.notes, *roles.notes),
        removed=(*article.removed, *roles.removed),
        steps=(*article.steps, *roles.steps),
    )
