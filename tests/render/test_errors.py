"""The failure kinds: UserError carries its located problems; the exit statuses are distinct."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from render.cli.app import app
from render.errors import EXIT_BUG, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, UsageError, UserError
from schemas.problems import Problem, Severity


def test_user_error_carries_every_problem_and_says_them_one_per_line() -> None:
    problems = [
        Problem(
            "schema.sac", "bad sac", "无效", ("analysts", 0, "sac"), path="n.md", line=3, column=9
        ),
        Problem("schema.promise", "promise", "承诺", ("risks",), Severity.WARNING, "n.md", 7, 1),
    ]
    error = UserError(problems)
    assert error.problems is problems
    assert str(error).splitlines() == [p.text() for p in problems]
    assert str(error).splitlines()[0] == "n.md:3:9: error: analysts[0].sac: bad sac [schema.sac]"


def test_single_makes_one_located_error_in_both_languages() -> None:
    error = UserError.single("h/house.yaml", "syntax.yaml", "broken", "损坏", line=4, column=2)
    (problem,) = error.problems
    assert problem == Problem(
        "syntax.yaml", "broken", "损坏", (), Severity.ERROR, "h/house.yaml", 4, 2
    )
    assert str(error) == "h/house.yaml:4:2: error: broken [syntax.yaml]"


def test_single_without_a_position_names_the_file_only() -> None:
    error = UserError.single("n.md", "file.missing", "file not found", "文件不存在")
    assert (error.problems[0].line, error.problems[0].column) == (0, 0)
    assert str(error) == "n.md: error: file not found [file.missing]"


def test_the_kinds_of_failure_are_separate() -> None:
    assert not issubclass(UsageError, UserError) and not issubclass(UserError, UsageError)


def test_a_usage_error_is_exit_2_with_its_message_and_no_traceback(note_file: Path) -> None:
    # The build raises UsageError for an output "folder" that is a file; the command line says
    # so in one line on stderr and exits 2, before anything is rendered or written.
    output = note_file.parent / "dist"
    output.write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(note_file), "-o", str(output)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == f"Error: {output} is a file, not a folder for the outputs\n"
    assert result.stdout == "" and output.read_text(encoding="utf-8") == "a file"


def test_exit_statuses_are_distinct_and_as_documented() -> None:
    assert (EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_BUG) == (0, 1, 2, 3)
