"""The rules of schemas/rules/house.py: declared in their section, with a message to print."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from schemas.rules import house
from schemas.rules.core import Rule
from schemas.rules.sections import HOUSE
from tests.conftest import edit


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(house).values() if isinstance(value, Rule)]
    assert all(rule.section is HOUSE and rule.message and rule.about for rule in declared)


def test_a_house_breaking_its_rules_is_reported_in_chinese(
    note_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    house_file = note_file.parent.parent / "houses" / "example" / "house.yaml"
    edit(house_file, "serif: [Noto Serif CJK SC]", 'serif: ["Noto<Serif", ""]')
    monkeypatch.chdir(note_file.parent)
    args = ["check", "--today", "2026-11-01", "--lang", "zh", note_file.name]
    chinese = CliRunner().invoke(app, args).stdout
    assert (
        "fonts.serif[0]: “Noto<Serif”不是字体名称：含有 '<'（字体名称由字母、数字、空格、连字符组成） "
        "[house.font]"
    ) in chinese
    assert "fonts.serif[1]: “”不是字体名称：名称为空 [house.font]" in chinese
