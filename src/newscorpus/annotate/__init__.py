"""Annotation: direct quotations with exact offsets, and the speaker of each."""
