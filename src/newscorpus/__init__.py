"""newscorpus: raw scraped news articles in, an annotated, validated Parquet corpus out.

The public API, usable without the CLI:

- `build(raw_dir, out_dir, ...)`: build and publish the corpus atomically;
- `validate(path)`: check a published folder or a JSON Lines file of records;
- `load(path, split, streaming)`: open the corpus with Hugging Face `datasets`;
- `extract_quotes(text)`: direct quotations with offsets and speakers in any text.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from newscorpus.version import PIPELINE_VERSION, __version__

if TYPE_CHECKING:
    from newscorpus.build import BuildError, BuildResult, build
    from newscorpus.loading import load
    from newscorpus.quotes import Quote, extract_quotes
    from newscorpus.validate import ValidationReport
    from newscorpus.validate import validate_path as validate

__all__ = [
    "PIPELINE_VERSION",
    "BuildError",
    "BuildResult",
    "Quote",
    "ValidationReport",
    "__version__",
    "build",
    "extract_quotes",
    "load",
    "validate",
]

# The public names, imported from their modules on first use: `import newscorpus` (and so
# `newscorpus validate`) would otherwise pay ≈ 0.4 s for the build and quote machinery.
_LAZY: dict[str, tuple[str, str]] = {
    "BuildError": ("newscorpus.build", "BuildError"),
    "BuildResult": ("newscorpus.build", "BuildResult"),
    "build": ("newscorpus.build", "build"),
    "load": ("newscorpus.loading", "load"),
    "Quote": ("newscorpus.quotes", "Quote"),
    "extract_quotes": ("newscorpus.quotes", "extract_quotes"),
    "ValidationReport": ("newscorpus.validate", "ValidationReport"),
    "validate": ("newscorpus.validate", "validate_path"),
}


def _lazy_attribute(name: str) -> property:
    """A property for `name`: the public object, even once the submodule of the same name
    (`newscorpus.build`, `newscorpus.validate`) is imported, which binds the module there."""
    module_name, attribute = _LAZY[name]
    key = f"_assigned_{name}"

    def get(package: types.ModuleType) -> Any:
        assigned = package.__dict__.get(key)
        if assigned is not None:
            return assigned
        return getattr(importlib.import_module(module_name), attribute)

    def set_(package: types.ModuleType, value: Any) -> None:
        if value is sys.modules.get(f"{package.__name__}.{name}"):
            return  # the import system binding the submodule: keep the public object
        package.__dict__[key] = value  # e.g. monkeypatching `newscorpus.build`

    def delete(package: types.ModuleType) -> None:
        package.__dict__.pop(key, None)

    return property(get, set_, delete)


class _Package(types.ModuleType):
    """This package's module type: the public names of `_LAZY` as lazy properties."""


for _name in _LAZY:
    setattr(_Package, _name, _lazy_attribute(_name))
sys.modules[__name__].__class__ = _Package
