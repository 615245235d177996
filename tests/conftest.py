"""Shared fixtures and Hypothesis profiles.

HYPOTHESIS_PROFILE=ci (default) keeps property tests fast; =long runs the deep fuzz
campaign (tens of thousands of examples per property).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "raw" / "donga" / "000_50823aa4b1df31b8.txt"
SHARED_DATA = REPO.parent / "shared" / "data"

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=25_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Offline, with a throw-away cache, before anything imports `datasets` (it reads these
# variables once, at import).
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="newscorpus-hf-")


@pytest.fixture
def seed_bytes() -> bytes:
    """The seed raw file's bytes."""
    return SEED.read_bytes()


@pytest.fixture
def raw_with_seed(tmp_path: Path) -> Path:
    """A raw/ folder holding the registry and the seed file, in a temp dir."""
    raw = tmp_path / "raw"
    (raw / "donga").mkdir(parents=True)
    shutil.copy(REPO / "raw" / "sources.toml", raw / "sources.toml")
    shutil.copy(SEED, raw / "donga" / SEED.name)
    return raw
