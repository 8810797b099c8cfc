"""The failure kinds: UserError carries its located problems; the exit statuses are distinct."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from render.cli.app import app
from render.errors import EXIT_BUG, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, UsageError, UserError
from schemas.rules import Quoted, note
from schemas.rules.rendering import STYLE


def test_user_error_carries_every_problem_and_says_them_one_per_line() -> None:
    problems = [
        note.EMAIL(("analysts", 0, "email"), value=Quoted("lin@"), path="n.md", line=3, column=9),
        STYLE(report="unknown property", path="h/style.css", line=7, column=1),
    ]
    error = UserError(problems)
    assert error.problems is problems
    assert str(error).splitlines() == [p.text() for p in problems]
    assert str(error).splitlines()[0] == (
        "n.md:3:9: error: analysts[0].email: 'lin@' is not an e-mail address [schema.email]"
    )


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
