"""The rules of schemas/rules/note.py: declared in their section, with a message to print."""

from __future__ import annotations

from schemas.rules import note
from schemas.rules.core import Rule
from schemas.rules.sections import NOTE


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(note).values() if isinstance(value, Rule)]
    assert all(rule.section is NOTE and rule.message and rule.about for rule in declared)
