"""Layer 2, indicators and rules: arithmetic over published figures, CBS disclosure control, lineage,
definitions over registrations, KPI targets and Iv3 finance (values, never formatted text)."""
