"""docs/rules.md is the registry written out: a rule added or changed without `make docs` fails."""

from __future__ import annotations

from schemas.rules import RULES
from schemas.rules.page import PAGE, markdown


def test_the_committed_page_is_the_registry_written_out() -> None:
    assert PAGE.read_text(encoding="utf-8") == markdown(), "run `make docs`"


def test_every_rule_is_on_the_page_once_with_its_severity_and_message() -> None:
    page = markdown()
    for rule in RULES.values():
        rows = [line for line in page.splitlines() if line.startswith(f"| `{rule.code}` |")]
        assert len(rows) == 1, rule.code
        assert f"| {rule.severity_text or rule.severity} |" in rows[0]
        assert rule.message.replace("|", "\\|") in rows[0]
