"""The code base stays typed (`mypy --strict`) and lint-clean (`ruff`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "mypy", "--strict", "src/newscorpus"],
        [sys.executable, "-m", "ruff", "check", "src", "tests", "bench"],
    ],
    ids=["mypy", "ruff"],
)
def test_static_checks(command: list[str]) -> None:
    if shutil.which("ruff") is None and "ruff" in command:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
