"""Step 4, report: context, figures, narrative, HTML/PDF/Word and the explorer."""
