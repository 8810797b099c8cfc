"""Rules for reading a file: its size, encoding and syntax, and the Markdown body's sections."""

from schemas.rules.core import Rule
from schemas.rules.sections import READING

__all__ = ["READING", "Rule"]
