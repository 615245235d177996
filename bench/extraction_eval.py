"""Body and headline extraction on the Scrapinghub article-extraction benchmark (issue 7).

Reads ../shared/data/scrapinghub_aeb/ (181 gzipped news pages with a ground-truth
`articleBody`) and scores, per page, the token-level precision, recall and F1 of the
extracted body against the ground truth, then macro-averages over pages. Two systems run
in the same process, on the same bytes:

- `html_trafilatura_v1`: our profile (`newscorpus.read.profiles.html.read_html`), exactly as
  a build calls it (decoding, options at their defaults, paragraphs joined by "\\n\\n");
- `trafilatura.extract`: the reference, plain `trafilatura.extract(html)` with default
  settings, on the gunzipped bytes.

Tokens are casefolded `\\w+` runs; overlap is the multiset intersection, so a repeated
paragraph counts against precision. A page whose reader rejects it scores 0 (no text).
The ground truth has no headline: "headline found" reports how many pages the profile
gave a headline for (a record needs one), and, for information, how many of those
headlines appear word for word at the start of the page's `<title>`.

Usage: python bench/extraction_eval.py [--data PATH] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "scrapinghub_aeb"
_TOKEN = re.compile(r"\w+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


def tokens(text: str) -> Counter[str]:
    """The multiset of casefolded word tokens of `text`."""
    return Counter(_TOKEN.findall(text.casefold()))


def score(predicted: str, truth: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 of `predicted` against `truth` (1.0 when both empty)."""
    got, want = tokens(predicted), tokens(truth)
    if not got and not want:
        return 1.0, 1.0, 1.0
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def macro(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Average each of precision, recall and F1 over pages."""
    count = len(scores) or 1
    p, r, f = (sum(s[i] for s in scores) / count for i in range(3))
    return p, r, f


def run(data_dir: Path) -> dict[str, Any]:
    """Score both systems on every page; return the figures."""
    import trafilatura

    from newscorpus.errors import RejectError
    from newscorpus.read.profiles import Article, get_profile

    read = get_profile("html_trafilatura_v1").read
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    ours: list[tuple[float, float, float]] = []
    reference: list[tuple[float, float, float]] = []
    headlines = headline_in_title = rejects = 0
    seconds = {"ours": 0.0, "reference": 0.0}
    for key in sorted(truth):
        raw = (data_dir / "html" / f"{key}.html.gz").read_bytes()
        body_truth = truth[key]["articleBody"]
        start = time.perf_counter()
        try:
            (article,) = read(raw, {})
            assert isinstance(article, Article)
            body = "\n\n".join(article.paragraphs)
            headline = article.headline
        except RejectError:
            body, headline = "", ""
            rejects += 1
        seconds["ours"] += time.perf_counter() - start
        ours.append(score(body, body_truth))
        html = gzip.decompress(raw)
        start = time.perf_counter()
        plain = trafilatura.extract(html) or ""
        seconds["reference"] += time.perf_counter() - start
        reference.append(score(plain, body_truth))
        if headline:
            headlines += 1
            title = _TITLE.search(html.decode("utf-8", "replace"))
            if title and " ".join(title.group(1).split()).startswith(headline[:40]):
                headline_in_title += 1
    return {
        "pages": len(truth),
        "ours": macro(ours),
        "reference": macro(reference),
        "rejects": rejects,
        "headlines": headlines,
        "headline_in_title": headline_in_title,
        "seconds": seconds,
        "trafilatura": trafilatura.__version__,
    }


def table(result: dict[str, Any]) -> str:
    """The result as a Markdown table (what bench/README.md shows)."""
    pages = result["pages"]
    rows = [
        "| system | precision | recall | F1 | headline found | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for name, key, heads in (
        ("newscorpus `html_trafilatura_v1`", "ours", f"{result['headlines']}/{pages}"),
        (f"`trafilatura.extract` {result['trafilatura']} (defaults)", "reference", "—"),
    ):
        p, r, f = result[key]
        rows.append(
            f"| {name} | {p:.4f} | {r:.4f} | {f:.4f} | {heads} | {result['seconds'][key]:.1f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 when our F1 is below the reference's, 2 without data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: benchmark data not found at {args.data} (see ../shared/data/SOURCES.md)")
        return 2
    result = run(args.data)
    print(f"{result['pages']} pages, token-level scores macro-averaged over pages\n")
    print(table(result))
    print(
        f"\nrejected pages: {result['rejects']}; headlines matching the start of <title>: "
        f"{result['headline_in_title']}/{result['headlines']}"
    )
    if args.json:
        print(json.dumps(result, indent=2))
    meets = result["ours"][2] >= result["reference"][2]
    print(f"target (our F1 >= reference F1): {'met' if meets else 'NOT met'}")
    return 0 if meets else 1


if __name__ == "__main__":
    sys.exit(main())
