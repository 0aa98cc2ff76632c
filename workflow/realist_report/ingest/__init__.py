"""Step 1, ingest: QDA exports and registers read into the canonical excerpt table."""
