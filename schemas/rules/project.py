"""Rules for the project around notes: admitted houses, render.toml, the build's record."""

from schemas.rules.core import Rule
from schemas.rules.sections import PROJECT

__all__ = ["PROJECT", "Rule"]
