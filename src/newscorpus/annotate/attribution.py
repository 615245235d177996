"""Speaker and cue finding for direct quotations, plus pronoun resolution.

Rule based, standard library only. Every function is pure: it reads the source text
and offsets and returns new values; the only module-level state is compiled regexes,
constant word lists and bounded memos of pure functions of a mention string; what is
computed once per text (sentences, a letters-only copy) travels with the text itself
(`index.IndexedText`).

Vocabulary:

* *cue*: the attributing verb phrase ("said", "told", "according to", …), all
  inflections of a fixed verb list.
* *mention*: the surface naming phrase of the speaker ("the U.S. Department of
  Defense" → mention "U.S. Department of Defense": a leading determiner is dropped;
  "Robert Sinche, head of currency strategy at …" → "Robert Sinche": an appositive is
  dropped; "an official from the presidential office" keeps the phrase that says
  where the person is from; a time or circumstance phrase between speaker and cue is
  not part of it: "President Yoon on the 10th said", "the ministry in a statement
  said").
* *speaker*: the resolved name. Equal to the mention except for pronouns, which are
  resolved to the most recent compatible named speaker (see `resolve_referent`;
  candidates are `Referent`s, mentions of the entity table's entities: quotation
  speakers, reporting-verb subjects and person-like sentence subjects).
"""

from __future__ import annotations

import re

from newscorpus.annotate.adjuncts import (
    _DETERMINERS,
    _PERSON_HEADS,
    _STOP_WORDS,
    _TOKEN_RE,
    PRONOUNS,
    _is_role,
    _last_token,
)
from newscorpus.annotate.cues import (
    _INVERTIBLE,
    _SINGLE_CUES,
    CueHit,
    find_cues,
    normalize_ws,
)
from newscorpus.annotate.persons import is_person_name
from newscorpus.annotate.phrases import (
    _AFTER_LEAD_RE,
    _INITIALS_RE,
    _INVERTED_LEAD_RE,
    _LEADING_ADVERBIAL,
    _THAT_OR_QUOTE_RE,
    Attribution,
    _is_cap,
    _looks_named,
    _np_before,
    _strip_token,
    _subject_mention_ok,
    _word_start,
    np_after,
    np_before,
    strip_determiner,
)
from newscorpus.annotate.words import word_set


def attribution_after(text: str, pos: int, hi: int) -> Attribution | None:
    """Attribution right after a closing mark: `,” X said` / `,” said X` / `,” according to X`.

    `pos` is just past the closing mark; `hi` bounds the search (sentence/paragraph end).
    """
    m = _AFTER_LEAD_RE.match(text, pos, hi)
    start = m.end() if m else pos
    window_end = min(hi, start + 160)
    cues = find_cues(text, start, window_end)
    if not cues:
        return None
    cue = cues[0]
    if cue.s != start:
        ended = text[pos - 2 : pos].lstrip("”\"’'")[-1:] in (".", "!", "?") or (
            pos >= 2 and text[pos - 2] in ".!?"
        )
        new_sentence = ended and text[start : start + 1].isupper()
        return _subject_first_after(text, start, cues, new_sentence)
    # verb-first inversion or "according to X"; besides the listed verbs any
    # finite reporting verb inverts in newswire (`,” scoffed X`, `,” exhorted X`)
    cue_low = normalize_ws(cue.text).casefold()
    if cue_low.replace(" ", "_") not in _INVERTIBLE and not _finite_cue(cue_low):
        return None
    np = np_after(text, cue.e, window_end)
    if np is None:
        return None
    s, e = np
    if text[s:e].casefold() in ("that", "it"):
        return None
    return _outer_source(text, Attribution(text[s:e], s, e, cue.text, cue.s, cue.e, "after"), hi)


def _outer_source(text: str, att: Attribution, hi: int) -> Attribution:
    """Nested attribution `“…” X said (…), according to Y.`: the reporting clause is
    itself attributed to Y, which is the source of record for the quotation (the
    writer only relays Y's account of what X said). Only within the same clause: no
    quotation mark or sentence end between the cue and "according to"."""
    if att.cue_end is None or att.cue is None or att.cue.casefold() == "according to":
        return att
    end = min(hi, att.cue_end + 90)
    if text.find("according to", att.cue_end, end) < 0:
        return att  # none even before the clause is cut short (the usual case)
    for ch in '.“”"!?;':
        stop = text.find(ch, att.cue_end, end)
        if stop >= 0:
            end = stop
    idx = text.find("according to", att.cue_end, end)
    if idx < 0:
        return att
    np = np_after(text, idx + len("according to"), min(hi, idx + 120))
    if np is None:
        return att
    s, e = np
    return Attribution(text[s:e], s, e, "according to", idx, idx + len("according to"), "after")


# Words that open an adjunct after a cue (`“…?” X said about the plan.`), as
# opposed to a complement clause (`X said the plan …`), which is new content.
_ADJUNCT_LEADS = word_set("adjunct_leads")


def _finite_cue(cue_low: str) -> bool:
    """A single-word past-tense or 3rd-person cue form (scoffed, exhorts), which can
    precede its subject in a quotation-final inversion."""
    return " " not in cue_low and (cue_low.endswith("ed") or cue_low.endswith("s"))


def _subject_first_after(
    text: str, start: int, cues: list[CueHit], new_sentence: bool = False
) -> Attribution | None:
    """`,” X said`: the first cue whose subject NP starts right at `start`.

    With `new_sentence` (the quotation ended a sentence and a capitalised sentence
    follows) the cue must end its clause (`“…” Smith said.`), not introduce new
    content (`“…” Smith said that …`), which belongs to another attribution.
    """
    for cue in cues[:4]:
        if new_sentence:
            rest = text[cue.e : cue.e + 60].split(".", 1)[0]
            words = rest.split()
            adjunct = bool(words) and words[0].casefold().strip(",") in _ADJUNCT_LEADS
            if (len(words) > 5 and not adjunct) or _THAT_OR_QUOTE_RE.search(rest):
                return None
        np = np_before(text, start, cue.s)
        if np is None:
            continue
        s, e = np
        lead = text[start:s].strip().casefold()
        if lead not in ("", "the", "a", "an"):
            # `,” Rep. Ahn Cheol-soo of the People Power Party said`: the person speaks,
            # the phrase after "of"/"from"/"at" says where they are from.
            member = _MEMBER_LEAD_RE.fullmatch(text, start, s)
            if member is None or not is_person_name(member.group("name")):
                continue
            s, e = member.span("name")
        att = Attribution(text[s:e], s, e, cue.text, cue.s, cue.e, "after")
        return _outer_source(text, att, len(text))
    return None


_VERBISH = word_set("verbish")
# A person's name, then where they are from: "Rep. Ahn Cheol-soo of the ", "Kim at ".
_MEMBER_LEAD_RE = re.compile(
    r"\s*(?P<name>(?:[A-Z][\w’'-]*\.?\s+){0,3}[A-Z][\w’'-]*)\s+(?:of|from|at)\s+(?:the\s+)?"
)


_REL_PRONOUNS = frozenset(("who", "which", "that"))


# Sentence adverbs/conjunctions skipped without a comma ("Perhaps young voters …").
_SENTENCE_ADVERBS = word_set("sentence_adverbs")


# Newswire dateline before the first sentence: "NEW YORK - ", "WASHINGTON — ".
_DATELINE_RE = re.compile(r"\s*[A-Z][A-Z.]+(?:[ ,]+[A-Z][A-Za-z.]*){0,3}\s+[-—–]+\s+")


_PARTICIPLE_STOPS = _STOP_WORDS - {"that", "by", "at"}


# Prepositions that continue a sentence-initial participle ("Reading from …"); after a
# short -ing word they may follow a name instead ("King in …"), hence the length test.
_PARTICIPLE_PREPOSITIONS = frozenset(("from", "in", "on", "with", "to", "into", "through"))


def _opens_participial(word: str, nxt: str) -> bool:
    """A capitalised sentence-initial participle or manner adverb opens an adverbial
    phrase, not the subject: "Citing …, Will urged", "Led by …, the rally",
    "Hastily politicizing …, Trump cast". The next word must continue the phrase
    (lowercase, not a finite verb), so names like "Beijing warned" or "Kelly said"
    are not taken for participles."""
    low = word.casefold()
    if not word[:1].isupper() or not nxt[:1].islower():
        return False
    nlow = nxt.casefold()
    if nlow in _PARTICIPLE_PREPOSITIONS and low.endswith("ing") and len(low) > 6:
        return True  # "Reading from a prepared text, Carson …", "Writing in the Post, …"
    if nlow in _SINGLE_CUES or nlow in _VERBISH or nlow in _PARTICIPLE_STOPS:
        return False
    if low.endswith("ly") and len(low) > 4:
        return nlow.endswith(("ing", "ed"))  # "Hastily politicizing"
    if low.endswith(("ing", "ed")) and len(low) > 3:
        return not nlow.endswith(("ed", "s"))
    return False


def _role_before_name(text: str, low: str, end: int, hi: int) -> bool:
    """Is `low` (a lowercase word after a capitalised one) a role between an
    organisation and a name ("Conservative co-chairman Liam Fox", "Labour leader
    Keir Starmer")? Then it belongs to the subject instead of being its verb."""
    if not (_is_role(low) or low in _PERSON_HEADS):
        return False
    following = _TOKEN_RE.search(text, end, hi)
    return following is not None and following.group()[:1].isupper()


def subject_np(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Guess the grammatical subject at the start of the sentence text[lo:hi].

    Skips a leading adverbial phrase ("On Tuesday, …", "But …") and takes the noun
    phrase up to the first verb-like word. Used for participial cues (", saying …")
    and for quotes embedded in a sentence without a recognised cue.
    """
    pos = lo
    dateline = _DATELINE_RE.match(text, lo, hi)
    if dateline is not None:
        pos = dateline.end()  # "NEW YORK - Trump …"
    for _ in range(3):
        m = _TOKEN_RE.search(text, pos, hi)
        if m is None:
            return None
        first = _strip_token(m.group())
        nxt = _TOKEN_RE.search(text, m.end(), hi)
        following = nxt.group() if nxt is not None else ""
        if first in _LEADING_ADVERBIAL or _opens_participial(m.group(), following):
            comma = text.find(",", m.end(), hi)
            if first in _SENTENCE_ADVERBS:
                pos = m.end()
            elif comma >= 0 and comma - pos < 80:
                pos = comma + 1
            else:
                return None
            if nxt is None:
                return None
            continue
        break
    count = 0  # tokens chosen
    first_s = last_s = last_e = 0  # the first chosen token's start, the last one's span
    last_cap = False  # does the last chosen token start with a capital or digit?
    prev_end = pos  # end of the last chosen (or skipped) token
    for m in _TOKEN_RE.finditer(text, pos, hi):
        ms, me = m.span()
        if text[prev_end:ms].strip():
            break
        word = m.group()
        low = word.rstrip(".").casefold()
        if not count and not any(ch.isalnum() for ch in low):
            # a full stop left of the sentence ('… records". Mr Beith urged') or a
            # list bullet ("- People coming …"): the sentence starts after it
            prev_end = me
            continue
        if not count and low in PRONOUNS:
            return ms, me
        if low in _DETERMINERS and not count:
            prev_end = me
            continue
        if low in _STOP_WORDS or low in _VERBISH or low in _REL_PRONOUNS:
            break
        cap = word[0].isupper() or word[0].isdigit()
        if not cap and (word.casefold() in _SINGLE_CUES or low.endswith("ed")):
            break
        if not cap and count and last_cap and not _role_before_name(text, low, me, hi):
            break  # a lowercase word after a name is the verb ("Trump mocked")
        if not count:
            first_s = _word_start(text, ms, me)
        last_s, last_e, last_cap, prev_end = ms, me, cap, me
        count += 1
        if count > 8:
            return None
    if not count:
        return None
    s, e = first_s, last_e
    if text[e - 1] == "." and not _INITIALS_RE.fullmatch(text, last_s, e):
        e -= 1
    return (s, e) if _subject_mention_ok(text[s:e]) else None


def _att(text: str, span: tuple[int, int], cue: CueHit | None, kind: str) -> Attribution:
    s, e = span
    if cue is None:
        return Attribution(text[s:e], s, e, None, None, None, kind)
    return Attribution(text[s:e], s, e, cue.text, cue.s, cue.e, kind)


# Cues whose object is the one spoken to, never the speaker.
_ADDRESSEE_CUES = frozenset(("told", "tell", "tells", "telling"))
# Conjunctions that may open a sentence before its subject.
_CONJUNCTIONS = frozenset(("and", "but", "so", "yet"))


def _leftmost_np(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """`X, appositive, said`: the first comma-delimited chunk that is a named NP."""
    pos = lo
    for _ in range(3):
        comma = text.find(",", pos, hi)
        if comma < 0:
            return None
        chunk = text[pos:comma].strip()
        words = chunk.split()
        if len(words) > 1 and words[0].casefold() in _CONJUNCTIONS:
            # "And David Frost, director of …, said": the conjunction opens the sentence
            pos = text.index(words[1], text.index(words[0], pos) + len(words[0]))
            words = words[1:]
        if words and _strip_token(words[0]) not in _LEADING_ADVERBIAL and len(words) <= 8:
            np = np_before(text, pos, comma)
            if np is not None and _looks_named(text[np[0] : np[1]]):
                return np
        pos = comma + 1
    return None


def attribution_before(text: str, lo: int, open_pos: int) -> Attribution | None:
    """Attribution in the same sentence before the opening mark.

    Covers `X said, “…”`, `X said that … “…”`, `X told reporters: “…”`,
    `According to X, “…”`, `Continued X: “…”`, `X, who …, said “…”`, participles
    (`X did Y, saying “…”` → the sentence subject) and relative `who said`.
    `lo` is the sentence start (or the end of the previous quotation in the same
    sentence).
    """
    for cue in reversed(find_cues(text, lo, open_pos)):
        att = attribution_before_cue(text, lo, open_pos, cue)
        if att is not None:
            return att
    return None


def attribution_before_cue(text: str, lo: int, open_pos: int, cue: CueHit) -> Attribution | None:
    """`attribution_before` for one cue of text[lo:open_pos] (the last one it tries).

    None only for an "according to" without a phrase after it (`attribution_before`
    then tries the cue before); any other cue yields an attribution, perhaps without a
    mention. A caller that already knows the window's last cue (and that it is not
    "according to") saves finding the cues again.
    """
    cue_low = normalize_ws(cue.text).casefold()
    if cue_low == "according to":
        np = np_after(text, cue.e, open_pos)
        if np is None:
            return None
        return _att(text, np, cue, "before")
    if cue_low.endswith("ing"):
        # absolute construction ("with X telling reporters …"): X speaks
        np = np_before(text, lo, cue.s)
        if np is not None:
            w = _last_token(text, lo, np[0])
            if w is not None and text[w[0] : w[1]].casefold() == "with":
                return _att(text, np, cue, "before")
        # participle (", saying …"): the sentence subject speaks; if there is none
        # in reach the quotation continues the current speaker
        subj = subject_np(text, lo, cue.s)
        if subj is not None:
            return _att(text, subj, cue, "before")
        return Attribution(None, None, None, cue.text, cue.s, cue.e, "before")
    # relative clause: "the mayor, who said …" -> mention "who"
    last = _last_token(text, lo, cue.s)
    if last is not None and text[last[0] : last[1]].casefold() in ("who", "which"):
        return _att(text, last, cue, "before")
    np = _np_before(text, lo, cue.s, 8, last)  # = np_before(text, lo, cue.s)
    if np is None:
        np = _leftmost_np(text, lo, cue.s)
    if (
        np is None
        and cue_low not in _ADDRESSEE_CUES
        and _INVERTED_LEAD_RE.fullmatch(text, cue.e, open_pos)
    ):
        # inverted: "Continued Stone: “…”", "explained CBS moderator X: “…”"; never
        # after "told": "told BBC News: “…”" names who heard it
        np = np_after(text, cue.e, open_pos)
        if np is not None and not _looks_named(text[np[0] : np[1]]):
            np = None
    if np is None:
        subj = subject_np(text, lo, cue.s)
        if subj is not None and text[lo : cue.s].rstrip().endswith(","):
            return _att(text, subj, cue, "before")
        # cue with no subject in reach ("and added, “…”"): inherits the speaker
        return Attribution(None, None, None, cue.text, cue.s, cue.e, "before")
    return _att(text, np, cue, "before")


def antecedent(text: str, lo: int, rel_start: int) -> str | None:
    """Antecedent of a relative pronoun: the named NP before ", who"."""
    head = text[lo:rel_start].rstrip()
    if not head.endswith(","):
        return None
    np = np_before(text, lo, lo + len(head) - 1)
    if np is None:
        np = _leftmost_np(text, lo, lo + len(head))
    return text[np[0] : np[1]] if np is not None else None


_COLON_RE = re.compile(r"\s*:\s*$")


def attribution_colon(text: str, lo: int, open_pos: int) -> Attribution | None:
    """Headline / label form `China: ‘We will never …’` (capitalised short NP, colon)."""
    seg = text[lo:open_pos]
    if not seg.rstrip().endswith(":"):
        return None  # `_COLON_RE` (tried from every position) cannot match
    m = _COLON_RE.search(seg)
    if not m:
        return None
    name_end = lo + m.start()
    name_start = lo + (len(seg) - len(seg.lstrip()))
    name = text[name_start:name_end]
    words = name.split()
    if not 1 <= len(words) <= 6:
        return None
    ok_small = {"of", "the", "and", "for", "on"}
    if not all(_is_cap(w) or w in ok_small for w in words) or not _is_cap(words[0]):
        return None
    s, e = strip_determiner(text, name_start, name_end)
    return Attribution(text[s:e], s, e, None, None, None, "colon")
