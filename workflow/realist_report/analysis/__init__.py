"""Step 3, analysis: clean, link to CMOCs, count, rate and choose quotes."""
