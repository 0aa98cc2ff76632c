"""Realist evaluation report pipeline: coded qualitative data in, audited PDF report out."""

__version__ = "0.1.0"
