"""The registry of rules: every problem's code, severity and message, declared once.

Each module here declares the rules of one stage, in the order ``docs/rules.md`` lists them;
:mod:`schemas.rules.core` holds what a rule is. Importing this package fills ``RULES``.
"""

# Imported for their declarations, in the order of the docs.
from schemas.rules import data, house, note, project, reading, registers, rendering
from schemas.rules.core import (
    QUOTE,
    RULES,
    Localized,
    Quoted,
    Rule,
    Section,
    Text,
    fill,
    message,
    phrase,
)
from schemas.rules.sections import SECTIONS

__all__ = [
    "QUOTE",
    "RULES",
    "SECTIONS",
    "Localized",
    "Quoted",
    "Rule",
    "Section",
    "Text",
    "data",
    "fill",
    "house",
    "message",
    "note",
    "phrase",
    "project",
    "reading",
    "registers",
    "rendering",
]
