"""Step 2, privacy: identifiers found and redacted; small groups never named."""
