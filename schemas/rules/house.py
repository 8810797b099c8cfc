"""Rules for a house's own files: house.yaml and its report types."""

from schemas.rules.core import Rule
from schemas.rules.sections import HOUSE

__all__ = ["HOUSE", "Rule"]
