"""Comparing two published corpora: which records and quotations a rebuild changed.

`diff_records` is the pure core: two mappings `id -> (split, record)` in, a `CorpusDiff`
out. `diff_corpora` is its I/O edge: it reads two published folders (every split) and
loads in full only the records whose content differs. `CorpusDiff.to_json()` is the
machine form (`newscorpus diff --json`), `render_diff` the table people read.

Quotations are compared within one article and one field (`location` and the index
beside it, `record.rules.RULES.location`). When that field's text changed, old offsets
are first carried into the new text through a word alignment
(`diff_text.TextAlignment`), so an edit upstream of a quotation does not make every
later quotation look moved. Old and new quotations are then paired by overlapping span,
the largest overlap first, one to one.
A pair is *re-spanned* when its carried span differs from the new one, *re-attributed*
when its speaker differs (a pair can be both), and otherwise listed under *changed
quote fields* when another field differs. A record whose split differs between the
corpora is a *split move*: ids hash to their split, so a move means the split rule
changed, and it must never pass unnoticed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from newscorpus.check.diff_text import TextAlignment, sentence_around, shorten_middle
from newscorpus.record.rules import RULES
from newscorpus.record.schema import quotation_fields, quotation_offset_fields

Record = Mapping[str, Any]
# What each side of a comparison holds for one id: its split and its record.
Entry = tuple[str, Record]
# Which field a quotation's offsets index: (location, its index).
LocationKey = tuple[str, int | None]
# The quotation field with a report of its own (re-attribution); spans have theirs.
SPEAKER_FIELD = "speaker"


@cache
def quote_value_fields() -> tuple[str, ...]:
    """Quotation fields compared by value: every field of the schema's quotation but the
    offsets, the location and the speaker (which have reports of their own)."""
    location = (RULES.location.kind, RULES.location.index, SPEAKER_FIELD)
    offsets = set(quotation_offset_fields())
    return tuple(f for f in quotation_fields() if f not in offsets and f not in location)


@cache
def quote_offset_fields() -> dict[str, str]:
    """Offsets into the quotation's field, each with the value it locates (the record
    rules' spans but the quote's own): compared after carrying the old offset into the
    new text, and only while that value is unchanged (a new mention or cue sits
    elsewhere as a matter of course)."""
    own = RULES.spans[0]
    return {
        offset: span.text
        for span in RULES.spans
        if span != own
        for offset in (span.start, span.end)
    }


# Not compared whole: quotations are paired and compared one by one.
QUOTES_FIELD = "quotes"
# Rows per batch when reading Parquet (the same as `newscorpus stats`).
READ_BATCH_ROWS = 4096


@dataclass(frozen=True)
class QuoteRef:
    """One quotation of one side: where it is, what it says, who says it.

    `index` is its position in the record's `quotes` (0-based; `newscorpus show`
    numbers them from 1).
    """

    index: int
    location: str
    field_index: int | None  # the index beside `location` (which sub-headline)
    start: int
    end: int
    text: str
    speaker: str | None

    def to_json(self) -> dict[str, Any]:
        """Return the quotation as plain JSON data."""
        return {
            "index": self.index,
            "location": self.location,
            RULES.location.index: self.field_index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class QuoteChange:
    """An old quotation paired with a new one (their spans overlap) that differs.

    `changes` holds (field, old value, new value) for the fields besides span and
    speaker; `context` is the sentence around the quotation in the new text, set when
    it was re-attributed.
    """

    old: QuoteRef
    new: QuoteRef
    respanned: bool
    reattributed: bool
    changes: tuple[tuple[str, Any, Any], ...] = ()
    context: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the change as plain JSON data (speakers and context when re-attributed)."""
        shown: dict[str, Any] = {
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "changes": {name: {"old": a, "new": b} for name, a, b in self.changes},
        }
        if self.reattributed:
            shown.update(
                old_speaker=self.old.speaker, new_speaker=self.new.speaker, context=self.context
            )
        return shown


@dataclass(frozen=True)
class RecordChange:
    """What changed in one record present in both corpora.

    `fields` are the differing top-level fields besides `quotes` (sorted); quotations
    are reported one by one: added, removed, and `quotes_changed` (paired but
    different), in quote order.
    """

    id: str
    split: str
    fields: tuple[str, ...]
    quotes_added: tuple[QuoteRef, ...] = ()
    quotes_removed: tuple[QuoteRef, ...] = ()
    quotes_changed: tuple[QuoteChange, ...] = ()

    @property
    def respanned(self) -> tuple[QuoteChange, ...]:
        """The paired quotations whose span changed."""
        return tuple(c for c in self.quotes_changed if c.respanned)

    @property
    def reattributed(self) -> tuple[QuoteChange, ...]:
        """The paired quotations whose speaker changed."""
        return tuple(c for c in self.quotes_changed if c.reattributed)

    @property
    def fields_only(self) -> tuple[QuoteChange, ...]:
        """The paired quotations with the same span and speaker but other fields changed."""
        return tuple(c for c in self.quotes_changed if not (c.respanned or c.reattributed))

    def to_json(self) -> dict[str, Any]:
        """Return the change as plain JSON data (a quotation both re-spanned and
        re-attributed is in both lists)."""
        return {
            "id": self.id,
            "split": self.split,
            "fields": list(self.fields),
            "quotes_added": [q.to_json() for q in self.quotes_added],
            "quotes_removed": [q.to_json() for q in self.quotes_removed],
            "quotes_respanned": [c.to_json() for c in self.respanned],
            "quotes_reattributed": [c.to_json() for c in self.reattributed],
            "quote_fields_changed": [c.to_json() for c in self.fields_only],
        }


@dataclass(frozen=True)
class SplitMove:
    """A record id whose split differs between the corpora: always a problem."""

    id: str
    old_split: str
    new_split: str

    def to_json(self) -> dict[str, Any]:
        """Return the move as plain JSON data."""
        return {"id": self.id, "old_split": self.old_split, "new_split": self.new_split}


@dataclass(frozen=True)
class CorpusDiff:
    """Everything that differs between two corpora, ids in sorted order."""

    old_records: int
    new_records: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[RecordChange, ...] = ()
    split_moves: tuple[SplitMove, ...] = ()
    # Ledger entries per outcome (record, duplicate, rejected, excluded) of each side,
    # from the manifests; empty when the corpora were compared as records only.
    old_inputs: Mapping[str, int] = field(default_factory=dict)
    new_inputs: Mapping[str, int] = field(default_factory=dict)

    def inputs_changed(self) -> dict[str, tuple[int, int]]:
        """Return the ledger outcomes whose counts differ: outcome -> (old, new)."""
        outcomes = sorted(self.old_inputs.keys() | self.new_inputs.keys())
        pairs = {o: (self.old_inputs.get(o, 0), self.new_inputs.get(o, 0)) for o in outcomes}
        return {outcome: pair for outcome, pair in pairs.items() if pair[0] != pair[1]}

    @property
    def empty(self) -> bool:
        """True when the two corpora hold the same records in the same splits."""
        return not (self.added or self.removed or self.changed or self.split_moves)

    def summary(self) -> dict[str, int]:
        """Return the counts: records and quotations added, removed, changed, moved."""
        return {
            "records_old": self.old_records,
            "records_new": self.new_records,
            "records_added": len(self.added),
            "records_removed": len(self.removed),
            "records_changed": len(self.changed),
            "split_moves": len(self.split_moves),
            "quotes_added": sum(len(c.quotes_added) for c in self.changed),
            "quotes_removed": sum(len(c.quotes_removed) for c in self.changed),
            "quotes_respanned": sum(len(c.respanned) for c in self.changed),
            "quotes_reattributed": sum(len(c.reattributed) for c in self.changed),
            "quote_fields_changed": sum(len(c.fields_only) for c in self.changed),
        }

    def to_json(self) -> dict[str, Any]:
        """Return the machine form: summary counts, then every difference, ids sorted.

        It names no folder, so the same change between two pairs of builds gives the
        same JSON wherever they sit.
        """
        inputs = {
            outcome: {
                "old": self.old_inputs.get(outcome, 0),
                "new": self.new_inputs.get(outcome, 0),
            }
            for outcome in sorted(self.old_inputs.keys() | self.new_inputs.keys())
        }
        return {
            "summary": self.summary(),
            # Ledger outcomes, when the corpora's manifests were read (`diff_corpora`).
            **({"inputs": inputs} if inputs else {}),
            "split_moves": [m.to_json() for m in self.split_moves],
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.to_json() for c in self.changed],
        }


# --- the pure core ---


def diff_records(old: Mapping[str, Entry], new: Mapping[str, Entry]) -> CorpusDiff:
    """Compare two corpora given as `id -> (split, record)`; return what differs.

    Records are only compared with each other, so a caller that already knows two
    records are equal may pass one shared placeholder for both (`diff_corpora` does,
    to keep unchanged records out of memory).

    >>> record = {"id": "a-1", "headline": "H", "subheadlines": [], "body": "B", "quotes": []}
    >>> diff_records({"a-1": ("train", record)}, {"a-1": ("train", record)}).empty
    True
    >>> diff_records({"a-1": ("train", record)}, {}).removed
    ('a-1',)
    """
    moves = []
    changes = []
    for record_id in sorted(old.keys() & new.keys()):
        old_split, old_record = old[record_id]
        new_split, new_record = new[record_id]
        if old_split != new_split:
            moves.append(SplitMove(record_id, old_split, new_split))
        if old_record is not new_record and old_record != new_record:
            changes.append(diff_record(record_id, new_split, old_record, new_record))
    return CorpusDiff(
        old_records=len(old),
        new_records=len(new),
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        changed=tuple(changes),
        split_moves=tuple(moves),
    )


def diff_record(record_id: str, split: str, old: Record, new: Record) -> RecordChange:
    """Compare two versions of one record: its top-level fields, then its quotations."""
    fields = tuple(
        sorted(
            name
            for name in old.keys() | new.keys()
            if name != QUOTES_FIELD and old.get(name) != new.get(name)
        )
    )
    added: list[QuoteRef] = []
    removed: list[QuoteRef] = []
    changed: list[QuoteChange] = []
    old_groups = _quote_groups(old.get(QUOTES_FIELD) or [])
    new_groups = _quote_groups(new.get(QUOTES_FIELD) or [])
    for key in old_groups.keys() | new_groups.keys():
        old_quotes, new_quotes = old_groups.get(key, []), new_groups.get(key, [])
        new_text = _field_text(new, key)
        # Only a field with quotations on both sides needs its two texts aligned.
        old_text = _field_text(old, key) if old_quotes and new_quotes else new_text
        carry = TextAlignment(old_text, new_text)
        carried = [(carry.map(q["start"], "start"), carry.map(q["end"], "end")) for q in old_quotes]
        pairs = match_spans(carried, [(q["start"], q["end"]) for q in new_quotes])
        paired_old, paired_new = {n for n, _ in pairs}, {m for _, m in pairs}
        removed += [_ref(q) for n, q in enumerate(old_quotes) if n not in paired_old]
        added += [_ref(q) for m, q in enumerate(new_quotes) if m not in paired_new]
        for n, m in pairs:
            old_quote, new_quote = old_quotes[n], new_quotes[m]
            respanned = carried[n] != (new_quote["start"], new_quote["end"])
            reattributed = old_quote["speaker"] != new_quote["speaker"]
            other = _changed_quote_fields(old_quote, new_quote, carry)
            if not (respanned or reattributed or other):
                continue
            context = ""
            if reattributed:
                anchors = [new_quote[name] for name in quote_offset_fields()]
                context = sentence_around(
                    new_text,
                    new_quote["start"],
                    new_quote["end"],
                    [a for a in anchors if isinstance(a, int)],
                )
            changed.append(
                QuoteChange(
                    _ref(old_quote), _ref(new_quote), respanned, reattributed, other, context
                )
            )
    return RecordChange(
        id=record_id,
        split=split,
        fields=fields,
        quotes_added=tuple(sorted(added, key=lambda q: q.index)),
        quotes_removed=tuple(sorted(removed, key=lambda q: q.index)),
        quotes_changed=tuple(sorted(changed, key=lambda c: (c.new.index, c.old.index))),
    )


def _quote_groups(quotes: Sequence[Mapping[str, Any]]) -> dict[LocationKey, list[Any]]:
    """Group quotations by the field their offsets index, each tagged with its index."""
    groups: dict[LocationKey, list[Any]] = {}
    for index, quote in enumerate(quotes):
        key = (quote[RULES.location.kind], quote[RULES.location.index])
        groups.setdefault(key, []).append({**quote, "_index": index})
    return groups


def _field_text(record: Record, key: LocationKey) -> str:
    """Return the text a quotation's offsets index ('' when the record lacks it)."""
    location, index = key
    if location == "subheadline":
        subs = record.get("subheadlines") or []
        return str(subs[index]) if index is not None and 0 <= index < len(subs) else ""
    return str(record.get(location) or "")


def _ref(quote: Mapping[str, Any]) -> QuoteRef:
    return QuoteRef(
        index=quote["_index"],
        location=quote[RULES.location.kind],
        field_index=quote[RULES.location.index],
        start=quote["start"],
        end=quote["end"],
        text=quote["text"],
        speaker=quote["speaker"],
    )


def _changed_quote_fields(
    old: Mapping[str, Any], new: Mapping[str, Any], carry: TextAlignment
) -> tuple[tuple[str, Any, Any], ...]:
    """(field, old, new) of each differing field of a pair besides span and speaker."""
    changes = [
        (name, old.get(name), new.get(name))
        for name in quote_value_fields()
        if old.get(name) != new.get(name)
    ]
    for name, value in quote_offset_fields().items():
        before = old.get(name)
        if old.get(value) != new.get(value) or before is None:
            continue
        if carry.map(before, "end" if name.endswith("_end") else "start") != new.get(name):
            changes.append((name, before, new.get(name)))
    return tuple(changes)


def match_spans(
    old: Sequence[tuple[int, int]], new: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pair old and new spans that overlap, the largest overlap first, one to one.

    Ties go to the pair whose ends moved least, then to the earlier spans. Returns
    (old index, new index) pairs sorted by old index.

    >>> match_spans([(0, 10), (20, 30)], [(5, 25), (21, 31)])
    [(0, 0), (1, 1)]
    >>> match_spans([(0, 10)], [(10, 20)])
    []
    """
    candidates = []
    for i, (old_start, old_end) in enumerate(old):
        for j, (new_start, new_end) in enumerate(new):
            overlap = min(old_end, new_end) - max(old_start, new_start)
            if overlap > 0:
                moved = abs(old_start - new_start) + abs(old_end - new_end)
                candidates.append((-overlap, moved, i, j))
    candidates.sort()
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for _, _, i, j in candidates:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j))
    return sorted(pairs)


# --- the I/O edge ---

# Both sides' placeholder for a record whose content is the same in both corpora.
_SAME: Record = MappingProxyType({})


def diff_corpora(old: Path, new: Path) -> CorpusDiff:
    """Compare two published folders (every split); return what differs.

    A first pass reads each record's id, split and a digest of its content; only the
    records whose digests differ are then read in full, so memory follows the number of
    changed records, not the size of the corpora. Raises FileNotFoundError when a
    folder or one of its shards is missing.
    """
    old_prints, new_prints = _fingerprints(old), _fingerprints(new)
    differing = {
        i for i in old_prints.keys() & new_prints.keys() if old_prints[i][1] != new_prints[i][1]
    }
    old_records = _read_records(old, differing)
    new_records = _read_records(new, differing)
    compared = diff_records(
        {i: (split, old_records.get(i, _SAME)) for i, (split, _) in old_prints.items()},
        {i: (split, new_records.get(i, _SAME)) for i, (split, _) in new_prints.items()},
    )
    return replace(compared, old_inputs=_ledger_outcomes(old), new_inputs=_ledger_outcomes(new))


def _ledger_outcomes(folder: Path) -> dict[str, int]:
    """Ledger entries per outcome, as the folder's manifest counts them ({} if unreadable)."""
    from newscorpus.publish.folder import MANIFEST_FILE_NAME

    try:
        manifest = json.loads((folder / MANIFEST_FILE_NAME).read_text(encoding="utf-8"))
        outcomes = manifest["ledger"]["outcomes"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(k): int(v) for k, v in outcomes.items()} if isinstance(outcomes, dict) else {}


def _batches(folder: Path) -> Iterator[tuple[str, Any]]:
    """(split, Arrow record batch) over every shard of a published folder."""
    import pyarrow.parquet as pq

    from newscorpus.publish.folder import published_shards

    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    for split, path in published_shards(folder):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing (named by the manifest)")
        for batch in pq.ParquetFile(path).iter_batches(batch_size=READ_BATCH_ROWS):
            yield split, batch


def _fingerprints(folder: Path) -> dict[str, tuple[str, bytes]]:
    """id -> (split, digest of the whole row) for every record of a published folder."""
    prints = {}
    for split, batch in _batches(folder):
        for row in batch.to_pylist():
            # Dates are Arrow dates here; `str` gives the same text on both sides.
            data = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
            prints[row["id"]] = (split, hashlib.blake2b(data.encode("utf-8")).digest())
    return prints


def _read_records(folder: Path, ids: Collection[str]) -> dict[str, Record]:
    """id -> record (as JSON data) for the records of `ids` in a published folder."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newscorpus.record.schema import from_arrow_row

    records: dict[str, Record] = {}
    if not ids:
        return records
    wanted = pa.array(sorted(ids), type=pa.string())
    for _, batch in _batches(folder):
        chosen = batch.filter(pc.is_in(batch.column("id"), value_set=wanted))
        for row in chosen.to_pylist():
            records[row["id"]] = from_arrow_row(row)
    return records


# --- the table people read ---


def render_diff(diff: CorpusDiff, limit: int = 20) -> str:
    """Return the readable report, ending with a newline: the summary counts, then split
    moves, records added and removed, and each changed record with its quotations, at
    most `limit` of each list (records, and quotations within a record)."""
    summary = diff.summary()
    rows = [
        ("old", summary["records_old"], ""),
        ("new", summary["records_new"], ""),
        ("added", summary["records_added"], summary["quotes_added"]),
        ("removed", summary["records_removed"], summary["quotes_removed"]),
        ("changed", summary["records_changed"], ""),
        ("re-spanned", "", summary["quotes_respanned"]),
        ("re-attributed", "", summary["quotes_reattributed"]),
        ("other fields", "", summary["quote_fields_changed"]),
        ("split moves", summary["split_moves"], ""),
    ]
    lines = [f"{'':<14}{'records':>9}{'quotes':>9}"]
    lines += [f"{label:<14}{records:>9}{quotes:>9}".rstrip() for label, records, quotes in rows]
    inputs = diff.inputs_changed()
    if inputs:
        # Files that became rejects or exclusions change no record's content.
        lines += ["", "inputs (ledger entries per outcome):"]
        lines += [f"  {outcome}: {old} → {new}" for outcome, (old, new) in inputs.items()]
    if diff.empty:
        return "\n".join([*lines, "", "no differences"]) + "\n"
    if diff.split_moves:
        lines += ["", "SPLIT MOVES (a record's split must never change):"]
        lines += [f"  {m.id}: {m.old_split} → {m.new_split}" for m in diff.split_moves[:limit]]
        lines += _more(len(diff.split_moves), limit, "split moves")
    for label, ids in (("added", diff.added), ("removed", diff.removed)):
        if ids:
            lines += ["", f"records {label}:"]
            lines += [f"  {i}" for i in ids[:limit]]
            lines += _more(len(ids), limit, f"records {label}")
    for change in diff.changed[:limit]:
        lines += ["", *_record_lines(change, limit)]
    lines += _more(len(diff.changed), limit, "changed records")
    return "\n".join(lines) + "\n"


def _more(count: int, limit: int, what: str) -> list[str]:
    if count <= limit:
        return []
    return [f"  … and {count - limit} more {what} (raise --limit, or use --json for all)"]


def _where(quote: QuoteRef) -> str:
    """`[n] body 12–40`: the number `newscorpus show` gives it, its field, its span."""
    place = quote.location
    if quote.field_index is not None:
        place += f" {quote.field_index}"
    return f"[{quote.index + 1}] {place} {quote.start}–{quote.end}"


def _clip(text: str, size: int = 80) -> str:
    return "“" + shorten_middle(" ".join(text.split()), size) + "”"


def _speaker(name: str | None) -> str:
    return name if name is not None else "(no speaker)"


def _value(value: Any) -> str:
    if value is None:
        return "null"
    return _clip(value, 40) if isinstance(value, str) else str(value)


def _record_lines(change: RecordChange, limit: int) -> list[str]:
    """The lines of one changed record: its fields, then one entry per quotation."""
    fields = ", ".join(change.fields) if change.fields else "quotations only"
    entries: list[str] = []
    for c in change.quotes_changed:
        kinds = [
            k for k, on in (("re-spanned", c.respanned), ("re-attributed", c.reattributed)) if on
        ]
        entry = f"  {' and '.join(kinds) or 'quote fields'} {_where(c.new)}"
        if c.respanned:
            entry += f" (was {c.old.start}–{c.old.end})"
        if c.reattributed:
            entry += f": {_speaker(c.old.speaker)} → {_speaker(c.new.speaker)}"
            entry += f"\n      {c.context}"
        elif c.respanned:
            entry += f": {_clip(c.new.text)}"
        if c.changes:
            shown = "; ".join(f"{name} {_value(a)} → {_value(b)}" for name, a, b in c.changes)
            entry += f"\n      {shown}" if c.respanned or c.reattributed else f": {shown}"
        entries.append(entry)
    for q in change.quotes_added:
        entries.append(f"  quote added {_where(q)} {_speaker(q.speaker)}: {_clip(q.text)}")
    for q in change.quotes_removed:
        entries.append(f"  quote removed {_where(q)} {_speaker(q.speaker)}: {_clip(q.text)}")
    lines = [f"{change.id} ({change.split}): {fields}", *entries[:limit]]
    return lines + _more(len(entries), limit, f"quotation changes in {change.id}")
