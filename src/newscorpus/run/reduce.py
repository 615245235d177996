"""The reduce step: decide, in input order, what each outcome becomes.

It is the only place that decides duplicates and splits, so every executor yields the
same corpus. It keeps small per-article keys only (text hash to kept id, and the near-
duplicate index of `dedup.py`); published rows go straight back to the caller.

Duplicates, in order: an exact duplicate (same whitespace-collapsed body) names the
first record with that body; a near duplicate (estimated Jaccard of word 5-gram sets at
or above the threshold, see `dedup.py`) names the most similar kept record. Outcomes
arrive in raw path order, so the first seen of a cluster is kept, whatever the executor.
Duplicates are never published, so a cluster lives in one split: its kept record's.
"""

from __future__ import annotations

import os
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from newscorpus.publish.stats import CorpusStats
from newscorpus.record.ledger import LedgerTally, dumps_entry, ledger_entry
from newscorpus.record.splits import assign_split
from newscorpus.run.dedup import NearDuplicateIndex, Prepared, minhash_signature
from newscorpus.run.pipeline import Outcome
from newscorpus.run.rowstore import DiskRows
from newscorpus.settings import DEFAULT_THRESHOLD

# Recent text keys wait in a dict (≈ 150 bytes each) until this many are merged into
# the sorted arrays (12 bytes each).
TEXT_KEYS_MERGE_EVERY = 20_000


def _prefix(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "little")


class TextKeys:
    """Text key (hex sha256) -> id of the kept record: the exact-duplicate index.

    Memory holds 12 bytes a kept record: the first 8 bytes of its digest and its row,
    in sorted arrays (recent keys in a small dict, merged in batches). The full digest
    and the id sit on disk (`DiskRows`) and are read only when a prefix matches, to
    confirm the match and name the kept record. Used with hex keys, like a dict.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        """`folder`: where the temporary file of digests and ids goes."""
        self._rows = DiskRows(folder=folder)
        self._pending: dict[int, list[int]] = {}
        self._prefixes: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._row_of: npt.NDArray[np.uint32] = np.empty(0, dtype=np.uint32)
        # The last `prepare`d batch: its keys, and the rows found for those with any.
        self._prepared_keys: set[str] = set()
        self._prepared: dict[str, list[int]] = {}

    def prepare(self, text_keys: list[str]) -> None:
        """Look a batch of keys up in the sorted arrays at once (one NumPy call), for the
        `get`s that follow. Pending keys are merged here only, so a batch's look-ups stay
        valid while keys are added after it."""
        if len(self._pending) >= TEXT_KEYS_MERGE_EVERY:
            self._merge()
        self._prepared, self._prepared_keys = {}, set(text_keys)
        if not text_keys or not len(self._prefixes):
            return
        prefixes = np.array([_prefix(bytes.fromhex(key)) for key in text_keys], dtype=np.uint64)
        left = np.searchsorted(self._prefixes, prefixes, side="left")
        right = np.searchsorted(self._prefixes, prefixes, side="right")
        for index in np.flatnonzero(right > left).tolist():
            rows = self._row_of[left[index] : right[index]].tolist()
            self._prepared[text_keys[index]] = rows

    def _candidates(self, text_key: str, prefix: int) -> list[int]:
        rows = list(self._pending.get(prefix, ()))
        if text_key in self._prepared_keys:
            rows.extend(self._prepared.get(text_key, ()))
        elif len(self._prefixes):
            key = np.uint64(prefix)
            left = int(np.searchsorted(self._prefixes, key, side="left"))
            right = int(np.searchsorted(self._prefixes, key, side="right"))
            rows.extend(self._row_of[left:right].tolist())
        return rows

    def get(self, text_key: str) -> str | None:
        """Return the kept id with this text key, or None."""
        digest = bytes.fromhex(text_key)
        for row in self._candidates(text_key, _prefix(digest)):
            stored = self._rows.get(row)
            if stored[:32] == digest:
                return stored[32:].decode("utf-8")
        return None

    def __setitem__(self, text_key: str, record_id: str) -> None:
        digest = bytes.fromhex(text_key)
        row = self._rows.append(digest + record_id.encode("utf-8"))
        self._pending.setdefault(_prefix(digest), []).append(row)
        if len(self._pending) >= TEXT_KEYS_MERGE_EVERY and not self._prepared_keys:
            self._merge()  # used without `prepare`: merge as keys come

    def _merge(self) -> None:
        pairs = sorted((prefix, row) for prefix, rows in self._pending.items() for row in rows)
        prefixes = np.array([prefix for prefix, _ in pairs], dtype=np.uint64)
        rows = np.array([row for _, row in pairs], dtype=np.uint32)
        at = np.searchsorted(self._prefixes, prefixes, side="right")
        self._prefixes = np.insert(self._prefixes, at, prefixes)
        self._row_of = np.insert(self._row_of, at, rows)
        self._pending.clear()

    def __contains__(self, text_key: object) -> bool:
        return isinstance(text_key, str) and self.get(text_key) is not None

    def __len__(self) -> int:
        return len(self._rows)


class Reducer:
    """Decides, in input order, what each outcome becomes: record, duplicate or reject."""

    def __init__(
        self,
        near_duplicate_threshold: float | None = DEFAULT_THRESHOLD,
        folder: str | os.PathLike[str] | None = None,
        ledger: TextIO | None = None,
    ) -> None:
        """`near_duplicate_threshold`: estimated Jaccard at which a body is a near
        duplicate of a kept one; None turns near-duplicate detection off. `folder`:
        where the indexes' temporary files go (default: the system's). `ledger`: where
        each ledger entry is written as a JSON line as it is decided (inputs.jsonl)."""
        self.kept_by_text = TextKeys(folder)
        self.near_duplicates = (
            NearDuplicateIndex(near_duplicate_threshold, folder)
            if near_duplicate_threshold is not None
            else None
        )
        # The ledger: every entry is written to `ledger` and counted in `tally`; `entries`
        # holds those made since the caller last took them (`take_entries`).
        self._ledger = ledger
        self.tally = LedgerTally()
        self.entries: list[dict[str, Any]] = []
        # Counted by the caller as it writes the published records (decoded there once;
        # in wire form the reducer sees only a record's id, source file and sha256).
        self.stats = CorpusStats()

    def _log(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        self.tally.add(entry)
        if self._ledger is not None:
            self._ledger.write(dumps_entry(entry) + "\n")

    def take_entries(self) -> list[dict[str, Any]]:
        """Return the ledger entries made since the last call, and forget them."""
        entries, self.entries = self.entries, []
        return entries

    def ledger_summary(self) -> dict[str, Any]:
        """Return the summary of every ledger entry made (`ledger.summarize`'s form)."""
        return self.tally.summary()

    def add_all(self, outcomes: list[Outcome]) -> list[tuple[str, dict[str, Any]] | None]:
        """Take outcomes in order, as `add` one by one would (same decisions, faster:
        both indexes look the batch's keys up in their sorted arrays at once)."""
        prepared: Prepared | None = None
        kept = [o for o in outcomes if o["kind"] == "record"]
        self.kept_by_text.prepare([o["text_key"] for o in kept])
        if self.near_duplicates is not None:
            prepared = self.near_duplicates.prepare([_signature(o) for o in kept])
        results = []
        position = 0
        for outcome in outcomes:
            if outcome["kind"] != "record" or prepared is None:
                results.append(self.add(outcome))
            else:
                results.append(self.add(outcome, (prepared, position)))
                position += 1
        return results

    def _duplicate(
        self, record: dict[str, Any], kept: str, similarity: float, reason: str, message: str
    ) -> None:
        self._log(
            ledger_entry(
                record["source_file"],
                "duplicate",
                raw_sha256=record["raw_sha256"],
                record_id=record["id"],
                duplicate_of=kept,
                similarity=similarity,
                reason=reason,
                message=message,
            )
        )

    def add(
        self, outcome: Outcome, prepared: tuple[Prepared, int] | None = None
    ) -> tuple[str, dict[str, Any]] | None:
        """Take one outcome; return (split, record) when it is a record to publish.

        `record` is the outcome's `record` dict: the whole record, or in wire form
        (`pipeline.wire_outcomes`) its id, source file and sha256 only.

        Rejects, exclusions and duplicates only add a ledger entry (and return None); the caller
        streams published records to the writer, so no rows accumulate here.
        `prepared` is the outcome's signature prepared by the index (see `add_all`).
        """
        if outcome["kind"] in ("rejected", "excluded"):
            self._log(
                ledger_entry(
                    outcome["source_file"],
                    outcome["kind"],
                    raw_sha256=outcome["raw_sha256"],
                    reason=outcome["reason"],
                    message=outcome["message"],
                )
            )
            return None
        record = outcome["record"]
        kept = self.kept_by_text.get(outcome["text_key"])
        if kept is not None:
            self._duplicate(
                record,
                kept,
                1.0,
                "exact_duplicate",
                f"same normalized body as {kept} (the first in raw path order is kept)",
            )
            return None
        if self.near_duplicates is not None:
            near = self.near_duplicates.check_and_add(record["id"], _signature(outcome), prepared)
            if near is not None:
                kept, similarity = near.kept, near.similarity
                link = "" if near.via == kept else f" via {near.via} ({near.via_similarity:.3f})"
                self._duplicate(
                    record,
                    kept,
                    similarity,
                    "near_duplicate",
                    f"near duplicate of {kept} (estimated Jaccard {similarity:.3f}){link}; "
                    f"threshold {self.near_duplicates.threshold}, the first of the cluster in "
                    "raw path order is kept",
                )
                return None
        self.kept_by_text[outcome["text_key"]] = record["id"]
        split = assign_split(record["id"])
        self._log(
            ledger_entry(
                record["source_file"],
                "record",
                raw_sha256=record["raw_sha256"],
                record_id=record["id"],
                split=split,
            )
        )
        return split, record


def _signature(outcome: Outcome) -> bytes:
    # Outcomes made before signatures existed (an older cache) lack one.
    signature: bytes = outcome.get("minhash") or minhash_signature(outcome["record"]["body"])
    return signature
