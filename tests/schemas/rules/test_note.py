"""The rules of schemas/rules/note.py: declared in their section, with a message to print."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render.cli.app import app
from schemas.rules import note
from schemas.rules.core import Rule
from schemas.rules.sections import NOTE
from tests.conftest import edit


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(note).values() if isinstance(value, Rule)]
    assert all(rule.section is NOTE and rule.message and rule.about for rule in declared)


def check(note_file: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> Result:
    monkeypatch.chdir(note_file.parent)
    return CliRunner().invoke(app, ["check", "--today", "2026-11-01", *options, note_file.name])


def test_a_rating_on_the_other_scale_is_reported_in_chinese(
    note_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(note_file, "  value: 超配", "  value: 买入")
    english = check(note_file, monkeypatch).stdout
    assert (
        "rating.value: '买入' is not on the house's industry rating scale (超配 / 标配 / 低配); "
        "'买入' is on the company scale [schema.rating]"
    ) in english
    chinese = check(note_file, monkeypatch, "--lang", "zh").stdout
    assert (
        "rating.value: “买入”不在本机构的行业评级体系中（超配 / 标配 / 低配）；“买入”属于公司评级 "
        "[schema.rating]"
    ) in chinese


def test_a_contradicting_action_and_a_missing_contact_are_reported_in_chinese(
    note_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(note_file, "  previous: 超配", "  previous: 超配\n  action: 上调")
    edit(note_file, "    phone: 000-0000 1202\n", "")
    chinese = check(note_file, monkeypatch, "--lang", "zh").stdout
    assert (
        "rating.action: 评级变动“上调”与评级不符：由超配到超配应为“维持”（可省略 action，系统自动推导） "
        "[schema.action_mismatch]"
    ) in chinese
    assert "analysts[1].phone: 分析师周若溪缺少电话（本机构要求填写） [schema.contact]" in chinese
