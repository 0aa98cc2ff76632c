"""Synthetic demo study: seeded data generator and its independent REFI-QDA writer (not the pipeline)."""
