"""Rules found while rendering: templates, figures, resources and the check after layout."""

from schemas.rules.core import Rule
from schemas.rules.sections import RENDERING

__all__ = ["RENDERING", "Rule"]
