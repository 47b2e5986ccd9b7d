"""Layer 1, inputs and contract: reading and validating data files, params, CBS downloads, case-system exports and the demo generator."""
