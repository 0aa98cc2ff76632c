"""Tools that start a study's config (not pipeline steps)."""
