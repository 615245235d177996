"""Benchmark of one article's cost against its size (issue 20): not a test, a table.

    python bench/size_bench.py                    # 64 kB, 512 kB, 1, 2, 4 and 8 MB
    python bench/size_bench.py --sizes 65536 524288
    python bench/size_bench.py --src /tmp/old     # another tree (src/, schema/)

Builds one plain-text article (`plaintext_v1`, headline first) made of a real BBC News
politics article (../shared/data/bbc_news/politics, one with several quotations) whose
body paragraphs are repeated until the file has the size, each size in its own fresh
raw/ and output folder, through the real CLI (`newscorpus build`, one worker, the
default cache (new, beside the output), the size limit raised above the file).

For each size it prints the wall time and the CPU seconds of the build's process tree
(the least of `--repeat` runs, three times as many under 1 MB, taken in rounds over the
sizes: on a shared machine noise only adds) and its peak RSS (polled with psutil every
20 ms, the RSS of every process summed; the largest of the runs). Then: the time per MB
at 512 kB and at 8 MB after subtracting the 64 kB run's time (start-up), their ratio
(target ≤ 1.5: the cost is linear in the size), by wall time and by CPU time, and the
peak RSS at 8 MB (target ≤ 400 MB).

The builds run a copy of `src/` and `schema/` taken at the start (of this tree, or of
`--src`), compiled before the first build, so edits made to the tree while it runs do not
change what is measured; one unmeasured build of the smallest size warms the caches.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLITICS = REPO.parent / "shared" / "data" / "bbc_news" / "politics"
# "Labour plans maternity pay rise": several quotations, a named speaker, a "she said".
ARTICLE = "001.txt"
KB, MB = 1024, 1024 * 1024
SIZES = (64 * KB, 512 * KB, 1 * MB, 2 * MB, 4 * MB, 8 * MB)
RATIO_TARGET = 1.5
SMALL_RUNS = 3
RSS_TARGET = 400 * 1000 * 1000  # bytes (400 MB)
SOURCES_TOML = """[sources.bbc]
name = "BBC News"
language = "en"
profile = "plaintext_v1"
licence = "BBC News articles (benchmark input, never published)."
"""


def article_text(path: Path, size: int) -> bytes:
    """The article's headline, then its body paragraphs repeated until `size` bytes
    (cut at a paragraph's end, so the last repetition may be partial)."""
    headline, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    parts = [headline.strip().encode("utf-8")]
    total = len(parts[0])
    index = 0
    while total < size:
        paragraph = paragraphs[index % len(paragraphs)].encode("utf-8")
        parts.append(paragraph)
        total += len(paragraph) + 2
        index += 1
    return b"\n\n".join(parts) + b"\n"


def snapshot_sources(work: Path, tree: Path = REPO) -> Path:
    """Copy a tree's package and schema, compiled (the first build would otherwise pay
    for it); return the folder to put first on the path."""
    target = work / "snapshot"
    for name in ("src", "schema"):
        shutil.copytree(tree / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(target / "src", quiet=1)
    return target / "src"


@dataclass
class Run:
    """One build: wall seconds, CPU seconds of its process tree, peak RSS (bytes)."""

    wall: float
    cpu: float
    peak: int


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_measured(command: list[str], env: dict[str, str]) -> Run:
    """Run a command; return its wall time, CPU time and the peak RSS of its tree.

    RUSAGE_CHILDREN's maxrss is one process's peak, not what the main process and its
    worker hold together, so the tree is polled and the RSS of its processes summed.
    Its CPU time (user + system, of the waited-for tree) is the figure a busy shared
    machine disturbs least.
    """
    import psutil

    cpu = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            total = 0
            for member in members:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += member.memory_info().rss
            peak = max(peak, total)
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    poller.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{stderr}")
    return Run(elapsed, _children_cpu() - cpu, peak)


def measure(size: int, work: Path, env: dict[str, str], text: Path) -> Run:
    """Build one article of `size` bytes in fresh folders."""
    folder = work / f"size-{size}"
    raw = folder / "raw"
    (raw / "bbc").mkdir(parents=True)
    (raw / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    (raw / "bbc" / "article.txt").write_bytes(article_text(text, size))
    command = [
        sys.executable,
        "-m",
        "newscorpus",
        "build",
        "--raw",
        str(raw),
        "--out",
        str(folder / "out"),
        "--workers",
        "1",
        "--max-bytes",
        str(2 * size + MB),
        "--no-datasheet",
    ]
    try:
        return run_measured(command, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def label(size: int) -> str:
    """A size as the table prints it (64 kB, 512 kB, 8 MB)."""
    return f"{size // MB} MB" if size % MB == 0 else f"{size // KB} kB"


def per_mb(results: dict[int, tuple[float, float, int]], column: int) -> tuple[float, float]:
    """Seconds per MB at 512 kB and at 8 MB, the 64 kB run's time (start-up) subtracted."""
    base = results[64 * KB][column]
    small = (results[512 * KB][column] - base) / ((512 * KB - 64 * KB) / MB)
    large = (results[8 * MB][column] - base) / ((8 * MB - 64 * KB) / MB)
    return small, large


def main(argv: list[str] | None = None) -> int:
    """Run the builds and print the table and the two targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="bytes")
    parser.add_argument("--article", type=Path, default=POLITICS / ARTICLE)
    parser.add_argument("--src", type=Path, default=REPO, help="tree to measure (src/, schema/)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size")
    args = parser.parse_args(argv)
    if not args.article.is_file():
        print(f"skipped: BBC article not found at {args.article} (see ../shared/data/SOURCES.md)")
        return 0
    sizes = sorted(set(args.sizes))
    with tempfile.TemporaryDirectory(prefix="size-bench-") as scratch:
        work = Path(scratch)
        env = dict(os.environ, PYTHONPATH=str(snapshot_sources(work, args.src)))
        results: dict[int, tuple[float, float, int]] = {}  # wall, CPU, peak RSS
        print(
            f"article: {args.article.name}, one worker, {os.cpu_count()} cores, "
            f"best of {args.repeat} ({args.repeat * SMALL_RUNS} under 1 MB), {args.src}"
        )
        measure(sizes[0], work, env, args.article)  # warm-up: page cache, lazy imports
        runs: dict[int, list[Run]] = {size: [] for size in sizes}
        # Rounds of every size, not every size's runs in a row: a slow spell of the
        # machine then touches all sizes alike.
        # The sizes under 1 MB cost a tenth of a second past the start-up, about as much
        # as the start-up's own noise: they run SMALL_RUNS times as often.
        for round_ in range(args.repeat * SMALL_RUNS):
            for size in sizes:
                if size < MB or round_ < args.repeat:
                    runs[size].append(measure(size, work, env, args.article))
    print(f"{'size':>8} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}")
    for size in sizes:
        done = runs[size]
        results[size] = (
            min(r.wall for r in done),
            min(r.cpu for r in done),
            max(r.peak for r in done),
        )
        wall, cpu, peak = results[size]
        print(f"{label(size):>8} {wall:8.2f} {cpu:8.2f} {peak / MB:13.0f}")
    if not {64 * KB, 512 * KB, 8 * MB} <= results.keys():
        return 0
    for name, column in (("wall", 0), ("CPU", 1)):
        small, large = per_mb(results, column)
        ratio = large / small if small > 0 else float("inf")
        verdict = "met" if ratio <= RATIO_TARGET else "NOT met"
        print(
            f"{name} time per MB after start-up: 512 kB {small:.2f} s, 8 MB {large:.2f} s; "
            f"ratio {ratio:.2f} (target ≤ {RATIO_TARGET}: {verdict})"
        )
    peak_8 = results[8 * MB][2]
    verdict = "met" if peak_8 <= RSS_TARGET else "NOT met"
    print(
        f"peak RSS at 8 MB: {peak_8 / 1e6:.0f} MB (target ≤ {RSS_TARGET / 1e6:.0f} MB: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
