"""Problem lines for people, tools and CI: one line each, whatever the note quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from render.report import display_path, format_problem, summary
from schemas.problems import Problem, Severity


def _problem(message: str = "bad", path: str = "notes/x.md") -> Problem:
    return Problem(
        "schema.sac", message, "无效", ("analysts", 1, "sac"), Severity.ERROR, path, 12, 5
    )


def test_text_line() -> None:
    assert format_problem(_problem()) == "notes/x.md:12:5: error: analysts[1].sac: bad [schema.sac]"
    assert format_problem(_problem(), lang="zh").endswith("analysts[1].sac: 无效 [schema.sac]")


def test_quoted_text_cannot_break_or_reorder_a_line() -> None:
    line = format_problem(_problem("'a\nb\u202ec'"))
    assert line == "notes/x.md:12:5: error: analysts[1].sac: 'a\\nb\\u202ec' [schema.sac]"


def test_github_escapes_properties_and_message() -> None:
    line = format_problem(_problem("100% sure\nreally", path="a,b:c.md"), "github")
    assert line == (
        "::error file=a%2Cb%3Ac.md,line=12,col=5,title=schema.sac::"
        "analysts[1].sac: 100%25 sure%0Areally"
    )
    warning = Problem("schema.promise", "m", "中", ("risks",), Severity.WARNING, "n.md", 3, 1)
    assert format_problem(warning, "github").startswith("::warning file=n.md,line=3,col=1,")


def test_json_carries_both_languages_and_survives_lone_surrogates() -> None:
    data = json.loads(format_problem(_problem("'\ud800'"), "json"))
    assert data["message"] == "'\ud800'" and data["message_zh"] == "无效"
    format_problem(_problem("'\ud800'"), "json").encode("utf-8")
    format_problem(_problem("'\ud800'"), "github").encode("utf-8")


def test_summary_counts() -> None:
    warning = Problem("schema.promise", "m", "中", (), Severity.WARNING)
    assert summary([_problem(), _problem(), warning], 3) == "2 errors, 1 warning in 3 files"
    assert summary([_problem()], 1, "zh") == "1 个文件：1 个错误，0 个警告"


def test_display_path_is_relative_inside_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "n.md").write_text("x")
    assert display_path(tmp_path / "n.md") == "n.md"
    assert display_path(tmp_path.parent / "elsewhere.md") == str(tmp_path.parent / "elsewhere.md")
