"""Markdown written by the build: the dataset card's body and the datasheet's figures.

Text from articles (headlines, speaker names) is escaped before it enters Markdown, so
a headline full of `#`, `|` or `---` cannot change the document's structure.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa

from newscorpus.record.schema import arrow_schema, load_schema

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


def _type_name(kind: pa.DataType) -> str:
    """Name an Arrow type as the card's reader meets it in `datasets` and pandas."""
    if pa.types.is_list(kind):
        inner = kind.value_type
        return "list of objects" if pa.types.is_struct(inner) else f"list of {_type_name(inner)}"
    if pa.types.is_date32(kind):
        return "date32 (ISO date in JSON)"
    return str(kind)


def _example_cell(value: Any) -> str:
    """Render an example value for a table cell: JSON, shortened, safe inside a table."""
    if value is _MISSING:
        return "—"
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > EXAMPLE_CHARS:
        shown = shown[: EXAMPLE_CHARS - 1] + "…"
    if "`" in shown:
        # A backtick would end the code span; escaped Markdown renders the same text.
        return escape_markdown(shown)
    return "`" + shown.replace("|", "\\|") + "`"


_MISSING = object()
EXAMPLE_CHARS = 60


def field_rows(
    example_record: dict[str, Any] | None = None, example_quote: dict[str, Any] | None = None
) -> list[list[str]]:
    """Return one row per field, nested ones as `quotes[].text`: name, type, example, description.

    Names, descriptions and nullability come from the JSON Schema and the Arrow schema
    derived from it; examples from the given record (and quote), when there is one.
    """
    schema = load_schema()
    rows: list[list[str]] = []

    def add(
        name: str,
        node: dict[str, Any],
        field: pa.Field[pa.DataType],
        example: Any,
    ) -> None:
        kind = _type_name(field.type) + (", nullable" if field.nullable else "")
        # `<source key>` would be read as an HTML tag by the Hub's renderer.
        description = (
            node["description"].replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")
        )
        rows.append([f"`{name}`", kind, _example_cell(example), description])
        if pa.types.is_list(field.type) and pa.types.is_struct(field.type.value_type):
            item_node = node["items"]
            struct = field.type.value_type
            items = example if isinstance(example, list) else []
            sample = example_quote if name == "quotes" and example_quote else None
            if sample is None and items:
                sample = items[0]
            for index in range(struct.num_fields):
                child = struct.field(index)
                child_example = sample.get(child.name, _MISSING) if sample else _MISSING
                add(
                    f"{name}[].{child.name}",
                    item_node["properties"][child.name],
                    child,
                    child_example,
                )

    for field in arrow_schema():
        example = example_record.get(field.name, _MISSING) if example_record else _MISSING
        add(field.name, schema["properties"][field.name], field, example)
    return rows


def field_reference(
    example_record: dict[str, Any] | None = None, example_quote: dict[str, Any] | None = None
) -> str:
    """Return the Markdown table of every field (nested ones too), derived from the schema."""
    return _table(
        ["field", "type", "example", "description"], field_rows(example_record, example_quote)
    )


def figures_markdown(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """Return the corpus figures (counts, distributions, rejects) as Markdown tables."""
    ledger = manifest["ledger"]
    parts = [
        "### Inputs and outcomes",
        _table(
            ["files found", "records", "duplicates", "rejected", "excluded"],
            [
                [
                    manifest["files_found"],
                    ledger["outcomes"]["record"],
                    ledger["outcomes"]["duplicate"],
                    ledger["outcomes"]["rejected"],
                    ledger["outcomes"].get("excluded", 0),
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


FIGURES = (
    ("figures/article_lengths.svg", "Articles by body length"),
    ("figures/quotes_per_article.svg", "Articles by number of quotations"),
)


def figures_links(embed: bool) -> str:
    """Return the plots as Markdown images (`embed`) or links, relative to the published folder."""
    if embed:
        return "\n\n".join(f"![{alt}]({path})" for path, alt in FIGURES)
    return "\n".join(f"- [{alt}]({path})" for path, alt in FIGURES)


def datasheet_section(manifest: dict[str, Any], stats: dict[str, Any]) -> str:
    """Return the datasheet's generated section: the figures of this build."""
    return (
        "## Figures from the current build\n\n"
        f"Schema {manifest['schema_version']}, pipeline {manifest['pipeline_version']}.\n\n"
        + figures_markdown(manifest, stats)
        + "\n\n### Plots\n\n"
        "Regenerated by every build (SVG); paths are relative to the published folder "
        "(`processed/` in the source repository).\n\n" + figures_links(embed=False)
    )


def _example(stats: dict[str, Any]) -> str:
    shown = stats.get("example")
    if shown:
        # A backtick in article text could close the code fence; JSON can spell it.
        return json.dumps(shown, ensure_ascii=False, indent=2).replace("`", "\\u0060")
    return "{}"


# The sets of an attribution baseline, held-out ones first, with how the card names them.
_ACCURACY_SETS = (
    ("polnear_dev", "PolNeAR dev (84 US political news articles)"),
    ("korea_news_dev", "korea_news_dev (21 English news articles about Korea)"),
    ("bbc_news_dev", "bbc_news_dev (40 BBC News articles)"),
    ("polnear_train", "PolNeAR train (840 articles)"),
    ("polnear_pronouns", "PolNeAR train, 200 hand-resolved pronoun quotes"),
)


def accuracy_markdown(baseline: dict[str, Any] | None) -> str:
    """Return the measured annotation accuracy as Markdown, from a quality-gate baseline.

    `baseline` is src/newscorpus/publish/attribution_accuracy.json as pinned by the quality
    gate (`python bench/attribution_eval.py --pin`): per set, span precision/recall/F1 and
    speaker accuracies with their counts, and how the set was used (`data`: a dev set,
    measured on and never fitted on, or training data). Dev sets come first; training
    sets are labelled. No baseline gives a sentence saying so.
    """
    sets = (baseline or {}).get("sets")
    if not isinstance(sets, dict) or not any(isinstance(v, dict) for v in sets.values()):
        return (
            "No measurement is published with this build (no quality-gate baseline was "
            "found). Treat the annotations as unverified."
        )

    def cell(figures: dict[str, Any], key: str, count: str | None = None) -> str:
        value = figures.get(key)
        if not isinstance(value, int | float):
            return "—"
        number = figures.get(count) if count else None
        return f"{value:.3f}" + (f" ({number})" if isinstance(number, int) else "")

    rows = []
    for key, label in _ACCURACY_SETS:
        figures = sets.get(key)
        if not isinstance(figures, dict):
            continue
        training = str(figures.get("data", "")).startswith("train")
        spans = cell(figures, "span_f1") if figures.get("spans", True) else "—"
        rows.append(
            [
                escape_markdown(label),
                "**training data** (rules developed on it)"
                if training
                else escape_markdown(str(figures.get("data") or "dev")),
                spans,
                cell(figures, "speaker", "speaker_n"),
                cell(figures, "pronoun", "pronoun_n"),
            ]
        )
    return "\n".join(
        [
            "Measured by `python bench/attribution_eval.py` (the figures the quality gate, "
            "`tests/test_quality_gate.py`, pins). Figures on the dev sets (measured on, "
            "never fitted on) come first; the rules were developed on PolNeAR train, so its "
            "rows are training figures.",
            "",
            _table(["set", "data", "quote span F1", "speaker (n)", "pronoun-attributed (n)"], rows),
            "",
            "Spans match when they share at least half of the longer span (one to one). "
            "Speakers are compared with a strict matcher (written out in the script: head "
            "words must agree, a party is not its member, one given name is not another); "
            "*speaker* counts span-matched quotes whose gold speaker is named, "
            "*pronoun-attributed* those whose gold mention is a pronoun, scored on the "
            "resolved speaker.",
        ]
    )


_CITATION = """@misc{{newscorpus,
  title        = {{newscorpus: news articles with quotations and speakers}},
  author       = {{{{newscorpus maintainers}}}},
  howpublished = {{Hugging Face dataset, \\url{{https://huggingface.co/datasets/<user>/newscorpus}}}},
  note         = {{Schema {schema}, pipeline {pipeline}}}
}}

@inproceedings{{newell-etal-2018-attribution,
  title     = {{An Attribution Relations Corpus for Political News}},
  author    = {{Newell, Edward and Margolin, Drew and Ruths, Derek}},
  booktitle = {{Proceedings of LREC 2018}},
  year      = {{2018}}
}}"""


def citation(versions: dict[str, Any]) -> str:
    """Return the BibTeX entries for the corpus (and the corpus its accuracy is measured on).

    `versions` holds `schema_version` and `pipeline_version` (a manifest will do).
    """
    return _CITATION.format(
        schema=versions["schema_version"], pipeline=versions["pipeline_version"]
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _config_rows(manifest: dict[str, Any], config: str) -> int:
    """Rows of a derived config over all splits (0 when the manifest has none)."""
    splits = manifest.get("configs", {}).get(config, {}).get("splits", {})
    return sum(int(info["num_examples"]) for info in splits.values())


def card_body(
    manifest: dict[str, Any],
    stats: dict[str, Any],
    licences: list[str],
    accuracy: dict[str, Any] | None = None,
) -> str:
    """Return the Markdown body of the dataset card.

    `accuracy` is the quality gate's baseline (see `accuracy_markdown`); None when the
    annotations have not been measured.
    """
    splits = ", ".join(f"`{s}` ({i['num_examples']})" for s, i in manifest["splits"].items())
    licence_text = "\n".join(f"- {escape_markdown(text)}" for text in licences)
    total = sum(i["num_examples"] for i in manifest["splits"].values())
    example_id = (stats.get("example") or {}).get("id", "<id>")
    return f"""# newscorpus

News articles normalized from raw scrapes (site chrome removed, headline, sub-headlines
and body paragraphs separated), annotated with direct quotations (exact character
offsets) and the speaker each quotation is attributed to. Built by `newscorpus build`;
schema {manifest["schema_version"]}, pipeline {manifest["pipeline_version"]};
{_count(total, "article")}, {_count(stats.get("quotes", 0), "quotation")}.

The quotations and speakers are **machine-generated** by rules (no model, no human
labels); their measured accuracy is below. The articles are **not openly licensed**:
see [Licence](#licence).

## Load

```python
from datasets import load_dataset

ds = load_dataset("processed")               # this folder, offline
ds = load_dataset("<user>/newscorpus")       # the same folder once uploaded to the Hub
```

or, with the newscorpus package, `newscorpus.load("processed")` (checks the folder first).
Splits present: {splits}. Only non-empty splits are published (a zero-row Parquet file
cannot be loaded by `datasets`), so a small corpus may lack `validation` or `test`.

Two task-ready configs are derived from the articles in the same build (no second
source of truth; `newscorpus validate` checks that they agree with the articles):

```python
quotes = load_dataset("processed", "quotes")      # one row per quotation
speakers = load_dataset("processed", "speakers")  # one row per speaker of an article
```

- `quotes` ({_count(_config_rows(manifest, "quotes"), "row")}; `quotes/`, schema
  `quote.schema.json`): `quote_id` (`{{article id}}-{{location}}-{{start}}`, stable while the
  quote's span is), `article_id`, `split` (always its article's), `source`, `published`,
  the quotation's `text`, `speaker`, `speaker_mention`, `cue`, `speaker_pattern`,
  `speaker_resolution`, and the `paragraph` it sits in (its body paragraph, or the
  headline or sub-headline) with `start`/`end`, `speaker_start`/`speaker_end` and
  `cue_start`/`cue_end` offsets into it: `paragraph[start:end] == text`.
- `speakers` ({_count(_config_rows(manifest, "speakers"), "row")}; `speakers/`, schema
  `speaker.schema.json`): `article_id`, `split`, `source`, `published`, `speaker`, its
  `mentions` as written, `quote_count` and the `quote_ids` of its quotations.

The Parquet files under `data/` also open directly (pandas, DuckDB, Polars, pyarrow);
`croissant.json` describes them in Croissant 1.0 for `mlcroissant` and other ML tools,
and `manifest.json` lists every file with its sha256.

To read one article with its quotations marked and attributed:
`newscorpus show {example_id} processed`.

## Upload to the Hugging Face Hub

This folder is a complete dataset repository as it is:

```bash
hf upload <user>/newscorpus processed . --repo-type dataset
# with huggingface_hub < 1.0:
huggingface-cli upload <user>/newscorpus processed . --repo-type dataset
```

or `HfApi().upload_folder(folder_path="processed", repo_id="<user>/newscorpus",
repo_type="dataset")`.

## Splits

Each article's split is a stable hash of its id (sha256, first 8 bytes, modulo 100:
0–79 train, 80–89 validation, 90–99 test). Adding or removing articles never moves an
existing article. Rows are sorted by `id`.

## Fields

Every field, with its type as `datasets` loads it and an example from the data (the
first article by id; for `quotes[]`, its first quotation). Derived from
`schema/article.schema.json`, the single source of truth.

{field_reference(stats.get("example_record"), stats.get("example_quote"))}

Quote offsets index the field named by `location` (`body`, `headline`, or
`subheadlines[subheadline_index]`): `field[start:end] == text`. `body.split("\\n\\n")`
gives the paragraphs.

Example (first record, abridged):

```json
{_example(stats)}
```

## How quotations and speakers are made

By rules, in `newscorpus.annotate.quotes` and `newscorpus.annotate.attribution` (standard
library only):

- **Quotations**: text between quotation marks (curly and straight double, guillemets,
  low-9, single marks told apart from apostrophes). Only outermost quotations count; a
  quotation never crosses a paragraph, except newswire multi-paragraph quotations
  (one quotation per paragraph). Short term-like segments without a speech cue (scare
  quotes, titles) are left out. `text` excludes the marks.
- **Speakers**: a cue verb ("said", "added", "according to", …) next to the quotation
  and the noun phrase it governs (determiners and appositives dropped), or a headline's
  `Speaker: ‘…’`. A quotation without its own cue inherits the previous one's speaker in
  the same paragraph. Pronouns ("he", "it") are resolved to the most recent compatible
  named speaker; `speaker_mention` keeps the pronoun as written.

### Measured accuracy

{accuracy_markdown(accuracy)}

## Known limitations

- Annotations are rule-made and unreviewed: expect missed quotations, spans cut at the
  wrong mark when quotation marks are unbalanced, and wrong speakers, especially for
  "it"/"they" (rarely resolved to the document or group meant) and for quotations alone
  in a paragraph far from their reporting sentence. A speaker is the entity that spoke
  (`speaker_resolution` says how it was found): "the president" becomes the person the
  article titled so, which annotation schemes that keep the phrase as written count as
  a different answer.
- Indirect (reported) speech is not annotated; only direct quotations are.
- Some sources publish translations (the Donga English edition translates from Korean)
  of unknown quality: a quotation may not be what the speaker said in the original.
- A small, non-random sample of what was scraped: no figure here describes news
  coverage in general.
- Duplicates are the same normalized body or a body whose word 5-grams overlap another's
  by an estimated Jaccard similarity of at least 0.8 (MinHash); less similar re-writes of
  one story remain, and may fall in different splits.
- `url` and `published` are null where the raw files do not carry them.

## Figures

{figures_markdown(manifest, stats)}

### Plots

{figures_links(embed=True)}

## Licence

{licence_text}

The card declares `license: other`: the articles keep their publishers' copyright and no
open licence has been granted; they are shared for research and tool development only.
The newscorpus code is Apache-2.0. See [DATASHEET.md](DATASHEET.md) for provenance,
intended uses and the full datasheet.

## Citation

```bibtex
{citation(manifest)}
```

The accuracy figures are measured on PolNeAR (Newell et al., 2018), cited second, and
on korea_news_dev (see `bench/attribution_eval.py`).
"""
