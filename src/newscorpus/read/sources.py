"""The source registry (raw/sources.toml) and discovery of raw files under raw/.

Discovery only decides what a path *is* (which source, how big, a safe symlink or not);
it never reads file contents, so it stays cheap on millions of files.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
import tomllib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, overload

from newscorpus.errors import RejectError, UsageError

REGISTRY_FILE_NAME = "sources.toml"
# Top-level files of raw/ that describe the folder rather than hold articles.
RAW_METADATA_FILES = frozenset({REGISTRY_FILE_NAME, "README.md"})
# What a source folder holds besides its articles, skipped unless a source's `exclude`
# says otherwise: a data set's own notes and licence (the BBC set's README.TXT), hidden
# files and folders (.DS_Store, .git/), editor backups. Matched case-insensitively
# against each path component below the source folder (see `excluded_by`).
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "README*",
    "LICENSE*",
    "LICENCE*",
    "MANIFEST*",
    "*.md",
    ".*",
    "*~",
    "#*#",
    "*.bak",
    "*.swp",
    "*.swo",
    "*.orig",
)


class RegistryError(UsageError, ValueError):
    """The source registry is missing or wrong; the build cannot start (exit 2).

    `problems` lists every problem found, each naming the registry file and the table.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)


@dataclass(frozen=True, slots=True)
class Source:
    """One declared source: the folder under raw/ and how to read and label its files."""

    key: str
    name: str
    language: str
    profile: str
    licence: str
    options: tuple[tuple[str, Any], ...] = ()  # hashable, so Source stays frozen
    aliases: tuple[str, ...] = ()
    annotation: tuple[tuple[str, Any], ...] = ()
    # Patterns of paths that are not the source's input (ledger outcome `excluded`).
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    # `[sources.<key>.roles]`: roles of non-story text switched off (kept in the text).
    roles: tuple[tuple[str, bool], ...] = ()

    def profile_options(self) -> dict[str, Any]:
        """Return the `[sources.<key>.options]` table handed to the profile's reader."""
        return dict(self.options)

    def role_switches(self) -> dict[str, bool]:
        """Return the `[sources.<key>.roles]` table: role -> on (every role is on unless
        the table turns it off; see `newscorpus.read.roles.ROLES`)."""
        return dict(self.roles)

    def annotation_options(self) -> dict[str, Any]:
        """Return the `[sources.<key>.annotation]` table: the source's writing habits
        that the annotator takes into account (see `ANNOTATION_OPTIONS`)."""
        return dict(self.annotation)


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file found under raw/, before any of its bytes are read.

    `relpath` uses '/' separators and is relative to raw/; `path` is what to open.
    `source` is None when the file sits in a folder no source declares. `problem`
    holds a reject reason code decided at discovery (e.g. an unsafe symlink).
    """

    path: str
    relpath: str
    size: int
    source: Source | None
    problem: str | None = None


# The `problem` of a file a source's `exclude` patterns skip (not a reject: an excluded
# file is not an input; the ledger records it with outcome `excluded`).
EXCLUDED = "excluded"


def default_exclude(profile_name: str, options: dict[str, Any]) -> tuple[str, ...]:
    """The default exclusions of a source, but for any that would skip the very files
    its profile reads (a source of `.md` articles keeps its `.md` files).

    >>> "*.md" in default_exclude("plaintext_v1", {"extensions": [".md"]})
    False
    >>> default_exclude("plaintext_v1", {}) == DEFAULT_EXCLUDE
    True
    """
    from newscorpus.read.profiles import get_profile

    endings = options.get("extensions") or get_profile(profile_name).extensions
    read = {f"*{ending.lower()}" for ending in endings}
    return tuple(pattern for pattern in DEFAULT_EXCLUDE if pattern.lower() not in read)


def excluded_by(relpath: str, patterns: Sequence[str]) -> str | None:
    """Return the first pattern that excludes `relpath` (relative to raw/), or None.

    A pattern with no '/' is matched against every path component below the source
    folder (so `.*` skips hidden folders too); one with a '/' against the whole path
    below it. Matching ignores case: `README*` skips the BBC set's `README.TXT`.

    >>> excluded_by("bbc/README.TXT", DEFAULT_EXCLUDE)
    'README*'
    >>> excluded_by("bbc/.git/config", DEFAULT_EXCLUDE), excluded_by("bbc/001.txt", DEFAULT_EXCLUDE)
    ('.*', None)
    """
    below = relpath.split("/", 1)[1] if "/" in relpath else relpath
    lowered = below.lower()
    components = lowered.split("/")
    for pattern in patterns:
        wanted = pattern.lower()
        if "/" in wanted:
            if fnmatch.fnmatchcase(lowered, wanted):
                return pattern
        elif any(fnmatch.fnmatchcase(component, wanted) for component in components):
            return pattern
    return None


_REQUIRED_KEYS = ("name", "language", "profile", "licence")
_OPTIONAL_KEYS = ("options", "aliases", "annotation", "exclude", "roles")
# A source's writing habits the annotator can follow: option -> (type, meaning).
ANNOTATION_OPTIONS: dict[str, tuple[type, str]] = {
    "organisations_as_he": (
        bool,
        "a 'he'/'she' with no person to refer to may refer to the organisation quoted "
        "last (translated press writes 'the ministry … he said'); default false",
    ),
}


def load_registry(raw_dir: Path) -> dict[str, Source]:
    """Read `raw_dir/sources.toml`, check it whole, and return the sources by folder name.

    Every problem is collected before anything is raised, so one RegistryError lists
    them all: unknown keys, missing or mistyped values, an unknown profile, options the
    profile does not take, a language tag the record schema would reject, a declared
    folder that does not exist under `raw_dir`. (A folder that no table declares is not
    a registry problem: its files are rejected one by one as `undeclared_source`.)
    """
    registry_path = raw_dir / REGISTRY_FILE_NAME
    if not registry_path.is_file():
        raise RegistryError(f"no source registry at {registry_path}")
    try:
        data = tomllib.loads(registry_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{registry_path}: {exc}") from exc
    problems: list[str] = [
        f"unknown top-level key {key!r} (only [sources.<folder>] tables)"
        for key in sorted(data)
        if key != "sources"
    ]
    tables = data.get("sources")
    if not isinstance(tables, dict) or not tables:
        problems.append("expected at least one [sources.<folder>] table")
        tables = {}
    sources: dict[str, Source] = {}
    for key, table in sorted(tables.items()):
        found = _table_problems(raw_dir, key, table)
        if found:
            problems.extend(f"[sources.{key}] {problem}" for problem in found)
            continue
        sources[key] = Source(
            key=key,
            name=table["name"],
            language=table["language"],
            profile=table["profile"],
            licence=table["licence"],
            options=tuple(sorted(table.get("options", {}).items())),
            aliases=tuple(table.get("aliases", [])),
            annotation=tuple(sorted(table.get("annotation", {}).items())),
            exclude=tuple(table["exclude"])
            if "exclude" in table
            else default_exclude(table["profile"], table.get("options", {})),
            roles=tuple(sorted(table.get("roles", {}).items())),
        )
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise RegistryError(
            f"{registry_path}: {len(problems)} problem(s); nothing was built:\n{listed}",
            [f"{registry_path}: {problem}" for problem in problems],
        )
    return sources


def _table_problems(raw_dir: Path, key: str, table: Any) -> list[str]:
    """Every problem of one `[sources.<key>]` table (empty when it is right)."""
    if not isinstance(table, dict):
        return ["must be a table"]
    problems: list[str] = []
    if not key.replace("_", "").isalnum() or not key.islower() or not key.isascii():
        problems.append(f"folder key {key!r} must be lower-case letters, digits, '_'")
    elif not (raw_dir / key).is_dir():
        problems.append(f"declares folder {key}/, which does not exist in {raw_dir}")
    unknown = sorted(set(table) - {*_REQUIRED_KEYS, *_OPTIONAL_KEYS})
    if unknown:
        known = ", ".join((*_REQUIRED_KEYS, *_OPTIONAL_KEYS))
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))} (known: {known})")
    missing = [name for name in _REQUIRED_KEYS if name not in table]
    if missing:
        problems.append(f"lacks {', '.join(missing)}")
    for name in _REQUIRED_KEYS:
        if name in table and not (isinstance(table[name], str) and table[name].strip()):
            problems.append(f"{name} must be a non-empty string, not {table[name]!r}")
    aliases = table.get("aliases", [])
    if not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
        problems.append(f"aliases must be a list of strings, not {aliases!r}")
    exclude = table.get("exclude", [])
    if not (isinstance(exclude, list) and all(isinstance(p, str) and p.strip() for p in exclude)):
        problems.append(
            f'exclude must be a list of non-empty glob patterns (e.g. ["README*", "*.md"]; '
            f"[] excludes nothing), not {exclude!r}"
        )
    language = table.get("language")
    if isinstance(language, str) and not _language_pattern().fullmatch(language):
        problems.append(
            f"language {language!r} is not a BCP 47 tag the record schema accepts "
            f"(pattern {_language_pattern().pattern}; e.g. 'en', 'ko', 'en-US')"
        )
    problems.extend(_annotation_problems(table.get("annotation", {})))
    problems.extend(_roles_problems(table.get("roles", {})))
    options = table.get("options", {})
    if not isinstance(options, dict):
        problems.append(f"options must be a table, not {options!r}")
        options = {}
    profile = table.get("profile")
    if isinstance(profile, str):
        problems.extend(_profile_problems(profile, options))
    return problems


def _subtable_problems(
    name: str, table: Any, known: dict[str, type], what: str = "option"
) -> list[str]:
    """Problems of a `[sources.<folder>.<name>]` table of typed keys: not a table, an
    unknown key, a value of the wrong type."""
    if not isinstance(table, dict):
        return [f"{name} must be a table, not {table!r}"]
    problems = []
    for key, value in sorted(table.items()):
        if key not in known:
            problems.append(f"{name}: unknown {what} {key!r} (known: {', '.join(known)})")
        elif type(value) is not known[key]:
            problems.append(f"{name}: {key} must be a {known[key].__name__}, not {value!r}")
    return problems


def _annotation_problems(annotation: Any) -> list[str]:
    """Problems of an `annotation` table: unknown options, wrong types."""
    known = {key: kind for key, (kind, _meaning) in sorted(ANNOTATION_OPTIONS.items())}
    return _subtable_problems("annotation", annotation, known)


def _roles_problems(roles: Any) -> list[str]:
    """Problems of a `roles` table: unknown roles, values that are not booleans."""
    from newscorpus.read.roles import ROLES

    return _subtable_problems("roles", roles, dict.fromkeys(ROLES, bool), "role")


def _profile_problems(profile_name: str, options: dict[str, Any]) -> list[str]:
    """Problems of a profile name and the options given to it."""
    from newscorpus.read.profiles import get_profile

    try:
        profile = get_profile(profile_name)
    except RejectError as exc:
        return [f"profile: {exc.message}"]
    if profile.check_options is None:
        return []
    try:
        profile.check_options(options)
    except RejectError as exc:
        return [f"options: {exc.message}"]
    return []


@cache
def _language_pattern() -> re.Pattern[str]:
    """The record schema's pattern for `language` (the schema is the one source of it)."""
    from newscorpus.record.schema import load_schema

    return re.compile(str(load_schema()["properties"]["language"]["pattern"]))


def article_id(source_key: str, relpath: str, part: str | None = None) -> str:
    """Return the stable id of an article: `<source key>-<16 hex of sha256(relpath[#part])>`.

    It depends only on where the raw file sits (and, for files holding several articles,
    the article's key inside it), so improving a parser never renames an article.

    >>> article_id("donga", "donga/000_50823aa4b1df31b8.txt")
    'donga-724ffc14e03e3d2e'
    """
    key = relpath if part is None else f"{relpath}#{part}"
    return f"{source_key}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"


def _is_inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def display_relpath(path: Path, raw_dir: Path) -> str:
    """Return a path relative to raw/ with '/' separators, always valid UTF-8.

    File names that are not UTF-8 (possible on Linux) keep their bytes visible as
    backslash escapes instead of crashing JSON or hashing.
    """
    relative = os.fsencode(path.relative_to(raw_dir).as_posix())
    return relative.decode("utf-8", errors="backslashreplace")


class RawFiles(Sequence[RawFile]):
    """The files of a raw/ folder, sorted by relpath, held compactly.

    A build keeps the list of every raw file for its whole run, so its size grows with
    the corpus: a `RawFile` costs ≈ 330 bytes (two path strings, the object, the size);
    here a file costs its relpath and 8 bytes, and `RawFile`s are made again on access.
    Files whose `path` is not `<raw_dir>/<relpath>`, or that have a problem, are kept
    whole (they are few). Fill with `add`, then `sort` once.
    """

    def __init__(self, raw_dir: Path, registry: dict[str, Source]) -> None:
        self._prefix = str(raw_dir) + os.sep
        self._registry = registry
        self._relpaths: list[str] = []
        self._sizes = array("q")
        self._whole: dict[int, RawFile] = {}

    def add(self, raw: RawFile) -> None:
        """Append one file (in any order until `sort`)."""
        if (
            raw.problem is not None
            or raw.path != self._prefix + raw.relpath
            or raw.source is not self._source_of(raw.relpath)
        ):
            self._whole[len(self._relpaths)] = raw
        self._relpaths.append(raw.relpath)
        self._sizes.append(raw.size)

    def sort(self) -> None:
        """Order the files by relpath."""
        order = sorted(range(len(self._relpaths)), key=self._relpaths.__getitem__)
        self._relpaths = [self._relpaths[i] for i in order]
        self._sizes = array("q", (self._sizes[i] for i in order))
        where = {old: new for new, old in enumerate(order) if old in self._whole}
        self._whole = {where[old]: raw for old, raw in self._whole.items()}

    def _source_of(self, relpath: str) -> Source | None:
        top = relpath.split("/", 1)[0] if "/" in relpath else None
        return self._registry.get(top) if top is not None else None

    def __len__(self) -> int:
        return len(self._relpaths)

    @overload
    def __getitem__(self, index: int) -> RawFile: ...

    @overload
    def __getitem__(self, index: slice) -> list[RawFile]: ...

    def __getitem__(self, index: int | slice) -> RawFile | list[RawFile]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        whole = self._whole.get(index)
        if whole is not None:
            return whole
        relpath = self._relpaths[index]
        return RawFile(
            self._prefix + relpath, relpath, self._sizes[index], self._source_of(relpath)
        )

    def __iter__(self) -> Iterator[RawFile]:
        for index in range(len(self)):
            yield self[index]


def discover_files(raw_dir: Path, registry: dict[str, Source]) -> RawFiles:
    """Return every file under `raw_dir` except its metadata files, sorted by relpath.

    Nothing is skipped silently: symlinks are followed only when they resolve to a
    regular file inside `raw_dir`, and other entries (links pointing outside, broken
    links, FIFOs, devices, folders that cannot be listed) come with a `problem`
    reason code so that the ledger accounts for them. Directory links are not descended.
    """
    root = raw_dir.resolve()
    found = RawFiles(raw_dir, registry)

    def unlistable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else raw_dir
        found.add(RawFile(str(where), display_relpath(where, raw_dir) + "/", 0, None, "unreadable"))

    # os.scandir rather than os.walk and pathlib: a plain file then costs one stat and
    # no Path objects (the walk cost ≈ 40 µs a file, as much as planning a rebuild).
    folders = [(str(raw_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        # Entries are taken as the listing streams them, never listed first: a folder
        # of 300k files held as DirEntry objects (each with its stat) cost ≈ 1 KB a
        # file at the start of a build, memory the process then kept to its end.
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    _add_entry(entry, prefix, found, folders, registry, root)
        except OSError as exc:
            unlistable(exc)
    found.sort()
    return found


def _add_entry(
    entry: os.DirEntry[str],
    prefix: str,
    found: RawFiles,
    folders: list[tuple[str, str]],
    registry: dict[str, Source],
    root: Path,
) -> None:
    """File one scandir entry: a folder to walk, or a raw file described."""
    if not prefix and entry.name in RAW_METADATA_FILES:
        return
    relpath = prefix + entry.name
    symlink = entry.is_symlink()
    if not symlink and entry.is_dir():
        folders.append((entry.path, relpath + "/"))
        return
    if not relpath.isascii():
        # A name that is not UTF-8 keeps its bytes visible as escapes.
        relpath = os.fsencode(relpath).decode("utf-8", errors="backslashreplace")
    top = relpath.split("/", 1)[0] if "/" in relpath else None
    source = registry.get(top) if top is not None else None
    if source is not None and excluded_by(relpath, source.exclude) is not None:
        # Decided by name, never read: not an input (ledger outcome `excluded`).
        found.add(RawFile(entry.path, relpath, 0, source, EXCLUDED))
        return
    if symlink:
        found.add(_describe(Path(entry.path), relpath, source, root))
    else:
        found.add(_describe_plain(entry, relpath, source))


def _describe_plain(entry: os.DirEntry[str], relpath: str, source: Source | None) -> RawFile:
    """`_describe` for an entry that is not a symbolic link (one stat)."""
    try:
        info = entry.stat()
    except OSError:
        return RawFile(entry.path, relpath, 0, source, "unreadable")
    # FIFOs and devices would block or stream forever when read.
    problem = None if stat.S_ISREG(info.st_mode) else "not_a_regular_file"
    return RawFile(entry.path, relpath, info.st_size, source, problem)


def discover(raw_dir: Path, registry: dict[str, Source]) -> Iterator[RawFile]:
    """Yield every file under `raw_dir` except its metadata files, sorted by relpath
    (see `discover_files`, which returns them as a compact sequence)."""
    yield from discover_files(raw_dir, registry)


def _describe(path: Path, relpath: str, source: Source | None, root: Path) -> RawFile:
    problem: str | None = None
    size = 0
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.exists():
                problem = "broken_symlink"
            elif not _is_inside(target, root):
                problem = "symlink_outside_raw"
        if problem is None:
            info = path.stat()
            size = info.st_size
            # FIFOs and devices would block or stream forever when read.
            if not stat.S_ISREG(info.st_mode):
                problem = "not_a_regular_file"
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on Python 3.11
        problem = "unreadable"
    return RawFile(path=str(path), relpath=relpath, size=size, source=source, problem=problem)
