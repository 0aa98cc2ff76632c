"""Step 5, audit: provenance, what changed, trace a number, verify a build."""
