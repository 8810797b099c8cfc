"""Problem lines for people, tools and CI: one line each, whatever the note quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from render.report import display_path, format_problem, summary
from schemas.problems import Problem
from schemas.rules import Quoted, note
from schemas.rules.rendering import LAYOUT, STYLE


def _problem(value: str = "S1", path: str = "notes/x.md") -> Problem:
    loc = ("analysts", 1, "sac")
    return note.SAC(loc, value=Quoted(value), why=note.SAC_FORM, path=path, line=12, column=5)


def _reported(report: str, path: str = "notes/x.md") -> Problem:
    """A problem whose parameter is the layout engine's text, as it reported it (unquoted)."""
    return LAYOUT(("analysts", 1, "sac"), report=report, path=path, line=12, column=5)


def test_text_line() -> None:
    assert format_problem(_problem()) == (
        "notes/x.md:12:5: error: analysts[1].sac: 'S1' is not a SAC certificate number "
        "(S followed by 13 digits) [schema.sac]"
    )
    assert format_problem(_problem(), lang="zh").endswith(
        "analysts[1].sac: “S1”不是有效的执业证书编号（S 加 13 位数字） [schema.sac]"
    )


def test_quoted_text_cannot_break_or_reorder_a_line() -> None:
    line = format_problem(_reported("'a\nb\u202ec'"))
    assert line == (
        "notes/x.md:12:5: error: analysts[1].sac: the layout engine reports: 'a\\nb\\u202ec' "
        "[render.layout]"
    )
    assert format_problem(_problem("a\nb\u202ec"), lang="zh").startswith(
        "notes/x.md:12:5: error: analysts[1].sac: “a\\nb\\u202ec”"
    )


def test_github_escapes_properties_and_message() -> None:
    line = format_problem(_reported("100% sure\nreally", path="a,b:c.md"), "github")
    assert line == (
        "::error file=a%2Cb%3Ac.md,line=12,col=5,title=render.layout::"
        "analysts[1].sac: the layout engine reports: 100%25 sure%0Areally"
    )
    warning = STYLE(report="m", path="n.css", line=3, column=1)
    assert format_problem(warning, "github").startswith("::warning file=n.css,line=3,col=1,")


def test_json_carries_the_language_asked_for_and_survives_lone_surrogates() -> None:
    data = json.loads(format_problem(_reported("'\ud800'"), "json"))
    assert data["message"] == "the layout engine reports: '\ud800'"
    data = json.loads(format_problem(_reported("'\ud800'"), "json", "zh"))
    assert data["message"] == "排版引擎报告：'\ud800'"
    format_problem(_reported("'\ud800'"), "json").encode("utf-8")
    format_problem(_reported("'\ud800'"), "github").encode("utf-8")


def test_summary_counts() -> None:
    warning = STYLE(report="m", path="n.css")
    assert summary([_problem(), _problem(), warning], 3) == "2 errors, 1 warning in 3 files"
    assert summary([_problem()], 1, "zh") == "1 个文件：1 个错误，0 个警告"


def test_display_path_is_relative_inside_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "n.md").write_text("x")
    assert display_path(tmp_path / "n.md") == "n.md"
    assert display_path(tmp_path.parent / "elsewhere.md") == str(tmp_path.parent / "elsewhere.md")
