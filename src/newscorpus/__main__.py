"""`python -m newscorpus` runs the command-line interface."""

from newscorpus.cli import main

main()
