"""The `newscorpus` command line: a thin layer over the library API."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from newscorpus.errors import (
    EXIT_CHECK_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    NewscorpusError,
)

# Only what the options' defaults need: each command imports its own machinery, so that
# `newscorpus validate` does not load the build's (worker pools, cache, SQLite).
from newscorpus.publish.folder import default_cache_path
from newscorpus.settings import (
    DEFAULT_MAX_BYTES,
    DEFAULT_SHARD_BYTES,
    DEFAULT_SHARD_ROWS,
    DEFAULT_THRESHOLD,
    BuildSettings,
)
from newscorpus.version import __version__

app = typer.Typer(
    help="Turn raw scraped news articles into an annotated, validated Parquet corpus.",
    no_args_is_help=True,
    add_completion=False,
    # Markdown: docstring lines re-flow, and "[dask]" is text rather than a rich style tag.
    rich_markup_mode="markdown",
    # main() prints the traceback of a bug once, and exits 3.
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()


def _say(label: str, style: str, message: str) -> None:
    """Print `label` in `style`, then `message` as plain text, on standard error.

    Messages carry file names and registry keys (`[sources.donga]`): rich must not read
    their brackets as markup, nor colour their numbers and paths. Off a terminal they
    are not wrapped, so that a message stays one line for grep.
    """
    from rich.text import Text

    console.print(
        Text.assemble((label, style), " ", message),
        highlight=False,
        soft_wrap=not console.is_terminal,
    )


def _note(message: str) -> None:
    """Print a plain message on standard error (unwrapped off a terminal)."""
    console.print(message, markup=False, highlight=False, soft_wrap=not console.is_terminal)


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Report a NewscorpusError as one message and its exit code (see errors.py)."""
    try:
        yield
    except NewscorpusError as exc:
        _say("error:", "red", str(exc))
        raise typer.Exit(exc.exit_code) from None


def _require_path(path: Path, what: str) -> None:
    """Exit 2 when `path` does not exist (a usage error, the same for every command)."""
    if not path.exists():
        _say("error:", "red", f"{what} {path} does not exist")
        raise typer.Exit(EXIT_USAGE)


def _require_corpus(path: Path) -> None:
    """Exit 2 unless `path` is a corpus this tool published."""
    from newscorpus.publish.folder import MANIFEST_FILE_NAME, is_published_folder

    _require_path(path, "folder")
    if not is_published_folder(path):
        _say(
            "error:",
            "red",
            f"{path} is not a published corpus (no {MANIFEST_FILE_NAME} written by "
            "newscorpus build)",
        )
        raise typer.Exit(EXIT_USAGE)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"newscorpus {__version__}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Turn raw scraped news articles into an annotated, validated Parquet corpus.

    Exit codes, the same for every command: 0 success; 1 a check failed (validate found
    problems, --strict rejects, a refused shrink or empty build, a locked output); 2 a
    usage or configuration error (bad flags, a missing path, registry problems, an unsafe
    --out); 3 an internal error (a bug: please report it).
    """


@app.command("build")
def build_command(
    raw: Annotated[Path, typer.Option(help="Folder of raw files with its sources.toml.")] = Path(
        "raw"
    ),
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to publish (replaced atomically).")
    ] = Path("processed"),
    strict: Annotated[bool, typer.Option(help="Exit 1 when any file is rejected.")] = False,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).", min=1)
    ] = None,
    max_bytes: Annotated[
        int, typer.Option(help="Reject raw files larger than this.", min=1)
    ] = DEFAULT_MAX_BYTES,
    shard_rows: Annotated[
        int, typer.Option(help="Rows per Parquet shard at most.", min=1)
    ] = DEFAULT_SHARD_ROWS,
    datasheet: Annotated[
        Path | None,
        typer.Option(
            help="Hand-written DATASHEET.md whose generated section is refreshed "
            "(default: DATASHEET.md beside the RAW folder, if present)."
        ),
    ] = None,
    no_datasheet: Annotated[
        bool,
        typer.Option("--no-datasheet", help="Do not touch any DATASHEET.md outside the output."),
    ] = False,
    shard_bytes: Annotated[
        int, typer.Option(help="Start a new shard past this many (uncompressed) bytes.", min=1)
    ] = DEFAULT_SHARD_BYTES,
    engine: Annotated[
        str,
        typer.Option(
            help="Where per-file work runs: 'local' (worker processes) or 'dask' "
            "(needs newscorpus[dask]); the output is the same."
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://host:8786); default: a local cluster."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Incremental build cache (default: "
            f"{default_cache_path(Path('OUT')).name}/ beside OUT, e.g. "
            f"{default_cache_path(Path('processed')).name}/)."
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Process every file; neither read nor write a cache.")
    ] = False,
    near_duplicates: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Estimated Jaccard similarity (5-word shingles) at which an article is a "
            "near duplicate of a kept one; 0 turns near-duplicate detection off (exact "
            "duplicates are still removed).",
        ),
    ] = DEFAULT_THRESHOLD,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Publish even when files hit an internal error (a bug); still exits 3.",
        ),
    ] = False,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Publish even when the new corpus drops more than half of the published records.",
        ),
    ] = False,
) -> None:
    """Build the corpus from RAW and publish it to OUT.

    Every raw file ends as a record, a recorded duplicate or a recorded reject (see
    OUT/inputs.jsonl). The new folder is validated before it replaces the old one.

    OUT must be absent, empty, or a corpus this tool published: anything else is refused
    before any work. Beside OUT the build keeps only `.OUT.lock` and its cache
    `.OUT.cache/`. Nothing replaces a published corpus when the registry has a problem
    (exit 2), files hit a bug (exit 3, unless --keep-going), the new corpus is empty or
    would drop more than half of the records (exit 1, unless --allow-shrink).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    # One allocator for the process, not Arrow's mimalloc beside C's: what Arrow frees
    # while writing is reused by the check after it, instead of each allocator keeping
    # its own high-water mark (issue 20: an 8 MB article peaked at 480 MiB, now 375).
    # Arrow reads it when it loads, which the import below does (unless set already).
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    from newscorpus.run.driver import build

    # The datasheet belongs to the project that holds RAW (its parent folder), never to
    # whatever folder the command happens to run in.
    beside_raw = raw.parent / "DATASHEET.md"
    sheet = None if no_datasheet else (datasheet or (beside_raw if beside_raw.is_file() else None))
    with Progress(
        TextColumn("[bold]building"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("build", total=None)
        decided = [0, 0]  # files decided so far, of how many: for an interrupted build

        def report(done: int, total: int) -> None:
            decided[:] = [done, total]
            progress.update(task, completed=done, total=total)

        with _exit_codes():
            settings = BuildSettings(
                workers=workers,
                max_bytes=max_bytes,
                shard_rows=shard_rows,
                shard_bytes=shard_bytes,
                near_duplicate_threshold=near_duplicates or None,
                datasheet=sheet,
                engine=engine,
                scheduler=scheduler,
                cache_dir=cache,
                use_cache=not no_cache,
                keep_going=keep_going,
                allow_shrink=allow_shrink,
            )
            try:
                result = build(raw, out_dir, settings, progress=report)
            except KeyboardInterrupt:
                progress.stop()
                _say("interrupted:", "red", _interrupted_note(out_dir, settings, *decided))
                raise typer.Exit(EXIT_INTERRUPTED) from None
    if sheet is not None:
        # Keep the hand-kept datasheet's generated section in step with the published one.
        published = (out_dir / "DATASHEET.md").read_text(encoding="utf-8")
        if sheet.read_text(encoding="utf-8") != published:
            sheet.write_text(published, encoding="utf-8")
    outcomes = result.outcomes
    table = Table(title=f"newscorpus build → {out_dir}", show_header=True)
    columns = ("files found", "records", "duplicates", "rejected", "excluded")
    for column in (*columns, *result.stats["per_split"]):
        table.add_column(column, justify="right")
    table.add_row(
        str(result.files_found),
        str(outcomes["record"]),
        str(outcomes["duplicate"]),
        str(outcomes["rejected"]),
        str(outcomes.get("excluded", 0)),
        *map(str, result.stats["per_split"].values()),
    )
    out.print(table)
    if result.up_to_date:
        _note(f"{out_dir} is up to date: nothing changed since it was built")
    else:
        _note(f"{result.processed} file(s) processed, {result.cached} from the cache")
    if result.cache_note:
        _say("note:", "yellow", result.cache_note)
    for entry in result.rejects[:20]:
        _say(
            "rejected", "yellow", f"{entry['source_file']}: {entry['reason']} ({entry['message']})"
        )
    if len(result.rejects) > 20:
        _note(f"… and {len(result.rejects) - 20} more rejects in {out_dir}/inputs.jsonl")
    if result.excluded:
        named = ", ".join(entry["source_file"] for entry in result.excluded[:5])
        more = ", …" if len(result.excluded) > 5 else ""
        _note(
            f"{len(result.excluded)} file(s) excluded as not inputs ({named}{more}): each "
            f"with the pattern that matched in {out_dir}/inputs.jsonl; a source's "
            "exclude = [...] in sources.toml changes the patterns"
        )
    for warning in result.warnings[:20]:
        _say("warning", "yellow", f"{warning['source_file']}: {warning['message']}")
    if len(result.warnings) > 20:
        _note(f"… and {len(result.warnings) - 20} more warnings")
    if any(entry["reason"] == "undeclared_source" for entry in result.rejects):
        _note(f"files outside a declared folder: declare their folder in {raw / 'sources.toml'}")
    if result.internal_errors:
        _say(
            "internal error:",
            "red",
            f"{len(result.internal_errors)} file(s) hit a bug and were published as rejects "
            "(--keep-going); please report them: "
            + ", ".join(entry["source_file"] for entry in result.internal_errors[:5]),
        )
        raise typer.Exit(EXIT_INTERNAL)
    if strict and result.rejects:
        _say("--strict:", "red", f"{len(result.rejects)} file(s) rejected")
        raise typer.Exit(EXIT_CHECK_FAILED)


def _interrupted_note(out_dir: Path, settings: BuildSettings, done: int, total: int) -> str:
    """What an interrupted build did and what it kept (the build's own clean-up: it
    removes its staging folder and never touches the published one before the swap)."""
    if settings.use_cache:
        cache = settings.cache_dir or default_cache_path(out_dir)
        kept = (
            f"the outcomes of files processed so far are kept in the cache {cache}, so the "
            "next build resumes from them"
        )
    else:
        kept = "no cache was used (--no-cache): the next build starts over"
    where = (
        f"{out_dir} is as it was before this build"
        if out_dir.exists()
        else f"{out_dir} was not created"
    )
    return (
        f"the build stopped after deciding {done} of {total} file(s); nothing was published: "
        f"{where}, and the build's staging folder was removed; {kept}"
    )


@app.command("validate")
def validate_command(
    path: Annotated[
        Path, typer.Argument(help="A published folder or a .jsonl file of records.")
    ] = Path("processed"),
) -> None:
    """Validate PATH against the schema, the offset rules and the manifest checksums.

    Exits 0 when valid, 1 with a report (file, record id, JSON pointer, message) when not.
    """
    from newscorpus.check.published import validate_path

    _require_path(path, "path")
    report = validate_path(path, fork=True)
    # One problem a line, never wrapped: CI logs and grep read them.
    for problem in report.problems[:200]:
        out.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    if len(report.problems) > 200:
        out.print(f"… and {len(report.problems) - 200} more problems", soft_wrap=True)
    verdict = "valid" if report.ok else f"INVALID: {len(report.problems)} problem(s)"
    out.print(
        f"{path}: {report.records} records in {report.files} file(s): {verdict}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if not report.ok:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command("schema")
def schema_command() -> None:
    """Print the record's JSON Schema (the single source of truth for its shape)."""
    from newscorpus.record.schema import schema_text

    typer.echo(schema_text(), nl=False)


@app.command("profiles")
def profiles_command() -> None:
    """List the registered parser profiles: the names sources.toml can use, and their files."""
    from rich.table import Table

    from newscorpus.read.profiles import available_profiles

    table = Table(show_header=True)
    for column in ("profile", "reads", "description"):
        table.add_column(column)
    for profile in available_profiles():
        table.add_row(profile.name, " ".join(profile.extensions), profile.description)
    out.print(table)


@app.command("stats")
def stats_command(
    path: Annotated[Path, typer.Argument(help="A published folder.")] = Path("processed"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON instead of tables.")
    ] = False,
) -> None:
    """Print the figures of a published corpus, recounted from its Parquet files and ledger.

    Records per split and source, quotations per article, top speakers, body lengths,
    rejects and duplicates by reason: the figures of the datasheet, from the data itself.
    """
    import json

    from newscorpus.publish.stats import figures_tables, published_figures

    _require_corpus(path)
    try:
        figures = published_figures(path)
    except FileNotFoundError as exc:
        _say("error:", "red", str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for table in figures_tables(figures):
        out.print(table)


@app.command("show")
def show_command(
    record_id: Annotated[
        str, typer.Argument(metavar="ID", help="Article id (or a unique prefix).")
    ],
    path: Annotated[Path, typer.Argument(help="A published folder.")] = Path("processed"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the record as JSON instead of the article.")
    ] = False,
) -> None:
    """Print one article as a reader sees it, each quotation marked and attributed.

    Quotations are wrapped in ⟦ ⟧ and numbered; the line under each paragraph names each
    quotation's speaker (colours on a terminal only).
    """
    import json

    from newscorpus.publish.show import find_record, render

    _require_corpus(path)
    try:
        record = find_record(path, record_id)
    except (FileNotFoundError, LookupError) as exc:
        _say("error:", "red", str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if record is None:
        _say("error:", "red", f"no article {record_id!r} in {path}")
        raise typer.Exit(EXIT_CHECK_FAILED)
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    # Wrapped to the width of a terminal; unwrapped (one line per paragraph) in a pipe.
    out.print(render(record), highlight=False, soft_wrap=not out.is_terminal)


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The published folder before.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The published folder after.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every difference as JSON instead of a table.")
    ] = False,
    fail_on_change: Annotated[
        bool, typer.Option("--fail-on-change", help="Exit 1 when anything differs.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(help="Records (and quotations per record) the table lists at most.", min=1),
    ] = 20,
) -> None:
    """Compare two published corpora: records and quotations added, removed or changed.

    Prints summary counts, then each changed record: the fields that differ, quotations
    added or removed, re-spanned (span moved, still overlapping) or re-attributed
    (`old speaker → new speaker`, with the sentence from NEW). Quotations are paired
    within an article and field by their largest overlap, after an edit of the text
    elsewhere is allowed for.

    Exits 0 when the corpora match, or differ without --fail-on-change; 1 with
    --fail-on-change when anything differs; 1 always when a record moved between
    splits (a record's split must never change). Example:
    `newscorpus diff processed /tmp/rebuilt --fail-on-change`.
    """
    import json

    from newscorpus.check.diff import diff_corpora, render_diff

    _require_corpus(old)
    _require_corpus(new)
    try:
        diff = diff_corpora(old, new)
    except FileNotFoundError as exc:
        _say("error:", "red", str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        typer.echo(json.dumps(diff.to_json(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        out.print(render_diff(diff, limit), end="", markup=False, highlight=False, soft_wrap=True)
    if diff.split_moves:
        _say("error:", "red", f"{len(diff.split_moves)} record(s) moved between splits")
        raise typer.Exit(EXIT_CHECK_FAILED)
    if fail_on_change and not diff.empty:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command("explore")
def explore_command(
    path: Annotated[Path, typer.Argument(help="A published folder.")] = Path("processed"),
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write the site into: absent, empty, or a site this command "
            "wrote before (which it replaces); never inside the corpus.",
        ),
    ] = Path("explorer"),
) -> None:
    """Write a static site to browse a published corpus: open OUT/index.html in a browser.

    The site needs no server and no network (it opens from disk, file://): the article
    list with search by headline, speaker and source; each article with its quotations
    highlighted in their speakers' colours, speaker mentions and cues marked, and how each
    quotation was attributed shown on hover or keyboard focus; an index of who is quoted,
    how often and where; the datasheet's figures. Data files are paged (list pages,
    article shards, a search index loaded on first search), so a corpus of 100,000
    articles opens as fast as a small one. The same corpus gives the same files. Exit 2
    when PATH is not a published corpus or OUT is a folder of something else.
    """
    from newscorpus.explore.site import write_site

    _require_corpus(path)
    with _exit_codes():
        summary = write_site(path, out_dir)
    _note(
        f"wrote {summary.articles:,} articles and {summary.speakers:,} speakers to "
        f"{summary.out} ({summary.files:,} files, {summary.bytes / 1e6:,.1f} MB); "
        f"open {summary.index}"
    )


def main() -> None:
    """Run the CLI (console script entry point); an unexpected exception exits 3."""
    try:
        app()
    except Exception:
        traceback.print_exc()
        _say("internal error:", "red", "this is a bug in newscorpus; please report it")
        sys.exit(EXIT_INTERNAL)
