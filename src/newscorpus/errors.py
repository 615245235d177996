"""The one exception type a per-file stage may raise: a reject with a stable reason code."""

from __future__ import annotations


class RejectError(Exception):
    """A raw input that cannot become a record; carries a stable `reason` code.

    Reason codes are part of the ledger's public contract (documented in
    docs/ledger.md); messages are for humans and may change.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
