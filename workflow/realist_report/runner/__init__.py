"""How a rule script runs: its log, its errors, and its code as an input."""
