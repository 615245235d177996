"""The package's error types and the one exit-code table every command follows.

A per-file stage raises only `RejectError` (bad input: a reject with a stable reason
code, never a failed build). Everything a command can fail with is a `NewscorpusError`
carrying the exit code the CLI reports it with:

- 0: success;
- 1: a check failed: validate found problems, `--strict` rejects, a refused shrink or
  an empty build, an output locked by another build;
- 2: usage or configuration error: bad flags, a missing path, registry problems, an
  unsafe `--out`;
- 3: internal error, a bug: an exception from our own code, a failed import, MemoryError;
- 130: interrupted (Ctrl-C): a build says what it kept; nothing was published.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
# 128 + SIGINT, as shells report a program stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


class RejectError(Exception):
    """A raw input that cannot become a record; carries a stable `reason` code.

    Reason codes are part of the ledger's public contract (documented in
    docs/ledger.md); messages are for humans and may change.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


class NewscorpusError(Exception):
    """A failure a command reports as one message and `exit_code` (see the table above)."""

    exit_code = EXIT_INTERNAL


class UsageError(NewscorpusError):
    """The command was asked something it must refuse before any work (exit 2)."""

    exit_code = EXIT_USAGE


class CheckFailedError(NewscorpusError):
    """A check the user asked for, or a safety rule, failed (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class InternalError(NewscorpusError):
    """A bug: our own code, an import or the machine failed (exit 3)."""

    exit_code = EXIT_INTERNAL


class BuildError(NewscorpusError, RuntimeError):
    """The build did not publish; the published folder, if any, was left as it was."""

    exit_code = EXIT_INTERNAL


class BuildUsageError(BuildError):
    """The build was asked something it refuses before any work (exit 2)."""

    exit_code = EXIT_USAGE


class OutputLockedError(BuildError):
    """Another build is writing the same output (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class PublishRefusedError(BuildError):
    """The new corpus would be empty, or would drop more than half of the published
    records without `allow_shrink` (exit 1)."""

    exit_code = EXIT_CHECK_FAILED


class InternalBuildError(BuildError):
    """Files hit a bug (our own code, a failed import, MemoryError) and `keep_going` was
    not given, or the new corpus failed its own validation (exit 3)."""

    exit_code = EXIT_INTERNAL
