"""One definition per field (issue 22): the quotation and the speaker are `$defs` of the
article schema, the configs point at them, and code takes quotation fields from the
schema, so a new quotation field is a schema edit and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from newscorpus.cli import app
from newscorpus.record.schema import (
    SCHEMA_DIR_VARIABLE,
    load_config_schema,
    quotation_fields,
    quote_row_copied_fields,
)

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schema"


def _property_definitions(node: Any, where: str, found: dict[str, list[str]]) -> None:
    """Every property definition (not a `$ref`) of a schema file, keyed by its JSON."""
    if isinstance(node, dict):
        for name, child in (node.get("properties") or {}).items():
            if isinstance(child, dict) and "$ref" not in child:
                key = json.dumps(child, sort_keys=True)
                found.setdefault(key, []).append(f"{where}/properties/{name}")
            _property_definitions(child, f"{where}/properties/{name}", found)
        if isinstance(node.get("items"), dict):
            _property_definitions(node["items"], f"{where}/items", found)
        for name, child in (node.get("$defs") or {}).items():
            _property_definitions(child, f"{where}/$defs/{name}", found)


def test_no_property_definition_appears_twice_across_the_schema_files() -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(SCHEMA.glob("*.json")):
        _property_definitions(json.loads(path.read_text(encoding="utf-8")), path.name, found)
    twice = [places for places in found.values() if len(places) > 1]
    assert twice == []


def test_the_configs_point_at_the_quotation_for_what_they_share() -> None:
    stored = json.loads((SCHEMA / "quote.schema.json").read_text(encoding="utf-8"))
    refs = {
        name
        for name, node in stored["properties"].items()
        if str(node.get("$ref", "")).startswith("article.schema.json#/$defs/quotation/")
    }
    assert refs >= {"location", "speaker", "speaker_mention", "cue", "speaker_pattern"}
    article = json.loads((SCHEMA / "article.schema.json").read_text(encoding="utf-8"))
    assert article["properties"]["quotes"]["items"] == {"$ref": "#/$defs/quotation"}
    assert article["properties"]["speakers"]["items"] == {"$ref": "#/$defs/speaker"}
    # Resolved, the row holds every quotation field, offsets moved into its paragraph.
    row = load_config_schema("quotes")["properties"]
    assert set(quotation_fields()) <= set(row)
    assert "speaker_start" not in quote_row_copied_fields()


def test_schema_prints_the_resolved_definitions() -> None:
    output = CliRunner().invoke(app, ["schema"]).output
    assert "$ref" not in output
    assert "speaker_pattern" in json.loads(output)["properties"]["quotes"]["items"]["properties"]


def test_quotation_fields_are_named_by_few_modules_outside_the_annotator() -> None:
    package = REPO / "src" / "newscorpus"
    for name in ("speaker_pattern", "subheadline_index"):
        naming = sorted(
            path.relative_to(package).as_posix()
            for path in package.rglob("*.py")
            if "annotate" not in path.parts and name in path.read_text(encoding="utf-8")
        )
        assert len(naming) <= 3, (name, naming)


FLOW = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import pyarrow.parquet as pq
    from newscorpus.check.diff import diff_records
    from newscorpus.check.published import validate_path
    from newscorpus.publish.manifest import sha256_file
    from newscorpus.run.driver import build

    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    build(raw, out, workers=1, datasheet=None)
    (article,) = pq.read_table(sorted((out / "data").glob("*.parquet"))[0]).to_pylist()
    quotes_file = sorted((out / "quotes").glob("*.parquet"))[0]
    rows = pq.read_table(quotes_file).to_pylist()
    result = {
        "record": [q.get("speaker_note", "absent") for q in article["quotes"]],
        "config": "speaker_note" in pq.read_schema(quotes_file).names,
        "valid": validate_path(out).ok,
    }
    rows[0]["speaker_note"] = "tampered"
    table = pq.read_table(quotes_file)
    import pyarrow as pa
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), quotes_file)
    manifest = json.loads((out / "manifest.json").read_text())
    name = quotes_file.relative_to(out).as_posix()
    manifest["files"][name]["sha256"] = sha256_file(quotes_file)
    manifest["files"][name]["bytes"] = quotes_file.stat().st_size
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\\n")
    result["tamper_found"] = [p.pointer for p in validate_path(out).problems]
    changed = json.loads(json.dumps(article, default=str))
    old = json.loads(json.dumps(article, default=str))
    changed["quotes"][0]["speaker_note"] = "added"
    diff = diff_records({old["id"]: ("train", old)}, {old["id"]: ("train", changed)})
    result["diff"] = [list(c.changes) for c in diff.changed[0].quotes_changed]
    print(json.dumps(result))
    """
)


def test_a_new_quotation_field_reaches_records_config_validate_and_diff(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA, schema)
    article_path = schema / "article.schema.json"
    article = json.loads(article_path.read_text(encoding="utf-8"))
    article["$defs"]["quotation"]["properties"]["speaker_note"] = {
        "description": "A note on the speaker (a field added for this test).",
        "type": ["string", "null"],
    }
    article_path.write_text(json.dumps(article, indent=2), encoding="utf-8")
    raw = tmp_path / "raw"
    (raw / "donga").mkdir(parents=True)
    shutil.copy(REPO / "raw" / "sources.toml", raw / "sources.toml")
    for seed in (REPO / "raw" / "donga").iterdir():
        shutil.copy(seed, raw / "donga" / seed.name)
    env = {**os.environ, SCHEMA_DIR_VARIABLE: str(schema)}
    done = subprocess.run(
        [sys.executable, "-c", FLOW, str(raw), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["record"] and set(result["record"]) == {None}  # present, not made yet
    assert result["config"] is True  # the quotes config has the column
    assert result["valid"] is True
    assert "/speaker_note" in result["tamper_found"]  # validate compares it
    assert result["diff"] == [[["speaker_note", None, "added"]]]  # diff reports it
