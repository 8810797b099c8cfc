"""The rules of schemas/rules/rendering.py: declared in their section, with a message to print."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.context.i18n import translations
from schemas.rules import rendering
from schemas.rules.core import Rule
from schemas.rules.sections import RENDERING

BROKEN = Path(__file__).resolve().parents[2] / "render" / "broken"


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(rendering).values() if isinstance(value, Rule)]
    assert all(rule.section is RENDERING and rule.message and rule.about for rule in declared)


def test_each_rule_here_has_a_chinese_message() -> None:
    catalog = translations("zh_CN", domain="problems")
    declared = [value for value in vars(rendering).values() if isinstance(value, Rule)]
    # "{problem}" is a whole sentence passed in, translated as a phrase of its own.
    untranslated = [
        rule.code
        for rule in declared
        if rule.message != "{problem}" and catalog.gettext(rule.message) == rule.message
    ]
    assert not untranslated


def _check_zh(note: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(BROKEN)
    result = CliRunner().invoke(app, ["check", "--today", "2026-11-01", "--lang", "zh", note])
    assert result.exit_code == 1, result.output
    return result.stdout.splitlines()


def test_a_refused_figure_says_why_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    # The refusal's reason is a phrase of its own, translated too (not English in Chinese).
    assert _check_zh("image-outside.md", monkeypatch) == [
        "image-outside.md:33:1: error: commentary[1].body: 图片引用被拒绝："
        "“../../../../etc/passwd”位于报告和机构文件夹之外 [render.resource]"
    ]


def test_a_sandbox_refusal_says_why_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check_zh("house-template-sandbox.md", monkeypatch) == [
        "houses/template-sandbox/templates/_contact.html:3:1: error: 机构模板做了沙箱禁止的操作："
        "“SecurityError: 访问 'TemplateReference' 对象的属性 '__init__' 不安全” [render.sandbox]"
    ]
