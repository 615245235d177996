"""Checking: validate records one by one, column by column, and a published folder whole."""
