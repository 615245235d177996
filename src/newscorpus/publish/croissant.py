"""Croissant 1.0 metadata (`croissant.json`) for a published folder, derived from the schema.

The record set's fields are generated from the Arrow schema that `newscorpus.record.schema`
derives from `schema/article.schema.json`, with the JSON Schema's descriptions, so a
field added to the schema appears here without any hand edit. The output is a pure
function of the splits present and the schema: no generation date, no `datePublished`, keys
in a fixed order, so a rebuild writes the same bytes.

Shapes chosen because `mlcroissant` 1.1 loads them (see docs/publishing.md):

- one `cr:FileSet` per config with `encodingFormat: application/x-parquet` including
  `data/*.parquet` (articles), `quotes/*.parquet`, `speakers/*.parquet` (the
  `application/vnd.apache.parquet` spelling fails at load), and one record set each;
- a list of structs (`quotes`, `speakers`) is a field with `repeated: true` whose
  `subField`s read the same column through `transform.jsonPath`;
- a list of scalars (`subheadlines`) is a `repeated` field on its column;
- the split is a field taken from the file name (named `file_split` in the derived
  configs, whose rows carry a `split` column of their own) (`extract.fileProperty: filename` and a
  `regex`), referencing a `cr:Split` record set of the split names present, as the Hub
  writes it.
"""

from __future__ import annotations

import json
from typing import Any

from newscorpus.publish.folder import config_dir
from newscorpus.record.schema import (
    CONFIGS,
    DEFAULT_CONFIG,
    croissant_field,
    croissant_fields,
    load_config_schema,
)
from newscorpus.version import PIPELINE_VERSION

FILE_SET_ID = "parquet-files"
RECORD_SET_ID = "default"
SPLITS_RECORD_SET_ID = "splits"
PARQUET_ENCODING = "application/x-parquet"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"

# The standard Croissant 1.0 JSON-LD context, as `mlcroissant` writes it.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

DESCRIPTION = (
    "News articles normalized from raw scrapes (headline, sub-headlines, body paragraphs, "
    "provenance), annotated by rules with direct quotations (exact character offsets) and "
    "the speaker each quotation is attributed to. The annotations are machine-generated; "
    "the articles keep their publishers' copyright (see DATASHEET.md)."
)
LICENSE_NOTE = (
    "Other: the articles keep their publishers' copyright and no open licence has been "
    "granted; shared for research and tool development only (see DATASHEET.md). The "
    "newscorpus code is Apache-2.0."
)


def dumps_croissant(document: dict[str, Any]) -> str:
    """Serialize the document deterministically (insertion order is the intended order)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# Per config: its record set's description and key fields (the record set and its file
# set are named after the config; the articles keep their historical ids).
_RECORD_SETS: dict[str, tuple[str, list[str]]] = {
    DEFAULT_CONFIG: ("One news article per record", ["id"]),
    "quotes": (
        "One direct quotation per record, with the paragraph it sits in; derived from the "
        "articles (config 'quotes')",
        ["quote_id"],
    ),
    "speakers": (
        "One speaker entity per article per record, with its quotations' ids; derived "
        "from the articles (config 'speakers')",
        ["article_id", "speaker"],
    ),
}


def file_set_id(config: str) -> str:
    """The Croissant id of a config's Parquet file set."""
    return FILE_SET_ID if config == DEFAULT_CONFIG else f"{config}-{FILE_SET_ID}"


def _split_field(record_set: str, files: str) -> dict[str, Any]:
    """The field giving a record's split, from the name of its Parquet file."""
    split_field = croissant_field(
        f"{record_set}/split" if record_set == DEFAULT_CONFIG else f"{record_set}/file_split",
        "split" if record_set == DEFAULT_CONFIG else "file_split",
        "The split of the record, from the name of its Parquet file.",
    )
    split_field["dataType"] = "sc:Text"
    split_field["references"] = {"field": {"@id": f"{SPLITS_RECORD_SET_ID}/split_name"}}
    split_field["source"] = {
        "fileSet": {"@id": files},
        "extract": {"fileProperty": "filename"},
        # mlcroissant applies the transform again to the extracted value when it joins
        # the split names, so the regex also accepts a bare split name.
        "transform": {"regex": r"^(train|validation|test)(?:-\d{5}-of-\d{5}\.parquet)?$"},
    }
    return split_field


def croissant_metadata(
    splits: list[str], citation: str, languages: list[str] | None = None
) -> dict[str, Any]:
    """Return the Croissant JSON-LD document for a published folder.

    `splits` are the splits present (non-empty), `citation` the BibTeX the card shows,
    `languages` the BCP 47 tags of the sources. Paths are relative to the folder, so the
    file works wherever the folder is (a checkout, a download, the Hub). One file set and
    one record set per config (the articles, `quotes`, `speakers`).
    """
    split_name = croissant_field(
        f"{SPLITS_RECORD_SET_ID}/split_name", "split_name", "Name of a split."
    )
    split_name["dataType"] = "sc:Text"
    distribution = []
    record_sets: list[dict[str, Any]] = [
        {
            "@type": "cr:RecordSet",
            "dataType": "cr:Split",
            "@id": SPLITS_RECORD_SET_ID,
            "name": SPLITS_RECORD_SET_ID,
            "description": "The splits present in this build.",
            "key": {"@id": f"{SPLITS_RECORD_SET_ID}/split_name"},
            "field": [split_name],
            "data": [{f"{SPLITS_RECORD_SET_ID}/split_name": split} for split in splits],
        }
    ]
    for config in CONFIGS:
        files = file_set_id(config)
        folder = config_dir(config)
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": files,
                "name": files,
                "description": f"The Parquet shards, {folder}/{{split}}-NNNNN-of-NNNNN.parquet.",
                "encodingFormat": PARQUET_ENCODING,
                "includes": f"{folder}/*.parquet",
            }
        )
        description, keys = _RECORD_SETS[config]
        key_ids = [{"@id": f"{config}/{name}"} for name in keys]
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": config,
                "name": config,
                "description": f"{description} (schema {load_config_schema(config)['version']}).",
                "key": key_ids[0] if len(key_ids) == 1 else key_ids,
                "field": [*croissant_fields(config, files, config), _split_field(config, files)],
            }
        )
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": "newscorpus",
        "description": DESCRIPTION,
        "conformsTo": CONFORMS_TO,
        "citeAs": citation,
        "license": LICENSE_NOTE,
        "url": "https://huggingface.co/datasets/<user>/newscorpus",
        "version": PIPELINE_VERSION,
        "inLanguage": sorted(set(languages or ["en"])),
        "keywords": ["news", "quotations", "speaker attribution", "quote extraction"],
        "distribution": distribution,
        "recordSet": record_sets,
    }
