"""Registers stage: the house's analyst roster, disclosures register and review of each note."""
