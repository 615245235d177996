"""The incremental build: unchanged files are not processed again; results never differ.

A killed build keeps its finished work: the rerun resumes from the cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from corpus_factory import add_synthetic, make_raw
from test_scale import same_tree

import newscorpus
from newscorpus.run import cache as cache_module

FILES = 120


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A raw/ folder of the seed plus synthetic articles."""
    folder = make_raw(tmp_path)
    add_synthetic(folder, FILES - 1)
    return folder


def test_noop_rebuild_leaves_an_intact_output_alone(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "processed"
    first = newscorpus.build(raw, out, workers=1)
    assert (first.processed, first.cached, first.up_to_date) == (FILES, 0, False)
    assert (tmp_path / ".processed.cache").is_dir()  # beside the output by default
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = newscorpus.build(raw, out, workers=1)
    assert second.up_to_date and second.processed == 0
    assert second.manifest == first.manifest and second.outcomes == first.outcomes
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # A tampered output is rebuilt (from the cache), not trusted.
    (out / "README.md").write_text("tampered", encoding="utf-8")
    third = newscorpus.build(raw, out, workers=1)
    assert (third.up_to_date, third.processed, third.cached) == (False, 0, FILES)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_only_changed_files_are_processed(raw: Path, tmp_path: Path) -> None:
    newscorpus.build(raw, tmp_path / "processed", workers=2)
    changed = sorted((raw / "donga").iterdir())[5]
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("\n\nSource:", " Updated.\n\nSource:", 1),
        encoding="utf-8",
    )
    (raw / "donga" / "new.txt").write_bytes(changed.read_bytes())  # a new exact duplicate
    result = newscorpus.build(raw, tmp_path / "processed", workers=2)
    assert (result.processed, result.cached) == (2, FILES - 1)
    newscorpus.build(raw, tmp_path / "fresh", workers=1, use_cache=False)
    assert same_tree(tmp_path / "fresh", tmp_path / "processed") == []


def test_touched_but_unchanged_file_is_reprocessed_identically(raw: Path, tmp_path: Path) -> None:
    newscorpus.build(raw, tmp_path / "processed", workers=1)
    touched = sorted((raw / "donga").iterdir())[3]
    touched.write_bytes(touched.read_bytes())  # new mtime, same bytes
    result = newscorpus.build(raw, tmp_path / "processed", workers=1)
    assert result.processed == 1 and not result.up_to_date
    # Its stat is remembered again: the next build is a no-op.
    assert newscorpus.build(raw, tmp_path / "processed", workers=1).up_to_date


def test_a_new_pipeline_version_invalidates_the_cache(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newscorpus.build(raw, tmp_path / "processed", workers=1)
    monkeypatch.setattr(cache_module, "PIPELINE_VERSION", "999.0.0")
    cache_module.code_fingerprint.cache_clear()
    try:
        result = newscorpus.build(raw, tmp_path / "processed", workers=1)
    finally:
        monkeypatch.undo()
        cache_module.code_fingerprint.cache_clear()
    assert (result.processed, result.cached, result.up_to_date) == (FILES, 0, False)


def test_no_cache_reads_and_writes_none(raw: Path, tmp_path: Path) -> None:
    result = newscorpus.build(raw, tmp_path / "processed", workers=1, use_cache=False)
    assert (result.processed, result.cached) == (FILES, 0)
    assert not (tmp_path / ".processed.cache").exists()


def test_a_killed_build_resumes_without_redoing_finished_files(raw: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "processed", tmp_path / "cache"
    kill_at = 100
    # The build SIGKILLs itself after `kill_at` files: nothing gets to clean up.
    script = textwrap.dedent(
        f"""
        import os, signal
        import newscorpus
        from newscorpus.run import cache
        cache.COMMIT_EVERY_FILES = 32  # several commits before the kill, at any speed
        def progress(done, total):
            if done == {kill_at}:
                os.kill(os.getpid(), signal.SIGKILL)
        newscorpus.build({str(raw)!r}, {str(out)!r}, workers=2, cache_dir={str(cache)!r},
                         progress=progress)
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], check=False)
    assert killed.returncode == -9
    assert not out.exists()
    store = cache_module.BuildCache(cache)
    finished = store.count()
    store.close()
    # Committed every 32 files: what was finished before the last batch.
    assert kill_at - 32 <= finished <= kill_at
    result = newscorpus.build(raw, out, workers=2, cache_dir=cache)
    assert result.cached == finished and result.processed == FILES - finished
    assert not list(tmp_path.glob(".processed.build-*"))
    newscorpus.build(raw, tmp_path / "fresh", workers=1, use_cache=False)
    assert same_tree(tmp_path / "fresh", out) == []


def test_a_torn_or_corrupted_pack_is_a_miss_not_an_error(raw: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "processed", tmp_path / "cache"
    newscorpus.build(raw, out, workers=1, cache_dir=cache)
    pack = cache / cache_module.PACK_FILE_NAME
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one file's value no longer matches its CRC
    pack.write_bytes(bytes(data[:-100]))  # and the last one is torn
    shutil.rmtree(out)  # so that the build does not stop at "nothing changed"
    result = newscorpus.build(raw, out, workers=1, cache_dir=cache)
    assert result.processed == 2 and result.cached == FILES - 2
    newscorpus.build(raw, tmp_path / "fresh", workers=1, use_cache=False)
    assert same_tree(tmp_path / "fresh", out) == []


def test_a_file_name_that_is_not_utf8_is_cached_like_any_other(raw: Path, tmp_path: Path) -> None:
    # Linux allows any bytes in a name; Python hands them over as surrogates, which
    # SQLite's text cannot store (this crashed the build's planning).
    odd = os.fsencode(raw / "donga") + b"/caf\xe9.txt"
    with open(odd, "wb") as handle:
        handle.write((raw / "donga" / "000_50823aa4b1df31b8.txt").read_bytes() + b"\nMore.\n")
    out = tmp_path / "processed"
    first = newscorpus.build(raw, out, workers=1)
    assert first.files_found == FILES + 1
    assert newscorpus.build(raw, out, workers=1).up_to_date
