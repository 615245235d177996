"""Cost of annotation, old vs new, on real texts that do not repeat (issue 23).

    python bench/annotate_bench.py [--baseline REV] [--rounds N] [--json]

What it measures: the time a build spends annotating one article,
`newscorpus.record.records.annotate_quotes(headline, subheadlines, body, options)`, on every
article of PolNeAR dev (../shared/data/polnear_dev/dev/text/*.txt: headline "", no
subheadlines, body = the whole text) and korea_news_dev (../shared/data/korea_news_dev/texts:
the first line is the headline, the paragraphs after the blank line are the body), with the
default annotation options. Without those data folders it says so and exits 0.

Old vs new: the old package is `git archive REV src/newscorpus schema` (REV = --baseline, default
e1d14df, the last commit before issue 23's annotator work) unpacked in a temp dir; the new
one is the working tree's src/. Each runs in its own persistent worker process (this file
with --worker SRC_DIR), which times the call with time.perf_counter inside the worker and
replies with the time and the number of quotations and speakers found. The parent asks old
and new in turn for each article, swapping which goes first on every other article (and
from one round to the next), one request at a time, so machine noise hits both alike. Both
workers are pinned to the same CPU (where `os.sched_setaffinity` exists): unpinned, an A/A
run (old against old) differed by up to 25% between its two workers on a 2-CPU machine;
pinned, by 3% at most.

Warm-up: the first 5 articles are annotated on both sides first (imports, lexicon loading),
not counted. Texts do not repeat within a pass; the annotator's bounded memo caches
(`functools.lru_cache` with a maxsize, e.g. mentions already judged) are cleared in both
workers after the warm-up and before every round, so that a later round does not find the
same texts' phrases already memoised (--keep-memos keeps them, to see what they would give).
The unbounded caches (the lexicon loaders) are kept: a build loads its lexicons once.

--rounds N (default 3) repeats the whole alternating pass N times; each article's time per
side is the median of its N times. Printed per set and for all: the median ms per article
old and new, the ratio of those medians, the ratio of total time (the sum of the per-article
medians) new/old, the new side's cost in µs per 1,000 characters, and whether the overall
total-time ratio meets issue 23's target (new/old <= 0.60). The figures are medians from
one run on a noisy machine: compare them within a run, not across runs.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
POLNEAR_DEV = DATA / "polnear_dev" / "dev" / "text"
KOREA_DEV = DATA / "korea_news_dev" / "texts"
SETS = ("polnear_dev", "korea_news_dev")
DEFAULT_BASELINE = "e1d14df"
WARMUP = 5
TARGET = 0.60
PARAGRAPH_SEPARATOR = "\n\n"


# --------------------------------------------------------------------------- texts


def load_polnear(folder: Path) -> list[dict[str, str]]:
    """PolNeAR dev articles: no headline line, the whole text is the body."""
    return [
        {"set": "polnear_dev", "name": path.name, "headline": "", "body": read_text(path)}
        for path in sorted(folder.glob("*.txt"))
    ]


def load_korea(folder: Path) -> list[dict[str, str]]:
    """korea_news_dev articles: the first line is the headline, then a blank line, then the
    body's paragraphs (joined as a build joins them, with a blank line)."""
    articles = []
    for path in sorted(folder.glob("*.txt")):
        headline, _, rest = read_text(path).partition("\n")
        paragraphs = [p.strip() for p in rest.split("\n\n") if p.strip()]
        articles.append(
            {
                "set": "korea_news_dev",
                "name": path.name,
                "headline": headline.strip(),
                "body": PARAGRAPH_SEPARATOR.join(paragraphs),
            }
        )
    return articles


def read_text(path: Path) -> str:
    """A data file's text (UTF-8)."""
    return path.read_text(encoding="utf-8")


def load_articles() -> list[dict[str, str]] | None:
    """Every article of both sets, PolNeAR dev first; None when either set is absent."""
    if not any(POLNEAR_DEV.glob("*.txt")) or not any(KOREA_DEV.glob("*.txt")):
        return None
    return load_polnear(POLNEAR_DEV) + load_korea(KOREA_DEV)


# --------------------------------------------------------------------------- worker side


def clear_memos() -> int:
    """Clear every bounded `functools.lru_cache` of the newscorpus package (unbounded ones,
    the lexicon loaders, are kept); return how many were cleared."""
    cleared = 0
    for obj in gc.get_objects():
        if not isinstance(obj, functools._lru_cache_wrapper):
            continue
        module = str(getattr(obj, "__module__", ""))
        if module.startswith("newscorpus") and obj.cache_info().maxsize is not None:
            obj.cache_clear()
            cleared += 1
    return cleared


def worker(src_dir: str, texts_file: str) -> int:
    """Serve annotation requests on stdin, one JSON line each, with `src_dir`'s package.

    Requests: {"op": "annotate", "i": INDEX} -> {"i", "seconds", "quotes", "speakers"};
    {"op": "clear"} -> {"cleared": N}. The first line written says which package was loaded.
    """
    proto: IO[str] = sys.stdout
    sys.stdout = sys.stderr  # anything the package prints stays out of the protocol
    sys.path.insert(0, src_dir)
    try:
        import newscorpus
        import newscorpus.annotate.quotes  # what annotate_quotes imports when first called
        from newscorpus.record.records import annotate_quotes, count_speakers
    except Exception as exc:  # the working tree may be mid-edit
        proto.write(json.dumps({"error": f"import failed: {exc!r}"}) + "\n")
        proto.flush()
        return 1
    package = str(Path(newscorpus.__file__).resolve().parent)
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    proto.write(json.dumps({"ready": True, "package": package}) + "\n")
    proto.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "clear":
            reply: dict[str, Any] = {"cleared": clear_memos()}
        else:
            article = texts[request["i"]]
            try:
                start = time.perf_counter()
                quotes = annotate_quotes(article["headline"], (), article["body"], None)
                seconds = time.perf_counter() - start
                speakers = len(count_speakers(quotes))
            except Exception as exc:
                traceback.print_exc()
                reply = {"error": f"{article['name']}: {exc!r}"}
            else:
                reply = {
                    "i": request["i"],
                    "seconds": seconds,
                    "quotes": len(quotes),
                    "speakers": speakers,
                }
        proto.write(json.dumps(reply) + "\n")
        proto.flush()
    return 0


# --------------------------------------------------------------------------- parent side


class WorkerError(RuntimeError):
    """A worker failed to start or to annotate."""


class Worker:
    """One persistent worker process annotating with the package in `src_dir`."""

    def __init__(self, label: str, src_dir: Path, texts_file: Path) -> None:
        """Start the worker and wait until it has imported its package."""
        self.label = label
        env = dict(os.environ, PYTHONPATH=str(src_dir), PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(src_dir), "--texts", str(texts_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=REPO,
        )
        if hasattr(os, "sched_setaffinity"):  # both workers on one CPU: they take turns
            os.sched_setaffinity(self.proc.pid, {max(os.sched_getaffinity(0))})
        hello = self._read()
        self.package = str(hello["package"])
        if not Path(self.package).is_relative_to(src_dir.resolve()):
            self.close()
            raise WorkerError(f"{label}: imported {self.package}, not the one in {src_dir}")

    def _read(self) -> dict[str, Any]:
        """The worker's next reply; a WorkerError when it died or reported an error."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise WorkerError(f"{self.label}: worker exited (code {self.proc.poll()})")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise WorkerError(f"{self.label}: {reply['error']}")
        return reply

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its reply."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Let the worker finish (end of its input) and reap it."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def materialise(rev: str, into: Path) -> Path:
    """Unpack `rev`'s src/newscorpus (and schema/, which the package reads from a source
    checkout) into `into`; return the src dir to import from."""
    subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    archive = subprocess.run(
        ["git", "archive", rev, "src/newscorpus", "schema"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def working_tree() -> str:
    """What the new side is: HEAD's short hash and how many files under src/ differ."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True, text=True
    ).stdout
    changed = sum(1 for line in status.splitlines() if line.strip())
    return f"working tree (HEAD {head} + {changed} changed/new file(s) under src/)"


@dataclass
class Timings:
    """Per-article times (seconds, one per round) and finds, per side."""

    seconds: dict[str, list[list[float]]] = field(default_factory=dict)
    quotes: dict[str, list[int]] = field(default_factory=dict)
    speakers: dict[str, list[int]] = field(default_factory=dict)


def measure(
    workers: dict[str, Worker], count: int, rounds: int, keep_memos: bool
) -> tuple[Timings, dict[str, int]]:
    """Warm up, then time every article on both sides `rounds` times, alternating the order."""
    for i in range(min(WARMUP, count)):
        for side in ("old", "new"):
            workers[side].ask({"op": "annotate", "i": i})
    timings = Timings()
    cleared: dict[str, int] = {}
    for side in ("old", "new"):
        timings.seconds[side] = [[] for _ in range(count)]
        timings.quotes[side] = [0] * count
        timings.speakers[side] = [0] * count
    for round_no in range(rounds):
        if not keep_memos:
            for side in ("old", "new"):
                cleared[side] = workers[side].ask({"op": "clear"})["cleared"]
        for i in range(count):
            order = ("old", "new") if (i + round_no) % 2 == 0 else ("new", "old")
            for side in order:
                reply = workers[side].ask({"op": "annotate", "i": i})
                timings.seconds[side][i].append(float(reply["seconds"]))
                timings.quotes[side][i] = int(reply["quotes"])
                timings.speakers[side][i] = int(reply["speakers"])
    return timings, cleared


def summarise(
    articles: Sequence[dict[str, str]], timings: Timings, indexes: Sequence[int]
) -> dict[str, Any]:
    """The figures of one set (or of all) from the per-article medians."""
    chars = sum(len(articles[i]["headline"]) + len(articles[i]["body"]) for i in indexes)
    out: dict[str, Any] = {"articles": len(indexes), "chars": chars}
    for side in ("old", "new"):
        medians = [statistics.median(timings.seconds[side][i]) for i in indexes]
        out[side] = {
            "median_ms": statistics.median(medians) * 1000,
            "total_ms": sum(medians) * 1000,
            "us_per_1000_chars": sum(medians) * 1e6 / chars * 1000,
            "quotes": sum(timings.quotes[side][i] for i in indexes),
            "speakers": sum(timings.speakers[side][i] for i in indexes),
        }
    out["median_ratio"] = out["new"]["median_ms"] / out["old"]["median_ms"]
    out["total_ratio"] = out["new"]["total_ms"] / out["old"]["total_ms"]
    return out


def report_text(report: dict[str, Any]) -> str:
    """The report as printed lines."""
    lines = [
        f"old: {report['baseline']}  ({report['old_package']})",
        f"new: {report['new']}",
        f"rounds: {report['rounds']}, old and new alternated per article; "
        f"warm-up: first {WARMUP} articles, not counted; memo caches "
        + (
            "kept across rounds"
            if report["keep_memos"]
            else f"cleared before each round (old {report['cleared']['old']}, "
            f"new {report['cleared']['new']})"
        ),
        "",
        f"{'set':<16}{'articles':>9}{'chars':>10}{'old ms':>9}{'new ms':>9}{'median':>8}"
        f"{'total':>8}{'new µs/1k ch':>14}{'quotes o/n':>12}{'speakers o/n':>14}",
        f"{'':<16}{'':>9}{'':>10}{'(median)':>9}{'(median)':>9}{'new/old':>8}{'new/old':>8}",
    ]
    for name, fig in report["sets"].items():
        lines.append(
            f"{name:<16}{fig['articles']:>9}{fig['chars']:>10,}"
            f"{fig['old']['median_ms']:>9.2f}{fig['new']['median_ms']:>9.2f}"
            f"{fig['median_ratio']:>8.2f}{fig['total_ratio']:>8.2f}"
            f"{fig['new']['us_per_1000_chars']:>14.0f}"
            f"{str(fig['old']['quotes']) + '/' + str(fig['new']['quotes']):>12}"
            f"{str(fig['old']['speakers']) + '/' + str(fig['new']['speakers']):>14}"
        )
    overall = report["sets"]["all"]
    lines += [
        "",
        f"total time (sum of per-article medians): old {overall['old']['total_ms']:.1f} ms, "
        f"new {overall['new']['total_ms']:.1f} ms",
        f"new side: {overall['new']['us_per_1000_chars']:.0f} µs per 1,000 characters "
        f"(old {overall['old']['us_per_1000_chars']:.0f})",
        f"target: new/old <= {TARGET:.2f}: {overall['total_ratio']:.2f} "
        f"-> {'met' if report['target_met'] else 'not met'}",
        f"run took {report['seconds']:.1f} s (medians from one run on a noisy machine)",
    ]
    return "\n".join(lines)


def run(baseline: str, rounds: int, keep_memos: bool) -> dict[str, Any] | None:
    """Materialise the baseline, start both workers, measure; None when the data is absent."""
    started = time.perf_counter()
    articles = load_articles()
    if articles is None:
        return None
    with tempfile.TemporaryDirectory(prefix="annotate_bench_") as tmp:
        old_src = materialise(baseline, Path(tmp))
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(articles), encoding="utf-8")
        workers: dict[str, Worker] = {}
        try:
            workers["old"] = Worker("old", old_src, texts_file)
            workers["new"] = Worker("new", REPO / "src", texts_file)
            timings, cleared = measure(workers, len(articles), rounds, keep_memos)
            old_package = workers["old"].package
        finally:
            for w in workers.values():
                w.close()
    sets: dict[str, Any] = {}
    for name in SETS:
        indexes = [i for i, a in enumerate(articles) if a["set"] == name]
        sets[name] = summarise(articles, timings, indexes)
    sets["all"] = summarise(articles, timings, range(len(articles)))
    return {
        "baseline": baseline,
        "old_package": old_package,
        "new": working_tree(),
        "rounds": rounds,
        "keep_memos": keep_memos,
        "cleared": cleared,
        "sets": sets,
        "target": TARGET,
        "target_met": sets["all"]["total_ratio"] <= TARGET,
        "seconds": time.perf_counter() - started,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments; run as the parent or, with --worker, as a worker."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="the old revision")
    ap.add_argument("--rounds", type=int, default=3, help="alternating passes (median)")
    ap.add_argument("--json", action="store_true", help="print a JSON object")
    ap.add_argument(
        "--keep-memos", action="store_true", help="do not clear memo caches between rounds"
    )
    ap.add_argument("--worker", metavar="SRC_DIR", help=argparse.SUPPRESS)
    ap.add_argument("--texts", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.texts)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    try:
        report = run(args.baseline, args.rounds, args.keep_memos)
    except subprocess.CalledProcessError as exc:
        print(f"annotate_bench: cannot materialise {args.baseline!r}: {exc}", file=sys.stderr)
        return 2
    except WorkerError as exc:
        print(f"annotate_bench: {exc}", file=sys.stderr)
        return 2
    if report is None:
        print(f"annotate_bench: skipped, data absent ({POLNEAR_DEV} and {KOREA_DEV} are needed)")
        return 0
    print(json.dumps(report, indent=2) if args.json else report_text(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
