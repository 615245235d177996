"""`newscorpus diff`: the pure core on hand-made records, the CLI, and two real builds
whose raw inputs differ in one attribution."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from corpus_factory import add_synthetic, make_raw
from typer.testing import CliRunner

import newscorpus
from newscorpus.check.diff import (
    CorpusDiff,
    diff_corpora,
    diff_records,
    match_spans,
    render_diff,
)
from newscorpus.check.diff_text import TextAlignment, sentence_around
from newscorpus.cli import app
from newscorpus.synthetic import render_donga_page

runner = CliRunner()

# --- hand-made records ---

BODY = (
    "The council met on Monday.\n\n"
    "“We will raise the budget,” Kim Min-jun said. The vote passed.\n\n"
    "Later, Park Seo-yeon added, “Work starts in spring.”"
)


def quote(body: str, text: str, speaker: str | None, **fields: Any) -> dict[str, Any]:
    """A body quotation of `text` (its first occurrence) spoken by `speaker`."""
    start = body.index(text)
    return {
        "text": text,
        "start": start,
        "end": start + len(text),
        "location": "body",
        "subheadline_index": None,
        "speaker": speaker,
        "speaker_mention": speaker,
        "speaker_start": None,
        "speaker_end": None,
        "cue": "said",
        "cue_start": None,
        "cue_end": None,
        "speaker_pattern": "cue_after",
        "speaker_resolution": "as_written" if speaker else None,
        **fields,
    }


def record(record_id: str = "donga-0000000000000001", **fields: Any) -> dict[str, Any]:
    body = fields.pop("body", BODY)
    if "quotes" not in fields:
        fields["quotes"] = [
            quote(body, "We will raise the budget,", "Kim Min-jun"),
            quote(body, "Work starts in spring.", "Park Seo-yeon"),
        ]
    return {
        "id": record_id,
        "source": "Donga",
        "headline": "Budget rises",
        "subheadlines": ["Council votes"],
        "body": body,
        "speakers": [],
        **fields,
    }


def one(old: dict[str, Any], new: dict[str, Any], split: str = "train") -> CorpusDiff:
    return diff_records({old["id"]: (split, old)}, {new["id"]: (split, new)})


def test_identical_corpora_differ_in_nothing() -> None:
    diff = one(record(), record())
    assert diff.empty
    assert diff.to_json() == {
        "summary": {
            "records_old": 1,
            "records_new": 1,
            "records_added": 0,
            "records_removed": 0,
            "records_changed": 0,
            "split_moves": 0,
            "quotes_added": 0,
            "quotes_removed": 0,
            "quotes_respanned": 0,
            "quotes_reattributed": 0,
            "quote_fields_changed": 0,
        },
        "split_moves": [],
        "added": [],
        "removed": [],
        "changed": [],
    }
    assert render_diff(diff).endswith("\nno differences\n")


def test_records_added_removed_and_changed_by_field() -> None:
    kept, gone, new = (f"donga-{i:016x}" for i in (1, 2, 3))
    diff = diff_records(
        {kept: ("train", record(kept)), gone: ("test", record(gone))},
        {kept: ("train", record(kept, headline="Budget rises again")), new: ("test", record(new))},
    )
    assert diff.added == (new,) and diff.removed == (gone,)
    (change,) = diff.changed
    assert (change.id, change.split, change.fields) == (kept, "train", ("headline",))
    assert change.quotes_changed == change.quotes_added == change.quotes_removed == ()
    assert not diff.split_moves and not diff.empty


def test_a_longer_span_is_respanned_not_added_and_removed() -> None:
    old = record()
    new = record()
    new["quotes"][0] = quote(BODY, "We will raise the budget,” Kim", "Kim Min-jun")
    (change,) = one(old, new).changed
    (moved,) = change.quotes_changed
    assert moved.respanned and not moved.reattributed
    assert (moved.old.start, moved.old.end, moved.new.end) == (29, 54, 59)
    assert moved.changes == (
        ("text", "We will raise the budget,", "We will raise the budget,” Kim"),
    )
    assert change.quotes_added == change.quotes_removed == ()
    assert change.fields == ()
    assert one(old, new).summary()["quotes_respanned"] == 1


def test_a_new_speaker_is_a_reattribution_with_its_sentence() -> None:
    old = record()
    new = record()
    new["quotes"][0]["speaker"] = "Lee Ji-eun"
    diff = one(old, new)
    (change,) = diff.changed
    (reattributed,) = change.reattributed
    assert (reattributed.old.speaker, reattributed.new.speaker) == ("Kim Min-jun", "Lee Ji-eun")
    assert reattributed.context == "“We will raise the budget,” Kim Min-jun said."
    assert not reattributed.respanned and change.respanned == ()
    shown = diff.to_json()["changed"][0]["quotes_reattributed"][0]
    assert (shown["old_speaker"], shown["new_speaker"]) == ("Kim Min-jun", "Lee Ji-eun")
    assert "Kim Min-jun → Lee Ji-eun" in render_diff(diff)


def test_a_quote_both_respanned_and_reattributed_is_in_both_lists() -> None:
    new = record()
    new["quotes"][0] = quote(BODY, "We will raise", None, cue=None, speaker_pattern=None)
    shown = one(record(), new).to_json()["changed"][0]
    assert len(shown["quotes_respanned"]) == len(shown["quotes_reattributed"]) == 1
    assert shown["quotes_reattributed"][0]["new_speaker"] is None
    assert shown["quote_fields_changed"] == []
    assert "re-spanned and re-attributed [1] body 29–42 (was 29–54)" in render_diff(
        one(record(), new)
    )


def test_other_quote_fields_are_listed_when_span_and_speaker_hold() -> None:
    new = record()
    new["quotes"][1]["cue"] = "added"
    (change,) = one(record(), new).changed
    (other,) = change.fields_only
    assert other.changes == (("cue", "said", "added"),)
    assert other.new.index == 1
    assert one(record(), new).summary()["quote_fields_changed"] == 1


def test_an_edit_before_a_quote_moves_no_quote() -> None:
    body = BODY.replace("on Monday", "on a rainy Monday morning")
    new = record(body=body)
    diff = one(record(), new)
    (change,) = diff.changed
    assert change.fields == ("body",)
    assert change.quotes_changed == change.quotes_added == change.quotes_removed == ()
    assert new["quotes"][0]["start"] != record()["quotes"][0]["start"]


def test_a_quote_that_lost_its_marks_is_removed_and_a_new_one_added() -> None:
    body = BODY.replace("“Work starts in spring.”", "work starts in spring. “We wait.”")
    new = record(
        body=body,
        quotes=[
            quote(body, "We will raise the budget,", "Kim Min-jun"),
            quote(body, "We wait.", "Park Seo-yeon"),
        ],
    )
    (change,) = one(record(), new).changed
    assert [q.text for q in change.quotes_removed] == ["Work starts in spring."]
    assert [q.text for q in change.quotes_added] == ["We wait."]
    assert change.quotes_changed == ()


def test_quotes_pair_one_to_one_by_largest_overlap() -> None:
    assert match_spans([(0, 10), (8, 30)], [(5, 30)]) == [(1, 0)]
    assert match_spans([(0, 10), (10, 20)], [(0, 20)]) == [(0, 0)]  # tie: least moved, first
    assert match_spans([], [(0, 1)]) == [] and match_spans([(0, 1)], []) == []


def test_quotes_in_different_fields_are_never_paired() -> None:
    old = record()
    new = record()
    moved = dict(new["quotes"][0], location="subheadline", subheadline_index=0)
    new["quotes"] = [moved, new["quotes"][1]]
    (change,) = one(old, new).changed
    assert [q.location for q in change.quotes_removed] == ["body"]
    assert [(q.location, q.field_index) for q in change.quotes_added] == [("subheadline", 0)]


def test_a_split_move_is_reported_even_when_the_record_is_the_same() -> None:
    same = record()
    diff = diff_records({same["id"]: ("train", same)}, {same["id"]: ("test", same)})
    assert [(m.id, m.old_split, m.new_split) for m in diff.split_moves] == [
        (same["id"], "train", "test")
    ]
    assert diff.changed == () and not diff.empty
    assert "SPLIT MOVES" in render_diff(diff)


def test_the_table_is_capped_with_a_more_line() -> None:
    ids = [f"donga-{i:016x}" for i in range(5)]
    diff = diff_records({}, {i: ("train", record(i)) for i in ids})
    shown = render_diff(diff, limit=2)
    assert ids[1] in shown and ids[2] not in shown
    assert "… and 3 more records added" in shown


def test_json_is_stable_and_sorted() -> None:
    ids = [f"donga-{i:016x}" for i in (9, 3, 5)]
    old = {i: ("train", record(i)) for i in ids}
    new = {i: ("train", record(i, headline=i)) for i in reversed(ids)}
    first, second = diff_records(old, new).to_json(), diff_records(dict(reversed(old.items())), new)
    assert [c["id"] for c in first["changed"]] == sorted(ids)
    assert json.dumps(first, sort_keys=True) == json.dumps(second.to_json(), sort_keys=True)


# --- the text side ---


def test_offsets_are_carried_across_an_edit() -> None:
    carry = TextAlignment(
        "“Go,” Kim said. “Stay,” he said.", "“Go,” Lee Ji-eun told us. “Stay,” he said."
    )
    assert carry.map(1, "start") == 1  # before the edit
    assert carry.map(17, "start") == 27 and carry.map(22, "end") == 32  # after it
    assert carry.map(8, "start") == 6 and carry.map(10, "end") == 24  # inside: its ends
    assert TextAlignment("same", "same").map(3, "end") == 3


def test_the_sentence_stops_at_sentence_ends_and_paragraphs() -> None:
    start = BODY.index("We will")
    text = sentence_around(BODY, start, start + 25)
    assert text == "“We will raise the budget,” Kim Min-jun said."
    body = "Intro.\n\nLater, Mr. Park added, “We go.” More text follows here."
    start = body.index("We go")
    assert sentence_around(body, start, start + 6) == "Later, Mr. Park added, “We go.”"


def test_a_long_sentence_is_capped_and_keeps_the_attribution() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    body = f"Before this. “{words},” Lee Ji-eun told reporters. After."
    start = body.index("word0")
    text = sentence_around(body, start, start + len(words) + 1, anchors=[body.index("Lee")])
    assert len(text) <= 245
    assert text.startswith("“word0") and text.endswith("Lee Ji-eun told reporters.")
    assert " … " in text


# --- two real builds ---


def harbour_page(attribution: str) -> str:
    """A Donga page whose one quotation is attributed by `attribution`."""
    return render_donga_page(
        "Harbour budget rises in Busan",
        ["City council approves repairs"],
        [
            "The city council approved a larger harbour budget on Monday after a long debate.",
            f"“We will raise the budget for harbour repairs next year,” {attribution}.",
            "The vote passed with a wide margin. Work starts in the spring.",
        ],
    )


def build(root: Path, attribution: str) -> Path:
    raw = make_raw(root, with_seed=False)
    add_synthetic(raw, 4)
    (raw / "donga" / "900_harbour.txt").write_text(harbour_page(attribution), encoding="utf-8")
    newscorpus.build(raw, root / "out", workers=1)
    return root / "out"


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """OLD, a second build of the same raw inputs, and NEW (one attribution changed)."""
    root = tmp_path_factory.mktemp("diff")
    return {
        "old": build(root / "old", "Kim Min-jun said"),
        "again": build(root / "again", "Kim Min-jun said"),
        "new": build(root / "new", "Lee Ji-eun told reporters"),
    }


def test_one_changed_attribution_is_all_the_diff_reports(corpora: dict[str, Path]) -> None:
    diff = diff_corpora(corpora["old"], corpora["new"])
    assert (diff.old_records, diff.new_records) == (5, 5)
    assert diff.added == diff.removed == diff.split_moves == ()
    (change,) = diff.changed
    assert change.fields == ("body", "raw_sha256", "speakers")
    assert change.quotes_added == change.quotes_removed == ()
    (quote_change,) = change.quotes_changed
    assert quote_change.reattributed and not quote_change.respanned
    assert (quote_change.old.speaker, quote_change.new.speaker) == ("Kim Min-jun", "Lee Ji-eun")
    assert quote_change.new.text == "We will raise the budget for harbour repairs next year,"
    assert quote_change.context == (
        "“We will raise the budget for harbour repairs next year,” Lee Ji-eun told reporters."
    )
    summary = diff.summary()
    assert {k: v for k, v in summary.items() if v and not k.startswith("records_")} == {
        "quotes_reattributed": 1
    }
    assert summary["records_changed"] == 1


def test_the_cli_shows_the_reattribution_and_fails_on_change(corpora: dict[str, Path]) -> None:
    old, new = str(corpora["old"]), str(corpora["new"])
    shown = runner.invoke(app, ["diff", old, new])
    assert shown.exit_code == 0, shown.output
    assert "re-attributed [1] body" in shown.output
    assert "Kim Min-jun → Lee Ji-eun" in shown.output
    assert "Lee Ji-eun told reporters." in shown.output
    assert runner.invoke(app, ["diff", old, new, "--fail-on-change"]).exit_code == 1
    as_json = runner.invoke(app, ["diff", old, new, "--json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert data["summary"]["quotes_reattributed"] == 1
    assert str(corpora["old"].parent.parent) not in as_json.output  # no machine paths


def test_two_builds_of_the_same_inputs_differ_in_nothing(corpora: dict[str, Path]) -> None:
    assert diff_corpora(corpora["old"], corpora["again"]).empty
    result = runner.invoke(
        app, ["diff", str(corpora["old"]), str(corpora["again"]), "--fail-on-change"]
    )
    assert result.exit_code == 0, result.output
    assert "no differences" in result.output


def test_a_split_move_exits_1_without_being_asked(corpora: dict[str, Path], tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    shutil.copytree(corpora["old"], moved)
    manifest = json.loads((moved / "manifest.json").read_text(encoding="utf-8"))
    # Claim the train shard for the test split: every train record moves.
    manifest["splits"] = {"test": manifest["splits"]["train"]}
    (moved / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(corpora["old"]), str(moved)])
    assert result.exit_code == 1
    assert "SPLIT MOVES" in result.output and "moved between splits" in result.output


def test_a_missing_or_foreign_folder_is_a_usage_error(
    corpora: dict[str, Path], tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["diff", str(tmp_path / "nope"), str(corpora["old"])])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    (tmp_path / "notes").mkdir()
    foreign = runner.invoke(app, ["diff", str(corpora["old"]), str(tmp_path / "notes")])
    assert foreign.exit_code == 2 and "is not a published corpus" in foreign.output


def test_help_explains_the_exit_codes_with_an_example() -> None:
    result = runner.invoke(app, ["diff", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "moved between splits" in text and "--fail-on-change" in text
    assert "newscorpus diff processed" in text
