"""The columnar pass's span checks on UTF-8 bytes agree with Python's `str` offsets.

Quote offsets count code points; the columnar pass compares the spans as UTF-8 bytes at
the byte offsets of those code points (`columns._CodePoints`). Random records full of
multi-byte characters, spans overlapping, in the body, headline and subheadlines, some
of them broken: a row the pass clears must pass `check_record`, and every unbroken row
must be cleared (else the fast path would quietly stop being fast).
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from corpus_factory import synthetic_article

from newscorpus.check import columns
from newscorpus.check.records import check_record
from newscorpus.read.sources import RawFile, load_registry
from newscorpus.record.records import count_speakers
from newscorpus.record.rules import RULES
from newscorpus.run.pipeline import process_bytes
from newscorpus.run.writer import rows_table

# One to four UTF-8 bytes, and characters that are whitespace outside ASCII.
ALPHABET = "abcxyz .,é€𝄞“”’ж\u00a0\u3000"


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    registry = load_registry(Path(__file__).resolve().parents[1] / "raw")
    raw = RawFile("/x/0.txt", "donga/0000.txt", 1, registry["donga"])
    (outcome,) = process_bytes(raw, synthetic_article(0).encode("utf-8"))
    record: dict[str, Any] = outcome["record"]
    return record


def _text(rng: random.Random, size: int) -> str:
    # Never blank at either end, so that the body has no empty paragraph.
    inner = "".join(rng.choice(ALPHABET) for _ in range(size))
    return "q" + inner + "z"


def _span(rng: random.Random, field: str) -> tuple[int, int]:
    start = rng.randrange(len(field))
    return start, rng.randrange(start + 1, len(field) + 1)


def _random_record(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    record = copy.deepcopy(base)
    record["headline"] = _text(rng, rng.randrange(0, 30))
    record["subheadlines"] = [_text(rng, rng.randrange(0, 20)) for _ in range(rng.randrange(3))]
    record["body"] = "\n\n".join(_text(rng, rng.randrange(0, 200)) for _ in range(3))
    fields = [("body", None, record["body"]), ("headline", None, record["headline"])]
    fields += [("subheadline", i, s) for i, s in enumerate(record["subheadlines"])]
    quotes = []
    for _ in range(rng.randrange(6)):
        location, index, field = rng.choice(fields)
        start, end = _span(rng, field)
        quote: dict[str, Any] = {
            "text": field[start:end],
            "start": start,
            "end": end,
            "location": location,
            "subheadline_index": index,
            "speaker": None,
            "speaker_mention": None,
            "speaker_start": None,
            "speaker_end": None,
            "cue": None,
            "cue_start": None,
            "cue_end": None,
            "speaker_pattern": None,
            "speaker_resolution": None,
        }
        if rng.random() < 0.7:
            if quotes and rng.random() < 0.3:  # the same mention as an earlier quote
                same = quotes[-1]
                if same["location"] == location and same["subheadline_index"] == index:
                    start, end = same["speaker_start"] or 0, same["speaker_end"] or 1
            mention = field[start:end]
            quote.update(
                speaker=rng.choice([mention, "Kim", "Lee"]),
                speaker_mention=mention,
                speaker_start=start,
                speaker_end=end,
                speaker_pattern="cue_after",
                speaker_resolution="as_written",
            )
        if rng.random() < 0.6:
            start, end = _span(rng, field)
            quote.update(cue=field[start:end], cue_start=start, cue_end=end)
        quotes.append(quote)
    record["quotes"] = quotes
    record["speakers"] = count_speakers(quotes)
    return record


def _break(rng: random.Random, record: dict[str, Any]) -> None:
    """Move a span by a code point or two, or change one character of its text."""
    quotes = [q for q in record["quotes"] if q["cue"] is not None or q["speaker"] is not None]
    if not quotes:
        record["body"] = record["body"] + "\n\n\u3000"
        return
    quote = rng.choice(quotes)
    name, start, end = rng.choice(
        [(s.text, s.start, s.end) for s in RULES.spans if quote[s.text] is not None]
    )
    choice = rng.randrange(4)
    if choice == 0:
        quote[start] += rng.choice([-2, -1, 1, 2])
    elif choice == 1:
        quote[end] += rng.choice([-1, 1])
    elif choice == 2:
        quote[start] += 1
        quote[end] += 1
    else:
        text = quote[name]
        position = rng.randrange(len(text))
        swap = rng.choice([c for c in ALPHABET if c != text[position]])
        quote[name] = text[:position] + swap + text[position + 1 :]
    if name == "speaker_mention" and quote["speaker"] == quote["speaker_mention"]:
        quote["speaker"] = quote[name]
        record["speakers"] = count_speakers(record["quotes"])


@pytest.mark.parametrize("seed", range(4))
def test_cleared_rows_pass_and_valid_rows_are_cleared(base: dict[str, Any], seed: int) -> None:
    rng = random.Random(seed)
    records, broken = [], []
    for _ in range(150):
        record = _random_record(rng, base)
        changed = rng.random() < 0.5
        if changed:
            _break(rng, record)
        records.append(record)
        broken.append(changed)
    verdicts = [check_record(r, "x") == [] for r in records]
    assert all(v for v, b in zip(verdicts, broken, strict=True) if not b)
    assert not all(verdicts), "no mutation broke a rule"
    (batch,) = rows_table(records).to_batches()
    clean = columns.clean_rows(batch)
    assert clean is not None
    for position, (cleared, valid) in enumerate(zip(clean.tolist(), verdicts, strict=True)):
        assert valid or not cleared, f"row {position} cleared but invalid: {records[position]}"
        if not broken[position]:
            assert cleared, f"row {position} valid but not cleared: {records[position]}"


def test_code_point_offsets_match_python() -> None:
    rng = random.Random(3)
    strings = ["", "a", "é", "𝄞x"] + [_text(rng, rng.randrange(40)) for _ in range(200)]
    array = pa.array(["pad", *strings]).slice(1)  # an offset into shared buffers
    points = columns._CodePoints(array)
    assert points.lengths.tolist() == [len(s) for s in strings]
    elements, positions, expected = [], [], []
    for element, text in enumerate(strings):
        for k in range(len(text) + 1):
            elements.append(element)
            positions.append(k)
            expected.append(len(text[:k].encode("utf-8")))
    found = points.byte_offsets(np.array(elements), np.array(positions))
    starts = points.offsets[np.array(elements)]
    assert (found - starts).tolist() == expected


def test_nested_spans_beyond_the_rounds_are_left_to_check_record(base: dict[str, Any]) -> None:
    record = copy.deepcopy(base)
    body = record["body"]
    quotes = []
    for depth in range(columns._SLICE_ROUNDS + 3):  # each span inside the previous one
        start, end = depth, len(body) - depth
        quote = {key: None for key in base["quotes"][0]}
        quote.update(text=body[start:end], start=start, end=end, location="body")
        quotes.append(quote)
    record.update(quotes=quotes, speakers=[])
    assert check_record(record, "x") == []
    (batch,) = rows_table([record]).to_batches()
    clean = columns.clean_rows(batch)
    assert clean is not None and clean.tolist() == [False]
    record["quotes"] = quotes[: columns._SLICE_ROUNDS]
    (batch,) = rows_table([record]).to_batches()
    clean = columns.clean_rows(batch)
    assert clean is not None and clean.tolist() == [True]


@pytest.mark.parametrize(
    ("body", "blank"),
    [
        ("text", False),
        ("é text ”", False),
        ("\u3000text", True),
        ("text\u00a0", True),
        (" text", True),
        ("text\x1c", True),
        ("𝄞", False),
    ],
)
def test_blank_edges(body: str, blank: bool) -> None:
    array = pa.array(["x", body, "y"])
    assert columns._blank_edge(array).tolist() == [False, blank, False]
