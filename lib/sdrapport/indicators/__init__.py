"""Layer 3, indicators and rules: the catalogue, arithmetic over published figures, CBS disclosure control,
definitions over registrations, targets and Iv3 finance."""
