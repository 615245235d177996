"""The task-ready configs (`quotes`, `speakers`): derived from the articles in the same
build, loadable offline with `datasets`, and checked by `newscorpus validate`."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from corpus_factory import add_synthetic, make_raw

import newscorpus
from newscorpus.check.published import validate_path
from newscorpus.publish.folder import sha256_file
from newscorpus.record.schema import CONFIGS, arrow_schema, load_config_schema
from newscorpus.record.tasks import paragraph_bounds, quote_rows, speaker_rows
from newscorpus.run.writer import parquet_options


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("configs")
    raw = make_raw(root)
    add_synthetic(raw, 60)
    out = root / "processed"
    newscorpus.build(raw, out, workers=1)
    return out


def _articles(folder: Path) -> dict[str, list[dict]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {
        split: [row for name in info["files"] for row in pq.read_table(folder / name).to_pylist()]
        for split, info in manifest["splits"].items()
    }


def test_the_three_configs_load_offline_with_row_counts_of_the_articles(built: Path) -> None:
    articles = _articles(built)
    assert len(articles) >= 2, "the fixture should fill more than one split"
    default = newscorpus.load(built)
    quotes = newscorpus.load(built, config="quotes")
    speakers = newscorpus.load(built, config="speakers")
    for split, records in articles.items():
        assert default[split].num_rows == len(records)
        assert quotes[split].num_rows == sum(len(r["quotes"]) for r in records)
        assert speakers[split].num_rows == sum(len(r["speakers"]) for r in records)
        ids = {r["id"] for r in records}
        # no quote (or speaker) in another split than its article's
        assert set(quotes[split]["article_id"]) <= ids
        assert set(quotes[split]["split"]) == {split}
        assert set(speakers[split]["article_id"]) <= ids
    total = sum(len(r["quotes"]) for rs in articles.values() for r in rs)
    assert total > 50, total


def test_quote_rows_slice_their_paragraph_and_name_their_article_quote(built: Path) -> None:
    quotes = newscorpus.load(built, config="quotes")
    articles = {r["id"]: r for rs in _articles(built).values() for r in rs}
    seen = 0
    for split in quotes:
        for row in quotes[split]:
            assert row["paragraph"][row["start"] : row["end"]] == row["text"]
            article = articles[row["article_id"]]
            location = row["location"]
            if location == "subheadline":
                location = f"subheadline{row['subheadline_index']}"
            prefix = f"{row['article_id']}-{location}-"
            assert row["quote_id"].startswith(prefix)
            start = int(row["quote_id"][len(prefix) :])
            (quote,) = [
                q
                for q in article["quotes"]
                if q["start"] == start
                and q["location"] == row["location"]
                and q["subheadline_index"] == row["subheadline_index"]
            ]
            assert (quote["text"], quote["speaker"]) == (row["text"], row["speaker"])
            seen += 1
    assert seen > 50


def test_speaker_rows_list_each_speakers_quote_ids(built: Path) -> None:
    quotes = newscorpus.load(built, config="quotes")
    speakers = newscorpus.load(built, config="speakers")
    for split in speakers:
        speaker_of = dict(zip(quotes[split]["quote_id"], quotes[split]["speaker"], strict=True))
        for row in speakers[split]:
            assert row["quote_count"] == len(row["quote_ids"])
            assert {speaker_of[q] for q in row["quote_ids"]} == {row["speaker"]}
        per_article = Counter(speakers[split]["article_id"])
        assert all(count >= 1 for count in per_article.values())


def test_a_clean_build_validates_and_the_card_declares_every_config(built: Path) -> None:
    report = validate_path(built)
    assert report.ok, report.problems
    card = (built / "README.md").read_text(encoding="utf-8")
    for config in CONFIGS:
        assert f"config_name: {config}" in card
    croissant = json.loads((built / "croissant.json").read_text(encoding="utf-8"))
    assert {"default", "quotes", "speakers"} <= {r["@id"] for r in croissant["recordSet"]}


def _tamper(folder: Path, config: str, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite one config file with `change` applied to its rows, and update the manifest's
    checksum so that only the config check can notice."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    info = next(iter(manifest["configs"][config]["splits"].values()))
    name = info["files"][0]
    rows = pq.read_table(folder / name).to_pylist()
    rows = change(rows)
    table = __import__("pyarrow").Table.from_pylist(rows, schema=arrow_schema(config))
    pq.write_table(table, folder / name, **parquet_options(config))
    manifest["files"][name]["sha256"] = sha256_file(folder / name)
    manifest["files"][name]["bytes"] = (folder / name).stat().st_size
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("speaker", "Somebody Else", "/speaker"),
        ("start", 0, "/start"),
        ("split", "test", "/split"),
        ("paragraph", "A different paragraph “x”.", "/paragraph"),
        ("quote_id", "donga-0000000000000000-body-1", "/quote_id"),
        ("article_id", "donga-0000000000000000", "/article_id"),
    ],
)
def test_validate_catches_a_tampered_quotes_config(
    built: Path, tmp_path: Path, field: str, value: object, pointer: str
) -> None:
    copy = tmp_path / "processed"
    shutil.copytree(built, copy)

    def change(rows: list[dict]) -> list[dict]:
        rows[1][field] = value
        return rows

    _tamper(copy, "quotes", change)
    report = validate_path(copy)
    assert any(p.pointer == pointer and p.file.startswith("quotes/") for p in report.problems), (
        report.problems
    )


def test_validate_catches_a_dropped_quote_and_a_tampered_speaker_row(
    built: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(built, first)
    shutil.copytree(built, second)
    _tamper(first, "quotes", lambda rows: rows[:-1])
    assert any("more rows" in p.message for p in validate_path(first).problems)

    def reorder(rows: list[dict]) -> list[dict]:
        target = next(r for r in rows if len(r["quote_ids"]) > 1)
        target["quote_ids"] = list(reversed(target["quote_ids"]))
        return rows

    _tamper(second, "speakers", reorder)
    problems = validate_path(second).problems
    assert any(p.pointer == "/quote_ids" for p in problems), problems


def test_quote_rows_of_a_record_by_hand() -> None:
    body = "First paragraph.\n\nShe said, “One\n\nand two,” Kim said.\n\nLast."
    start = body.index("One")
    end = body.index(",” Kim")
    record = {
        "id": "donga-0123456789abcdef",
        "source": "Donga",
        "published": "2024-05-01",
        "headline": "H",
        "subheadlines": [],
        "body": body,
        "quotes": [
            {
                "text": body[start:end],
                "start": start,
                "end": end,
                "location": "body",
                "subheadline_index": None,
                "speaker": "Kim",
                "speaker_mention": "Kim",
                "speaker_start": body.index("Kim"),
                "speaker_end": body.index("Kim") + 3,
                "cue": "said",
                "cue_start": 0,  # outside the paragraph: becomes null
                "cue_end": 4,
                "speaker_pattern": "cue_after",
                "speaker_resolution": "as_written",
            }
        ],
        "speakers": [{"name": "Kim", "quote_count": 1}],
    }
    (row,) = quote_rows(record, "train")
    assert row["paragraph"] == "She said, “One\n\nand two,” Kim said."
    assert row["paragraph_index"] == 1
    assert row["paragraph"][row["start"] : row["end"]] == "One\n\nand two"
    assert row["paragraph"][row["speaker_start"] : row["speaker_end"]] == "Kim"
    assert (row["cue_start"], row["cue_end"]) == (None, None)
    assert row["quote_id"] == f"donga-0123456789abcdef-body-{start}"
    (speaker,) = speaker_rows(record, "train")
    assert speaker["quote_ids"] == [row["quote_id"]] and speaker["mentions"] == ["Kim"]
    assert paragraph_bounds(body, start, end) == (18, body.index("\n\nLast"))


def test_every_config_row_schema_is_a_json_schema_of_its_own() -> None:
    for config in CONFIGS:
        schema = load_config_schema(config)
        assert list(schema["properties"]) == arrow_schema(config).names


def test_the_column_wise_tables_equal_the_reference_rows(built: Path) -> None:
    """The build derives the configs column-wise (`quote_table`, `speaker_table`); the
    row functions are their definition."""
    from newscorpus.record.tasks import quote_table, speaker_table
    from newscorpus.run.writer import rows_table

    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    for split, info in manifest["splits"].items():
        for name in info["files"]:
            articles = pq.read_table(built / name)
            records = articles.to_pylist()
            for record in records:
                record["published"] = (
                    record["published"].isoformat() if record["published"] else None
                )
            quotes = [row for r in records for row in quote_rows(r, split)]
            speakers = [row for r in records for row in speaker_rows(r, split)]
            assert quote_table(articles, split).equals(rows_table(quotes, "quotes"))
            assert speaker_table(articles, split).equals(rows_table(speakers, "speakers"))
            assert quotes and speakers


def test_the_column_wise_tables_take_tables_of_many_chunks(built: Path) -> None:
    from newscorpus.record.tasks import quote_table

    name = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["splits"]["train"][
        "files"
    ][0]
    articles = pq.read_table(built / name)
    halves = articles.slice(0, 10).to_batches() + articles.slice(10).to_batches()
    chunked = __import__("pyarrow").Table.from_batches(halves)
    assert chunked.column("quotes").num_chunks > 1
    assert quote_table(chunked, "train").equals(quote_table(articles, "train"))


def test_a_build_whose_configs_disagree_with_its_articles_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-swap check takes the records as proven by the workers but still checks
    the derived configs against them: a derivation bug never reaches the output."""
    import pyarrow as pa

    from newscorpus.errors import InternalBuildError
    from newscorpus.run import writer

    real = writer.config_table

    def broken(config: str, articles: object, split: str) -> object:
        table = real(config, articles, split)
        if config != "quotes" or not table.num_rows:
            return table
        speakers = table.column("speaker").to_pylist()
        speakers[0] = "Nobody At All"
        index = table.schema.get_field_index("speaker")
        return table.set_column(index, "speaker", pa.array(speakers, type=pa.string()))

    monkeypatch.setattr(writer, "config_table", broken)
    raw = make_raw(tmp_path)
    add_synthetic(raw, 12)
    out = tmp_path / "processed"
    with pytest.raises(InternalBuildError, match="failed validation"):
        newscorpus.build(raw, out, workers=1)
    assert not out.exists()


def test_the_loader_knows_the_schemas_configs() -> None:
    """`newscorpus.loading` spells the configs out (it must not import pyarrow)."""
    from newscorpus import loading

    assert loading.CONFIGS == CONFIGS
