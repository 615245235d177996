"""The reduce step: decide, in input order, what each outcome becomes.

It is the only place that decides duplicates and splits, so every executor yields the
same corpus. It keeps small per-article keys (text hash to kept id) plus the rows.
"""

from __future__ import annotations

from typing import Any

from newscorpus.ledger import ledger_entry
from newscorpus.pipeline import Outcome
from newscorpus.splits import assign_split
from newscorpus.stats import CorpusStats


class Reducer:
    """Decides, in input order, what each outcome becomes: record, duplicate or reject."""

    def __init__(self) -> None:
        self.kept_by_text: dict[str, str] = {}
        self.entries: list[dict[str, Any]] = []
        self.stats = CorpusStats()

    def add(self, outcome: Outcome) -> tuple[str, dict[str, Any]] | None:
        """Take one outcome; return (split, record) when it is a record to publish.

        Rejects and duplicates only add a ledger entry (and return None); the caller
        streams published records to the writer, so no rows accumulate here.
        """
        if outcome["kind"] == "rejected":
            self.entries.append(
                ledger_entry(
                    outcome["source_file"],
                    "rejected",
                    raw_sha256=outcome["raw_sha256"],
                    reason=outcome["reason"],
                    message=outcome["message"],
                )
            )
            return None
        record = outcome["record"]
        kept = self.kept_by_text.get(outcome["text_key"])
        if kept is not None:
            self.entries.append(
                ledger_entry(
                    record["source_file"],
                    "duplicate",
                    raw_sha256=record["raw_sha256"],
                    record_id=record["id"],
                    duplicate_of=kept,
                    similarity=1.0,
                    reason="exact_duplicate",
                    message=f"same normalized body as {kept} (the first in raw path order is kept)",
                )
            )
            return None
        self.kept_by_text[outcome["text_key"]] = record["id"]
        split = assign_split(record["id"])
        self.stats.add(record, split)
        self.entries.append(
            ledger_entry(
                record["source_file"],
                "record",
                raw_sha256=record["raw_sha256"],
                record_id=record["id"],
                split=split,
            )
        )
        return split, record
