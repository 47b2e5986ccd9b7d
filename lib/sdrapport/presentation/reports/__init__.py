"""The report types, each with its own elements: monitor, dashboard, factsheet, jaarverslag, and the annex."""
