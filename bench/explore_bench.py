"""Benchmark of the explorer site at scale: not a test, measured figures.

    python bench/explore_bench.py --n 100000      # the 100k figures
    python bench/explore_bench.py --n 2000        # a quick run

Generates a corpus like `bench/build_bench.py` (Donga-format pages of mixed BBC News
paragraphs, about 4 KB each) and builds it (a child process, timed but not the point),
or takes `--corpus`, one already built. Then measures `write_site`: wall time, the
site's size and file count, the largest data file, and the peak RSS of this process
(generating and writing; the build ran elsewhere).
Then, in headless Chromium opened from disk, the median of `--loads` fresh loads of: the
first page (`#/list/1`), an article page from the middle of the corpus, and a first
search (which loads the whole search index). Each load is timed two ways: from
navigation start to the moment the view marks itself ready (in the page, by
`performance.now()`), and the wall time around Playwright's navigation and wait.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from build_bench import BBC, generate, load_bbc

CHROMIUM = "/usr/bin/chromium"
# Records the moment `main` says its view is complete (app.js sets data-state="ready").
READY_PROBE = """
new MutationObserver((changes, observer) => {
  const main = document.getElementById("main");
  if (main && main.getAttribute("data-state") === "ready" && !window.__readyAt) {
    window.__readyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-state"]});
"""
BUILD = "import sys, newscorpus; newscorpus.build(sys.argv[1], sys.argv[2], datasheet=None)"


def tree_size(root: Path) -> tuple[int, int, int]:
    """Return (bytes, files, largest file's bytes) under `root`."""
    sizes = [path.stat().st_size for path in root.rglob("*") if path.is_file()]
    return sum(sizes), len(sizes), max(sizes, default=0)


def browser_timings(site: Path, routes: Sequence[str], loads: int) -> dict[str, dict[str, float]]:
    """Return, per route, the median in-page and wall milliseconds over `loads` fresh loads."""
    from playwright.sync_api import sync_playwright

    figures: dict[str, dict[str, float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for route in routes:
                in_page, wall = [], []
                for _ in range(loads):
                    # A new context each time: nothing cached from the previous load.
                    context = browser.new_context()
                    context.add_init_script(READY_PROBE)
                    page = context.new_page()
                    errors: list[str] = []
                    page.on(
                        "console",
                        lambda m, e=errors: e.append(m.text) if m.type == "error" else None,
                    )
                    started = time.perf_counter()
                    page.goto((site / "index.html").as_uri() + route)
                    page.wait_for_selector(
                        f'main[data-route="{route}"][data-state=ready]', timeout=120_000
                    )
                    wall.append((time.perf_counter() - started) * 1000)
                    in_page.append(float(page.evaluate("() => window.__readyAt")))
                    if errors:
                        raise SystemExit(f"{route}: console errors: {errors}")
                    context.close()
                figures[route] = {
                    "in_page": statistics.median(in_page),
                    "wall": statistics.median(wall),
                }
        finally:
            browser.close()
    return figures


def build_corpus(n: int, work: Path) -> tuple[Path, float]:
    """Generate `n` pages and build them (a child process); return (corpus, seconds)."""
    raw, corpus = work / "raw", work / "processed"
    started = time.perf_counter()
    generate(raw, n, load_bbc(BBC))
    print(f"generated {n:,} pages in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BUILD, str(raw), str(corpus)], check=True)
    built = time.perf_counter() - started
    print(f"built in {built:.1f} s", file=sys.stderr)
    shutil.rmtree(raw)
    return corpus, built


def measure(corpus: Path, site: Path, loads: int, built: float | None) -> None:
    """Write the site of `corpus` into `site`, load it in Chromium; print the figures."""
    from newscorpus.explore.site import write_site

    started = time.perf_counter()
    summary = write_site(corpus, site)
    written = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    size, files, largest = tree_size(site)
    corpus_size, _, _ = tree_size(corpus / "data")

    middle = summary.articles // 2
    routes = ["#/list/1", f"#/article/{middle}", "#/search/headline/minister"]
    timings = browser_timings(site, routes, loads)

    print(f"articles: {summary.articles:,}, speakers: {summary.speakers:,}")
    if built is not None:
        print(f"build (child process, for reference): {built:.1f} s")
    print(f"site write: {written:.1f} s ({summary.articles / written:,.0f} articles/s)")
    print(
        f"site size: {size / 1e6:,.1f} MB in {files:,} files "
        f"(largest {largest / 1e6:.2f} MB; the corpus's Parquet: {corpus_size / 1e6:,.1f} MB)"
    )
    print(f"peak RSS of the writing process: {peak_rss / 1e6:,.0f} MB")
    names = {
        routes[0]: "first page (#/list/1)",
        routes[1]: f"article page ({routes[1]})",
        routes[2]: "first search (loads the index)",
    }
    for route in routes:
        figure = timings[route]
        print(
            f"{names[route]}: median of {loads}: {figure['in_page']:.0f} ms in the page "
            f"(navigation start to ready), {figure['wall']:.0f} ms wall"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="articles to generate")
    parser.add_argument("--loads", type=int, default=5, help="browser loads per view")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--corpus", type=Path, default=None, help="a built corpus to use (no generate, no build)"
    )
    args = parser.parse_args(argv)
    if args.corpus is None and not BBC.is_dir():
        print(f"skipped: the BBC articles are not at {BBC} (needed to generate the corpus)")
        return 0
    if not Path(CHROMIUM).is_file():
        print(f"skipped: no Chromium at {CHROMIUM}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="newscorpus-explore-bench-", dir=args.work))
    try:
        if args.corpus is None:
            corpus, built = build_corpus(args.n, work)
            measure(corpus, work / "explorer", args.loads, built)
        else:
            measure(args.corpus, work / "explorer", args.loads, None)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
