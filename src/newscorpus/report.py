"""Markdown written by the build: the dataset card's body and the datasheet's figures.

Text from articles (headlines, speaker names) is escaped before it enters Markdown, so
a headline full of `#`, `|` or `---` cannot change the document's structure.
"""

from __future__ import annotations

import json
import re
from typing import Any

from newscorpus.schema import load_schema

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape_markdown(text: str) -> str:
    """Escape Markdown specials and fold newlines so `text` renders literally inline.

    >>> escape_markdown("# A | B")
    '\\\\# A \\\\| B'
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def field_reference() -> str:
    """Return a Markdown table of the record's top-level fields, from the JSON Schema."""
    schema = load_schema()
    rows = []
    for name, node in schema["properties"].items():
        kind = node["type"] if isinstance(node["type"], str) else " or ".join(node["type"])
        if node.get("format"):
            kind += f" ({node['format']})"
        rows.append([f"`{name}`", kind, node["description"].replace("|", "\\|")])
    return _table(["field", "type", "description"], rows)


def figures_markdown(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """Return the corpus figures (counts, distributions, rejects) as Markdown tables."""
    ledger = manifest["ledger"]
    parts = [
        "### Inputs and outcomes",
        _table(
            ["files found", "records", "duplicates", "rejected"],
            [
                [
                    manifest["files_found"],
                    ledger["outcomes"]["record"],
                    ledger["outcomes"]["duplicate"],
                    ledger["outcomes"]["rejected"],
                ]
            ],
        ),
        "### Records per split",
        _table(["split", "records"], [[k, v] for k, v in stats["per_split"].items()]),
        "### Records per source",
        _table(
            ["source", "records"], [[escape_markdown(k), v] for k, v in stats["per_source"].items()]
        ),
        "### Quotations",
        f"{stats['quotes']} quotations, {stats['quotes_with_speaker']} with a speaker.",
        _table(
            ["quotes per article", "articles"],
            [[k, v] for k, v in stats["quotes_per_article"].items()],
        ),
        "### Top speakers",
        _table(
            ["speaker", "quotes"],
            [[escape_markdown(s["name"]), s["quotes"]] for s in stats["top_speakers"]],
        )
        if stats["top_speakers"]
        else "No attributed quotations.",
        "### Body length (characters)",
        _table(["length", "articles"], [[k, v] for k, v in stats["body_chars"].items()]),
        "### Rejects and duplicates by reason",
        _table(
            ["outcome", "reason", "count"],
            [["rejected", r, c] for r, c in ledger["rejects_by_reason"].items()]
            + [["duplicate", r, c] for r, c in ledger["duplicates_by_reason"].items()],
        )
        if ledger["rejects_by_reason"] or ledger["duplicates_by_reason"]
        else "None.",
    ]
    return "\n\n".join(parts)


def datasheet_section(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """Return the datasheet's generated section: the figures of this build."""
    return (
        "## Figures from the current build\n\n"
        f"Schema {manifest['schema_version']}, pipeline {manifest['pipeline_version']}.\n\n"
        + figures_markdown(manifest, stats)
    )


def _example(stats: dict[str, Any]) -> str:
    shown = stats.get("example")
    if shown:
        # A backtick in article text could close the code fence; JSON can spell it.
        return json.dumps(shown, ensure_ascii=False, indent=2).replace("`", "\\u0060")
    return "{}"


def card_body(
    manifest: dict[str, Any],
    stats: dict[str, Any],
    licences: list[str],
) -> str:
    """Return the Markdown body of the dataset card."""
    splits = ", ".join(f"`{s}` ({i['num_examples']})" for s, i in manifest["splits"].items())
    licence_text = "\n".join(f"- {escape_markdown(text)}" for text in licences)
    return f"""# newscorpus

News articles normalized from raw scrapes (site chrome removed, headline, sub-headlines
and body paragraphs separated), annotated with direct quotations (exact character
offsets) and the speaker each quotation is attributed to. Built by `newscorpus build`;
schema {manifest["schema_version"]}, pipeline {manifest["pipeline_version"]}.

## Load

```python
from datasets import load_dataset

ds = load_dataset("processed")          # this folder, works offline
print(ds)
```

Splits present: {splits}. Only non-empty splits are published (a zero-row Parquet file
cannot be loaded by `datasets`), so a small corpus may lack `validation` or `test`.

## Splits

Each article's split is a stable hash of its id (sha256, first 8 bytes, modulo 100:
0–79 train, 80–89 validation, 90–99 test). Adding or removing articles never moves an
existing article. Rows are sorted by `id`.

## Fields

{field_reference()}

Quote offsets index the field named by `location` (`body`, `headline`, or
`subheadlines[subheadline_index]`): `field[start:end] == text`. `body.split("\\n\\n")`
gives the paragraphs.

Example (first record, abridged):

```json
{_example(stats)}
```

## Figures

{figures_markdown(manifest, stats)}

## Licence

{licence_text}

The newscorpus code is Apache-2.0; the articles keep their publishers' copyright. See
DATASHEET.md for provenance and intended uses.
"""
