"""The source registry and discovery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newscorpus.read.sources import (
    RegistryError,
    article_id,
    discover,
    discover_files,
    load_registry,
)
from newscorpus.run.pipeline import source_names_match

REGISTRY = """
[sources.donga]
name = "Donga"
language = "en"
profile = "donga_wordpress_v1"
licence = "research only"
aliases = ["The Dong-A Daily"]
"""


def test_registry_loads_sources_with_aliases(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    (tmp_path / "donga").mkdir()
    (source,) = load_registry(tmp_path).values()
    assert (source.key, source.name, source.profile) == ("donga", "Donga", "donga_wordpress_v1")
    assert source_names_match("The Dong-A Daily", source)
    assert source_names_match("DONGA", source)
    assert not source_names_match("Korea Herald", source)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("[sources.donga]\nname = 'x'\n", "lacks"),
        ("[sources.Bad-Key]\nname='x'\nlanguage='en'\nprofile='p'\nlicence='l'\n", "lower-case"),
        ("[sources.donga\n", "sources.toml"),
    ],
)
def test_registry_errors_are_clear(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "sources.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(tmp_path)


def test_missing_registry(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no source registry"):
        load_registry(tmp_path)


def test_discovery_is_sorted_and_skips_only_metadata(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    (tmp_path / "README.md").write_text("about raw/", encoding="utf-8")
    (tmp_path / "donga" / "sub").mkdir(parents=True)
    for name in ("b.txt", "a.txt", "sub/c.txt"):
        (tmp_path / "donga" / name).write_text("x", encoding="utf-8")
    (tmp_path / "loose.txt").write_text("x", encoding="utf-8")
    found = list(discover(tmp_path, load_registry(tmp_path)))
    assert [f.relpath for f in found] == [
        "donga/a.txt",
        "donga/b.txt",
        "donga/sub/c.txt",
        "loose.txt",
    ]
    assert found[-1].source is None
    assert all(f.problem is None for f in found)


def test_ids_are_stable_and_depend_only_on_the_path() -> None:
    assert article_id("donga", "donga/x.txt") == article_id("donga", "donga/x.txt")
    assert article_id("donga", "donga/x.txt") != article_id("donga", "donga/y.txt")
    assert article_id("donga", "donga/x.jsonl", "3") != article_id("donga", "donga/x.jsonl")


def test_the_compact_file_list_gives_back_every_file_as_found(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(REGISTRY, encoding="utf-8")
    donga = tmp_path / "donga"
    donga.mkdir()
    for index in (3, 1, 2):
        (donga / f"{index}.txt").write_text("x" * index, encoding="utf-8")
    (donga / "link.txt").symlink_to(donga / "1.txt")  # inside raw/: followed
    (donga / "dangling.txt").symlink_to(donga / "missing.txt")
    odd = os.fsencode(donga) + b"/caf\xe9.txt"  # not UTF-8: the relpath escapes it
    with open(odd, "wb") as handle:
        handle.write(b"x")
    files = discover_files(tmp_path, load_registry(tmp_path))
    assert [f.relpath for f in files] == sorted(f.relpath for f in files)
    by_name = {f.relpath.rsplit("/", 1)[-1]: f for f in files}
    assert by_name["2.txt"].size == 2 and by_name["2.txt"].source is not None
    assert by_name["dangling.txt"].problem == "broken_symlink"
    assert by_name["link.txt"].problem is None and by_name["link.txt"].size == 1
    escaped = by_name["caf\\xe9.txt"]
    assert os.fsencode(escaped.path) == odd  # still opens the real file
    assert files[-1] == list(files)[-1] and files[0:2] == list(files)[0:2]


def test_annotation_options_are_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "donga").mkdir()
    (tmp_path / "sources.toml").write_text(
        REGISTRY + "\n[sources.donga.annotation]\norganisations_as_he = true\n", encoding="utf-8"
    )
    (source,) = load_registry(tmp_path).values()
    assert source.annotation_options() == {"organisations_as_he": True}
    for bad, message in (
        ("organisations_as_he = 1", "must be a bool"),
        ("pronouns = true", "unknown option 'pronouns'"),
    ):
        (tmp_path / "sources.toml").write_text(
            REGISTRY + f"\n[sources.donga.annotation]\n{bad}\n", encoding="utf-8"
        )
        with pytest.raises(RegistryError, match=message):
            load_registry(tmp_path)
