"""Block roles measured on korea_news_dev's hand-annotated roles (issue 21).

Run from the repository root::

    python bench/roles_eval.py [--json]

Each text of ../shared/data/korea_news_dev/texts is read as `plaintext_v1` reads a file
(headline line, paragraphs at blank lines), then, "after", passed through
`newscorpus.read.roles.assign_roles`, the role pass every build runs; "before" keeps
everything in the headline and body (no role pass). Scored against `roles.jsonl`
(the folder's README, "Block roles"), with "found in" = a substring after collapsing
whitespace:

- story kept: a `body` block with non-story spans inside counts as its pieces of 20 or
  more characters between those spans; the share of those pieces found in `body`;
- non-story pieces (blocks of role caption, byline, note, tag, other; spans of role
  dateline, byline, signoff, note, tag): the share found in `headline` or `body`
  (leaked), and the share found in the field of their role or in `removed` (placed).
  A byline is looked for without its leading "By"; a piece that the rules split over two
  fields (an e-mail and its end tag) counts as placed when each part is.

korea_news_dev is the development half of the set (the other half is held out): its
figures are development figures, the data the rules were written beside.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from newscorpus.read.profiles.plaintext import read_plain_text
from newscorpus.read.roles import Roles, assign_roles

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "korea_news_dev"
NON_STORY_BLOCKS = ("caption", "byline", "note", "tag", "other")
NON_STORY_SPANS = ("dateline", "byline", "signoff", "note", "tag")
MIN_PIECE = 20
_EMAIL_END = re.compile(r"^(?P<email>\S+@\S+?)\s*(?P<end>\((?:END|ENDS)\))$")


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space (the matcher's "found in")."""
    return " ".join(text.split())


def fields_of(roles: Roles) -> dict[str, list[str]]:
    """The text of each output field, collapsed, as lists of strings."""
    return {
        "headline": [collapse(roles.headline)],
        "body": [collapse("\n\n".join(roles.paragraphs))],
        "caption": [collapse(c) for c in roles.captions],
        "byline": [collapse(b) for b in roles.bylines],
        "dateline": [collapse(roles.dateline)] if roles.dateline else [],
        "note": [collapse(n) for n in roles.notes],
        "removed": [collapse(text) for _, text in roles.removed],
    }


def found(piece: str, texts: list[str]) -> bool:
    """Whether `piece` (collapsed) is a substring of one of `texts`."""
    return any(piece in text for text in texts)


def placed(role: str, piece: str, fields: dict[str, list[str]]) -> bool:
    """Whether a non-story piece sits in its role's field or in `removed`."""
    home = {"signoff": "byline", "tag": "removed", "other": "removed"}.get(role, role)
    targets = fields.get(home, []) + fields["removed"]
    if role == "byline" and piece.startswith(("By ", "by ")):
        piece = piece[3:]
    split = _EMAIL_END.match(piece)
    if split is not None and role in ("signoff", "byline"):
        return found(split["email"], fields["byline"]) and found(split["end"], fields["removed"])
    return found(piece, targets)


def story_pieces(text: str, block: dict[str, Any], spans: list[dict[str, Any]]) -> list[str]:
    """A body block's pieces of at least MIN_PIECE characters between non-story spans."""
    inside = sorted(
        (s for s in spans if block["start"] <= s["start"] and s["end"] <= block["end"]),
        key=lambda s: s["start"],
    )
    pieces, cursor = [], block["start"]
    for span in inside:
        pieces.append(text[cursor : span["start"]])
        cursor = span["end"]
    pieces.append(text[cursor : block["end"]])
    return [collapse(p) for p in pieces if len(collapse(p)) >= MIN_PIECE]


def evaluate(with_roles: bool) -> dict[str, Any]:
    """Score every article; return the figures (by role) of one condition."""
    kept = Counter[str]()
    leaked: Counter[str] = Counter()
    home: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in (DATA / "roles.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        raw = (DATA / "texts" / f"{gold['id']}.txt").read_bytes()
        text = raw.decode("utf-8")
        (article,) = read_plain_text(raw, {})
        paragraphs = (*article.subheadlines, *article.paragraphs)
        roles = assign_roles(article.headline, paragraphs) if with_roles else None
        roles = roles or Roles(article.headline, paragraphs)
        fields = fields_of(roles)
        story = fields["headline"] + fields["body"]
        for block in gold["blocks"]:
            if block["role"] == "body":
                for piece in story_pieces(text, block, gold["spans"]):
                    kept["pieces"] += 1
                    kept["found"] += found(piece, fields["body"])
        pieces = [(b["role"], b) for b in gold["blocks"] if b["role"] in NON_STORY_BLOCKS]
        pieces += [(s["role"], s) for s in gold["spans"] if s["role"] in NON_STORY_SPANS]
        for role, where in pieces:
            piece = collapse(text[where["start"] : where["end"]])
            total[role] += 1
            leaked[role] += found(piece, story)
            home[role] += placed(role, piece, fields)
    roles_out = {
        role: {"pieces": total[role], "in_story": leaked[role], "placed": home[role]}
        for role in sorted(total)
    }
    all_pieces = sum(total.values())
    return {
        "story_kept": kept["found"] / kept["pieces"],
        "story_pieces": kept["pieces"],
        "non_story_in_story": sum(leaked.values()) / all_pieces,
        "non_story_placed": sum(home.values()) / all_pieces,
        "non_story_pieces": all_pieces,
        "by_role": roles_out,
    }


def render(name: str, figures: dict[str, Any]) -> str:
    """The figures of one condition as a Markdown table."""
    lines = [
        f"**{name}** — story kept {figures['story_kept']:.3f} "
        f"({figures['story_pieces']} body pieces); non-story in headline/body "
        f"{figures['non_story_in_story']:.3f}; placed {figures['non_story_placed']:.3f} "
        f"({figures['non_story_pieces']} pieces)",
        "",
        "| role | pieces | in headline/body | in its field or removed |",
        "|---|---:|---:|---:|",
    ]
    for role, row in figures["by_role"].items():
        lines.append(f"| {role} | {row['pieces']} | {row['in_story']} | {row['placed']} |")
    return "\n".join(lines)


def main() -> int:
    """Print the before/after figures (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if not (DATA / "roles.jsonl").is_file():
        print(f"skipped: no korea_news_dev roles at {DATA} (../shared is absent)")
        return 0
    before, after = evaluate(False), evaluate(True)
    if args.json:
        print(json.dumps({"before": before, "after": after}, indent=2))
    else:
        print(render("before (no role pass)", before))
        print()
        print(render("after (assign_roles)", after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
