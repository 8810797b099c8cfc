"""A located problem found in a note or house file, and the collector that rules report into."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Loc = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One mistake in an input file: where it is, what rule it breaks, in English and Chinese."""

    code: str
    message: str
    message_zh: str
    loc: Loc = ()
    severity: Severity = Severity.ERROR
    path: str = ""
    line: int = 0
    column: int = 0
    #: Characters into the field's text where the problem starts (a forbidden phrase, say).
    offset: int | None = None

    @property
    def field(self) -> str:
        """The field path as an analyst writes it: ``analysts[1].sac``."""
        return format_loc(self.loc)

    def text(self, lang: str = "en") -> str:
        message = self.message_zh if lang == "zh" else self.message
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        field = f"{self.field}: " if self.loc else ""
        return f"{where}: {self.severity}: {field}{message} [{self.code}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
        }


def format_loc(loc: Loc) -> str:
    """Join a pydantic-style location into a dotted path with list indexes.

    >>> format_loc(("analysts", 1, "sac"))
    'analysts[1].sac'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class ProblemLog:
    """Problems reported by validators that should not stop validation (warnings, cross-checks)."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        loc: Loc,
        code: str,
        message: str,
        message_zh: str,
        severity: Severity = Severity.ERROR,
        offset: int | None = None,
    ) -> None:
        self.problems.append(
            Problem(code, message, message_zh, tuple(loc), severity, offset=offset)
        )


def log_for(context: dict[str, Any] | None) -> ProblemLog:
    """The validation context's problem log, or a fresh one that :func:`settle` will raise from."""
    return (context or {}).get("log") or ProblemLog()


def settle(context: dict[str, Any] | None, log: ProblemLog) -> None:
    """Raise the errors of a log nobody else will read (validation called without a context)."""
    if (context or {}).get("log") is log:
        return
    errors = [p for p in log.problems if p.severity is Severity.ERROR]
    if errors:
        raise ValueError("; ".join(f"{p.field}: {p.message} [{p.code}]" for p in errors))
