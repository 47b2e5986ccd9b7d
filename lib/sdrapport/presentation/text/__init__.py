"""How a figure and an untrusted text are written: Dutch numbers, amounts and dates; escaping."""
