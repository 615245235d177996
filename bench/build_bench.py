"""Benchmark of the build at scale (issue 5): not a test, a measured table.

    python bench/build_bench.py --n 100000            # the 100k figures
    python bench/build_bench.py --n 100000 --scale    # ... and the same at 3x (memory flatness)

Generates a corpus in the Donga scrape format from real article text (the BBC News
articles in ../shared/data/bbc_news), paragraphs mixed so that no two articles are
duplicates, about 4 KB a file. Then measures, in one run: the I/O floor (read every raw
file, write its text to one Parquet file, one process); `newscorpus build` with a fresh
cache (wall time, articles/s, ratio to the floor, peak RSS and PSS summed over the
whole process tree); a no-op rebuild; a rebuild after modifying 1 % of the files;
`newscorpus validate` (median of 3 runs); the 1-minute load average sampled between
those steps (the machine may be shared). Two bounds, measured in the same run, say how
far the targets are from what the build's parts alone can do: the worker ceiling (the
per-file function alone, `build.process_keyed` on the default engine, over a sample of
the files: no cache, reduce or writing) and the re-encode floor (the published rows
read back and written again with the build's Parquet options, one process: the least a
rebuild spends that must rewrite every row group, as one changing 1 % of the files
does, rows being in id order and ids hashes).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BBC = REPO.parent / "shared" / "data" / "bbc_news"
TARGET_BYTES = 4_000
# `newscorpus validate` runs per corpus; the median is reported.
VALIDATE_RUNS = 3
# Files the worker ceiling is measured on (the first ones, in input order).
CEILING_SAMPLE = 20_000
# Both bounds run in a child process from the snapshot, like the builds.
WORKER_CEILING = """
import sys, time
from pathlib import Path
from newscorpus.run.pipeline import process_file
from newscorpus.run.executors import engine_map
from newscorpus.read.sources import discover_files, load_registry

if __name__ == "__main__":
    raw, count = Path(sys.argv[1]), int(sys.argv[2])
    files = discover_files(raw, load_registry(raw))
    items = [files[i] for i in range(min(count, len(files)))]
    start = time.perf_counter()
    done = sum(1 for _ in engine_map(process_file, iter(items)))
    print(done, time.perf_counter() - start)
"""
REENCODE_FLOOR = """
import sys, time
from pathlib import Path
import pyarrow.parquet as pq
from newscorpus.publish.folder import config_dir
from newscorpus.record.schema import CONFIGS
from newscorpus.run.writer import ROW_GROUP_ROWS, parquet_options

if __name__ == "__main__":
    # Every config's shards: a rebuild rewrites the articles and the rows derived from them.
    shards = [
        (config, shard)
        for config in CONFIGS
        for shard in sorted(Path(sys.argv[1]).glob(config_dir(config) + "/*.parquet"))
    ]
    tables = [(config, pq.read_table(shard)) for config, shard in shards]
    start = time.perf_counter()
    for index, (config, table) in enumerate(tables):
        target = Path(sys.argv[2]) / f"{index}.parquet"
        pq.write_table(
            table, target, row_group_size=ROW_GROUP_ROWS, **parquet_options(config)
        )
    print(time.perf_counter() - start)
"""
# Per-stage cost of the worker on the first STAGE_SAMPLE files, one core, from the
# snapshot (bench/worker_bench.py's stages, each run once per page).
STAGE_SAMPLE = 1_000
WORKER_STAGES = """
import sys, json, statistics
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import worker_bench
from newscorpus.read.sources import discover_files, load_registry
from newscorpus.run.pipeline import process_file

if __name__ == "__main__":
    raw, count = Path(sys.argv[1]), int(sys.argv[2])
    files = discover_files(raw, load_registry(raw))
    items = [files[i] for i in range(min(count, len(files)))]
    for raw_file in items[:50]:
        process_file(raw_file)  # warm up: imports, compiled validators
    stages = {name: [] for name in worker_bench.STAGES}
    for raw_file in items:
        for name, value in worker_bench.stage_times(raw_file).items():
            stages[name].append(value)
    print(json.dumps({name: statistics.fmean(v) for name, v in stages.items()}))
"""
REGISTRY = """\
[sources.donga]
name = "Donga"
language = "en"
profile = "donga_wordpress_v1"
licence = "Benchmark corpus generated from BBC News articles; not for publication."
"""


@dataclass(frozen=True)
class Source:
    """One BBC article: its headline and paragraphs."""

    headline: str
    paragraphs: tuple[str, ...]


def load_bbc(root: Path) -> list[Source]:
    """Read every BBC article (`<category>/<nnn>.txt`: title line, blank, paragraphs)."""
    articles = []
    for path in sorted(root.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
        if len(blocks) >= 3:
            articles.append(Source(blocks[0].splitlines()[0], tuple(blocks[1:])))
    return articles


def generate(raw: Path, count: int, articles: Sequence[Source], seed: int = 5) -> None:
    """Write `count` distinct Donga-format pages of mixed BBC paragraphs into raw/donga/."""
    from newscorpus.synthetic import render_donga_page, synthetic_file_name

    folder = raw / "donga"
    folder.mkdir(parents=True, exist_ok=True)
    (raw / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    pool = [p for a in articles for p in a.paragraphs]
    rng = random.Random(seed)
    seen: set[tuple[int, ...]] = set()
    for index in range(count):
        base = articles[index % len(articles)]
        while True:
            picks: list[int] = []
            size = len(base.headline)
            while size < TARGET_BYTES - 600:
                pick = rng.randrange(len(pool))
                picks.append(pick)
                size += len(pool[pick]) + 2
            if tuple(picks) not in seen:
                seen.add(tuple(picks))
                break
        paragraphs = [pool[p] for p in picks]
        page = render_donga_page(base.headline, [f"Report {index}"], paragraphs)
        (folder / synthetic_file_name(index, page)).write_text(page, encoding="utf-8")


def touch_fraction(raw: Path, fraction: float, seed: int = 7) -> int:
    """Modify the content of `fraction` of the raw files (one word appended); return how many."""
    files = sorted((raw / "donga").iterdir())
    chosen = random.Random(seed).sample(files, max(1, int(len(files) * fraction)))
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        marker = "\n\nSource: Donga"
        path.write_text(text.replace(marker, " Updated." + marker, 1), encoding="utf-8")
    return len(chosen)


def io_floor(raw: Path, out: Path) -> float:
    """Read every raw file and write its text to one Parquet file (one process); seconds."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = time.perf_counter()
    names, texts = [], []
    for dirpath, _dirs, files in os.walk(raw):
        for name in sorted(files):
            path = Path(dirpath) / name
            names.append(str(path.relative_to(raw)))
            texts.append(path.read_bytes().decode("utf-8"))
    table = pa.table({"path": names, "text": texts})
    pq.write_table(table, out, compression="zstd")
    return time.perf_counter() - start


def run_snippet(code: str, *args: object) -> str:
    """Run `code` in a child interpreter on the snapshot (like the builds); its stdout."""
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        env=snapshot_env(),
    ).stdout


def worker_ceiling(raw: Path, sample: int) -> tuple[int, float]:
    """(files, seconds) for the per-file function alone over the first `sample` files."""
    files, seconds = run_snippet(WORKER_CEILING, raw, sample).split()
    return int(files), float(seconds)


def worker_stages(raw: Path, sample: int) -> dict[str, float]:
    """Mean µs per article of each worker stage over the first `sample` files."""
    import json

    stages: dict[str, float] = json.loads(run_snippet(WORKER_STAGES, raw, sample, REPO / "bench"))
    return stages


def reencode_floor(out: Path, scratch: Path) -> float:
    """Seconds to write the published rows again with the build's Parquet options."""
    scratch.mkdir()
    try:
        return float(run_snippet(REENCODE_FLOOR, out, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_measured(command: list[str], cwd: Path) -> tuple[float, int, int]:
    """Run a command; return (wall seconds, peak summed RSS, peak summed PSS of its
    process tree, in bytes). The main process's CPU seconds (its last sample, within
    50 ms of its end) are left in `LAST_MAIN_CPU`.

    RUSAGE_CHILDREN's maxrss is the largest single process, not what workers use
    together, so the tree is polled with psutil and concurrent RSS summed. A sum of RSS
    counts every page shared between processes (the workers' libraries, forked from one
    server) once per process; PSS shares such pages out, so its sum is what the tree
    really holds. Both are reported; RSS is the conservative one.
    """
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, env=snapshot_env())
    peak = peak_pss = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak, peak_pss, main_cpu
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                times = root.cpu_times()
                main_cpu = times.user + times.system
            total = total_pss = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for member in members:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    info = member.memory_full_info()
                    total += info.rss
                    total_pss += info.pss
            peak, peak_pss = max(peak, total), max(peak_pss, total_pss)
            time.sleep(0.05)

    main_cpu = 0.0
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    code = process.wait()
    elapsed = time.perf_counter() - start
    done.set()
    poller.join()
    global LAST_MAIN_CPU
    LAST_MAIN_CPU = main_cpu
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return elapsed, peak, peak_pss


def snapshot_sources(work: Path) -> Path:
    """Copy the package and its schema: builds run this frozen copy, not the live tree.

    The cache keys include the text of the package's modules, so an edit to the tree
    while the benchmark runs would (rightly) turn the rebuilds into full builds.
    """
    target = work / "snapshot"
    for name in ("src", "schema"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target / "src"


SNAPSHOT: Path | None = None
LAST_MAIN_CPU = 0.0


def newscorpus_command(*args: str) -> list[str]:
    """The CLI run as a module of the current interpreter (same venv), from the snapshot."""
    return [sys.executable, "-m", "newscorpus", *args]


def snapshot_env() -> dict[str, str]:
    """The environment of the measured commands: the snapshot first on the path."""
    env = dict(os.environ)
    if SNAPSHOT is not None:
        env["PYTHONPATH"] = str(SNAPSHOT)
    return env


def measure(n: int, work: Path, articles: Sequence[Source], workers: int | None) -> dict[str, Any]:
    """Generate a corpus of `n` files and take every measurement; return the figures."""
    raw, out = work / "raw", work / "processed"
    started = time.perf_counter()
    generate(raw, n, articles)
    print(f"[n={n}] generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    subprocess.run(["sync"], check=False)
    floor = io_floor(raw, work / "floor.parquet")
    extra = ["--workers", str(workers)] if workers else []
    build = newscorpus_command(
        "build", "--raw", str(raw), "--out", str(out), "--no-datasheet", *extra
    )
    loads = [os.getloadavg()[0]]
    full, rss, pss = run_measured(build, work)
    main_cpu = LAST_MAIN_CPU
    loads.append(os.getloadavg()[0])
    noop, noop_rss, _ = run_measured(build, work)
    touched = touch_fraction(raw, 0.01)
    changed, changed_rss, _ = run_measured(build, work)
    loads.append(os.getloadavg()[0])
    validations = []
    for _ in range(VALIDATE_RUNS):
        validate_start = time.perf_counter()
        subprocess.run(
            newscorpus_command("validate", str(out)),
            check=True,
            stdout=subprocess.DEVNULL,
            env=snapshot_env(),
        )
        validations.append(time.perf_counter() - validate_start)
    validate = statistics.median(validations)
    reencode = reencode_floor(out, work / "reencode")
    ceiling_files, ceiling_seconds = worker_ceiling(raw, CEILING_SAMPLE)
    stages = worker_stages(raw, STAGE_SAMPLE)
    loads.append(os.getloadavg()[0])
    print(f"[n={n}] touched {touched} files", file=sys.stderr)
    return {
        "n": n,
        "floor": floor,
        "full": full,
        "rss": rss,
        "pss": pss,
        "noop": noop,
        "noop_rss": noop_rss,
        "changed": changed,
        "changed_rss": changed_rss,
        "validate": validate,
        "records": _records(out),
        "reencode": reencode,
        "ceiling": ceiling_files / ceiling_seconds,
        "ceiling_files": ceiling_files,
        "main_cpu": main_cpu,
        "stages": stages,
        "load_min": min(loads),
        "load_max": max(loads),
    }


def _records(out: Path) -> int:
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return sum(int(s["num_examples"]) for s in manifest["splits"].values())


def table(rows: Sequence[dict[str, Any]]) -> str:
    """Render the figures as a Markdown table."""
    mb: Callable[[float], str] = lambda b: f"{b / 1e6:,.0f} MB"  # noqa: E731
    lines = [
        "| files | I/O floor | full build | articles/s | × floor | peak RSS (tree) "
        "| peak PSS (tree) | no-op rebuild | 1 % changed | validate (records/s) | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['n']):,} | {r['floor']:.1f} s | {r['full']:.1f} s "
            f"| {r['n'] / r['full']:,.0f} | {r['full'] / r['floor']:.1f} | {mb(r['rss'])} "
            f"| {mb(r.get('pss', 0))} "
            f"| {r['noop']:.1f} s ({100 * r['noop'] / r['full']:.0f} %) "
            f"| {r['changed']:.1f} s ({100 * r['changed'] / r['full']:.0f} %) "
            f"| {r['records'] / r['validate']:,.0f} ({r['validate']:.1f} s) "
            f"| {r.get('load_min', 0):.1f}–{r.get('load_max', 0):.1f} |"
        )
    return "\n".join(lines)


def bounds_table(rows: Sequence[dict[str, Any]]) -> str:
    """Render the two bounds beside the targets they bear on, as a Markdown table."""
    lines = [
        "| files | worker ceiling (articles/s) | target | re-encode floor "
        "| 15 % of this run's full build | 15 % of a build at 5,000/s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['n']):,} | {r['ceiling']:,.0f} (first {int(r['ceiling_files']):,} files) "
            f"| 5,000 | {r['reencode']:.1f} s | {0.15 * r['full']:.1f} s "
            f"| {0.15 * r['n'] / 5_000:.1f} s |"
        )
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def targets_table(rows: Sequence[dict[str, Any]]) -> str:
    """Every target of issue 15 (and the annotation one of issue 14) against this run."""
    first = rows[0]
    lines = ["| target | measured | met |", "|---|---|---|"]
    rate = first["n"] / first["full"]
    lines.append(
        f"| full build ≥ 3,000 articles/s at {int(first['n']):,} | {rate:,.0f} articles/s "
        f"| {_met(rate >= 3_000)} |"
    )
    for r in rows:
        lines.append(
            f"| peak RSS (tree) ≤ 1 GB at {int(r['n']):,} | {r['rss'] / 1e6:,.0f} MB "
            f"| {_met(r['rss'] <= 1e9)} |"
        )
    if len(rows) > 1:
        growth = rows[-1]["rss"] / first["rss"] - 1
        lines.append(
            f"| peak RSS at {int(rows[-1]['n']):,} within 15 % of {int(first['n']):,} "
            f"| {100 * growth:+.1f} % | {_met(abs(growth) <= 0.15)} |"
        )
    for r in rows:
        share = r["noop"] / r["full"]
        lines.append(
            f"| no-op rebuild ≤ 5 % of the full build at {int(r['n']):,} "
            f"| {r['noop']:.1f} s ({100 * share:.1f} %) | {_met(share <= 0.05)} |"
        )
    for r in rows:
        bound = r["noop"] + r["reencode"] + 2 * 0.01 * r["full"]
        lines.append(
            f"| 1 % changed ≤ no-op + re-encode floor + 2 × 1 % of full at {int(r['n']):,} "
            f"| {r['changed']:.1f} s against {r['noop']:.1f} + {r['reencode']:.1f} + "
            f"{0.02 * r['full']:.1f} = {bound:.1f} s | {_met(r['changed'] <= bound)} |"
        )
    speed = first["records"] / first["validate"]
    lines.append(
        f"| `newscorpus validate` ≥ 100,000 records/s at {int(first['n']):,} (process start "
        f"included) | {speed:,.0f} records/s ({first['validate']:.2f} s) "
        f"| {_met(speed >= 100_000)} |"
    )
    minhash = first["stages"]["minhash"]
    lines.append(f"| MinHash ≤ 30 µs an article | {minhash:.1f} µs | {_met(minhash <= 30)} |")
    annotate = first["stages"]["annotate"]
    lines.append(
        f"| annotation ≤ 150 µs an article (issue 14) | {annotate:.0f} µs "
        f"| {_met(annotate <= 150)} |"
    )
    return "\n".join(lines)


def stages_table(rows: Sequence[dict[str, Any]]) -> str:
    """Mean µs per article of each worker stage (one core), and the main process's CPU."""
    header = " | ".join(f"{int(r['n']):,} files" for r in rows)
    lines = [f"| stage (µs an article) | {header} |", "|---|" + "---:|" * len(rows)]
    for name in rows[0]["stages"]:
        cells = " | ".join(f"{r['stages'][name]:.1f}" for r in rows)
        lines.append(f"| {name} | {cells} |")
    cells = " | ".join(f"{sum(r['stages'].values()):.1f}" for r in rows)
    lines.append(f"| worker, sum of stages | {cells} |")
    cells = " | ".join(f"{1e6 * r['main_cpu'] / r['n']:.1f}" for r in rows)
    lines.append(f"| main process CPU (full build, all its work) | {cells} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table (Markdown) on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="raw files to generate")
    parser.add_argument("--scale", action="store_true", help="also run at 3 × n")
    parser.add_argument("--workers", type=int, default=None, help="build workers")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    if not BBC.is_dir():
        print(f"skipped: the BBC articles are not at {BBC} (needed to generate the corpus)")
        return 0
    articles = load_bbc(BBC)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    sizes = [args.n, 3 * args.n] if args.scale else [args.n]
    work_root = Path(tempfile.mkdtemp(prefix="newscorpus-bench-", dir=args.work))
    global SNAPSHOT
    SNAPSHOT = snapshot_sources(work_root)
    rows = []
    try:
        for n in sizes:
            work = work_root / f"n{n}"
            work.mkdir()
            rows.append(measure(n, work, articles, args.workers))
            print(
                table(rows[-1:]),
                bounds_table(rows[-1:]),
                stages_table(rows[-1:]),
                sep="\n\n",
                file=sys.stderr,
            )
            if not args.keep:
                shutil.rmtree(work)
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    cores = len(os.sched_getaffinity(0))
    print(f"cores: {cores}, python {sys.version.split()[0]}, load average before: {load}")
    print(table(rows))
    print()
    print(bounds_table(rows))
    print()
    print(stages_table(rows))
    print()
    print(targets_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
