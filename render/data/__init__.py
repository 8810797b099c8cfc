"""Data stage: a note's market data read from its folder, the figures computed from it, the chart."""
