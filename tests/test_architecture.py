"""The package's shape: no import cycle, no oversized module, a light `import newscorpus`,
and each cross-field rule written once (a rule added to the table is enforced by all
three checks that read it)."""

from __future__ import annotations

import ast
import copy
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from corpus_factory import REPO, synthetic_article

from newscorpus.check import columns
from newscorpus.check.records import check_record, cross_fields_hold
from newscorpus.read.sources import RawFile, load_registry
from newscorpus.record import rules
from newscorpus.record.records import cross_field_problems
from newscorpus.record.schema import arrow_schema, to_arrow_row
from newscorpus.run.pipeline import process_bytes

PACKAGE = REPO / "src" / "newscorpus"
MAX_LINES = 800
# The annotator's modules are held to a tighter bound (its rules are where most changes go).
MAX_ANNOTATOR_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """Every package module `name` imports, in any scope (functions, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *filter(None, [base])])
            found.add(base)
            # `from package import module` imports the module itself.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


def import_graph() -> dict[str, set[str]]:
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    # The public re-exports of the package's __init__ are the one allowed exception.
    graph["newscorpus"] = set()
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for child in sorted(graph[node]):
            if state.get(child) == 1:
                return [*stack[stack.index(child) :], child]
            if child not in state:
                found = visit(child)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_walker_sees_every_kind_of_import() -> None:
    graph = import_graph()
    # A top-level import, a function-level one and a TYPE_CHECKING one are all edges.
    assert "newscorpus.record.schema" in graph["newscorpus.read.sources"]  # in a function
    assert "newscorpus.read.profiles.html" in graph["newscorpus.read.profiles"]
    assert "newscorpus.publish.stats" in graph["newscorpus.publish.manifest"]  # TYPE_CHECKING
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle_among_the_package_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_stages_import_one_way() -> None:
    """run uses read, annotate, record; publish and check use record; nothing imports cli."""
    forbidden = {
        "read": ("run", "publish", "check", "cli"),
        "annotate": ("read", "run", "publish", "check", "cli"),
        "record": ("run", "publish", "check", "cli"),
        "publish": ("run", "check", "cli"),
        "check": ("run", "cli"),
        "explore": ("run", "check", "cli"),
    }
    for name, imports in import_graph().items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in forbidden:
            continue
        for target in imports:
            stage = target.split(".")[1] if "." in target else ""
            assert stage not in forbidden[parts[1]], f"{name} imports {target}"


def test_no_module_over_800_lines_and_no_annotator_module_over_600() -> None:
    oversized = {}
    for name, path in MODULES.items():
        count = len(path.read_text(encoding="utf-8").splitlines())
        bound = MAX_ANNOTATOR_LINES if name.split(".")[1:2] == ["annotate"] else MAX_LINES
        if count > bound:
            oversized[name] = count
    assert oversized == {}


def test_import_newscorpus_loads_neither_the_build_nor_the_annotator() -> None:
    code = (
        "import sys, newscorpus\n"
        "heavy = [m for m in sys.modules if m.startswith(('newscorpus.run', "
        "'newscorpus.annotate', 'newscorpus.check', 'newscorpus.read', 'pyarrow', "
        "'datasets', 'trafilatura'))]\n"
        "print(sorted(heavy))\n"
        "assert callable(newscorpus.build) and callable(newscorpus.validate)\n"
        "print(type(newscorpus.build).__name__, type(newscorpus.validate).__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    heavy, kinds = result.stdout.splitlines()
    assert heavy == "[]"
    assert kinds == "function function"  # plain functions, not modules or properties


# --- one table of cross-field rules, three checks ---


def _record() -> dict[str, Any]:
    registry = load_registry(REPO / "raw")
    raw = RawFile("x", "donga/x.txt", 0, registry["donga"])
    (outcome,) = process_bytes(raw, synthetic_article(3).encode("utf-8"))
    record: dict[str, Any] = outcome["record"]
    assert record["quotes"], "the synthetic article has quotations"
    return record


def _verdicts(record: dict[str, Any]) -> tuple[bool, bool, bool]:
    """(report finds nothing, fast path holds, columnar pass clears the row)."""
    reported = not list(cross_field_problems(record))
    fast = cross_fields_hold(record)
    batch = pa.RecordBatch.from_pylist([to_arrow_row(copy.deepcopy(record))], arrow_schema())
    marked = np.zeros(1, dtype=np.bool_)  # the pass marks the rows a rule may fail
    columns.cross_field_pass(batch, marked)
    return reported, fast, not bool(marked[0])


def test_a_rule_added_to_the_table_is_enforced_by_all_three_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _record()
    quote = record["quotes"][0]
    # A record that every rule of today's table accepts, with a cue but no speaker.
    quote.update(
        speaker=None,
        speaker_mention=None,
        speaker_start=None,
        speaker_end=None,
        speaker_resolution=None,
    )
    record["speakers"] = rules.RULES.tallies[0].expected(record["quotes"])
    assert quote["cue"] is not None
    assert _verdicts(record) == (True, True, True)
    assert check_record(record, "x") == []
    # A made-up rule: a quote with a cue has a speaker. Added to the table only.
    table = dataclasses.replace(
        rules.RULES, paired=(*rules.RULES.paired, rules.BothOrNeither("cue", "speaker"))
    )
    monkeypatch.setattr(rules, "RULES", table)  # what `rules.active_rules` answers
    assert _verdicts(record) == (False, False, False)
    (problem,) = list(cross_field_problems(record, "x"))
    assert problem.pointer == "/quotes/0/cue"
    assert "cue and speaker must be both set or both null" in problem.message
    assert check_record(record, "x") == [problem]


def test_a_span_added_to_the_table_is_enforced_by_all_three_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _record()
    quote = record["quotes"][0]
    # Today's table has no rule that `cue` sits at `speaker_start`..`speaker_end`.
    assert quote["cue"] is not None and quote["speaker_mention"] != quote["cue"]
    assert _verdicts(record) == (True, True, True)
    table = dataclasses.replace(
        rules.RULES, spans=(*rules.RULES.spans, rules.Span("cue", "speaker_start", "speaker_end"))
    )
    monkeypatch.setattr(rules, "RULES", table)  # what `rules.active_rules` answers
    assert _verdicts(record) == (False, False, False)


def test_the_table_holds_every_rule_the_checks_used_to_spell_out() -> None:
    table = rules.RULES
    assert [(s.text, s.start, s.end) for s in table.spans] == [
        ("text", "start", "end"),
        ("speaker_mention", "speaker_start", "speaker_end"),
        ("cue", "cue_start", "cue_end"),
    ]
    assert [(p.first, p.second) for p in table.paired] == [
        ("speaker", "speaker_mention"),
        ("speaker", "speaker_resolution"),
    ]
    assert [(t.target, t.value) for t in table.tallies] == [("speakers", "speaker")]
    assert [(p.field, p.separator) for p in table.paragraphs] == [("body", "\n\n")]
