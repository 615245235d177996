"""newscorpus: raw scraped news articles in, an annotated, validated Parquet corpus out.

The public API, usable without the CLI:

- `build(raw_dir, out_dir, ...)`: build and publish the corpus atomically;
- `validate(path)`: check a published folder or a JSON Lines file of records;
- `load(path, split, streaming)`: open the corpus with Hugging Face `datasets`;
- `extract_quotes(text)`: direct quotations with offsets and speakers in any text.
"""

from __future__ import annotations

from newscorpus.build import BuildError, BuildResult, build
from newscorpus.loading import load
from newscorpus.quotes import Quote, extract_quotes
from newscorpus.validate import ValidationReport
from newscorpus.validate import validate_path as validate
from newscorpus.version import PIPELINE_VERSION, __version__

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
