"""What a parser profile is: the Article it yields and the registry it joins.

Profile modules import from here; the package's `__init__` imports the profile modules
(to register them) and answers look-ups, so the arrows point one way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from newscorpus.errors import RejectError


@dataclass(frozen=True, slots=True)
class Article:
    """The intermediate form every profile yields, before annotation.

    `source_line` is the outlet a file names itself (e.g. from `Source: Donga`), checked
    against the registry by the pipeline; `part` distinguishes articles that share one raw
    file (a JSON Lines line, a WARC record) and is None for one-article files.
    """

    headline: str
    subheadlines: tuple[str, ...]
    paragraphs: tuple[str, ...]
    encoding: str
    steps: tuple[str, ...] = ()
    source_line: str | None = None
    url: str | None = None
    published: str | None = None
    part: str | None = None
    # What the reader noticed without rejecting the article, for the build's summary
    # (e.g. text that looks like one story per line read as one article).
    warnings: tuple[str, ...] = ()
    # What is not story text, as the role pass (`read/roles.py`) or the markup found it.
    captions: tuple[str, ...] = ()
    bylines: tuple[str, ...] = ()
    dateline: str | None = None
    notes: tuple[str, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()  # (role, text): wire tags, link lists


@dataclass(frozen=True, slots=True)
class PartRejected:
    """One article of a multi-article file that cannot be read (a bad JSON line, a WARC
    record that does not parse), returned in place of its Article so that only it is
    rejected (ledger `source_file` is `<relpath>#<part>`) and the file's other articles stay.
    """

    part: str
    reason: str
    message: str


class ProfileReader(Protocol):
    """A profile's reader: the raw bytes and the source's `options` table in, articles out.

    `language` is the source's BCP 47 tag from the registry (None when unknown); the
    reader passes it to decoding, where it weighs the guess of a legacy encoding. A
    reader raises RejectError for the whole file, or returns PartRejected for one
    article of it.
    """

    def __call__(
        self, data: bytes, options: Mapping[str, Any], /, *, language: str | None = None
    ) -> Sequence[Article | PartRejected]:
        """Read one raw file into its articles."""
        ...


# An options check takes a source's `options` table and raises RejectError
# `invalid_options` naming what is wrong; the registry runs it before a build starts.
OptionsCheck = Callable[[Mapping[str, Any]], None]


def no_options(name: str) -> OptionsCheck:
    """Return the options check of a profile that takes no options."""

    def check(options: Mapping[str, Any]) -> None:
        if options:
            raise RejectError(
                "invalid_options",
                f"profile {name} takes no options (got {', '.join(sorted(options))})",
            )

    return check


@dataclass(frozen=True, slots=True)
class Profile:
    """A registered profile: its versioned name, the file extensions it reads, its reader,
    and the check of the options a source may give it."""

    name: str
    extensions: tuple[str, ...]
    read: ProfileReader
    description: str = field(default="")
    check_options: OptionsCheck | None = None


# Filled by `register_profile` as the profile modules are imported.
REGISTRY: dict[str, Profile] = {}


def register_profile(
    name: str,
    extensions: tuple[str, ...],
    description: str = "",
    check_options: OptionsCheck | None = None,
) -> Callable[[ProfileReader], ProfileReader]:
    """Register a reader function under a versioned profile name (a decorator).

    `check_options` validates a source's options table (default: the profile takes none).
    """

    def decorate(reader: ProfileReader) -> ProfileReader:
        if name in REGISTRY:
            raise ValueError(f"profile {name!r} is already registered")
        check = check_options if check_options is not None else no_options(name)
        REGISTRY[name] = Profile(name, extensions, reader, description, check)
        return reader

    return decorate
