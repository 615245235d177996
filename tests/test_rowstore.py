"""Disk-backed rows and the exact-duplicate index built on them behave like plain lists
and dicts, whatever the buffer size and however often recent keys are merged."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscorpus.run import reduce as reduce_module
from newscorpus.run.reduce import TextKeys
from newscorpus.run.rowstore import DiskRows


@given(st.lists(st.binary(max_size=40), max_size=60), st.integers(1, 64))
def test_rows_of_any_size_read_back_as_written(rows: list[bytes], buffer_bytes: int) -> None:
    store = DiskRows(buffer_bytes=buffer_bytes)  # tiny buffers: rows straddle writes
    numbers = [store.append(row) for row in rows]
    assert numbers == list(range(len(rows)))
    assert [store.get(n) for n in numbers] == rows
    assert len(store) == len(rows)
    store.close()


def test_fixed_size_rows() -> None:
    store = DiskRows(4, buffer_bytes=10)
    for index in range(50):
        store.append(index.to_bytes(4, "little"))
    assert [int.from_bytes(store.get(i), "little") for i in (0, 1, 2, 25, 49)] == [0, 1, 2, 25, 49]
    with pytest.raises(ValueError, match="4 bytes"):
        store.append(b"12345")
    with pytest.raises(IndexError):
        store.get(50)


def _key(value: int) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()


@given(st.lists(st.integers(0, 300), max_size=200), st.integers(1, 40))
def test_text_keys_behave_like_a_dict(values: list[int], merge_every: int) -> None:
    original = reduce_module.TEXT_KEYS_MERGE_EVERY
    reduce_module.TEXT_KEYS_MERGE_EVERY = merge_every
    try:
        keys, plain = TextKeys(), dict[str, str]()
        for number, value in enumerate(values):
            key = _key(value)
            assert keys.get(key) == plain.get(key)
            assert (key in keys) == (key in plain)
            if key not in plain:  # the reducer stores the first id only
                keys[key] = plain[key] = f"src-{number:016x}"
        assert len(keys) == len(plain)
        assert all(keys.get(key) == kept for key, kept in plain.items())
    finally:
        reduce_module.TEXT_KEYS_MERGE_EVERY = original


def test_text_keys_confirm_the_whole_digest() -> None:
    keys = TextKeys()
    first = "ab" * 8 + "00" * 24
    same_prefix = "ab" * 8 + "11" * 24  # equal first 8 bytes, another text
    keys[first] = "x-0000000000000001"
    assert keys.get(same_prefix) is None
    keys[same_prefix] = "x-0000000000000002"
    assert (keys.get(first), keys.get(same_prefix)) == ("x-0000000000000001", "x-0000000000000002")


@given(
    st.lists(st.integers(0, 300), max_size=200),
    st.integers(1, 40),
    st.lists(st.integers(0, 20), min_size=1, max_size=20),
)
def test_text_keys_prepared_in_batches_behave_like_a_dict(
    values: list[int], merge_every: int, batch_sizes: list[int]
) -> None:
    original = reduce_module.TEXT_KEYS_MERGE_EVERY
    reduce_module.TEXT_KEYS_MERGE_EVERY = merge_every
    try:
        keys, plain = TextKeys(), dict[str, str]()
        position, turn = 0, 0
        while position < len(values):
            size = batch_sizes[turn % len(batch_sizes)]
            turn += 1
            batch = [_key(value) for value in values[position : position + size]]
            keys.prepare(batch)  # as Reducer.add_all does; size 0 too
            for key in batch:
                assert keys.get(key) == plain.get(key)
                if key not in plain:
                    keys[key] = plain[key] = f"src-{position:016x}"
            position += size
            if size == 0 and turn > len(batch_sizes) * 3:
                break  # only empty batches left
        assert all(keys.get(key) == kept for key, kept in plain.items())
    finally:
        reduce_module.TEXT_KEYS_MERGE_EVERY = original
