"""Version numbers that end up in published artifacts."""

from __future__ import annotations

__version__ = "0.1.0"

# Bumped whenever the bytes a build produces from the same raw file could change (parser,
# annotator, record layout). Records carry it, and the incremental cache is keyed by it.
PIPELINE_VERSION = "0.5.0"
