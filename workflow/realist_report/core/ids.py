"""Stable identifiers: the same fields always give the same id, on every machine and run."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object) -> str:
    """A short, stable identifier from the fields that define a coding."""
    digest = hashlib.sha1("\x1f".join(str(part) for part in parts).encode("utf-8"))
    return digest.hexdigest()[:16]
