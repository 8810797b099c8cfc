"""How a build reports: one plain line per note, problems under it once, JSON lines kept clean."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from render.batch.build import Outcome
from render.batch.progress import PlainReporter, describe, interactive
from schemas.rules import Quoted, note
from schemas.rules.rendering import STYLE

HOUSE = STYLE(report="unknown property", path="h/style.css", line=3, column=1)
SAC = note.SAC(
    ("analysts", 0, "sac"), value=Quoted("S1"), why=note.SAC_FORM, path="a.md", line=9, column=10
)


@pytest.mark.parametrize(
    ("outcome", "line"),
    [
        (Outcome("a.md", "skipped"), "unchanged a.md"),
        (
            Outcome("a.md", "crashed", crash="Traceback…\n"),
            "crashed a.md: a bug in render (the traceback follows)",
        ),
        (Outcome("a.md", "failed", problems=[SAC, SAC]), "failed a.md (2 errors)"),
        (Outcome("a.md", "failed", problems=[SAC]), "failed a.md (1 error)"),
        (Outcome("a.md", "failed", problems=[HOUSE]), "failed a.md (warnings with --strict)"),
        (
            Outcome(
                "a.md",
                "built",
                reason="note changed",
                written=[Path("dist/a.pdf"), Path("dist/a.html")],
                pages=3,
                seconds=1.26,
            ),
            "built a.md -> dist/a.pdf (3 pages), dist/a.html [note changed, 1.3s]",
        ),
    ],
    ids=["skipped", "crashed", "errors", "one error", "strict", "built"],
)
def test_describe(outcome: Outcome, line: str) -> None:
    assert describe(outcome) == line


def _plain(style: str = "text") -> tuple[PlainReporter, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return PlainReporter(style, "en", out=out, err=err), out, err  # type: ignore[arg-type]


def test_plain_lines_with_each_problem_once_across_notes() -> None:
    reporter, out, err = _plain()
    reporter.start(3, 2)
    reporter.finished(Outcome("a.md", "failed", problems=[HOUSE, SAC]))
    reporter.finished(Outcome("b.md", "built", reason="new", written=[Path("d/b.pdf")], pages=2))
    reporter.finished(
        Outcome("c.md", "built", reason="new", problems=[HOUSE], written=[Path("d/c.html")])
    )
    reporter.stop()
    assert out.getvalue().splitlines() == [
        "1 of 3 notes unchanged",
        "failed a.md (1 error)",
        "h/style.css:3:1: warning: the house's stylesheet has a declaration the layout engine "
        "ignores: unknown property [render.style]",
        "a.md:9:10: error: analysts[0].sac: 'S1' is not a SAC certificate number "
        "(S followed by 13 digits) [schema.sac]",
        "built b.md -> d/b.pdf (2 pages) [new, 0.0s]",
        "built c.md -> d/c.html [new, 0.0s]",
    ]
    assert err.getvalue() == ""


def test_nothing_unchanged_says_nothing_at_the_start() -> None:
    reporter, out, _ = _plain()
    reporter.start(2, 2)
    assert out.getvalue() == ""


def test_json_problems_keep_stdout_parseable() -> None:
    reporter, out, err = _plain("json")
    reporter.start(2, 1)
    reporter.finished(Outcome("a.md", "failed", problems=[SAC]))
    reporter.message("a note")
    assert [json.loads(line)["code"] for line in out.getvalue().splitlines()] == ["schema.sac"]
    assert err.getvalue().splitlines() == [
        "1 of 2 notes unchanged",
        "failed a.md (1 error)",
        "a note",
    ]


def test_a_crash_prints_its_traceback_to_stderr_as_is() -> None:
    reporter, out, err = _plain()
    reporter.finished(Outcome("a.md", "crashed", crash="Traceback (most recent call last):\n  x\n"))
    assert out.getvalue() == "crashed a.md: a bug in render (the traceback follows)\n"
    assert err.getvalue() == "Traceback (most recent call last):\n  x\n"


def test_chinese_problem_lines() -> None:
    out = io.StringIO()
    reporter = PlainReporter("text", "zh", out=out, err=io.StringIO())
    reporter.finished(Outcome("a.md", "failed", problems=[SAC]))
    assert out.getvalue().splitlines()[1] == (
        "a.md:9:10: error: analysts[0].sac: “S1”不是有效的执业证书编号（S 加 13 位数字） [schema.sac]"
    )


def test_interactive_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not interactive(io.StringIO())

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert interactive(Terminal())
    monkeypatch.setenv("CI", "true")
    assert not interactive(Terminal())
