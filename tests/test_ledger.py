"""The ledger's reason codes are documented, and every code the build emits is known."""

from __future__ import annotations

from pathlib import Path

from newscorpus.record.ledger import REASONS, summarize

DOC = Path(__file__).resolve().parents[1] / "docs" / "ledger.md"


def test_every_reason_code_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [code for code in REASONS if f"| `{code}` |" not in text]
    assert missing == [], f"add these codes to docs/ledger.md: {missing}"


def test_summary_counts_outcomes_and_reasons() -> None:
    entries = [
        {"outcome": "record", "reason": None},
        {"outcome": "rejected", "reason": "empty"},
        {"outcome": "rejected", "reason": "empty"},
        {"outcome": "duplicate", "reason": "exact_duplicate"},
    ]
    summary = summarize(entries)
    assert summary["entries"] == 4
    assert summary["outcomes"] == {"record": 1, "duplicate": 1, "rejected": 2, "excluded": 0}
    assert summary["rejects_by_reason"] == {"empty": 2}
    assert summary["duplicates_by_reason"] == {"exact_duplicate": 1}
