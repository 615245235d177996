"""Documentation that cannot rot (after sqlite-utils' tests/test_docs.py).

Fails when a CLI command or one of its parameters has no help text, when a command is
named neither in README.md nor in docs/cli.md, when docs/cli.md differs from what
`python -m newscorpus.docs` generates, or when a public name (newscorpus.__all__) has
no docstring or is missing from docs/api.md.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from corpus_factory import REPO
from typer.testing import CliRunner

import newscorpus
from newscorpus.cli import app
from newscorpus.docs import CLI_DOC_PATH, cli_commands, cli_reference

runner = CliRunner()
COMMANDS = cli_commands()
PUBLIC = [name for name in newscorpus.__all__ if not name.startswith("__")]


@pytest.mark.parametrize("name,command,context", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_command_and_every_parameter_have_help(name: str, command: Any, context: Any) -> None:
    assert (command.help or "").strip(), f"`newscorpus {name}` has no help text (docstring)"
    for param in command.get_params(context):
        assert (getattr(param, "help", None) or "").strip(), f"{name}: {param.name} has no help"
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert command.help.strip().splitlines()[0][:40] in " ".join(result.output.split())


@pytest.mark.parametrize("name", [c[0] for c in COMMANDS])
def test_command_is_documented(name: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reference = CLI_DOC_PATH.read_text(encoding="utf-8") if CLI_DOC_PATH.is_file() else ""
    assert f"newscorpus {name}" in readme + reference


def test_cli_reference_is_up_to_date() -> None:
    assert CLI_DOC_PATH.is_file(), "docs/cli.md is missing: run python -m newscorpus.docs"
    assert CLI_DOC_PATH.read_text(encoding="utf-8") == cli_reference(), (
        "docs/cli.md is out of date: run python -m newscorpus.docs"
    )


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_docstring_and_an_api_entry(name: str) -> None:
    value = getattr(newscorpus, name)
    api = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert f"`{name}" in api, f"docs/api.md does not document {name}"
    if callable(value):
        assert (inspect.getdoc(value) or "").strip(), f"newscorpus.{name} has no docstring"


def test_ci_runs_the_readmes_commands_and_prerequisite_verbatim() -> None:
    """`.ci/run` runs the README's build and test commands and installs the one system
    prerequisite it names, each exactly as written there, and nothing else with apt."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```bash\n")[1:]]
    build, test = blocks[0].splitlines()
    (prerequisite,) = [b for b in blocks if "apt-get" in b]
    for line in (build, test, prerequisite):
        assert line in script.splitlines(), line
    installs = [line for line in script.splitlines() if "apt-get install" in line]
    assert installs == [prerequisite]
    order = [script.index(line + "\n") for line in (build, prerequisite, test)]
    assert order == sorted(order)
