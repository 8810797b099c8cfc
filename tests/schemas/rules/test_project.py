"""The rules of schemas/rules/project.py: declared in their section, with a message to print."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render.cli.app import app
from render.errors import EXIT_USAGE
from schemas.rules import project
from schemas.rules.core import Rule
from schemas.rules.sections import PROJECT


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(project).values() if isinstance(value, Rule)]
    assert all(rule.section is PROJECT and rule.message and rule.about for rule in declared)


def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["check", "--today", "2026-11-01", *args])


def test_a_house_that_is_not_admitted_is_reported_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("named.yaml").write_text("house: nosuch\ntitle: x\n", encoding="utf-8")
    Path("outside.yaml").write_text("house: ../../x\ntitle: x\n", encoding="utf-8")
    result = check("--lang", "zh", "named.yaml", "outside.yaml")
    assert result.stdout.splitlines() == [
        "named.yaml:1:8: error: house: 没有名为“nosuch”的可用机构配置（可用：“example”（内置）） "
        "[house.not_found]",
        "outside.yaml:1:8: error: house: 机构配置“../../x”未获准使用：报告只能使用内置机构和运行"
        "渲染的人准许的机构（“render.toml”中的“houses”，或命令行选项“--house-path”）；"
        "可用：“example”（内置） [house.not_admitted]",
    ]


def test_a_broken_render_toml_is_refused_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("render.toml").write_text('houses = ["nowhere"]\n[limits]\nnote_bytes = 0\n', "utf-8")
    Path("note.yaml").write_text("title: x\n", encoding="utf-8")
    result = check("--lang", "zh", "note.yaml")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        "Error: render.toml:3:1: error: limits.note_bytes: 必须大于 0 [render.project_config]\n"
    )
    Path("render.toml").write_text('houses = ["nowhere"]\n', encoding="utf-8")
    result = check("--lang", "zh", "note.yaml")
    assert result.stderr == (
        "Error: render.toml:1:1: error: houses[0]: “nowhere”不是文件夹（路径相对于“render.toml”"
        "所在的文件夹） [render.project_config]\n"
    )
    assert check("note.yaml").stderr == (
        "Error: render.toml:1:1: error: houses[0]: 'nowhere' is not a folder (entries are "
        "relative to render.toml) [render.project_config]\n"
    )
