"""Print problems for people (text), for tools (JSON lines) and for CI (GitHub annotations)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, TextIO

from render.context.i18n import translator
from schemas.problems import Problem, Severity
from schemas.rules import fill, phrase

ErrorFormat = Literal["text", "json", "github"]


def display_path(path: Path, root: Path | None = None) -> str:
    """A file's path as messages show it: relative to ``root`` (the working folder) when inside."""
    try:
        return str(path.resolve().relative_to((root or Path.cwd()).resolve()))
    except ValueError:
        return str(path)


def _escape_github(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_problem(problem: Problem, style: ErrorFormat = "text", lang: str = "en") -> str:
    """One problem as a line in the chosen format.

    ``lang`` is a language with a ``problems`` catalog (``en``, ``zh``, ``zh_CN``…).

    >>> from schemas.rules import Quoted, note
    >>> p = note.EMAIL(("analysts", 0, "email"), value=Quoted("lin@"), path="n.md", line=12)
    >>> format_problem(p)
    "n.md:12:0: error: analysts[0].email: 'lin@' is not an e-mail address [schema.email]"
    >>> format_problem(p, "github", "zh")
    '::error file=n.md,line=12,col=1,title=schema.email::analysts[0].email: “lin@”不是有效的电子邮箱'
    """
    translate = translator(lang)
    if style == "json":
        data = problem.as_dict(translate)
        line = json.dumps(data, ensure_ascii=False)
        # A lone surrogate (from a JSON escape in a note) cannot be written as UTF-8.
        return line if _encodable(line) else json.dumps(data)
    if style == "github":
        message = problem.message_in(translate)
        field = f"{problem.field}: " if problem.loc else ""
        kind = "error" if problem.severity is Severity.ERROR else "warning"
        where = f"file={_escape_github(problem.path, True)}"
        if problem.line:
            where += f",line={problem.line},col={problem.column or 1}"
        return _printable(
            f"::{kind} {where},title={problem.code}::{_escape_github(field + message)}"
        )
    return _printable(problem.text(translate))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """Text that can be written as UTF-8 whatever it quotes (lone surrogates are escaped)."""
    return text if _encodable(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")


def summary(problems: Iterable[Problem], files: int, lang: str = "en") -> str:
    """The closing line: how many errors and warnings in how many files.

    >>> summary([], 2)
    '0 errors, 0 warnings in 2 files'
    >>> summary([], 1, "zh")
    '1 个文件：0 个错误，0 个警告'
    """
    items = list(problems)
    errors = sum(p.severity is Severity.ERROR for p in items)
    warnings = len(items) - errors
    translate = translator(lang)
    # English needs the plural; a language without one translates both forms alike.
    counts = {
        "errors": fill(_ERRORS[errors != 1], {"count": errors}, translate),
        "warnings": fill(_WARNINGS[warnings != 1], {"count": warnings}, translate),
        "files": fill(_FILES[files != 1], {"count": files}, translate),
    }
    return fill(_SUMMARY, counts, translate)


_SUMMARY = phrase("{errors}, {warnings} in {files}")
_ERRORS = (phrase("{count} error"), phrase("{count} errors"))
_WARNINGS = (phrase("{count} warning"), phrase("{count} warnings"))
_FILES = (phrase("{count} file"), phrase("{count} files"))


def print_problems(
    problems: Iterable[Problem], out: TextIO, style: ErrorFormat = "text", lang: str = "en"
) -> None:
    for problem in problems:
        print(format_problem(problem, style, lang), file=out)
