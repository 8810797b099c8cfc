"""Every rule belongs to one of the page's sections, and every section is on the page."""

from __future__ import annotations

from schemas.rules import RULES, SECTIONS
from schemas.rules.page import markdown


def test_every_rule_is_in_a_listed_section() -> None:
    assert {rule.section for rule in RULES.values()} <= set(SECTIONS)


def test_each_section_with_rules_is_a_heading_of_the_page() -> None:
    page = markdown()
    for section in {rule.section for rule in RULES.values()}:
        assert f"\n## {section.title}\n" in page
