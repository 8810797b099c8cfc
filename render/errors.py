"""The three kinds of failure: a mistake in the user's files, a misused command, a bug of ours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemas.problems import Problem

if TYPE_CHECKING:
    from schemas.rules import Rule

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 3


class UserError(Exception):
    """Input files that cannot be rendered; carries every problem found, each located."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems

    @classmethod
    def single(
        cls, rule: Rule, path: str, line: int = 0, column: int = 0, **params: Any
    ) -> UserError:
        """One problem breaking ``rule`` in a file; ``UserError([rule(path=…, …)])`` says the
        same, and is what new code writes."""
        return cls([rule(path=path, line=line, column=column, **params)])


class UsageError(Exception):
    """The command line itself is wrong (a missing folder, a bad option value)."""
