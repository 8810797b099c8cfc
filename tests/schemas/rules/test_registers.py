"""The rules of schemas/rules/registers.py: declared in their section, with a message to print."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render.cli.app import app
from render.context.i18n import translator
from render.errors import EXIT_OK, EXIT_USER_ERROR
from schemas.problems import Severity
from schemas.rules import Quoted, Text, registers
from schemas.rules.core import Rule
from schemas.rules.sections import REGISTERS, SECTIONS

CORPUS = Path(__file__).resolve().parents[2] / "render" / "broken"


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(registers).values() if isinstance(value, Rule)]
    assert len(declared) == 10
    assert all(rule.section is REGISTERS and rule.message and rule.about for rule in declared)
    assert all(rule.code.startswith("registers.") for rule in declared)
    assert SECTIONS[SECTIONS.index(REGISTERS) - 1].title == "The house"


def test_a_blackout_is_a_warning_and_says_so_in_the_docs() -> None:
    for rule in (registers.QUIET_PERIOD, registers.RESTRICTED):
        assert rule.severity is Severity.WARNING
        assert rule.severity_text == "warning, error with --release"


def test_a_guess_is_quoted_in_the_readers_marks() -> None:
    hint = Text("; did you mean {guess}?", guess=Quoted("lin-zhiyuan"))
    problem = registers.ANALYST_UNKNOWN(
        ("analysts", 0),
        problem=Text(
            "{id} is not an analyst or assistant in the house's roster{hint}",
            id=Quoted("lin-zhiyun"),
            hint=hint,
        ),
    )
    assert problem.message == (
        "'lin-zhiyun' is not an analyst or assistant in the house's roster; "
        "did you mean 'lin-zhiyuan'?"
    )
    assert problem.message_in(translator("zh_CN")) == (
        "“lin-zhiyun”不在本机构人员名册的分析师或研究助理中；是否应为“lin-zhiyuan”？"
    )


def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["check", "--today", "2026-11-01", *args])


def test_a_note_by_an_unknown_id_is_reported_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    result = check("--lang", "zh", "registers-analyst-unknown.md")
    assert result.exit_code == EXIT_USER_ERROR
    assert result.stdout.splitlines() == [
        "registers-analyst-unknown.md:13:12: error: analysts[0]: “lin-zhiyun”不在本机构人员名册的"
        "分析师或研究助理中；是否应为“lin-zhiyuan”？ [registers.analyst_unknown]"
    ]


def test_the_restricted_list_is_an_error_in_chinese_only_with_release(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(CORPUS)
    said = (
        "registers-restricted.md:8:11: {}: subject.ticker: 601888.SH 在 2026-04-20 处于限制名单中"
        "（restricted[0]，2026-02-01起）：不得发布相关报告 [registers.restricted]"
    )
    lenient = check("--lang", "zh", "registers-restricted.md")
    assert lenient.exit_code == EXIT_OK
    assert lenient.stdout.splitlines() == [said.format("warning")]
    released = check("--lang", "zh", "--release", "registers-restricted.md")
    assert released.exit_code == EXIT_USER_ERROR
    assert said.format("error") in released.stdout.splitlines()
