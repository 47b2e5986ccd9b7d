"""Layer 4, presentation: the Rapport a notebook calls, Dutch formatting, escaping of untrusted text, tables, charts, narrative and downloads."""
