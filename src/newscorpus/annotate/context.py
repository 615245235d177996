"""Where a quotation's attribution is found around it: its own sentence, a trailing
cue, a dash signature, the sentence or paragraph before; and the named referents of
the discourse that a pronoun may take.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from newscorpus.annotate.attribution import (
    antecedent,
    attribution_after,
    attribution_before,
    attribution_before_cue,
    attribution_colon,
    subject_np,
)
from newscorpus.annotate.cues import (
    CueHit,
    Ranges,
    find_cues,
    has_reporting_word,
    normalize_ws,
)
from newscorpus.annotate.entity_table import EntityTable
from newscorpus.annotate.marks import (
    _NON_APOSTROPHE_MARKS,
    _mlen,
    _Span,
)
from newscorpus.annotate.persons import (
    REPORT_FORMS,
    Referent,
    is_bare_role,
    name_gender,
    person_core,
    person_parts,
    table_referent,
)
from newscorpus.annotate.phrases import (
    Attribution,
    is_pronoun,
    np_after,
)
from newscorpus.annotate.sentences import (
    _MAX_SENTENCE_CHARS,
    _sentence_end,
    _sentence_start,
    _sentences,
)
from newscorpus.annotate.words import word_set


def _paragraph_of(text: str, pos: int) -> tuple[int, int]:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return lo, (len(text) if hi < 0 else hi)


def _own_attribution(
    text: str, spans: list[_Span], idx: int, plo: int, phi: int, lo: int
) -> Attribution | None:
    """Attribution found in the quotation's own sentence (after, before or colon form)."""
    sp = spans[idx]
    if sp.close_pos >= 0:
        after_start = sp.close_pos + (2 if text.startswith("''", sp.close_pos) else 1)
        nxt_open = spans[idx + 1].open_pos if idx + 1 < len(spans) else len(text)
        after_hi = _sentences(text).end(after_start, phi, min(phi, nxt_open))
        att = attribution_after(text, after_start, after_hi)
        if att is not None:
            return att
    sent_lo = _sentence_start(text, lo, sp.open_pos)
    before = attribution_before(text, sent_lo, sp.open_pos)
    if before is None:
        before = attribution_colon(text, sent_lo, sp.open_pos)
    return before


_CLAUSE_COMMA_RE = re.compile(r",[”’\"']*\s")


_TRAIL_BLOCK_RE = re.compile(r"\bthat\b|[“”\"‘]")


def _trailing_attribution(text: str, pos: int, hi: int) -> Attribution | None:
    """A sentence-final attribution clause after `pos`: `…, X said [adjuncts].`,
    `…, said X, title.`, `…, according to X.` The whole sentence is then reported
    speech, so a quotation anywhere in it belongs to X. The clause must close the
    sentence: nothing after the cue introduces new content ("that", a quotation)."""
    cues = find_cues(text, pos, hi)
    if not cues:
        return None
    for m in _CLAUSE_COMMA_RE.finditer(text, pos, hi):
        if not any(0 <= c.s - m.end() <= 120 for c in cues):
            continue
        att = attribution_after(text, m.end(), hi)
        if att is None or att.mention is None or att.cue_end is None:
            continue
        tail = text[max(att.cue_end, att.mention_end or 0) : hi]
        if len(tail.split()) > 16 or _TRAIL_BLOCK_RE.search(tail):
            continue
        return att
    return None


_DASH_SIG_RE = re.compile(
    r"\s*[-—–]+\s*([A-Z][\w’'.-]*(?:[ \t]+[A-Z][\w’'.-]*){0,5})(?=[,.(]|\s*$)"
)


def _dash_signature(text: str, sp: _Span, phi: int) -> Attribution | None:
    """Signature line after a quote-only paragraph: `“…”` / `-Michelle Marks, Philadelphia.`
    (letters, reader comments, collected quotations). The quotation must fill its
    paragraph, and the next paragraph must start with a dash and a capitalised name."""
    if sp.close_pos < 0 or text[sp.close_pos + _mlen(text, sp.close_pos) : phi].strip(" .\t"):
        return None
    nxt = phi
    while nxt < len(text) and text[nxt].isspace():
        nxt += 1
    if nxt - phi > 3 or nxt >= len(text) or text[nxt] not in "-—–":
        return None
    m = _DASH_SIG_RE.match(text, nxt - 1 if nxt > 0 else nxt)
    if m is None:
        return None
    name = m.group(1).rstrip(".")
    s = m.start(1)
    return Attribution(name, s, s + len(name), None, None, None, "signature")


def _previous_paragraph_speaker(text: str, plo: int) -> Attribution | None:
    """For a paragraph that opens with an unattributed quotation: the speaker of a
    reporting verb in the last sentence of the paragraph right before it (`Coan
    argues that his client never encouraged violence.` / `“…”`). News style
    introduces a speaker and then gives the quotation its own paragraph."""
    end = plo
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end <= 0 or text.count("\n", end, plo) > 2:
        return None
    pplo = text.rfind("\n", 0, end) + 1
    s_lo = _sentence_start(text, pplo, end - 1)
    if any(ch in text[s_lo:end] for ch in '“”"«»'):
        return None  # a quotation there was already considered
    att = attribution_before(text, s_lo, end)
    if att is None or att.mention is None or att.cue is None:
        return None
    return att


def _licensed(text: str, sp: _Span, sent_lo: int, skip: Ranges) -> bool:
    """A term-shaped quotation is speech when its clause reports someone's words:
    a reporting/characterising verb earlier in its sentence (outside other
    quotations), `he called her “weak”`, `said the plan was “a disaster”`."""
    return has_reporting_word(text, sent_lo, sp.open_pos, skip)


_SENTENCE_FINAL_RE = re.compile(r"[.!?…]['’\"”]?\s*$")


def _whole_sentence(text: str, sp: _Span, sent_lo: int, para_lo: int) -> bool:
    """A short quotation that is a sentence of its own after others in its paragraph:
    `“No,” he said. “Never.”`.

    It opens its sentence, starts with a capital and ends with sentence-final
    punctuation inside the marks: speech continuing the speaker in context (a term or
    a scare quote sits inside someone else's sentence), not a term. One that opens its
    paragraph is left out: alone, it is as often a quoted section heading or a crowd's
    reply as the last speaker's words.
    """
    if sp.close_pos < 0 or text[sent_lo : sp.open_pos].strip():
        return False
    if not text[para_lo : sp.open_pos].strip():
        return False
    quoted = text[sp.start : sp.end].strip()
    return quoted[:1].isupper() and _SENTENCE_FINAL_RE.search(quoted) is not None


_TITLE_CONTEXT = word_set("title_context")


def _title_context(text: str, open_pos: int) -> bool:
    """Is the word before an opening mark one that introduces a title or a name
    (`NBC's “Today”`, `on “Meet the Press”`, `the book “…”`)?"""
    before = text[max(0, open_pos - 24) : open_pos].rstrip()
    if before.endswith(("’s", "'s", "s’", "s'")):
        return True
    words = before.split()
    return bool(words) and words[-1].lower().strip(",") in _TITLE_CONTEXT


# Cues that report someone's words (not "called", "wrote about" ...): a quotation
# standing alone after such a sentence continues its speaker.
_SPEECH_CUES = word_set("speech_cues")


# Double quotation marks (single ones double as apostrophes).
_DOUBLE_MARK_RE = re.compile('["“”«»„]')


# One of them in a sentence, found before looking for its attribution.
_SPEECH_CUE_RE = re.compile(r"(?i)\b(?:" + "|".join(sorted(_SPEECH_CUES)) + r")\b")


def _previous_sentence_attribution(
    text: str, plo: int, open_pos: int, lo: int
) -> Attribution | None:
    """Attribution in the sentence before the quotation (same paragraph), or in a
    previous paragraph that ends with a colon ("Mr. X said:")."""
    sent_lo = _sentence_start(text, plo, open_pos)
    if sent_lo > plo:
        prev_lo = _sentence_start(text, plo, sent_lo - 1)
        seg_end = sent_lo
        while seg_end > prev_lo and text[seg_end - 1].isspace():
            seg_end -= 1
        if text[seg_end - 1 : seg_end] == ":":
            prev = attribution_before(text, max(prev_lo, lo), seg_end)
            if prev is not None and prev.mention is not None:
                return prev
            return None
        # "Kim said the economy would recover. “We are confident.”": a quotation
        # that is a sentence of its own continues the speaker whose words the
        # sentence before it reports, through a speech verb ("said", "told").
        if (
            not text[sent_lo:open_pos].strip()
            and _SPEECH_CUE_RE.search(text, max(prev_lo, lo), seg_end) is not None
        ):
            prev = attribution_before(text, max(prev_lo, lo), seg_end)
            # The cue must frame the sentence, not sit in someone's quoted words:
            # '“I stumbled but my experience told through. “I still feel …”' is no
            # report, 'Wenger said: “Freddie is an option. “I have to decide …”' is.
            mark = _DOUBLE_MARK_RE.search(text, max(prev_lo, lo), seg_end)
            if (
                prev is not None
                and prev.mention is not None
                and prev.cue is not None
                and prev.cue.casefold() in _SPEECH_CUES
                and (mark is None or (prev.cue_start or 0) < mark.start())
            ):
                return prev
        return None
    prev_end = plo
    while prev_end > 0 and text[prev_end - 1].isspace():
        prev_end -= 1
    if prev_end > 0 and text[prev_end - 1] == ":":
        pplo, _ = _paragraph_of(text, prev_end - 1)
        s_lo = _sentence_start(text, pplo, prev_end - 1)
        prev = attribution_before(text, s_lo, prev_end)
        if prev is None:
            prev = attribution_colon(text, s_lo, prev_end)
        if prev is None:
            # "The president was blunt:" — the subject introduces the quotation
            subj = subject_np(text, s_lo, prev_end - 1)
            if subj is not None:
                prev = Attribution(
                    text[subj[0] : subj[1]], subj[0], subj[1], None, None, None, "subject"
                )
        if prev is not None and prev.mention is not None:
            return prev
    return None


# How far back (characters) a plain sentence subject may be for a pronoun speaker.
_SUBJECT_REACH = 400


# How far back (characters) reporting clauses are searched when no quotation speaker
# fits the pronoun.
_DISCOURSE_REACH = 1000


# At most this many sentences before a pronoun speaker are searched for a referent.
_SENTENCES_BACK = 4


_PREP_AFTER_RE = re.compile(r"\s+(?:of|from|at|for|with)\s")


# "X said she …" / "X said it …": the pronoun right after the cue tells X's kind
_PRONOUN_AFTER_RE = re.compile(r"\s+(?:that\s+)?(he|she|it|they)\b")


# an appositive name after a role: "The Federal Privacy Commissioner, Malcolm Crompton,"
_APPOSITIVE_NAME_RE = re.compile(r",\s*([A-Z][\w’'.-]*(?:\s+[A-Za-z][\w’'.-]*){0,3}),")


_HONORIFIC_FORMS = word_set("honorific_forms")


_PRONOUN_SUBJECTS = word_set("pronoun_subjects")


_TELL_CUES = frozenset(("told", "tell", "tells", "according to"))


_OPENERS = word_set("openers")


def _names_before(text: str, lo: int, hi: int) -> bool:
    """Does text[lo:hi] (a sentence start) hold a capitalised word other than an
    opening determiner or conjunction ("The company said" has none)?"""
    seg = text[lo:hi]
    first, _, rest = seg.partition(" ")
    if first.casefold() in _OPENERS:
        seg = rest
    return seg != seg.lower()


def _sentence_starts(text: str, lo: int, hi: int) -> list[int]:
    """Start offsets of the sentences (and lines) of text[lo:hi], ascending; `lo` must
    be a sentence start. (The pronoun search needs only the last few, and reads them
    with `_last_sentence_starts`; this is their plain definition.)"""
    starts = [lo, *_sentences(text).starts_in(lo, hi)]
    i = text.find("\n", lo, hi)
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1, hi)
    return sorted(set(starts))


def _last_sentence_starts(text: str, lo: int, hi: int, count: int) -> list[int]:
    """The last `count` of `_sentence_starts(text, lo, hi)`: the last `count` of its
    sentence ends and of its line starts are enough to know them."""
    starts = [lo, *_sentences(text).last_starts_in(lo, hi, count)]
    i = text.rfind("\n", lo, hi)
    for _ in range(count):
        if i < 0:
            break
        starts.append(i + 1)
        i = text.rfind("\n", lo, i)
    return sorted(set(starts))[-count:]


def _appositive_name(text: str, end: int, hi: int) -> tuple[int, int] | None:
    """`<role>, Name Surname,` right after a subject phrase ending at `end`: the name."""
    m = _APPOSITIVE_NAME_RE.match(text, end, hi)
    if m is None or person_core(m.group(1), text) != normalize_ws(m.group(1)):
        return None
    return m.start(1), m.end(1)


# Where a referent is named and what the words there say of it: (mention, offset, gender
# the sentence gives, person: True when the words read as a person's name, False when
# they do not, None when "X says it …" makes X a thing).
_Named = tuple[str, int, str, bool | None]


def _report_referent(
    text: str, cue: CueHit, cue_low: str, sent_lo: int, sent_hi: int
) -> _Named | None:
    """The speaker introduced by a reporting verb outside quotations (`Gambill said
    the win …`, `according to X`), as a referent for later pronoun speakers.

    `cue` is one of `find_cues(text, sent_lo, sent_hi)`."""
    cue_start, cue_end = cue.s, cue.e
    if cue_low == "according to":
        np = np_after(text, cue_end, sent_hi)
        if np is None:
            return None
        s, e = np
    else:
        prev = text[max(sent_lo, cue_start - 4) : cue_start].split()
        if prev and prev[-1].casefold() == "to":
            return None  # "refused to say": no reporting
        # = attribution_before(text, sent_lo, cue_end): `cue` is the last cue of that
        # window (a later one would start inside it, and no cue word continues a
        # two-word cue), and it is not "according to", so only it is tried
        att = attribution_before_cue(text, sent_lo, cue_end, cue)
        if att is None or att.mention is None or att.mention_start is None:
            return None
        s, e = att.mention_start, att.mention_end or att.mention_start
        if att.mention.casefold() in ("who", "which"):
            head = antecedent(text, sent_lo, s)
            if head is None:
                return None
            return _named(text, head, s, "")
        before = text[max(sent_lo, s - 6) : s].split()
        if before and before[-1].casefold() in ("in", "of", "at", "from", "for", "on", "by"):
            return None  # "An Iraqi defector living in Australia claims": not the subject
    mention = text[s:e]
    if is_pronoun(mention):
        return None
    kind = ""
    if cue_low not in _TELL_CUES:
        g = _PRONOUN_AFTER_RE.match(text, cue_end, sent_hi)
        if g is not None:
            kind = {"he": "m", "she": "f"}.get(g.group(1), "o")  # "Seles said she had …"
    if kind == "o":
        return (mention, s, "", None)  # "Pakistan says it will …"
    parts = person_parts(mention, text)
    if parts is None or not parts[1] or is_bare_role(parts[0]):
        apposed = _appositive_name(text, e, cue_start + 1)
        if apposed is not None:
            return _named(text, text[apposed[0] : apposed[1]], s, kind)
    if parts is None and cue_low != "according to":
        # "Chuck Hagel of the Foreign Relations Committee says": the sentence subject
        subj = subject_np(text, sent_lo, cue_start)
        if (
            subj is not None
            and subj[1] <= s
            and _PREP_AFTER_RE.match(text, subj[1], s + 1)
            and person_core(text[subj[0] : subj[1]], text) is not None
        ):
            s, e = subj
            mention = text[s:e]
    return _named(text, mention, s, kind)


def _named(text: str, mention: str, pos: int, gender: str) -> _Named:
    """A referent's mention: the person's core name when the words read as a person
    (`person_core`), else the words as they stand, a non-person."""
    core = person_core(mention, text)
    gender = gender or name_gender(mention)
    return (mention, pos, gender, False) if core is None else (core, pos, gender, True)


class _Discourse:
    """Mentions of the entity table's entities outside quotations that a pronoun
    speaker may refer to (who each is, the table says; where, this class): subjects
    of reporting verbs (kind "report") and person-like proper names opening a plain
    sentence (kind "subject"; only with a sign of a person: a title or role word, a
    descriptor before the name, or the surname used with Mr/Ms/Dr… in the text).

    Found on demand, sentence by sentence, only in the stretch of text a pronoun can
    reach, and cached per sentence start (the common article needs a few sentences)."""

    __slots__ = ("_cache", "_number", "_opens", "_quoted", "_table", "_text", "_titled")

    def __init__(self, text: str, spans: list[_Span], table: EntityTable, number: int) -> None:
        self._text = text
        self._table = table  # the article's entity table: who each referent is
        self._number = number  # the index of `text` among the article's texts
        self._quoted = sorted(
            (
                sp.open_pos,
                sp.close_pos if sp.close_pos >= 0 else _paragraph_of(text, sp.open_pos)[1],
            )
            for sp in spans
        )
        self._opens = [a for a, _ in self._quoted]
        # sentence start -> its referents, or its end while they are not needed yet
        self._cache: dict[int, list[Referent] | int] = {}
        self._titled: dict[str, bool] = {}  # surname -> used with Mr/Ms/Dr… in the text

    def _honorific(self, surname: str) -> bool:
        """Is `surname` used with Mr/Mrs/Ms/Dr… somewhere in the text?"""
        known = self._titled.get(surname)
        if known is None:
            text = self._text
            known = False
            i = text.find(" " + surname)
            while i >= 0 and not known:
                j = text.rfind(" ", 0, i) + 1
                known = text[j:i] in _HONORIFIC_FORMS
                i = text.find(" " + surname, i + 1)
            self._titled[surname] = known
        return known

    def _referent(
        self, mention: str, pos: int, kind: str, gender: str, person: bool, thing: bool = False
    ) -> Referent:
        return table_referent(
            self._table, self._number, self._text, mention, pos, kind, gender, person, thing
        )

    def _known(self, surname: str) -> bool:
        """Is `surname` a person's: used with Mr/Ms/Dr… in the text, or the surname of
        a person the entity table holds ("Ljubicic" after "Ivan Ljubicic")?"""
        return self._honorific(surname) or bool(self._table.people(surname))

    def _in_quote(self, pos: int) -> bool:
        k = bisect.bisect_right(self._opens, pos) - 1
        return k >= 0 and pos <= self._quoted[k][1]

    def sentences_back(self, lo: int, hi: int) -> Iterator[list[Referent]]:
        """Referents of each sentence overlapping text[lo:hi], nearest `hi` first.

        Each sentence's extent is fixed (and cached) now, by the first call that
        reaches it; its referents are found only when the caller gets that far."""
        text = self._text
        cache = self._cache
        # Not before the paragraph, nor a sentence's length before `lo`: in a paragraph
        # with no sentence ends (bad input) the paragraph start is arbitrarily far away.
        plo = max(text.rfind("\n", 0, lo) + 1, lo - _MAX_SENTENCE_CHARS)
        starts = _last_sentence_starts(text, _sentence_start(text, plo, lo), hi, _SENTENCES_BACK)
        picked: list[int] = []
        for k in range(len(starts) - 1, max(-1, len(starts) - 1 - _SENTENCES_BACK), -1):
            a = starts[k]
            picked.append(a)
            if a not in cache:
                if k + 1 < len(starts):
                    b = starts[k + 1]
                else:
                    # A sentence ends at its line; the cap keeps the work per sentence
                    # bounded on text with no sentence ends at all (bad input).
                    line_end = text.find("\n", a)
                    limit = min(len(text) if line_end < 0 else line_end, a + _MAX_SENTENCE_CHARS)
                    b = _sentence_end(text, a, limit)
                cache[a] = b
        return self._referents(picked)

    def _referents(self, picked: list[int]) -> Iterator[list[Referent]]:
        cache = self._cache
        for a in picked:
            refs = cache[a]
            if isinstance(refs, int):
                refs = self._sentence(a, refs)
                cache[a] = refs
            yield refs

    def _sentence(self, lo: int, hi: int) -> list[Referent]:
        text = self._text
        out: list[Referent] = []
        taken: set[int] = set()
        for cue in find_cues(text, lo, hi):
            low = cue.text.casefold()
            if " " in low:
                low = normalize_ws(low)
            if low not in REPORT_FORMS or self._in_quote(cue.s):
                continue
            prev = text[max(lo, cue.s - 12) : cue.s].split()[-2:]
            if prev and (
                prev[-1].casefold() in _PRONOUN_SUBJECTS
                or (
                    len(prev) == 2 and prev[0].casefold() in _PRONOUN_SUBJECTS and prev[1].islower()
                )
            ):
                continue  # "he said", "she also said": no new name
            if not _names_before(text, lo, cue.s) and not low.startswith("acc"):
                continue  # "The company said": no name (they/it use quotation speakers)
            named = _report_referent(text, cue, low, lo, hi)
            if named is not None:
                mention, pos, gender, person = named
                out.append(
                    self._referent(mention, pos, "report", gender, bool(person), person is None)
                )
                taken.add(pos)
        if lo >= len(text) or text[lo] in _NON_APOSTROPHE_MARKS or self._in_quote(lo):
            return out
        head = text[lo : min(hi, lo + 60)].split()[:5]
        if not head or head[0].casefold() in _PRONOUN_SUBJECTS or not head[0][:1].isupper():
            return out
        if len([w for w in head if w[:1].isupper()]) < 2 and not self._known(head[0].rstrip(",.")):
            return out  # a lone capitalised word opening a sentence is no evidence
        subj = subject_np(text, lo, hi)
        if subj is None or subj[0] in taken:
            return out
        after = text[subj[1] : subj[1] + 40].split()
        if len(after) > 1 and after[0][:1].islower() and after[1][:1].isupper():
            return out  # "South African captain Shaun …": the subject goes on
        mention = text[subj[0] : subj[1]]
        parts = person_parts(mention, text)
        if parts is None:
            return out
        core, evidence = parts
        if evidence or self._known(core.split()[-1]):
            out.append(self._referent(core, subj[0], "subject", name_gender(mention), True))
            out.sort(key=lambda r: r.pos)
        return out
