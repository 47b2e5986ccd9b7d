"""Layer 6, the publisher: turns executed reports (notebooks, run.json, downloads) and params into the Quarto site and PDFs; it never reads the store."""
