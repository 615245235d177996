"""Helpers shared by the generic profiles (plain text, HTML, JSON Lines, WARC).

All pure: they check a source's `options` table, split text into paragraphs, cut a
headline from body text and turn a date string into an ISO calendar date.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Mapping
from typing import Any

from newscorpus.errors import RejectError

# Decompressed size allowed for one gzipped file or WARC record: a small gzip can expand
# to gigabytes (a "zip bomb"), and the raw-size limit only sees the compressed bytes.
DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_SPACES = re.compile(r"\s+")
# An ISO calendar date at the start of a date string: "2020-01-24", "2020-01-24T10:00Z".
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")
# A sentence ends at . ! or ? (after any closing quotes or brackets) followed by space.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
# Abbreviations after which a full stop does not end the sentence ("Mr. Howard said").
_ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "col", "lt", "sgt"),
        *("capt", "gov", "sen", "rep", "rev", "vs", "etc", "inc", "ltd", "co", "corp"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
        *("u.s", "u.k", "u.n"),
    }
)
_HEADLINE_MAX_CHARS = 200


def raised_inside(exc: BaseException, packages: tuple[str, ...]) -> bool:
    """Return True when `exc` is a parser library's error on its input, not a bug.

    That is: it came from code of one of `packages` (one of their frames is in its
    traceback, or its type is theirs), and it is not an ImportError or MemoryError,
    which say the machine or the install is broken, not the page. Profiles turn such
    errors into `malformed` rejects and let everything else through as internal errors.
    """
    if isinstance(exc, ImportError | MemoryError):
        return False
    trace = exc.__traceback__
    while trace is not None:
        module = str(trace.tb_frame.f_globals.get("__name__", ""))
        if module.split(".", 1)[0] in packages:
            return True
        trace = trace.tb_next
    return type(exc).__module__.split(".", 1)[0] in packages


def check_options(
    options: Mapping[str, Any], allowed: Mapping[str, type | tuple[type, ...]], profile: str
) -> None:
    """Raise RejectError `invalid_options` for an unknown option or one of the wrong type.

    A typo in raw/sources.toml then rejects every file of that source with a message
    naming the option, instead of being silently ignored.
    """
    for key, value in options.items():
        if key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise RejectError(
                "invalid_options", f"profile {profile} has no option {key!r} (known: {known})"
            )
        expected = allowed[key]
        # bool is an int subclass; an integer option must not accept `true`.
        if not isinstance(value, expected) or (
            isinstance(value, bool) and bool not in _as_tuple(expected)
        ):
            raise RejectError(
                "invalid_options",
                f"option {key!r} of profile {profile}: {value!r} has the wrong type",
            )


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def choice_option(options: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    """Return the string option `key` (default: the first choice), checked against `choices`."""
    value = options.get(key, choices[0])
    if value not in choices:
        raise RejectError(
            "invalid_options", f"option {key!r} must be one of {', '.join(choices)}, not {value!r}"
        )
    return str(value)


def split_paragraphs(text: str, by: str = "blank_line") -> tuple[str, ...]:
    """Split body text into paragraphs: at blank lines (`blank_line`) or at every line break.

    Lines inside a blank-line paragraph keep their single newline; each paragraph is
    stripped, and empty ones are dropped.

    >>> split_paragraphs("a\\nb\\n\\n\\nc \\n")
    ('a\\nb', 'c')
    >>> split_paragraphs("a\\nb", by="line")
    ('a', 'b')
    """
    parts = text.split("\n") if by == "line" else _BLANK_LINES.split(text)
    stripped = ("\n".join(line.strip() for line in part.strip().split("\n")) for part in parts)
    return tuple(part for part in stripped if part)


def first_sentence(text: str, max_chars: int = _HEADLINE_MAX_CHARS) -> str:
    """Return the first sentence of `text`, whitespace collapsed, cut at a word boundary.

    Used as the headline of body-only text. The cut never adds characters (no ellipsis),
    so the headline is always words of the article.

    >>> first_sentence("Mr. Howard said no. Then he left.")
    'Mr. Howard said no.'
    """
    flat = _SPACES.sub(" ", text).strip()
    for match in _SENTENCE_END.finditer(flat):
        words = flat[: match.start()].rsplit(" ", 1)
        last_word = words[-1].casefold()
        if flat[match.start()] == "." and (last_word in _ABBREVIATIONS or len(last_word) == 1):
            continue  # "Mr." or an initial ("J. Smith") does not end the sentence
        flat = flat[: match.end()].strip()
        break
    if len(flat) <= max_chars:
        return flat
    cut = flat[:max_chars].rsplit(" ", 1)[0]
    return cut or flat[:max_chars]


def iso_date(value: Any) -> str | None:
    """Return the ISO calendar date (YYYY-MM-DD) a date string starts with, or None.

    Accepts dates and ISO date-times (the time and zone are dropped: the schema's
    `published` is a calendar date); anything else, including impossible dates, is None.

    >>> iso_date("2020-01-24T10:00:00Z"), iso_date("2020-02-30"), iso_date("Jan 24")
    ('2020-01-24', None, None)
    """
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value)
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip (for one-line fields)."""
    return _SPACES.sub(" ", text).strip()


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """Decompress gzip `data`, refusing more than `limit` bytes of output.

    Raises RejectError `malformed` for a corrupt or truncated stream and `too_large`
    when the output would exceed `limit`.
    """
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise RejectError("malformed", f"not a valid gzip stream: {exc}") from exc
    if len(out) > limit:
        raise RejectError("too_large", f"decompresses to more than {limit} bytes")
    if not inflater.eof:
        raise RejectError("malformed", "truncated gzip stream")
    return out
