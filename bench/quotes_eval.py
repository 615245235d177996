"""Thin wrapper: measure quote extraction on PolNeAR (see newscorpus.evaluate).

Usage (from the repo root): PYTHONPATH=src python bench/quotes_eval.py [--data DIR] [--json]
"""

from __future__ import annotations

import sys

from newscorpus.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
