"""`newscorpus show`: one article rendered for a reader, quotations marked and attributed.

The seed's rendering is pinned in tests/data/expected/show_seed.txt. The quotes come
from the annotator, which is still being tuned: when a change to it is intended,
regenerate the snapshot with

    UPDATE_SNAPSHOTS=1 python -m pytest tests/test_show.py

and review the diff of the .txt file like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from corpus_factory import REPO, make_raw
from typer.testing import CliRunner

import newscorpus
from newscorpus.cli import app
from newscorpus.publish.show import QUOTE_CLOSE, QUOTE_OPEN, find_record, render, render_plain

SNAPSHOT = REPO / "tests" / "data" / "expected" / "show_seed.txt"
SEED_ID = "donga-724ffc14e03e3d2e"
runner = CliRunner()


@pytest.fixture(scope="module")
def seed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("show")
    out = root / "processed"
    newscorpus.build(make_raw(root), out, workers=1)
    return out


@pytest.fixture(scope="module")
def seed_record(seed_corpus: Path) -> dict[str, Any]:
    record = find_record(seed_corpus, SEED_ID)
    assert record is not None
    return record


def test_seed_rendering_matches_the_snapshot(seed_record: dict[str, Any]) -> None:
    rendered = render_plain(seed_record)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.is_file(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1"
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "the seed renders differently; if the annotator change is intended, run "
        "UPDATE_SNAPSHOTS=1 python -m pytest tests/test_show.py and review the diff"
    )


def test_every_quote_is_marked_once_and_labelled_with_its_speaker(
    seed_record: dict[str, Any],
) -> None:
    rendered = render_plain(seed_record)
    quotes = seed_record["quotes"]
    assert quotes, "the seed has quotations"
    for number, quote in enumerate(quotes, start=1):
        assert rendered.count(f"{QUOTE_OPEN}{quote['text']}{QUOTE_CLOSE}[{number}]") == 1
        label = f"    [{number}] {quote['speaker'] or 'no speaker found'}"
        assert any(line.startswith(label) for line in rendered.splitlines())


def test_rendering_keeps_the_text_apart_from_the_marks(seed_record: dict[str, Any]) -> None:
    plain = render(seed_record).plain
    unmarked = plain
    for number in range(len(seed_record["quotes"]), 0, -1):
        unmarked = unmarked.replace(f"{QUOTE_CLOSE}[{number}]", "")
    unmarked = unmarked.replace(QUOTE_OPEN, "")
    for paragraph in seed_record["body"].split("\n\n"):
        assert paragraph in unmarked
    assert seed_record["headline"] in unmarked


def test_bad_offsets_never_garble_the_text() -> None:
    record = {
        "id": "x-1",
        "source": "S",
        "headline": "H",
        "subheadlines": [],
        "body": "He said “yes”.",
        "speakers": [],
        "quotes": [
            {
                "text": "yes",
                "start": 40,
                "end": 43,
                "location": "body",
                "subheadline_index": None,
                "speaker": None,
                "speaker_mention": None,
                "speaker_start": None,
                "speaker_end": None,
                "cue": None,
                "cue_start": None,
                "cue_end": None,
            }
        ],
    }
    rendered = render_plain(record)
    assert "He said “yes”." in rendered
    assert QUOTE_OPEN not in rendered


def test_cli_show_prints_the_snapshot_and_json(seed_corpus: Path) -> None:
    result = runner.invoke(app, ["show", SEED_ID, str(seed_corpus)])
    assert result.exit_code == 0, result.output
    assert result.output == render_plain(find_record(seed_corpus, SEED_ID) or {})
    as_json = runner.invoke(app, ["show", SEED_ID[:10], str(seed_corpus), "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["id"] == SEED_ID  # a unique prefix is enough


def test_cli_show_unknown_id_exits_1(seed_corpus: Path) -> None:
    result = runner.invoke(app, ["show", "nope-0000000000000000", str(seed_corpus)])
    assert result.exit_code == 1
