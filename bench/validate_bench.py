"""Benchmark of `newscorpus validate` (issue 5, "Scale"): records per second, not a test.

    python bench/validate_bench.py                     # generate and build 100k, then measure
    python bench/validate_bench.py --n 20000           # a smaller corpus
    python bench/validate_bench.py --corpus /tmp/out   # measure an already built folder

Generates a corpus in the Donga scrape format from the BBC News articles of
../shared/data/bbc_news (the generator of bench/build_bench.py), builds it once with
`newscorpus build`, then runs `newscorpus validate <folder>` as a subprocess (process
start and imports included) several times and prints the median wall time, records per
second and the 1-minute load average around each run (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from build_bench import BBC, generate, load_bbc


def newscorpus_command(*args: str) -> list[str]:
    """The CLI run as a module of the current interpreter (same venv)."""
    return [sys.executable, "-m", "newscorpus", *args]


def build_corpus(n: int, work: Path) -> Path:
    """Generate `n` raw files and build them; return the published folder."""
    raw, out = work / "raw", work / "processed"
    started = time.perf_counter()
    generate(raw, n, load_bbc(BBC))
    print(f"[n={n}] generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run(
        newscorpus_command("build", "--raw", str(raw), "--out", str(out), "--no-datasheet"),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"[n={n}] built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def records_of(folder: Path) -> int:
    """The number of records the manifest declares."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return sum(int(s["num_examples"]) for s in manifest["splits"].values())


def time_validate(folder: Path, runs: int) -> list[tuple[float, float]]:
    """Run `newscorpus validate` `runs` times; (wall seconds, 1-minute load) per run."""
    results = []
    for _ in range(runs):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        subprocess.run(
            newscorpus_command("validate", str(folder)), check=True, stdout=subprocess.DEVNULL
        )
        results.append((time.perf_counter() - started, max(load, os.getloadavg()[0])))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the throughput (median of the runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="raw files to generate")
    parser.add_argument("--runs", type=int, default=3, help="validations to time")
    parser.add_argument("--corpus", type=Path, default=None, help="a built folder to measure")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    args = parser.parse_args(argv)
    work: Path | None = None
    if args.corpus is not None:
        folder = args.corpus
    elif not BBC.is_dir():
        print(f"skipped: the BBC articles are not at {BBC} (needed to generate the corpus)")
        return 0
    else:
        work = Path(tempfile.mkdtemp(prefix="newscorpus-validate-", dir=args.work))
        folder = build_corpus(args.n, work)
    try:
        records = records_of(folder)
        runs = time_validate(folder, args.runs)
    finally:
        if work is not None:
            if args.keep:
                print(f"corpus kept in {folder}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)
    seconds = statistics.median(wall for wall, _ in runs)
    loads = [load for _, load in runs]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"cores: {cores}, python {sys.version.split()[0]}")
    print("runs: " + ", ".join(f"{wall:.2f} s (load {load:.2f})" for wall, load in runs))
    print(
        f"newscorpus validate: {records:,} records, median {seconds:.2f} s, "
        f"{records / seconds:,.0f} records/s (load {min(loads):.2f}–{max(loads):.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
