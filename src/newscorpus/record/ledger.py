"""The ledger: one line per input in `processed/inputs.jsonl`, so nothing vanishes.

Outcomes are `record`, `duplicate` (naming the kept id), `rejected` (a stable reason
code and a message) and `excluded` (a file its source's `exclude` patterns skip, with the
pattern in the message). The manifest's counts are computed from these entries.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

# Stable reason codes and what they mean; documented in docs/ledger.md.
REASONS: dict[str, str] = {
    "empty": "the file holds no text",
    "chrome_only": "only site chrome, no article text",
    "no_body": "a headline but no body paragraphs",
    "no_articles": "the profile found no article in the file",
    "binary": "binary data (NUL bytes or control characters), not text",
    "undecodable": "a byte-order mark or UTF-16 layout that the bytes then break",
    "undetermined_encoding": "not UTF-8, and no legacy encoding can be trusted to give the text",
    "too_large": "over the configured size limit (not read)",
    "unreadable": "the file cannot be read (permissions, I/O error)",
    "undeclared_source": "the file's folder is not declared in the source registry (sources.toml)",
    "unsupported_extension": "the source's profile does not read this kind of file",
    "source_mismatch": "the file names another outlet than the registry declares",
    "symlink_outside_raw": "a symbolic link pointing outside raw/ (refused)",
    "broken_symlink": "a symbolic link to nothing",
    "not_a_regular_file": "not a regular file (a directory link, a device, a FIFO)",
    "unknown_profile": "the registry names a profile that does not exist",
    "invalid_record": "the record built from the file breaks the schema or offset rules",
    "malformed": "the file's structure cannot be parsed by its profile",
    "no_headline": "an HTML page with no og:title, <h1> or <title> to take the headline from",
    "invalid_options": "the registry gives the source's profile an unknown or mistyped option",
    "internal_error": "a bug in newscorpus; please report it with the file",
    "excluded": "(excluded) not an input: the source's exclude patterns skip it (a README, "
    "a licence, a hidden file, an editor backup); never read",
    "exact_duplicate": "(duplicate) the same normalized body as the kept record",
    "near_duplicate": "(duplicate) a body similar above the threshold to the kept record",
}


# Every outcome a ledger entry can have, in the order summaries list them.
OUTCOMES = ("record", "duplicate", "rejected", "excluded")


def ledger_entry(
    source_file: str,
    outcome: str,
    *,
    raw_sha256: str | None = None,
    record_id: str | None = None,
    split: str | None = None,
    duplicate_of: str | None = None,
    similarity: float | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """Return one ledger entry with every field present, in schema order."""
    return {
        "source_file": source_file,
        "raw_sha256": raw_sha256,
        "outcome": outcome,
        "id": record_id,
        "split": split,
        "duplicate_of": duplicate_of,
        "similarity": similarity,
        "reason": reason,
        "message": message,
    }


# One encoder for every entry: `json.dumps` with options builds a new one per call,
# which cost more than encoding the entry.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def dumps_entry(entry: dict[str, Any]) -> str:
    """Serialize one entry as a deterministic JSON line (no trailing newline)."""
    return _ENCODER.encode(entry)


class LedgerTally:
    """Counts of ledger entries by (outcome, reason): all a summary needs, so a build can
    stream its entries to inputs.jsonl and still summarize them."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str | None]] = Counter()

    def add(self, entry: dict[str, Any]) -> None:
        """Count one entry."""
        self.counts[(entry["outcome"], entry["reason"])] += 1

    def summary(self) -> dict[str, Any]:
        """Return the counts of outcomes and reasons (what the manifest and the CLI show)."""
        outcomes: Counter[str] = Counter()
        by_reason: dict[str, Counter[str]] = {"rejected": Counter(), "duplicate": Counter()}
        for (outcome, reason), count in self.counts.items():
            outcomes[outcome] += count
            if outcome in by_reason:
                by_reason[outcome][str(reason)] += count
        return {
            "entries": sum(self.counts.values()),
            "outcomes": {k: outcomes.get(k, 0) for k in OUTCOMES},
            "rejects_by_reason": dict(sorted(by_reason["rejected"].items())),
            "duplicates_by_reason": dict(sorted(by_reason["duplicate"].items())),
        }


def summarize(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Count outcomes and reasons of ledger entries (used by the manifest and the CLI)."""
    tally = LedgerTally()
    for entry in entries:
        tally.add(entry)
    return tally.summary()
