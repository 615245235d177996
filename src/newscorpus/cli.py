"""The `newscorpus` command line: a thin layer over the library API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

# Only what the options' defaults need: each command imports its own machinery, so that
# `newscorpus validate` does not load the build's (worker pools, cache, SQLite).
from newscorpus.defaults import (
    DEFAULT_MAX_BYTES,
    DEFAULT_SHARD_BYTES,
    DEFAULT_SHARD_ROWS,
    DEFAULT_THRESHOLD,
)

app = typer.Typer(
    help="Turn raw scraped news articles into an annotated, validated Parquet corpus.",
    no_args_is_help=True,
    add_completion=False,
    # Markdown: docstring lines re-flow, and "[dask]" is text rather than a rich style tag.
    rich_markup_mode="markdown",
)
console = Console(stderr=True)
out = Console()


def _say(label: str, style: str, message: str) -> None:
    """Print `label` in `style`, then `message` as plain text, on standard error.

    Messages carry file names and registry keys (`[sources.donga]`): rich must not read
    their brackets as markup, nor colour their numbers and paths.
    """
    from rich.text import Text

    console.print(Text.assemble((label, style), " ", message), highlight=False)


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
        typer.Option(help="Incremental build cache (default: .newscorpus-cache/ beside OUT)."),
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
) -> None:
    """Build the corpus from RAW and publish it to OUT.

    Every raw file ends as a record, a recorded duplicate or a recorded reject (see
    OUT/inputs.jsonl). The new folder is validated before it replaces the old one.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Table

    from newscorpus.build import BuildError, build
    from newscorpus.executors import EngineError
    from newscorpus.sources import RegistryError

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

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            result = build(
                raw,
                out_dir,
                workers=workers,
                max_bytes=max_bytes,
                shard_rows=shard_rows,
                datasheet=sheet,
                progress=report,
                engine=engine,
                scheduler=scheduler,
                cache_dir=cache,
                use_cache=not no_cache,
                shard_bytes=shard_bytes,
                near_duplicate_threshold=near_duplicates or None,
            )
        except (BuildError, RegistryError, EngineError) as exc:
            _say("error:", "red", str(exc))
            raise typer.Exit(2) from None
    if sheet is not None:
        # Keep the hand-kept datasheet's generated section in step with the published one.
        published = (out_dir / "DATASHEET.md").read_text(encoding="utf-8")
        if sheet.read_text(encoding="utf-8") != published:
            sheet.write_text(published, encoding="utf-8")
    outcomes = result.outcomes
    table = Table(title=f"newscorpus build → {out_dir}", show_header=True)
    for column in ("files read", "records", "duplicates", "rejected", *result.stats["per_split"]):
        table.add_column(column, justify="right")
    table.add_row(
        str(result.files_found),
        str(outcomes["record"]),
        str(outcomes["duplicate"]),
        str(outcomes["rejected"]),
        *map(str, result.stats["per_split"].values()),
    )
    out.print(table)
    if result.up_to_date:
        console.print(f"{out_dir} is up to date: nothing changed since it was built", markup=False)
    else:
        console.print(f"{result.processed} file(s) processed, {result.cached} from the cache")
    for entry in result.rejects[:20]:
        _say(
            "rejected", "yellow", f"{entry['source_file']}: {entry['reason']} ({entry['message']})"
        )
    if len(result.rejects) > 20:
        console.print(
            f"… and {len(result.rejects) - 20} more rejects in {out_dir}/inputs.jsonl",
            markup=False,
        )
    if strict and result.rejects:
        _say("--strict:", "red", f"{len(result.rejects)} file(s) rejected")
        raise typer.Exit(1)


@app.command("validate")
def validate_command(
    path: Annotated[
        Path, typer.Argument(help="A published folder or a .jsonl file of records.")
    ] = Path("processed"),
) -> None:
    """Validate PATH against the schema, the offset rules and the manifest checksums.

    Exits 0 when valid, 1 with a report (file, record id, JSON pointer, message) when not.
    """
    from newscorpus.validate import validate_path

    report = validate_path(path, fork=True)
    for problem in report.problems[:200]:
        out.print(str(problem), markup=False, highlight=False)
    if len(report.problems) > 200:
        out.print(f"… and {len(report.problems) - 200} more problems")
    verdict = "valid" if report.ok else f"INVALID: {len(report.problems)} problem(s)"
    out.print(
        f"{path}: {report.records} records in {report.files} file(s): {verdict}",
        markup=False,
        highlight=False,
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command("schema")
def schema_command() -> None:
    """Print the record's JSON Schema (the single source of truth for its shape)."""
    from newscorpus.schema import schema_text

    typer.echo(schema_text(), nl=False)


@app.command("profiles")
def profiles_command() -> None:
    """List the registered parser profiles: the names sources.toml can use, and their files."""
    from rich.table import Table

    from newscorpus.profiles import available_profiles

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

    from newscorpus.stats import figures_tables, published_figures

    try:
        figures = published_figures(path)
    except FileNotFoundError as exc:
        _say("error:", "red", str(exc))
        raise typer.Exit(2) from None
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

    from newscorpus.show import find_record, render

    try:
        record = find_record(path, record_id)
    except (FileNotFoundError, LookupError) as exc:
        _say("error:", "red", str(exc))
        raise typer.Exit(2) from None
    if record is None:
        _say("error:", "red", f"no article {record_id!r} in {path}")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    # Wrapped to the width of a terminal; unwrapped (one line per paragraph) in a pipe.
    out.print(render(record), highlight=False, soft_wrap=not out.is_terminal)


def main() -> None:
    """Run the CLI (console script entry point)."""
    app()
