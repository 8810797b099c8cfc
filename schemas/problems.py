"""A located problem found in a note or house file, and the collector that rules report into."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Loc = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One mistake in an input file: where it is, which rule it breaks, and the rule's parameters.

    A problem carries no text: its message is made from its rule (``schemas.rules``) and the
    parameters when it is printed, in the language the reader asks for.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
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

    @property
    def message(self) -> str:
        """The message in English, the language of the rules' message ids."""
        return self.message_in()

    def message_in(self, translate: Callable[[str], str] | None = None) -> str:
        """The message in the language ``translate`` gives (a catalog's ``gettext``)."""
        from schemas.rules import message  # the registry imports this module

        return message(self, translate) if translate else message(self)

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The problem as one line: ``file:line:column: severity: field: message [code]``."""
        # One problem, one line: text quoted from a note cannot break it or reorder it.
        message = "".join(visible(char) for char in self.message_in(translate))
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        field = f"{self.field}: " if self.loc else ""
        return f"{where}: {self.severity}: {field}{message} [{self.code}]"

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two reports one problem: a house's is found again with each of its notes."""
        return (self.path, self.line, self.column, self.code, self.message)

    def as_dict(self, translate: Callable[[str], str] | None = None) -> dict[str, Any]:
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "field": self.field,
            "code": self.code,
            "message": self.message_in(translate),
        }


def fails(problems: Iterable[Problem], strict: bool = False) -> bool:
    """Whether problems stop a note: any error, or with ``--strict`` any warning too."""
    return any(p.severity is Severity.ERROR or strict for p in problems)


def visible(char: str) -> str:
    """A character as it can be printed on one line of a message."""
    code = ord(char)
    if code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or char in BIDI_CONTROLS:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{code:04x}")
    return char


#: Characters that reorder the text around them when it is displayed (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


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
            name = "".join(visible(char) for char in str(part))
            out += f".{name}" if out else name
    return out


@dataclass
class ProblemLog:
    """Problems reported by validators that should not stop validation (warnings, cross-checks)."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)


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


def value_at(data: Any, loc: Loc) -> Any:
    """The value found by following a location into nested data, or None where it leads nowhere.

    >>> value_at({"analysts": [{"sac": "S1"}]}, ("analysts", 0, "sac"))
    'S1'
    >>> value_at({"analysts": []}, ("analysts", 0, "sac")) is None
    True
    """
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
