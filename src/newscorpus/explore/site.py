"""Write the explorer site of a published corpus (what `newscorpus explore` runs).

The site is `index.html`, `app.js` and `style.css` (copied from `assets/`), the corpus's
plots, and the paged data files of `data.py` under `data/`. It needs no server and no
network: it opens from disk. The same corpus gives a byte-identical site (no time, no
machine path in it).

An output folder is written only when it is absent, empty, or a site this function wrote
(it holds `MARKER_FILE_NAME`); anything else is refused before any work, like the build
refuses a foreign `--out`. The site may not be written inside the corpus's `data/`.

The corpus is read twice, both times streaming: the first pass reads only the `speakers`
column (the speaker index's numbering, which the article shards link to); the second
reads whole records, writes a shard every `SHARD_SIZE` articles and keeps only the
list entries, which are small.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from newscorpus.errors import UsageError
from newscorpus.explore.data import (
    LIST_PAGE,
    REFS_PAGE,
    SEARCH_PAGE,
    SHARD_SIZE,
    SPEAKER_PAGE,
    encode_article,
    js_data_file,
    page_count,
    page_name,
    pages,
)
from newscorpus.publish.folder import (
    ARTICLE_LENGTHS_FIGURE,
    DATA_DIR,
    QUOTES_PER_ARTICLE_FIGURE,
    UnsafeOutputError,
    published_shards,
    read_published_manifest,
    refuse_unless_replaceable,
)
from newscorpus.record.rules import PARAGRAPH_SEPARATOR

# What marks a folder as a site this module wrote (and may replace).
MARKER_FILE_NAME = ".newscorpus-explorer"
MARKER_TEXT = (
    "This folder is a site written by `newscorpus explore`; the command replaces its\n"
    "index.html, app.js, style.css, data/ and figures/ when it writes the site again.\n"
)
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
# The page; index.html goes last, so a site cut short by a crash has no page to open.
ASSET_FILES = ("style.css", "app.js", "index.html")
SITE_DATA_DIR = "data"
# The corpus's plots, copied to the same relative paths in the site.
PLOT_FILES = (ARTICLE_LENGTHS_FIGURE, QUOTES_PER_ARTICLE_FIGURE)
SITE_PLOTS_DIR = "figures"
# The record fields the site shows or counts.
RECORD_COLUMNS = (
    "id",
    "source",
    "url",
    "published",
    "headline",
    "subheadlines",
    "body",
    "quotes",
    "speakers",
)


@dataclass(frozen=True)
class SiteSummary:
    """What `write_site` wrote: where, how many articles and speakers, files and bytes."""

    out: Path
    articles: int
    speakers: int
    files: int
    bytes: int

    @property
    def index(self) -> Path:
        """The page to open (`out/index.html`)."""
        return self.out / "index.html"


class _Entry(NamedTuple):
    """One article as the list, the search index and the speaker index need it."""

    number: int
    id: str
    headline: str
    source: str
    published: str | None
    speakers: tuple[tuple[str, int], ...]
    quotes: int

    def names(self) -> list[str]:
        """The article's speakers, first quoted first."""
        return [name for name, _count in self.speakers]

    def list_item(self) -> list[Any]:
        """The entry as a page of the list holds it (`data.LIST_LAYOUT`)."""
        return [*self[:5], self.names(), self.quotes]

    def search_item(self, source_index: dict[str, int]) -> list[Any]:
        """The entry as the search index holds it (`data.SEARCH_LAYOUT`)."""
        return [self.number, self.headline, source_index[self.source], "\n".join(self.names())]


class _Files:
    """Writes the site's files and counts them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self.bytes = 0

    def write(self, relative: str, content: bytes) -> None:
        """Write one file of the site (`relative` to its root)."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.files += 1
        self.bytes += len(content)

    def data(self, name: str, payload: Any) -> None:
        """Write data file `data/<name>.js` holding `payload`."""
        self.write(f"{SITE_DATA_DIR}/{name}.js", js_data_file(name, payload))

    def paged(self, prefix: str, items: Sequence[Any], size: int) -> int:
        """Write `items` as pages `prefix-0001`…; return how many."""
        count = 0
        for number, chunk in pages(items, size):
            self.data(page_name(prefix, number), {"page": number, "items": list(chunk)})
            count = number
        return count


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _data_folders(corpus: Path) -> list[str]:
    """The corpus's `data/` and every other top folder its manifest lists files in."""
    manifest = read_published_manifest(corpus) or {}
    listed = {name.split("/")[0] for name in manifest.get("files", {}) if "/" in name}
    return sorted({DATA_DIR, *listed})


def check_site_output(corpus: Path, out: Path) -> None:
    """Refuse an output the site must not be written to; raise UnsafeOutputError saying why.

    Allowed: a path that does not exist, an empty folder, a site `write_site` wrote (it
    holds `MARKER_FILE_NAME`). Refused: anything else, the corpus folder itself, a folder
    holding the corpus, and any folder inside the corpus: inside `data/` or another
    folder the manifest lists files in, a loader would read it as data; anywhere else it
    would be uploaded with the dataset, and the next build (which replaces the corpus
    folder whole) would delete it.
    """
    out_abs, corpus_abs = out.resolve(), corpus.resolve()
    for folder in _data_folders(corpus):
        if _inside(out_abs, corpus_abs / folder):
            raise UnsafeOutputError(
                f"output {out} is inside the corpus's {folder}/ folder, which holds only the "
                "corpus's own files; choose a folder outside it"
            )
    if corpus_abs in out_abs.parents:
        raise UnsafeOutputError(
            f"output {out} is inside the corpus {corpus}: the site would be published with "
            "the dataset and deleted by the next build; choose a folder outside the corpus "
            "(the default is ./explorer)"
        )
    if out_abs == corpus_abs or _inside(corpus_abs, out_abs):
        raise UnsafeOutputError(
            f"output {out} holds the corpus {corpus}; choose a folder outside the corpus"
        )
    refuse_unless_replaceable(
        out,
        lambda folder: (folder / MARKER_FILE_NAME).is_file(),
        "the explorer is a folder of files",
        f"an explorer site (no {MARKER_FILE_NAME} file); the explorer will not write into it",
    )


def _clear_previous_site(out: Path) -> None:
    """Remove what an earlier `write_site` wrote, so no stale page file survives."""
    for name in (SITE_DATA_DIR, SITE_PLOTS_DIR):
        path = out / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
    for name in ASSET_FILES:
        (out / name).unlink(missing_ok=True)


def _records(corpus: Path, columns: Sequence[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (split, record restricted to `columns`) in the corpus's published order."""
    import pyarrow.parquet as pq

    from newscorpus.record.schema import from_arrow_row

    for split, path in published_shards(corpus):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024, columns=list(columns)):
            for row in batch.to_pylist():
                yield split, from_arrow_row(row)


def _speaker_numbers(corpus: Path) -> list[str]:
    """Return every speaker of the corpus, most quoted first (ties by name): their
    numbers in the speaker index."""
    quotes: Counter[str] = Counter()
    for _split, record in _records(corpus, ["speakers"]):
        for speaker in record["speakers"]:
            quotes[speaker["name"]] += speaker["quote_count"]
    return sorted(quotes, key=lambda name: (-quotes[name], name))


def _list_order(entries: list[_Entry]) -> list[_Entry]:
    """Newest first; undated articles last (all of them, in id order, when no article
    has a date: see `list_order_note`); ties by id."""
    ordered = sorted(entries, key=lambda entry: entry.id)
    # A stable sort: reversing the dates keeps the id order among equal dates.
    ordered.sort(key=lambda entry: entry.published or "", reverse=True)
    return ordered


def list_order_note(dated: int, total: int) -> str:
    """Say how the article list is ordered, given how many of `total` articles have a date.

    Dates order the list only where they exist; a corpus without any is listed by id.

    >>> list_order_note(0, 3)
    'in id order (no article has a publication date)'
    >>> list_order_note(2, 2), list_order_note(1, 3)
    ('newest first', 'newest first; the 2 undated follow in id order')
    """
    if dated == 0:
        return "in id order (no article has a publication date)"
    if dated == total:
        return "newest first"
    return f"newest first; the {total - dated} undated follow in id order"


def _write_articles(
    corpus: Path, files: _Files, numbers: dict[str, int]
) -> tuple[list[_Entry], dict[str, Any]]:
    """Write the article shards; return the list entries and the corpus figures."""
    from newscorpus.publish.stats import CorpusStats

    stats = CorpusStats()
    entries: list[_Entry] = []
    shard: list[dict[str, Any]] = []
    for number, (split, record) in enumerate(_records(corpus, RECORD_COLUMNS)):
        stats.add(record, split)
        shard.append(encode_article(record, numbers))
        entries.append(
            _Entry(
                number,
                record["id"],
                record["headline"],
                record["source"],
                record["published"],
                tuple((s["name"], s["quote_count"]) for s in record["speakers"]),
                len(record["quotes"]),
            )
        )
        if len(shard) == SHARD_SIZE:
            files.data(page_name("articles", number // SHARD_SIZE + 1), {"items": shard})
            shard = []
    if shard:
        files.data(page_name("articles", len(entries) // SHARD_SIZE + 1), {"items": shard})
    return entries, stats.figures()


def _write_speakers(
    files: _Files, ordered: list[_Entry], ranked: list[str], numbers: dict[str, int]
) -> tuple[int, int]:
    """Write the speaker index and each speaker's run of article references; return
    (speaker pages, reference pages)."""
    runs: list[list[list[Any]]] = [[] for _ in ranked]
    for entry in ordered:
        for name, count in entry.speakers:
            runs[numbers[name]].append(
                [entry.number, entry.headline, entry.source, entry.published, count]
            )
    speakers = []
    refs: list[list[Any]] = []
    for name, run in zip(ranked, runs, strict=True):
        speakers.append([name, sum(ref[-1] for ref in run), len(run), len(refs)])
        refs += run
    return (
        files.paged("speakers", speakers, SPEAKER_PAGE),
        files.paged("refs", refs, REFS_PAGE),
    )


def _write_plots(corpus: Path, files: _Files) -> list[str]:
    copied = []
    for relative in PLOT_FILES:
        source = corpus / relative
        if source.is_file():
            files.write(relative, source.read_bytes())
            copied.append(relative)
    return copied


def write_site(corpus: Path, out: Path) -> SiteSummary:
    """Write the explorer site of the published corpus `corpus` into `out`.

    Refuses (UsageError, exit 2) a `corpus` that is not a published folder and an `out`
    that `check_site_output` refuses; replaces an earlier site in `out`. Returns what was
    written; open `SiteSummary.index` in a browser.
    """
    corpus, out = Path(corpus), Path(out)
    if not corpus.is_dir():
        raise UsageError(f"corpus {corpus} is not a folder")
    manifest = read_published_manifest(corpus)
    if manifest is None:
        raise UsageError(
            f"{corpus} is not a corpus published by newscorpus (no manifest.json naming it); "
            "give the folder `newscorpus build` wrote"
        )
    check_site_output(corpus, out)
    out.mkdir(parents=True, exist_ok=True)
    # The marker first: a site cut short is still recognised, and replaced, next time.
    (out / MARKER_FILE_NAME).write_text(MARKER_TEXT, encoding="utf-8")
    _clear_previous_site(out)
    files = _Files(out)
    files.files, files.bytes = 1, len(MARKER_TEXT.encode())

    ranked = _speaker_numbers(corpus)
    numbers = {name: number for number, name in enumerate(ranked)}
    entries, figures = _write_articles(corpus, files, numbers)
    ordered = _list_order(entries)
    list_pages = files.paged("list", [entry.list_item() for entry in ordered], LIST_PAGE)
    speaker_pages, refs_pages = _write_speakers(files, ordered, ranked, numbers)
    sources = sorted({entry.source for entry in ordered})
    source_index = {source: index for index, source in enumerate(sources)}
    search = [entry.search_item(source_index) for entry in ordered]
    search_pages = files.paged("search", search, SEARCH_PAGE)
    for speaker in figures["top_speakers"]:
        speaker["number"] = numbers.get(speaker["name"])
    files.data(
        "figures",
        {
            **figures,
            "ledger": manifest.get("ledger"),
            "files_found": manifest.get("files_found"),
            "plots": _write_plots(corpus, files),
        },
    )
    files.data(
        "meta",
        {
            "schema_version": manifest.get("schema_version"),
            "pipeline_version": manifest.get("pipeline_version"),
            "articles": len(entries),
            "order": list_order_note(sum(1 for e in entries if e.published), len(entries)),
            "sources": sources,
            "paragraph_separator": PARAGRAPH_SEPARATOR,
            "list_page": LIST_PAGE,
            "list_pages": list_pages,
            "shard_size": SHARD_SIZE,
            "shards": page_count(len(entries), SHARD_SIZE),
            "speakers": len(ranked),
            "speaker_page": SPEAKER_PAGE,
            "speaker_pages": speaker_pages,
            "refs_page": REFS_PAGE,
            "refs_pages": refs_pages,
            "search_page": SEARCH_PAGE,
            "search_pages": search_pages,
        },
    )
    for name in ASSET_FILES:
        files.write(name, (ASSETS_DIR / name).read_bytes())
    return SiteSummary(out, len(entries), len(ranked), files.files, files.bytes)
