"""newscorpus: raw scraped news articles in, an annotated, validated Parquet corpus out.

The public API, usable without the CLI:

- `build(raw_dir, out_dir, settings=None, **overrides)`: build and publish the corpus
  atomically (`BuildSettings` holds every setting);
- `validate(path)`: check a published folder or a JSON Lines file of records;
- `load(path, split, streaming)`: open the corpus with Hugging Face `datasets`;
- `extract_quotes(text)`: direct quotations with offsets and speakers in any text.

The names are imported from their modules on first use (PEP 562): `import newscorpus`
(and so `newscorpus validate`) loads neither the build nor the annotator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newscorpus.version import PIPELINE_VERSION, __version__

if TYPE_CHECKING:
    from newscorpus.annotate.quotes import (
        Quote,
        extract_quotes,
    )
    from newscorpus.check.published import validate_path as validate
    from newscorpus.check.records import ValidationReport
    from newscorpus.errors import BuildError
    from newscorpus.loading import load
    from newscorpus.run.driver import BuildResult, build
    from newscorpus.settings import BuildSettings

__all__ = [
    "PIPELINE_VERSION",
    "BuildError",
    "BuildResult",
    "BuildSettings",
    "Quote",
    "ValidationReport",
    "__version__",
    "build",
    "extract_quotes",
    "load",
    "validate",
]

# Public name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "BuildError": ("newscorpus.errors", "BuildError"),
    "BuildResult": ("newscorpus.run.driver", "BuildResult"),
    "BuildSettings": ("newscorpus.settings", "BuildSettings"),
    "build": ("newscorpus.run.driver", "build"),
    "load": ("newscorpus.loading", "load"),
    "Quote": ("newscorpus.annotate.quotes", "Quote"),
    "extract_quotes": ("newscorpus.annotate.quotes", "extract_quotes"),
    "ValidationReport": ("newscorpus.check.records", "ValidationReport"),
    "validate": ("newscorpus.check.published", "validate_path"),
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'newscorpus' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
