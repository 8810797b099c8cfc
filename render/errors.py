"""The three kinds of failure: a mistake in the user's files, a misused command, a bug of ours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemas.problems import Problem

if TYPE_CHECKING:
    pass

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 3


class UserError(Exception):
    """Input files that cannot be rendered; carries every problem found, each located."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


class UsageError(Exception):
    """The command line itself is wrong (a missing folder, a bad option value)."""
