"""The rules of schemas/rules/reading.py: declared in their section, with a message to print."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render.cli.app import app
from render.context.i18n import translator
from render.load.note import load_note
from schemas.rules import reading
from schemas.rules.core import Rule
from schemas.rules.sections import READING


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(reading).values() if isinstance(value, Rule)]
    assert all(rule.section is READING and rule.message and rule.about for rule in declared)


def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["check", "--today", "2026-11-01", *args])


def test_a_broken_file_is_reported_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("twice.yaml").write_text("title: x\ntitle: y\n", encoding="utf-8")
    Path("huge.yaml").write_text("title: x\nprice: 1e999999\n", encoding="utf-8")
    Path("latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    result = check("--lang", "zh", "twice.yaml", "huge.yaml", "latin1.md")
    assert result.stdout.splitlines() == [
        "twice.yaml:2:1: error: 键“title”重复出现 [syntax.yaml]",
        "huge.yaml:2:8: error: 数字必须是有限值：1e999999 不是（如为文本，请加引号） [syntax.number]",
        "latin1.md:2:11: error: 第 14 字节不是 UTF-8 编码，请以 UTF-8 保存文件 [file.encoding]",
    ]
    assert result.stderr == "3 个文件：3 个错误，0 个警告\n"


def test_body_problems_read_in_chinese(tmp_path: Path) -> None:
    note = tmp_path / "heading.md"
    note.write_text("---\ntitle: x\n---\n\nfirst\n\n## Evnet\n\ntext\n", encoding="utf-8")
    preamble, heading = load_note(note).problems
    zh = translator("zh")
    assert (preamble.line, preamble.message_in(zh)) == (5, "第一个章节标题之前的文字不属于任何章节")
    assert heading.line == 7
    assert heading.message_in(zh).startswith(
        "“Evnet”不是本报告的章节；是否应为“Event”？（可用的章节："
    )
    assert heading.message.startswith(
        "'Evnet' is not a section of this note; did you mean 'Event'? ("
    )
