"""Dump every quote annotation over a large, fixed set of texts, to compare two versions
of the annotator byte for byte (speed work must not change a single result).

    python bench/annotation_equivalence.py --inputs /tmp/eq-inputs.json --out /tmp/new.jsonl
    PYTHONPATH=/tmp/orig/src python bench/annotation_equivalence.py \\
        --inputs /tmp/eq-inputs.json --out /tmp/old.jsonl
    python bench/annotation_equivalence.py --compare /tmp/old.jsonl /tmp/new.jsonl

The inputs are built once (when `--inputs` does not exist yet) and then read by both
runs, so both versions see exactly the same texts whatever else changed in the tree:
every text under ../shared/data (BBC News files and their paragraphs, Lee corpus lines,
PolNeAR train articles and paragraphs, Scrapinghub ground-truth bodies), generated
Donga pages (`build_bench.generate`, parsed as the worker parses them), the seed page,
tests/data/quote_cases.json, and adversarial text: random soups of quotation marks,
pronouns, cues, names and line breaks, mutated real paragraphs (quote styles swapped,
full stops dropped, lines broken) and very long unpunctuated runs.
Each output line is one input's result: `annotate_quotes` dicts or every field of each
`extract_quotes` quote.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SEED = REPO / "raw" / "donga" / "000_50823aa4b1df31b8.txt"
CASES = REPO / "tests" / "data" / "quote_cases.json"

SOUP = [
    "“",
    "”",
    "‘",
    "’",
    '"',
    "'",
    "''",
    "'''",
    "«",
    "»",
    "„",
    "\n",
    "\n\n",
    "\n \n",
    "he",
    "He",
    "she",
    "She",
    "they",
    "it",
    "It",
    "we",
    "I",
    "you",
    "who",
    "which",
    "said",
    "says",
    "told",
    "told reporters",
    "according to",
    "added",
    "saying",
    "he said",
    "she said.",
    "said Mr Smith",
    "called",
    "pointed out",
    "Mr Smith",
    "Ms Jones",
    "Dr. Brown",
    "Sen. Bob Casey",
    "John Smith",
    "Prime Minister Tony Blair",
    "the ministry",
    "The company",
    "Analysts",
    "the U.S.",
    "Mr.",
    "Inc.",
    "U.S.",
    "the",
    "a",
    "plan",
    "was",
    "good",
    "is",
    "that",
    ".",
    ",",
    ":",
    ";",
    "?",
    "!",
    "-",
    "—",
    "(D-Ohio)",
    "'90s",
    "don't",
    "China’s",
    "States’",
    "Jones'",
    '<tweet author="x">',
    "</tweet>",
    "-Michelle Marks, Philadelphia.",
    "WASHINGTON -",
    "On Tuesday,",
    "However,",
    "Meet the Press",
    "one China",
]

MARKS = ["“", "”", "‘", "’", '"', "'", "«", "»", "„", "''"]


def _soup(rng: random.Random, n: int) -> str:
    out: list[str] = []
    for _ in range(n):
        tok = rng.choice(SOUP)
        out.append(tok)
        out.append("" if rng.random() < 0.15 else " ")
    return "".join(out)


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        if not chars:
            break
        i = rng.randrange(len(chars))
        if op == 0:  # swap a quotation mark for another
            marks = [k for k, c in enumerate(chars) if c in "“”‘’\"'«»„"]
            if marks:
                chars[rng.choice(marks)] = rng.choice(MARKS)
        elif op == 1:  # drop a full stop
            stops = [k for k, c in enumerate(chars) if c == "."]
            if stops:
                chars[rng.choice(stops)] = ""
        elif op == 2:  # break a line
            spaces = [k for k, c in enumerate(chars) if c == " "]
            if spaces:
                chars[rng.choice(spaces)] = rng.choice(["\n", "\n\n"])
        elif op == 3:  # insert a mark
            chars.insert(i, rng.choice(MARKS))
        elif op == 4:  # insert a token
            chars.insert(i, " " + rng.choice(SOUP) + " ")
        elif op == 5:  # straight to curly or back
            s = "".join(chars)
            s = s.replace('"', "“", 1).replace('"', "”", 1) if rng.random() < 0.5 else s
            s = s.replace("“", '"').replace("”", '"') if rng.random() < 0.3 else s
            chars = list(s)
        else:  # delete a stretch
            del chars[i : i + rng.randint(1, 40)]
    return "".join(chars)


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def build_inputs() -> list[dict[str, Any]]:
    """Every input: {"kind": "extract", "text"} or {"kind": "annotate", headline, …}."""
    items: list[dict[str, Any]] = []
    real_paragraphs: list[str] = []

    def extract(label: str, text: str) -> None:
        items.append({"kind": "extract", "label": label, "text": text})

    bbc = DATA / "bbc_news"
    for path in sorted(bbc.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        extract(f"bbc:{path.parent.name}/{path.name}", text)
        for k, para in enumerate(_paragraphs(text)):
            extract(f"bbc:{path.parent.name}/{path.name}#{k}", para)
            real_paragraphs.append(para)
    for path in sorted((DATA / "gensim_lee").glob("*.cor")):
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        for k, line in enumerate(lines):
            extract(f"lee:{path.name}#{k}", line)
            real_paragraphs.append(line)
        extract(f"lee:{path.name}", "\n\n".join(lines[:60]))
    for path in sorted((DATA / "polnear_train" / "train" / "text").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        extract(f"polnear:{path.name}", text)
        for k, para in enumerate(_paragraphs(text)):
            extract(f"polnear:{path.name}#{k}", para)
            real_paragraphs.append(para)
    truth = DATA / "scrapinghub_aeb" / "ground-truth.json"
    if truth.is_file():
        for key, value in sorted(json.loads(truth.read_text(encoding="utf-8")).items()):
            body = value.get("articleBody") or ""
            extract(f"aeb:{key}", body)
    for k, case in enumerate(json.loads(CASES.read_text(encoding="utf-8"))):
        extract(f"case:{k}", case["text"])
    items.extend(_pages())
    rng = random.Random(20240611)
    for k in range(4000):
        extract(f"soup:{k}", _soup(rng, rng.choice([0, 1, 2, 5, 10, 30, 80, 200, 500])))
    for k in range(6000):
        chunk = "\n\n".join(rng.sample(real_paragraphs, rng.randint(1, 4)))
        extract(f"mutant:{k}", _mutate(rng, chunk))
    for text in ["", " ", "\n", "\n\n", "“", "”", '"', "'", "''", "'''", "“”", '""', "‘’"]:
        extract(f"tiny:{text!r}", text)
    long_rng = random.Random(7)
    words = ["the", "he", "said", "“", "”", '"', "Mr", "Smith", "plan", ",", "and", "'", "it"]
    for n in (2000, 8000):
        extract(f"long:{n}", " ".join(long_rng.choice(words) for _ in range(n)))
        extract(f"long-para:{n}", "\n".join(long_rng.choice(words) for _ in range(n)))
    return items


def _pages() -> list[dict[str, Any]]:
    from build_bench import BBC, generate, load_bbc

    from newscorpus.read.decode import decode_and_normalize
    from newscorpus.read.profiles.donga_wordpress import parse_donga_text

    out: list[dict[str, Any]] = []
    paths = [SEED]
    with tempfile.TemporaryDirectory(prefix="newscorpus-equivalence-") as tmp:
        raw = Path(tmp) / "raw"
        if BBC.is_dir():
            generate(raw, 2000, load_bbc(BBC))
            paths += sorted((raw / "donga").glob("*.txt"))
        for path in paths:
            decoded = decode_and_normalize(path.read_bytes())
            headline, subheadlines, paragraphs, _source, _steps = parse_donga_text(decoded.text)
            out.append(
                {
                    "kind": "annotate",
                    "label": f"page:{path.name}",
                    "headline": headline,
                    "subheadlines": list(subheadlines),
                    "body": "\n\n".join(paragraphs),
                }
            )
    return out


def run(items: list[dict[str, Any]], out: Path) -> None:
    """Annotate every input and write one JSON line per input."""
    from newscorpus.annotate.quotes import (
        extract_quotes,
    )
    from newscorpus.record.records import annotate_quotes

    quotes = 0
    t0 = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        for item in items:
            if item["kind"] == "annotate":
                result: list[Any] = annotate_quotes(
                    item["headline"], tuple(item["subheadlines"]), item["body"]
                )
            else:
                result = [dataclasses.astuple(q) for q in extract_quotes(item["text"])]
            quotes += len(result)
            fh.write(json.dumps([item["label"], result], ensure_ascii=False) + "\n")
    elapsed = time.perf_counter() - t0
    print(f"{len(items)} inputs, {quotes} quotes, {elapsed:.1f} s -> {out}")


def compare(old: Path, new: Path) -> int:
    """0 when the dumps are identical, else print the first differences."""
    a = old.read_text(encoding="utf-8").splitlines()
    b = new.read_text(encoding="utf-8").splitlines()
    if a == b:
        print(f"identical: {len(a)} inputs")
        return 0
    print(f"DIFFERENT: {len(a)} vs {len(b)} lines")
    shown = 0
    for x, y in zip(a, b, strict=False):
        if x != y and shown < 5:
            print("-", x[:2000])
            print("+", y[:2000])
            shown += 1
    return 1


def main(argv: list[str] | None = None) -> int:
    """Build or read the inputs, dump the results, or compare two dumps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inputs", type=Path, default=Path("/tmp/eq-inputs.json"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.inputs.exists():
        args.inputs.write_text(json.dumps(build_inputs(), ensure_ascii=False), encoding="utf-8")
    items = json.loads(args.inputs.read_text(encoding="utf-8"))
    if args.out is not None:
        run(items, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
