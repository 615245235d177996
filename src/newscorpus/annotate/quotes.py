"""Direct-quotation extraction: find quoted speech in plain text with exact offsets.

Design (rule based, standard library only, pure functions):

* **Marks.** Curly double “…”, straight double "…", two straight singles ''…'' (the
  NYT feed's double mark), guillemets «…», low-9 „…”, and
  single ‘…’ / '…'. The right single mark ’ and the straight ' double as apostrophes;
  a mark between two word characters (China’s, don't) is always an apostrophe, and a
  word-final one (States’, Jones') closes a quotation only when a single quotation is
  actually open. A leading ’/' before a digit or an elision ('90s, 'em) is an apostrophe.
* **Nesting.** Only outermost quotations are returned; ‘…’ inside “…” stays part of
  the outer text.
* **Boundaries.** A quotation never crosses a blank line ("\n\n") or a line break,
  except (a) a hard-wrapped line whose continuation line closes the quotation, and
  (b) newswire multi-paragraph quotations: an opening mark left unclosed at the end of
  a paragraph whose next paragraph starts with an opening mark. For (b) **one
  quotation per paragraph** is emitted, all sharing one speaker.
* **Stray marks.** An opening mark left unclosed at a paragraph end (and not followed
  by a continuation paragraph) is dropped, and scanning resumes after it, so a stray
  mark never swallows the rest of the text and never yields a quotation itself.
* **Text.** `Quote.text` is the content without the enclosing marks, trimmed of
  surrounding whitespace; `text == source[start:end]`.
* **Speech vs terms.** A quotation is kept when it has a cue in its own sentence
  (`“No,” he said.`, `X said that … “…”`, headline `X: ‘…’`) or when it does not look
  like a term (`looks_like_term`: a few words, not a sentence). Scare quotes and titles
  (`the ‘one China’ principle`, `a ‘counterpart’`) are therefore left out, and so are
  Title-Case titles (`looks_like_title`: NBC's “Meet the Press”) unless a cue follows
  the closing mark. Marks inside markup tags (`<tweet author="…">`) are ignored.
  A term-shaped fragment is nevertheless a partial direct quotation (kept) when its
  sentence reports someone's words: a reporting, naming or judging verb earlier in
  the sentence outside other quotations (`Bush tweeted that Trump is a “loser,” a
  “liar” and a “whiner”`, `called Rubio “Little Marco”`, `blamed it on a “disturbed
  person”`), or a sentence-final attribution clause (`… a “mistake” …, Comey said.`),
  and so is a short quoted sentence of its own after others in its paragraph, when
  a speaker is in context (`“No,” he said. “Never.”`; `_whole_sentence`).
  A licensed Title-Case fragment is still dropped right after a possessive, a
  preposition or a determiner (`told NBC's “Today”`, `on “Meet the Press”`).
* **Speakers.** See `newscorpus.annotate.attribution`. Order of preference: a cue in the
  quotation's own sentence (after the closing mark, then before the opening mark,
  then the headline `X: ‘…’` form); the multi-paragraph group; the previous quotation
  in the same paragraph (`“…,” X said. “…”`); for a quote-only paragraph, the last
  attributed quotation of the paragraph right before; the subject of the quotation's
  own sentence (`Kasich resisted: “…”`); a colon-ended previous sentence/paragraph,
  or, for a quotation that is a sentence of its own, a previous sentence in the
  paragraph that reports speech (`Kim said the economy would recover. “…”`, the cue
  outside quotation marks); a sentence-final attribution clause (`“…” if she lost,
  said X, an analyst.`); a dash signature on the next line after a quote-only
  paragraph (`-Michelle Marks, Philadelphia.`); for a paragraph opening with an
  unattributed quotation, a reporting verb's subject in the last sentence of the
  paragraph right before.
  Inherited mention/cue offsets point at the mention/cue that attributes the quote.
  Pronouns: see `entities` (he/she scored among the entity table's persons; it/they an
  organisation or a document). Every speaker then resolves through the table
  (`speakers.resolve_speakers`); a surface pronoun stays in `speaker_mention`.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

from newscorpus.annotate.attribution import (
    antecedent,
    subject_np,
)
from newscorpus.annotate.context import (
    _DISCOURSE_REACH,
    _SUBJECT_REACH,
    _dash_signature,
    _Discourse,
    _licensed,
    _own_attribution,
    _paragraph_of,
    _previous_paragraph_speaker,
    _previous_sentence_attribution,
    _title_context,
    _trailing_attribution,
    _whole_sentence,
)
from newscorpus.annotate.cues import (
    Ranges,
)
from newscorpus.annotate.entities import (
    is_not_person,
    latest_document,
    pronoun_candidates,
    score_pronoun,
)
from newscorpus.annotate.entity_table import (
    Entity,
    EntityTable,
    Mention,
    build_table,
)
from newscorpus.annotate.index import ArticleIndex
from newscorpus.annotate.marks import (
    _mlen,
    _Span,
    find_quote_spans,
    looks_like_term,
    looks_like_title,
)
from newscorpus.annotate.names import PERSON
from newscorpus.annotate.persons import (
    Referent,
    choose_referent,
    is_person_name,
    learn_genders,
    person_core,
    resolve_referent,
    table_referent,
)
from newscorpus.annotate.phrases import (
    Attribution,
    is_pronoun,
)
from newscorpus.annotate.sentences import (
    _sentence_end,
    _sentence_start,
)
from newscorpus.annotate.speakers import resolve_speakers


@dataclass(frozen=True, slots=True)
class Quote:
    """One direct quotation found in a text, with offsets into that text.

    `text == source[start:end]` is the quoted content *without* the enclosing marks.
    Speaker and cue offsets, when present, slice the same source text likewise.
    """

    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_mention: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    # How the speaker was found: the attribution pattern (`cue_after`, `same_paragraph`,
    # … see `PATTERNS`) and how the mention became `speaker` (`as_written`, `pronoun`,
    # `relative`; then the entity-table step that linked it, see `speakers`).
    speaker_pattern: str | None = None
    speaker_resolution: str | None = None

    def with_speaker(self, speaker: str | None, resolution: str | None) -> Quote:
        """This quotation with `speaker` and `speaker_resolution` replaced: what
        `dataclasses.replace` makes, at a fraction of its cost (`_make_quote`'s slot
        setters; speaker resolution rebuilds nearly every quotation)."""
        q: Quote = _new_object(Quote)
        for set_field, value in zip(_SETTERS, _VALUES(self), strict=True):
            set_field(q, value)
        _SET_SPEAKER(q, speaker)
        _SET_RESOLUTION(q, resolution)
        return q


# The attribution patterns a quotation's speaker can come from, in the order tried.
PATTERNS = (
    "cue_after",  # “…,” X said / said X
    "cue_before",  # X said, “…”
    "colon",  # X: “…”
    "bare_cue_continues",  # and added, “…”: the current speaker
    "continued_quotation",  # a quotation running over paragraphs
    "same_paragraph",  # the paragraph's speaker
    "quote_paragraph_after",  # a quote-only paragraph after an attributed one
    "sentence_subject",  # Kim, visibly moved, “…”
    "previous_sentence",  # Kim said … . “…”
    "dash_signature",  # “…” — Kim
    "previous_paragraph",  # the speaker of the paragraph before
    "trailing_cue",  # … “fragment” …, X said.
)


_OWN_PATTERNS = {"after": "cue_after", "before": "cue_before", "colon": "colon"}


# The slot setters of Quote's fields, in order. A frozen dataclass's __init__ sets each
# field through object.__setattr__, which costs more than the rest of a quotation's
# bookkeeping; `_make_quote` fills the slots directly (same object, same fields).
(
    _SET_TEXT,
    _SET_START,
    _SET_END,
    _SET_SPEAKER,
    _SET_MENTION,
    _SET_MENTION_START,
    _SET_MENTION_END,
    _SET_CUE,
    _SET_CUE_START,
    _SET_CUE_END,
    _SET_PATTERN,
    _SET_RESOLUTION,
) = _SETTERS = tuple(getattr(Quote, f.name).__set__ for f in fields(Quote))
_VALUES = operator.attrgetter(*(f.name for f in fields(Quote)))  # all fields, in order


_new_object = object.__new__


def _make_quote(
    text: str,
    sp: _Span,
    speaker: str | None,
    att: Attribution | None,
    pattern: str | None = None,
    resolution: str | None = None,
) -> Quote:
    """`Quote(text[sp.start : sp.end], sp.start, sp.end, speaker, <att's mention and
    cue fields>, pattern, resolution)`, or with the defaults (None) when there is no
    attribution (a resolution only with a speaker)."""
    q: Quote = _new_object(Quote)
    _SET_TEXT(q, text[sp.start : sp.end])
    _SET_START(q, sp.start)
    _SET_END(q, sp.end)
    _SET_PATTERN(q, pattern if att is not None else None)
    _SET_RESOLUTION(q, resolution if speaker is not None else None)
    if att is None:
        _SET_SPEAKER(q, None)
        _SET_MENTION(q, None)
        _SET_MENTION_START(q, None)
        _SET_MENTION_END(q, None)
        _SET_CUE(q, None)
        _SET_CUE_START(q, None)
        _SET_CUE_END(q, None)
        return q
    _SET_SPEAKER(q, speaker)
    _SET_MENTION(q, att.mention)
    _SET_MENTION_START(q, att.mention_start)
    _SET_MENTION_END(q, att.mention_end)
    _SET_CUE(q, att.cue)
    _SET_CUE_START(q, att.cue_start)
    _SET_CUE_END(q, att.cue_end)
    return q


# Earlier quote speakers looked at when scoring a he/she's candidates.
_QUOTED_SPEAKERS = 10


class _SpeakerHistory:
    """The resolved named quotation speakers, oldest first (`entries`), indexed so that a
    pronoun's look-back costs the speakers more recent than its answer, not the whole
    history: an article of thousands of quotations once spent most of its time there.

    `latest(pos, test)` is the most recently added entry before `pos` that passes
    `test` (`persons.choose_referent`'s question). Entries are all "quote" referents,
    whose tests read only their entity and kind: entries of one entity answer alike, so
    one test per distinct speaker is enough.
    """

    __slots__ = ("_by_key", "entries")

    def __init__(self) -> None:
        self.entries: list[Referent] = []
        # (id(entity), kind) -> indexes of its entries, ascending; the dict is kept in
        # order of each key's latest entry (re-inserted on every addition).
        self._by_key: dict[tuple[int, str], list[int]] = {}

    def append(self, ref: Referent) -> None:
        """Add the speaker of the latest resolved quotation."""
        key = (id(ref.entity), ref.kind)
        indexes = self._by_key.pop(key, None) or []
        indexes.append(len(self.entries))
        self._by_key[key] = indexes
        self.entries.append(ref)

    def latest(self, pos: int, test: Callable[[Referent], bool]) -> Referent | None:
        """The latest entry (in order of addition) before offset `pos` passing `test`."""
        entries, best = self.entries, -1
        for indexes in reversed(self._by_key.values()):
            if indexes[-1] <= best:
                break  # this key and every one after it were added before the best
            if not test(entries[indexes[-1]]):
                continue
            for index in reversed(indexes):
                if index <= best:
                    break
                if entries[index].pos < pos:
                    best = index
                    break
        return entries[best] if best >= 0 else None


def extract_quotes(
    text: str,
    *,
    organisations_as_he: bool = False,
    pronoun_trace: list[tuple[int, str, list[tuple[Entity, tuple[float, ...]]]]] | None = None,
) -> list[Quote]:
    """Return the direct quotations in `text`, in order of appearance.

    See the module docstring for the rules (marks, nesting, multi-paragraph
    quotations, stray marks, scare quotes, attribution). `organisations_as_he`: a
    "he"/"she" with no person to refer to may refer to the organisation quoted last, as
    translated news writes (a source's annotation option; off by default).
    `pronoun_trace`, when a list, receives each he/she decision's candidates with their
    features (bench/fit_pronoun_weights.py learns the weights from them).
    `text` is an article of one text; `extract_article_quotes` takes all of an
    article's texts, so the headline's people are known to the body.
    """
    return extract_article_quotes(
        [text], organisations_as_he=organisations_as_he, pronoun_trace=pronoun_trace
    )[0]


def extract_article_quotes(
    texts: Sequence[str],
    *,
    organisations_as_he: bool = False,
    pronoun_trace: list[tuple[int, str, list[tuple[Entity, tuple[float, ...]]]]] | None = None,
) -> list[list[Quote]]:
    """The direct quotations of each of an article's texts (headline, sub-headlines,
    body, in that order), offsets into that text. The article is indexed once
    (`index.ArticleIndex`) and its one entity table built (`entity_table.build_table`);
    every quotation's speaker resolves through that table (`speakers.resolve_speakers`).
    """
    index = ArticleIndex(texts)  # each text with its tables, made once (`IndexedText`)
    found: list[list[Quote]] = []
    tables: list[EntityTable] = []

    def table_of() -> EntityTable:
        """The article's one entity table, built when first asked for."""
        if not tables:
            tables.append(build_table(index))
            learn_genders(tables[0])
        return tables[0]

    for number, text_index in enumerate(index.texts):
        found.append(
            _extract_quotes(text_index.text, organisations_as_he, pronoun_trace, table_of, number)
        )
    if not any(q.speaker for quotes in found for q in quotes):
        return found
    table = table_of()
    return [resolve_speakers(table, number, quotes) for number, quotes in enumerate(found)]


def _extract_quotes(
    text: str,
    organisations_as_he: bool,
    pronoun_trace: list[tuple[int, str, list[tuple[Entity, tuple[float, ...]]]]] | None,
    table_of: Callable[[], EntityTable],
    number: int,
) -> list[Quote]:
    """`extract_quotes`, leaving the text's tables behind."""
    spans = find_quote_spans(text)
    speakers = _SpeakerHistory()
    history = speakers.entries  # resolved named quotation speakers, oldest first
    discourse: _Discourse | None = None  # other named speakers, found lazily
    kept: list[tuple[_Span, Attribution | None, str | None, str | None]] = []
    resolved: dict[int, str | None] = {}  # id(attribution) -> resolved speaker
    group_att: dict[int, Attribution] = {}
    last_att: Attribution | None = None  # last attribution in the current paragraph
    prev_para_att: Attribution | None = None  # last attribution of the previous paragraph
    prev_para_end = -1
    cur_para = -1
    last_close = -1
    skip: Ranges | None = None  # closed quotation ranges, built lazily

    def _resolve_pronoun_speaker(pronoun: str, pos: int) -> Referent | None:
        nonlocal discourse
        low = pronoun.casefold()
        if low not in ("he", "she", "they", "it"):
            return None
        if discourse is None:
            discourse = _Discourse(text, spans, table_of(), number)
        # Only text after the nearest quotation speaker the pronoun could take can hold
        # a more recent referent; without one, look back `_DISCOURSE_REACH` characters.
        lo = max(0, pos - _DISCOURSE_REACH)
        found = choose_referent(
            pronoun,
            pos,
            functools.partial(speakers.latest, pos),
            _SUBJECT_REACH,
            organisations_as_he,
        )
        if found is not None and (found.person or low in ("they", "it")):
            lo = max(lo, found.pos)
        # The nearest sentence with a fitting referent wins (sentences are scanned
        # from the pronoun backwards, so usually one or two are looked at).
        chosen = found
        for refs in discourse.sentences_back(lo, pos):
            near = resolve_referent(pronoun, pos, refs, _SUBJECT_REACH, organisations_as_he)
            if near is not None:
                chosen = near
                break
        if low in ("he", "she"):
            if chosen is not None:
                chosen = chosen.as_gender("m" if low == "he" else "f")
            return _person_check(pronoun, pos, chosen)
        if low == "it":
            return _thing_check(pos, chosen)
        return chosen

    people: list[tuple[int, Entity]] | None = None

    def _people() -> list[tuple[int, Entity]]:
        """(offset, person) of the table's person mentions in this text outside quotations."""
        nonlocal people
        if people is None:
            inside = Ranges((s.open_pos, s.close_pos) for s in spans if s.close_pos >= 0)
            people = sorted(
                (m.start, e)
                for e in table_of().entities
                if e.kind == PERSON
                for m in e.mentions
                if m.field == number and m.start not in inside
            )
        return people

    named: set[int] = set()

    def _named(entity: Entity) -> bool:
        """Whether `entity` is among the persons this text names outside quotations."""
        if not named:
            named.update(id(e) for _, e in _people())
        return id(entity) in named

    def _thing_check(pos: int, chosen: Referent | None) -> Referent | None:
        """An "it" is never a person the article names: then, or when nothing was found,
        the nearest document before it ("the email", "a statement",
        `entities.latest_document`) is the speaker, or none."""
        if chosen is not None and (not chosen.person or not _named(chosen.entity)):
            return chosen
        document = latest_document(text, pos)
        if document is None:
            return None
        start, end, phrase = document
        source = table_of().add_source(phrase)
        source.add_mention(Mention(number, start, end, phrase, "source"))
        return Referent(source, start, "entity")

    def _person_check(pronoun: str, pos: int, chosen: Referent | None) -> Referent | None:
        """A he/she goes to a person of the article's entity table, the best of the
        scored candidates (`entities.pronoun_candidates`; the rules' choice is one
        feature). A person the rules chose whom the table lacks stands (a place,
        nationality or party does not); so does an organisation found above (only a
        source's `organisations_as_he` habit lets one through)."""
        if chosen is not None and not chosen.person:
            return chosen
        people = _people()
        rule_pick = None
        if chosen is not None:
            if _named(chosen.entity):
                rule_pick = chosen.entity
            elif not is_not_person(chosen.name):
                return chosen  # a person the rules found whom the text names nowhere else
        quoted = [r.entity for r in history[-_QUOTED_SPEAKERS:] if r.person and r.pos < pos]
        rule_at = chosen.pos if chosen is not None else None
        candidates = pronoun_candidates(pronoun, pos, people, text, rule_pick, quoted, rule_at)
        if pronoun_trace is not None:
            pronoun_trace.append((pos, pronoun, candidates))
        entity = score_pronoun(candidates)
        if entity is None:
            return None if rule_pick is not None else chosen
        if entity is rule_pick and chosen is not None:
            return chosen
        latest = entity.latest_before((number, pos))
        return Referent(entity, latest[1] if latest else pos, "entity")

    how: dict[int, str] = {}  # id(attribution) -> how its mention became the speaker

    def resolve(att: Attribution) -> str | None:
        key = id(att)
        if key in resolved:
            return resolved[key]
        mention = att.mention
        speaker: str | None = None
        how[key] = "as_written"
        if mention is not None and att.mention_start is not None:
            low = mention.casefold()
            if low in ("who", "which"):
                how[key] = "relative"
                plo = _paragraph_of(text, att.mention_start)[0]
                speaker = (
                    antecedent(
                        text, _sentence_start(text, plo, att.mention_start), att.mention_start
                    )
                    or mention
                )
            elif is_pronoun(mention):
                ref = _resolve_pronoun_speaker(mention, att.mention_start)
                if ref is not None:
                    speaker = ref.name
                    how[key] = "pronoun"
                    want = {"he": "m", "she": "f"}.get(mention.casefold(), "")
                    if ref.person and want and not ref.entity.gender:
                        ref.entity.gender = want  # "X …, he said": X is a man
                    speakers.append(Referent(ref.entity, att.mention_start, "quote"))
                else:
                    speaker = mention
            else:
                speaker = mention
                person = is_person_name(speaker) or person_core(speaker, text) is not None
                ref = table_referent(
                    table_of(), number, text, speaker, att.mention_start, "quote", person=person
                )
                if not history or history[-1].entity is not ref.entity:
                    speakers.append(ref)
        resolved[key] = speaker
        return speaker

    for idx, sp in enumerate(spans):
        plo, phi = _paragraph_of(text, sp.open_pos)
        if plo != cur_para:
            if cur_para >= 0:
                # remember the previous paragraph's attribution only if it is adjacent
                prev_para_att = last_att
                prev_para_end = _paragraph_of(text, cur_para)[1]
            last_att, last_close, cur_para = None, -1, plo
        lo = max(plo, last_close + 1)
        att = _own_attribution(text, spans, idx, plo, phi, lo)
        own = att is not None
        own_kind = att.kind if att is not None else ""
        pattern = _OWN_PATTERNS.get(own_kind, own_kind) if att is not None else None
        if att is not None and att.mention is None:
            # a bare cue ("and added, “…”") continues the current speaker
            att = last_att or (group_att.get(sp.group))
            pattern = "bare_cue_continues" if att is not None else None
        if att is None and sp.group in group_att:
            att, pattern = group_att[sp.group], "continued_quotation"
        if att is None and last_att is not None:
            att, pattern = last_att, "same_paragraph"
        if att is None:
            first_in_para = not text[plo : sp.open_pos].strip()
            only_blank_between = prev_para_end >= 0 and not text[prev_para_end:plo].strip()
            if first_in_para and only_blank_between and prev_para_att is not None:
                # newswire: a quote-only paragraph right after an attributed quote
                att, pattern = prev_para_att, "quote_paragraph_after"
        if att is None:
            sent_lo = _sentence_start(text, lo, sp.open_pos)
            if text[sent_lo : sp.open_pos].strip():
                subj = subject_np(text, sent_lo, sp.open_pos)
                if subj is not None:
                    att = Attribution(
                        text[subj[0] : subj[1]], subj[0], subj[1], None, None, None, "subject"
                    )
                    pattern = "sentence_subject"
        if att is None:
            att = _previous_sentence_attribution(text, plo, sp.open_pos, lo)
            pattern = "previous_sentence" if att is not None else None
        if not own and not text[plo : sp.open_pos].strip():
            sig = _dash_signature(text, sp, phi)
            if sig is not None:
                att, own, pattern = sig, True, "dash_signature"
        if att is None and not text[plo : sp.open_pos].strip():
            att = _previous_paragraph_speaker(text, plo)
            pattern = "previous_paragraph" if att is not None else None
        term = not own and looks_like_term(text[sp.start : sp.end])
        licensed = False
        if not own and (term or att is None):
            sent_lo = _sentence_start(text, plo, sp.open_pos)
            close_end = sp.close_pos + _mlen(text, sp.close_pos) if sp.close_pos >= 0 else phi
            trail = _trailing_attribution(text, close_end, _sentence_end(text, close_end, phi))
            if trail is not None:
                # `… “fragment” …, X said.`: the sentence is X's reported speech
                att, own_kind, licensed, pattern = trail, "after", True, "trailing_cue"
            elif term:
                if skip is None:
                    skip = Ranges((s.open_pos, s.close_pos) for s in spans if s.close_pos >= 0)
                licensed = _licensed(text, sp, sent_lo, skip) or (
                    att is not None and _whole_sentence(text, sp, sent_lo, plo)
                )
        if not own and term and not licensed:
            continue
        if (
            own_kind != "after"
            and looks_like_title(text, sp.start, sp.end, sp.open_pos)
            and (not (licensed or own) or _title_context(text, sp.open_pos))
        ):
            continue
        if att is not None and sp.group not in group_att:
            group_att[sp.group] = att
        kept.append((sp, att, resolve(att) if att is not None else None, pattern))
        if att is not None:
            last_att = att
        if sp.close_pos >= 0:
            last_close = sp.close_pos + (1 if text.startswith("''", sp.close_pos) else 0)
    result: list[Quote] = []
    for sp, att, speaker, pattern in kept:
        if att is None and sp.group in group_att:
            # multi-paragraph quotation attributed only in a later paragraph
            att, pattern = group_att[sp.group], "continued_quotation"
            speaker = resolve(att)
        resolution = how.get(id(att)) if att is not None else None
        result.append(_make_quote(text, sp, speaker, att, pattern, resolution))
    if not result:
        return result
    return result
