"""Duplicates in the BBC News set (issue 7): are all 98 byte-identical copies found?

Copies ../shared/data/bbc_news/ into a temporary raw/bbc/ (never into the repository),
declares it with the `plaintext_v1` profile, runs a full `newscorpus.build` (default
near-duplicate threshold 0.8) and reads the ledger:

- byte-identical copies: files whose sha256 equals an earlier file's (98 expected); each
  must be a ledger `duplicate` (reason `exact_duplicate`);
- near duplicates beyond them (`near_duplicate`), with their similarity, and a few
  examples to eyeball;
- how many files a build without near-duplicate detection would publish.

Usage: python bench/bbc_duplicates.py [--data PATH] [--workers N] [--examples K]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "bbc_news"
REGISTRY = """
[sources.bbc]
name = "BBC News"
language = "en"
profile = "plaintext_v1"
licence = "BBC; research and test use only (Greene & Cunningham 2006). Not for publication."
"""


def bbc_raw(data: Path, tmp: Path) -> Path:
    """Copy the BBC set into `tmp/raw/bbc/` with a registry reading it as plaintext_v1."""
    raw = tmp / "raw"
    shutil.copytree(data, raw / "bbc", ignore=shutil.ignore_patterns("*.TXT", "*.sha256"))
    (raw / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    return raw


def main(argv: list[str] | None = None) -> int:
    """Build the BBC set in a temp dir and report its duplicates; exit 1 if a copy is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--examples", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"skipped: BBC data not found at {args.data} (see ../shared/data/SOURCES.md)")
        return 2
    import newscorpus

    with tempfile.TemporaryDirectory(prefix="bbc-dups-") as tmp:
        raw = bbc_raw(args.data, Path(tmp))
        first_by_sha: dict[str, str] = {}
        copies: dict[str, str] = {}
        for path in sorted((raw / "bbc").rglob("*.txt")):
            name = path.relative_to(raw).as_posix()
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            if sha in first_by_sha:
                copies[name] = first_by_sha[sha]
            else:
                first_by_sha[sha] = name
        start = time.perf_counter()
        result = newscorpus.build(raw, Path(tmp) / "out", workers=args.workers, use_cache=False)
        seconds = time.perf_counter() - start
        ledger = [
            json.loads(line)
            for line in (Path(tmp) / "out" / "inputs.jsonl").read_text().splitlines()
        ]
        import pyarrow.parquet as pq

        headlines = {}
        for part in sorted((Path(tmp) / "out" / "data").glob("*.parquet")):
            for row in pq.read_table(part, columns=["id", "source_file", "headline"]).to_pylist():
                headlines[row["id"]] = (row["source_file"], row["headline"])
    by_file = {e["source_file"]: e for e in ledger}
    reasons = Counter(e["reason"] for e in ledger if e["outcome"] == "duplicate")
    found = [name for name in copies if by_file[name]["outcome"] == "duplicate"]
    missed = sorted(set(copies) - set(found))
    near = [e for e in ledger if e["reason"] == "near_duplicate"]
    print(f"files: {len(ledger)}; build: {seconds:.1f} s; outcomes: {result.outcomes}")
    print(f"duplicates by reason: {dict(sorted(reasons.items()))}")
    print(f"byte-identical copies: {len(copies)}; found as duplicates: {len(found)}")
    print(
        f"  by reason: { {r: sum(1 for n in found if by_file[n]['reason'] == r) for r in reasons} }"
    )
    same_body = reasons["exact_duplicate"] - sum(
        1 for n in found if by_file[n]["reason"] == "exact_duplicate"
    )
    print(f"exact duplicates beyond them (same body, other bytes, e.g. headline): {same_body}")
    print(f"near duplicates beyond them (reason near_duplicate): {len(near)}")
    if near:
        similarities = sorted(e["similarity"] for e in near)
        print(
            f"  similarity min/median/max: {similarities[0]:.3f} / "
            f"{similarities[len(similarities) // 2]:.3f} / {similarities[-1]:.3f}"
        )
    for entry in near[: args.examples]:
        kept_file, kept_headline = headlines.get(entry["duplicate_of"], ("?", "?"))
        print(
            f"  {entry['source_file']} ~ {kept_file} ({entry['similarity']:.3f}): {kept_headline}"
        )
    if missed:
        print(f"MISSED copies: {missed[:10]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
