"""The record schema: load it once and derive every other description from it.

`schema/article.schema.json` (JSON Schema 2020-12) is the single source of truth. This
module derives the Arrow schema used to write Parquet and the Hugging Face `datasets`
features written into the dataset card, so that adding a field means editing the JSON
file (and the code that fills it) and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

SCHEMA_FILE_NAME = "article.schema.json"
LEDGER_SCHEMA_FILE_NAME = "ledger.schema.json"
# The task-ready configurations derived from the articles (`record/tasks.py`): each has
# a JSON Schema of its own row beside the article's, from which its Arrow schema, card
# features and Croissant fields are derived as the articles' are. "default" is the
# articles themselves.
DEFAULT_CONFIG = "default"
CONFIG_SCHEMA_FILE_NAMES = {
    DEFAULT_CONFIG: SCHEMA_FILE_NAME,
    "quotes": "quote.schema.json",
    "speakers": "speaker.schema.json",
}
CONFIGS = tuple(CONFIG_SCHEMA_FILE_NAMES)


# A folder of schema files to use instead of the package's: to try a schema change
# (a new field) before it is installed, and for the test that does so.
SCHEMA_DIR_VARIABLE = "NEWSCORPUS_SCHEMA_DIR"


def schema_dir() -> Path:
    """Return the folder holding the JSON Schemas: `$NEWSCORPUS_SCHEMA_DIR` when set,
    else the installed copy, else the repository's."""
    override = os.environ.get(SCHEMA_DIR_VARIABLE)
    if override:
        return Path(override)
    installed = resources.files("newscorpus").joinpath("_schema")
    if installed.is_dir():
        return Path(str(installed))
    # Editable installs and source checkouts: the repo's top-level schema/ folder.
    return Path(__file__).resolve().parents[3] / "schema"


@cache
def _load_file(name: str) -> dict[str, Any]:
    """One schema file exactly as stored (its `$ref`s unresolved)."""
    with (schema_dir() / name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@cache
def _load(name: str) -> dict[str, Any]:
    """One schema file with every `$ref` replaced by the definition it points at."""
    resolved: dict[str, Any] = resolve_refs(_load_file(name), name)
    include = resolved.pop("x-include", None)
    if include is not None:
        # A config row holds every field of the object it copies (the quotation) that
        # it does not define itself: a field added to that one definition reaches it.
        copied = resolve_refs({"$ref": include}, name)
        properties = resolved["properties"]
        for field, node in copied["properties"].items():
            if field not in properties:
                properties[field] = node
                if field in copied.get("required", ()):
                    resolved["required"].append(field)
    return resolved


def resolve_refs(node: Any, base: str) -> Any:
    """Return `node` with each `{"$ref": ...}` replaced by its target, recursively.

    A definition is written once (the quotation and the speaker are `$defs` of the
    article schema; the configs point at them): everything derived from a schema (Arrow,
    card features, Croissant, validation) reads the resolved form, so a field added to
    the one definition reaches every place that uses it. Refs are `file.json#/pointer`
    (relative to schema/) or `#/pointer` (within `base`); `$defs` stay, resolved too.
    """
    if isinstance(node, list):
        return [resolve_refs(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        extra = sorted(set(node) - {"$ref"})
        if any(not key.startswith("x-") for key in extra):
            raise ValueError(f"{base}: beside a $ref only x- annotations (found {extra})")
        target_file, _, pointer = str(node["$ref"]).partition("#")
        target_file = target_file or base
        target: Any = _load_file(target_file)
        for part in filter(None, pointer.split("/")):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        resolved = resolve_refs(target, target_file)
        # How this file stores the field (x- annotations), on top of its definition.
        return {**resolved, **{key: node[key] for key in extra}}
    return {key: resolve_refs(value, base) for key, value in node.items()}


def load_schema() -> dict[str, Any]:
    """Return the article record's JSON Schema as a dict, `$ref`s resolved (cached; do
    not mutate)."""
    return _load(SCHEMA_FILE_NAME)


def load_config_schema(config: str) -> dict[str, Any]:
    """Return the JSON Schema of one row of `config` ("default": the article record),
    `$ref`s resolved."""
    return _load(CONFIG_SCHEMA_FILE_NAMES[config])


@cache
def quotation_fields() -> tuple[str, ...]:
    """The fields of one quotation, in schema order (`$defs/quotation` of the article
    schema): the one list code that moves, checks or compares quotations reads."""
    return tuple(load_schema()["$defs"]["quotation"]["properties"])


@cache
def quotation_offset_fields() -> tuple[str, ...]:
    """The quotation's offsets into its field: `start`, `end` and every span's pair."""
    return ("start", "end", *(name for pair in quotation_spans() for name in pair))


@cache
def quote_row_copied_fields() -> tuple[str, ...]:
    """The `quotes` config's fields copied as they are from the article's quotation
    (every quotation field of the config but the offsets, which a row moves into its
    paragraph), in the config's order."""
    own, offsets = set(quotation_fields()), set(quotation_offset_fields())
    return tuple(
        name
        for name in load_config_schema("quotes")["properties"]
        if name in own and name not in offsets
    )


def dictionary_columns(config: str = DEFAULT_CONFIG) -> list[str]:
    """The Parquet column paths of `config` written with a dictionary: the fields its
    schema marks `"x-dictionary": true` (few distinct values), nested ones as Parquet
    names them (`quotes.list.element.location`, `normalization.list.element`)."""
    columns: list[str] = []

    def walk(node: dict[str, Any], path: str) -> None:
        if node.get("x-dictionary"):
            columns.append(path)
        if "items" in node:
            walk(node["items"], f"{path}.list.element")
        for name, child in node.get("properties", {}).items():
            walk(child, f"{path}.{name}" if path else name)

    walk(load_config_schema(config), "")
    return columns


@cache
def quotation_spans() -> tuple[tuple[str, str], ...]:
    """The quotation's optional spans other than the quote's own, as (start, end) field
    pairs (`speaker_start`/`speaker_end`, `cue_start`/`cue_end`…): offsets into the
    quotation's field, found by their names in the schema."""
    names = quotation_fields()
    return tuple(
        (name, name[: -len("_start")] + "_end")
        for name in names
        if name.endswith("_start") and name[: -len("_start")] + "_end" in names
    )


def load_ledger_schema() -> dict[str, Any]:
    """Return the JSON Schema of one ledger (inputs.jsonl) entry (cached; do not mutate)."""
    return _load(LEDGER_SCHEMA_FILE_NAME)


def schema_version() -> str:
    """Return the record schema's version string (its top-level `version`)."""
    return str(load_schema()["version"])


def schema_text() -> str:
    """Return the record schema with its `$ref`s resolved, as JSON text (what
    `newscorpus schema` prints; stored files are read with `stored_schema_texts`)."""
    return json.dumps(load_schema(), indent=2, ensure_ascii=False) + "\n"


def stored_schema_texts() -> str:
    """Every schema file exactly as stored, concatenated in name order (for the cache's
    key: a change to any of them changes what a build makes)."""
    return "".join(
        (schema_dir() / name).read_text(encoding="utf-8")
        for name in sorted({*CONFIG_SCHEMA_FILE_NAMES.values(), LEDGER_SCHEMA_FILE_NAME})
    )


def json_type(node: dict[str, Any]) -> tuple[str, bool]:
    """Split a JSON Schema `type` into (the one non-null type, whether null is allowed);
    ValueError when the node admits more than one non-null type."""
    declared = node["type"]
    names = [declared] if isinstance(declared, str) else list(declared)
    nullable = "null" in names
    concrete = [name for name in names if name != "null"]
    if len(concrete) != 1:
        raise ValueError(f"cannot map JSON Schema type {declared!r} to one Arrow type")
    return concrete[0], nullable


def _arrow_type(node: dict[str, Any]) -> pa.DataType:
    kind, _ = json_type(node)
    if kind == "string":
        return pa.date32() if node.get("format") == "date" else pa.string()
    if kind == "integer":
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "array":
        return pa.list_(_arrow_type(node["items"]))
    if kind == "object":
        return pa.struct(_arrow_fields(node))
    raise ValueError(f"unsupported JSON Schema type {kind!r}")


def _arrow_fields(node: dict[str, Any]) -> list[pa.Field[pa.DataType]]:
    required = set(node.get("required", []))
    fields: list[pa.Field[pa.DataType]] = []
    for name, child in node["properties"].items():
        _, nullable = json_type(child)
        fields.append(pa.field(name, _arrow_type(child), nullable=nullable or name not in required))
    return fields


@cache
def arrow_schema(config: str = DEFAULT_CONFIG) -> pa.Schema:
    """Return the Arrow schema of a config's Parquet files (default: the articles),
    derived from its JSON Schema.

    Property order is column order; `format: date` strings become `date32`; a field is
    non-nullable when it is required and its type does not admit null.
    """
    return pa.schema(_arrow_fields(load_config_schema(config)))


def date_fields() -> tuple[str, ...]:
    """Return the top-level fields stored as Arrow dates but as ISO strings in JSON records."""
    props = load_schema()["properties"]
    return tuple(name for name, node in props.items() if node.get("format") == "date")


def hf_features_yaml() -> list[dict[str, Any]]:
    """Return the `dataset_info.features` list for the dataset card, derived from Arrow.

    `datasets` does the Arrow-to-features mapping itself so the card says exactly what
    `load_dataset` will produce from the Parquet files.
    """
    from datasets import DatasetInfo, Features

    features = Features.from_arrow_schema(arrow_schema())
    yaml_dict: dict[str, Any] = DatasetInfo(features=features)._to_yaml_dict()
    result: list[dict[str, Any]] = yaml_dict["features"]
    return result


# Arrow types whose `datasets` feature is a plain dtype of the same name (checked against
# `datasets` itself by tests/test_validate_features.py).
_PLAIN_DTYPES = {
    pa.string(): "string",
    pa.int64(): "int64",
    pa.int32(): "int32",
    pa.bool_(): "bool",
    pa.float64(): "float64",
    pa.date32(): "date32",
}


def _feature_yaml(arrow_type: Any) -> Any:
    """The YAML form `datasets` gives an Arrow field type, or None when not one we know."""
    if arrow_type in _PLAIN_DTYPES:
        return {"dtype": _PLAIN_DTYPES[arrow_type]}
    if pa.types.is_list(arrow_type):
        item = arrow_type.value_type
        if item in _PLAIN_DTYPES:
            return {"list": _PLAIN_DTYPES[item]}
        if pa.types.is_struct(item):
            fields = _fields_yaml(list(item))
            return None if fields is None else {"list": fields}
    return None


def _fields_yaml(fields: list[Any]) -> list[dict[str, Any]] | None:
    result = []
    for arrow_field in fields:
        feature = _feature_yaml(arrow_field.type)
        if feature is None:
            return None
        result.append({"name": arrow_field.name, **feature})
    return result


def card_features_of(schema: pa.Schema) -> list[dict[str, Any]]:
    """`dataset_info.features` as `datasets` derives them from `schema` (`hf_features_yaml`).

    Plain strings, integers, dates and lists of them or of structs are mapped here, without
    importing `datasets` (≈ 0.4 s); any other type, or Hugging Face metadata in the
    schema, asks `datasets` itself. A test holds both to the same output.
    """
    if not (schema.metadata and b"huggingface" in schema.metadata):
        fields = _fields_yaml(list(schema))
        if fields is not None:
            return fields
    from datasets import DatasetInfo, Features

    features = Features.from_arrow_schema(schema)
    yaml_dict: dict[str, Any] = DatasetInfo(features=features)._to_yaml_dict()
    result: list[dict[str, Any]] = yaml_dict["features"]
    return result


def expected_card_features(config: str = DEFAULT_CONFIG) -> list[dict[str, Any]]:
    """The card's features of a config (default: the articles, `hf_features_yaml()`),
    without `datasets`."""
    return card_features_of(arrow_schema(config))


def to_arrow_row(record: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a JSON record with ISO date strings turned into dates for Arrow."""
    row = dict(record)
    for name in date_fields():
        if row.get(name) is not None:
            row[name] = dt.date.fromisoformat(row[name])
    return row


def from_arrow_row(row: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON record for a row read from Parquet (dates back to ISO strings)."""
    for name in date_fields():
        value = row.get(name)
        if isinstance(value, dt.date):
            row[name] = value.isoformat()
    return row


def _croissant_type(kind: pa.DataType) -> str:
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "sc:Text"
    if pa.types.is_integer(kind):
        return "sc:Integer"
    if pa.types.is_floating(kind):
        return "sc:Float"
    if pa.types.is_boolean(kind):
        return "sc:Boolean"
    if pa.types.is_date32(kind):
        return "sc:Date"
    raise ValueError(f"no Croissant dataType for Arrow type {kind}")


def _croissant_source(
    file_set_id: str, column: str, json_path: str | None = None
) -> dict[str, Any]:
    source: dict[str, Any] = {"fileSet": {"@id": file_set_id}, "extract": {"column": column}}
    if json_path is not None:
        source["transform"] = {"jsonPath": json_path}
    return source


def croissant_field(field_id: str, name: str, description: str) -> dict[str, Any]:
    """Return a Croissant `cr:Field` with its id, name and description."""
    return {"@type": "cr:Field", "@id": field_id, "name": name, "description": description}


def croissant_fields(
    record_set_id: str, file_set_id: str, config: str = DEFAULT_CONFIG
) -> list[dict[str, Any]]:
    """Return the Croissant fields of the record set `record_set_id`, one per top-level
    field of `config`'s schema, read from the Parquet files of `file_set_id`.

    Lists of structs become `repeated` fields with one `subField` per struct member; a
    list of plain values is a `repeated` field of that type.
    """
    properties = load_config_schema(config)["properties"]
    fields = []
    for column in arrow_schema(config):
        node = properties[column.name]
        entry = croissant_field(f"{record_set_id}/{column.name}", column.name, node["description"])
        kind = column.type
        if pa.types.is_list(kind):
            entry["repeated"] = True
            kind = kind.value_type
            node = node["items"]
        if pa.types.is_struct(kind):
            entry["subField"] = []
            for index in range(kind.num_fields):
                child = kind.field(index)
                sub = croissant_field(
                    f"{record_set_id}/{column.name}/{child.name}",
                    child.name,
                    node["properties"][child.name]["description"],
                )
                sub["dataType"] = _croissant_type(child.type)
                sub["source"] = _croissant_source(file_set_id, column.name, child.name)
                entry["subField"].append(sub)
        else:
            entry["dataType"] = _croissant_type(kind)
            entry["source"] = _croissant_source(file_set_id, column.name)
        fields.append(entry)
    return fields
