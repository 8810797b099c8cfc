"""``docs/rules.md``, written from the registry: ``python -m schemas.rules.page`` writes it."""

from __future__ import annotations

import sys
from pathlib import Path

from schemas.rules import RULES, SECTIONS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

HEADER = """\
# Rules and their codes

<!-- Generated from the rule registry (schemas/rules/) by `make docs`; do not edit here. -->

`render check` reports each problem with a rule code in brackets. Errors stop a note from being
rendered; warnings do not (unless `--strict`). Messages are printed in the language `--lang`
asks for, from the `problems` catalogs (see [locales.md](locales.md)); the English message of
each rule is shown here with its parameters in braces.
"""


def markdown() -> str:
    """The page: each section's rules as a table of code, severity, meaning and message."""
    parts = [HEADER]
    for section in SECTIONS:
        rules = [rule for rule in RULES.values() if rule.section == section]
        if not rules:
            continue
        parts.append(f"\n## {section.title}\n")
        if section.intro:
            parts.append(f"\n{section.intro}\n")
        parts.append("\n| code | severity | meaning | message |\n| --- | --- | --- | --- |\n")
        for rule in rules:
            severity = rule.severity_text or str(rule.severity)
            shown = rule.message.replace("|", "\\|")
            parts.append(f"| `{rule.code}` | {severity} | {rule.about} | {shown} |\n")
    return "".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if PAGE.read_text(encoding="utf-8") == markdown() else 1)
    PAGE.write_text(markdown(), encoding="utf-8")
