"""Shared core: the study's vocabulary, errors, ids, table I/O and definitions."""
