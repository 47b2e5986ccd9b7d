"""Layer 3, the store: the DuckDB database built from the validated inputs (rebuilt when an input changes)."""
