"""Reading raw files: the source registry and discovery, decoding, and parser profiles."""
