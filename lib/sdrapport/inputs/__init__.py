"""Layer 1, inputs and contract: the indicator catalogue, reading and validating data files, params and
report profiles, CBS downloads, case-system exports and the demo generator."""
