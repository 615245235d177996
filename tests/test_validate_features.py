"""The card's features computed without `datasets` equal what `datasets` derives."""

from __future__ import annotations

import pyarrow as pa
import pytest
from datasets import DatasetInfo, Features

from newscorpus.check import ledger, published
from newscorpus.record.schema import (
    arrow_schema,
    card_features_of,
    expected_card_features,
    hf_features_yaml,
)


def _datasets_yaml(schema: pa.Schema) -> object:
    features = Features.from_arrow_schema(schema)
    return DatasetInfo(features=features)._to_yaml_dict()["features"]


def test_expected_card_features_equal_datasets_for_the_record_schema() -> None:
    assert expected_card_features() == hf_features_yaml()
    assert expected_card_features() == _datasets_yaml(arrow_schema())


@pytest.mark.parametrize(
    "arrow_type",
    [
        pa.string(),
        pa.int64(),
        pa.int32(),
        pa.bool_(),
        pa.float64(),
        pa.date32(),
        pa.list_(pa.string()),
        pa.list_(pa.int64()),
        pa.list_(pa.struct([("a", pa.string()), ("b", pa.date32()), ("c", pa.bool_())])),
        # Not mapped here: asked of `datasets`.
        pa.float32(),
        pa.large_string(),
        pa.struct([("a", pa.string())]),
        pa.list_(pa.list_(pa.string())),
        pa.timestamp("s"),
    ],
)
def test_card_features_of_equals_datasets(arrow_type: pa.DataType) -> None:
    schema = pa.schema([("x", arrow_type), ("y", pa.string())])
    assert card_features_of(schema) == _datasets_yaml(schema)


def test_bulk_split_check_agrees_with_assign_split() -> None:
    from newscorpus.record.splits import SPLITS, assign_split

    ids = sorted(f"donga-{index:016x}" for index in range(3000))
    for split in SPLITS:
        mine = [i for i in ids if assign_split(i) == split]
        assert published._ids_in_order_and_split(mine, "", split)
        others = [i for i in ids if assign_split(i) != split]
        assert not any(published._ids_in_order_and_split([i], "", split) for i in others)
    assert not published._ids_in_order_and_split(ids[:2], "", "other")
    assert not published._ids_in_order_and_split(ids[1:3][::-1], "", assign_split(ids[1]))


def test_ledger_chunks_read_as_lines() -> None:
    fast = ledger._fast_ledger_validator()
    if fast is None:
        pytest.skip("jsonschema-rs not installed")
    entry = (
        '{"source_file": "a.txt", "raw_sha256": null, "outcome": "rejected", "id": null, '
        '"split": null, "duplicate_of": null, "similarity": null, "reason": "empty", '
        '"message": "x"}'
    )
    assert ledger._ledger_chunk([entry + "\n", entry + "\n"], fast) is not None
    # Two entries on one line and one spread over two lines: never read as three lines.
    head, tail = entry[:40], entry[40:]
    assert ledger._ledger_chunk([entry + ", " + entry + "\n", head + "\n", tail], fast) is None
    assert ledger._ledger_chunk([entry + "\n", "\n"], fast) is None
