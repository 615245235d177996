"""The JSON Schema is the single source of truth: Arrow schema and card features agree."""

from __future__ import annotations

import json

import jsonschema
import pyarrow as pa
from datasets import Features

from newscorpus.record.schema import arrow_schema, hf_features_yaml, load_schema, schema_text


def _walk(node: dict, path: str = "") -> list[str]:
    missing = [] if "description" in node else [path or "/"]
    for name, child in node.get("properties", {}).items():
        missing += _walk(child, f"{path}/{name}")
    if isinstance(node.get("items"), dict):
        missing += _walk(node["items"], f"{path}/items")
    return missing


def test_schema_is_valid_2020_12_with_id_version_and_descriptions() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["$id"] and schema["version"]
    assert schema["additionalProperties"] is False
    assert _walk(schema) == []
    assert json.loads(schema_text()) == schema


def test_required_fields_present() -> None:
    required = set(load_schema()["required"])
    assert {
        "id",
        "source",
        "source_file",
        "raw_sha256",
        "url",
        "published",
        "language",
        "headline",
        "subheadlines",
        "body",
        "quotes",
        "speakers",
        "schema_version",
        "pipeline_version",
    } <= required


def test_arrow_schema_follows_json_schema() -> None:
    schema = load_schema()
    arrow = arrow_schema()
    assert arrow.names == list(schema["properties"])
    assert arrow.field("published").type == pa.date32()
    assert arrow.field("url").nullable and not arrow.field("id").nullable
    quote = arrow.field("quotes").type.value_type
    assert [f.name for f in quote] == list(schema["properties"]["quotes"]["items"]["properties"])


def test_card_features_are_the_arrow_schema_seen_by_datasets() -> None:
    features = Features._from_yaml_list(hf_features_yaml())
    assert features == Features.from_arrow_schema(arrow_schema())
    assert list(features) == list(load_schema()["properties"])
