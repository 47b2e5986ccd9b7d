"""Layer 4, presentation: the Rapport a notebook calls (report.py); text/, elements/, output/ and reports/ by what they draw."""
