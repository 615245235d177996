"""The per-file step: raw bytes in, outcomes out. Pure apart from reading the one file.

`process_file` is the only unit an executor schedules. It never raises: every file ends
as one or more outcome dicts (records or rejects) that cross process boundaries as plain
data (records marshalled once, see `wire_outcomes`). Ordering, duplicates and splits are
decided later, in one place (`run/reduce.py`, driven by `run/driver.py`).
"""

from __future__ import annotations

import hashlib
import marshal
import os
from typing import Any

from newscorpus.errors import RejectError
from newscorpus.read.profiles import PartRejected, get_profile
from newscorpus.read.roles import apply_roles
from newscorpus.read.sources import EXCLUDED, RawFile, Source, excluded_by
from newscorpus.record.records import build_record, record_problems
from newscorpus.run.cache import StatKey, stat_key
from newscorpus.run.dedup import minhash_signature
from newscorpus.settings import DEFAULT_MAX_BYTES

Outcome = dict[str, Any]
# What the scheduled unit returns per file: its stat before reading (for the cache),
# the sha256 of the bytes read (None when unread) and its outcomes in wire form.
Processed = tuple[StatKey | None, str | None, list[Outcome]]


def text_key(body: str) -> str:
    """Return the duplicate key of a body: sha256 of its whitespace-collapsed text.

    `str.split()` splits at exactly the characters `\\s` matches (`str.isspace`), so this
    is `re.sub(r"\\s+", " ", body).strip()`, in one C pass.
    """
    # Fast path for the usual body (paragraphs joined by a blank line, nothing else but
    # single spaces): every other whitespace character is unprintable.
    collapsed = body.replace("\n\n", " ")
    if not (
        collapsed.isprintable()
        and "  " not in collapsed
        and not collapsed.startswith(" ")
        and not collapsed.endswith(" ")
    ):
        collapsed = " ".join(body.split())
    return hashlib.sha256(collapsed.encode("utf-8")).hexdigest()


def _name_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def source_names_match(named: str, source: Source) -> bool:
    """Return True when an outlet named in a file is the registry's source.

    Spelling varies between pages of one site ("Donga", "Dong-A Ilbo", "donga.com"), so
    names match when, ignoring case and punctuation, one contains the other, or the file's
    name is one of the registry's `aliases`.

    >>> donga = Source("donga", "Donga", "en", "donga_wordpress_v1", "")
    >>> source_names_match("Dong-A Ilbo", donga), source_names_match("Yonhap", donga)
    (True, False)
    """
    key, expected = _name_key(named), _name_key(source.name)
    if key and expected and (key in expected or expected in key):
        return True
    return key in {_name_key(alias) for alias in source.aliases}


def source_extensions(source: Source, default: tuple[str, ...]) -> tuple[str, ...]:
    """Return the file-name endings a source reads (lower case): its profile's, unless
    the source's options name others (`extensions`, for profiles that take it)."""
    chosen = source.profile_options().get("extensions")
    return tuple(ext.lower() for ext in chosen) if chosen else default


def reject(raw: RawFile, reason: str, message: str, raw_sha256: str | None = None) -> Outcome:
    """Return a reject outcome for `raw` with a stable reason code and a human message."""
    return {
        "kind": "rejected",
        "source_file": raw.relpath,
        "raw_sha256": raw_sha256,
        "reason": reason,
        "message": message,
    }


def excluded(raw: RawFile, source: Source) -> Outcome:
    """Return the outcome of a file its source's `exclude` patterns skip (never read)."""
    pattern = excluded_by(raw.relpath, source.exclude)
    return {
        "kind": "excluded",
        "source_file": raw.relpath,
        "raw_sha256": None,
        "reason": "excluded",
        "message": f"matches {pattern!r} of the exclusions of [sources.{source.key}] (the "
        f"defaults unless its exclude = [...] says otherwise): not an input of profile "
        f"{source.profile}; list the patterns to use in exclude = [...] in sources.toml to "
        "read it",
    }


# How a `too_large` reject says to raise the limit: the build's option and setting.
RAISE_SIZE_LIMIT = "raise it with `newscorpus build --max-bytes N` (BuildSettings.max_bytes)"


def read_raw(raw: RawFile, max_bytes: int) -> bytes:
    """Read a raw file's bytes, refusing (without reading it whole) one over `max_bytes`."""
    if raw.size > max_bytes:
        raise RejectError(
            "too_large", f"{raw.size} bytes, over the limit of {max_bytes}; {RAISE_SIZE_LIMIT}"
        )
    # Unbuffered, in reads of about the file's size: a buffered reader costs more than
    # reading a small file, and one read of max_bytes + 1 would allocate that much.
    want = max_bytes + 1
    chunks: list[bytes] = []
    total = 0
    try:
        with open(raw.path, "rb", buffering=0) as handle:
            while total < want:
                chunk = handle.read(min(want - total, max(raw.size + 1, 1 << 16)))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except OSError as exc:
        raise RejectError("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > max_bytes:
        raise RejectError(
            "too_large", f"grew past the limit of {max_bytes} bytes while read; {RAISE_SIZE_LIMIT}"
        )
    return data


def process_bytes(raw: RawFile, data: bytes, sha: str | None = None) -> list[Outcome]:
    """Parse, annotate and validate one raw file's bytes into outcomes (pure).

    `sha`: the bytes' sha256 hex digest when the caller has it already (not recomputed).
    """
    if sha is None:
        sha = hashlib.sha256(data).hexdigest()
    source = raw.source
    if source is None:
        return [
            reject(
                raw,
                "undeclared_source",
                "not in a folder the source registry (sources.toml) declares",
                sha,
            )
        ]
    try:
        profile = get_profile(source.profile)
        name = raw.relpath.rsplit("/", 1)[-1].lower()
        extensions = source_extensions(source, profile.extensions)
        if not name.endswith(extensions):
            raise RejectError(
                "unsupported_extension",
                f"{name!r} does not end with {' or '.join(extensions)}"
                f" (read by profile {profile.name}; a profile that takes the option reads "
                "other endings with extensions = [...] in the source's options)",
            )
        articles = profile.read(data, source.profile_options(), language=source.language)
    except RejectError as exc:
        return [reject(raw, exc.reason, exc.message, sha)]
    outcomes: list[Outcome] = []
    for article in articles:
        if isinstance(article, PartRejected):
            # One bad article of a multi-article file: only it is rejected.
            rejected = reject(raw, article.reason, article.message, sha)
            rejected["source_file"] = f"{raw.relpath}#{article.part}"
            outcomes.append(rejected)
            continue
        if article.source_line is not None and not source_names_match(article.source_line, source):
            outcomes.append(
                reject(
                    raw,
                    "source_mismatch",
                    f"file says Source: {article.source_line!r}, registry says {source.name!r}",
                    sha,
                )
            )
            continue
        # Captions, bylines, datelines, tags and notes out of the story (one place,
        # every profile).
        article = apply_roles(article, source.role_switches())
        record = build_record(raw, source, sha, article, profile.name)
        problems = record_problems(record, raw.relpath)
        if problems:
            outcomes.append(reject(raw, "invalid_record", "; ".join(map(str, problems[:3])), sha))
            continue
        outcomes.append(
            {
                "kind": "record",
                "record": record,
                "text_key": text_key(record["body"]),
                # Computed here, in the worker, so the reducer only inserts and queries.
                "minhash": minhash_signature(record["body"]),
                # What the reader noticed without rejecting (the build's summary shows it).
                **({"warnings": list(article.warnings)} if article.warnings else {}),
            }
        )
    if not outcomes:
        outcomes.append(reject(raw, "no_articles", "the profile found no article", sha))
    return outcomes


def file_outcomes(raw: RawFile, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Outcome]:
    """Read and process one raw file into plain outcomes; never raises (an unexpected
    error becomes an `internal_error` reject). `process_file` schedules this work."""
    if raw.problem == EXCLUDED and raw.source is not None:
        return [excluded(raw, raw.source)]
    if raw.problem is not None:
        return [reject(raw, raw.problem, _PROBLEM_MESSAGES.get(raw.problem, raw.problem))]
    try:
        data = read_raw(raw, max_bytes)
    except RejectError as exc:
        return [reject(raw, exc.reason, exc.message)]
    try:
        return process_bytes(raw, data)
    except Exception as exc:
        sha = hashlib.sha256(data).hexdigest()
        return [reject(raw, "internal_error", f"{type(exc).__name__}: {exc}", sha)]


def process_file(raw: RawFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Processed:
    """Process one raw file: the one unit an engine schedules. Returns (stat, sha256,
    outcomes); never raises.

    The outcomes are `file_outcomes`'s, in their wire form (`wire_outcomes`); also returns
    what the cache needs: the file's stat taken before reading it (so a later change is
    never mistaken for this content) and the sha256 of the bytes read (None when they
    could not be read).
    """
    try:
        stat = os.stat(raw.path)
        data = read_raw(raw, max_bytes)
    except (OSError, RejectError):
        return None, None, file_outcomes(raw, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    try:
        return stat_key(stat), sha, wire_outcomes(process_bytes(raw, data, sha))
    except Exception:
        return None, None, file_outcomes(raw, max_bytes)  # its internal_error reject


# The fields of a record that the reducer and the ledger read.
_WIRE_FIELDS = ("id", "source_file", "raw_sha256")


def wire_outcomes(outcomes: list[Outcome]) -> list[Outcome]:
    """Return outcomes in the form they travel in from the engine to the cache and writer.

    Each record is marshalled once, where it was made (`blob`), and only the fields the
    reducer reads stay a dict: the main process then stores, spills and passes records
    on as bytes, and decodes each once, to write it. Rejects are unchanged.
    """
    wired = []
    for outcome in outcomes:
        if outcome["kind"] == "record" and "blob" not in outcome:
            record = outcome["record"]
            outcome = {
                **outcome,
                "record": {name: record[name] for name in _WIRE_FIELDS},
                "blob": marshal.dumps(record),
            }
        wired.append(outcome)
    return wired


_PROBLEM_MESSAGES = {
    "symlink_outside_raw": "symbolic link pointing outside raw/ (refused)",
    "broken_symlink": "symbolic link to nothing",
    "not_a_regular_file": "not a regular file",
    "unreadable": "cannot stat or list it (permissions, I/O error, symlink loop)",
}
