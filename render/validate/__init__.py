"""Validate stage: run the models and the rules, and judge every figure."""
