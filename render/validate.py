"""Validate stage: run the pydantic models and turn every error into a plain, bilingual problem."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.problems import Loc, Problem, ProblemLog, Severity

Model = TypeVar("Model", bound=BaseModel)

#: pydantic error types in words an analyst can act on: (English, Chinese); ``{detail}`` is
#: pydantic's own message, ``{input}`` the value given.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("required field is missing", "缺少必填字段"),
    "string_type": ("must be text, not {kind}", "应为文本，而不是{kind_zh}"),
    "int_type": ("must be a whole number", "应为整数"),
    "int_parsing": ("must be a whole number", "应为整数"),
    "float_type": ("must be a number", "应为数字"),
    "float_parsing": ("must be a number", "应为数字"),
    "bool_type": ("must be true or false", "应为 true 或 false"),
    "bool_parsing": ("must be true or false", "应为 true 或 false"),
    "list_type": ("must be a list (items starting with '- ')", "应为列表（每项以“- ”开头）"),
    "dict_type": ("must be a mapping of keys to values", "应为“键: 值”形式的映射"),
    "model_type": ("must be a mapping of keys to values", "应为“键: 值”形式的映射"),
    "model_attributes_type": ("must be a mapping of keys to values", "应为“键: 值”形式的映射"),
    "too_short": ("must not be empty", "不能为空"),
    "string_too_short": ("must not be empty", "不能为空"),
    "date_type": ("must be a date written YYYY-MM-DD", "应为 YYYY-MM-DD 格式的日期"),
    "date_parsing": ("{input!r} is not a real date ({detail})", "“{input}”不是有效日期"),
    "date_from_datetime_parsing": (
        "{input!r} is not a real date ({detail})",
        "“{input}”不是有效日期",
    ),
    "date_from_datetime_inexact": ("must be a date without a time", "应为不含时间的日期"),
    "literal_error": ("{input!r} is not allowed: {detail}", "“{input}”不是允许的取值：{detail}"),
    "string_pattern_mismatch": (
        "{input!r} does not have the expected form ({pattern})",
        "“{input}”格式不正确（应符合 {pattern}）",
    ),
    "greater_than_equal": ("{detail}", "取值过小：{detail}"),
    "less_than_equal": ("{detail}", "取值过大：{detail}"),
}

KIND_ZH = {
    "number": "数字",
    "list": "列表",
    "mapping": "映射",
    "true/false": "布尔值",
    "nothing": "空值",
}


def validate(
    model: type[Model], data: Any, context: dict[str, Any] | None = None
) -> tuple[Model | None, list[Problem]]:
    """Validate data against a model; return the model (None on errors) and every problem found.

    Rules that need no early exit (warnings, cross-checks) report into a log in the context.
    """
    log = ProblemLog()
    try:
        value = model.model_validate(data, context={**(context or {}), "log": log})
    except ValidationError as exc:
        problems = [_problem(model, error) for error in exc.errors(include_url=False)]
        return None, problems + log.problems
    has_errors = any(p.severity is Severity.ERROR for p in log.problems)
    return (None if has_errors else value), log.problems


def _problem(model: type[BaseModel], error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind.startswith(("schema.", "house.")):
        return Problem(kind, error["msg"], ctx.get("zh", error["msg"]), loc)
    if kind == "extra_forbidden":
        known = sorted(_fields_at(model, loc[:-1]))
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else f" (known keys: {', '.join(known)})"
        hint_zh = f"；是否应为“{guess[0]}”？" if guess else f"（可用的键：{', '.join(known)}）"
        return Problem("schema.unknown_key", f"unknown key{hint}", f"未知的键{hint_zh}", loc)
    value = error.get("input")
    english, chinese = MESSAGES.get(kind, ("{detail}", "取值无效：{detail}"))
    fill = {
        "input": value if isinstance(value, str | int | float) else str(value),
        "detail": error["msg"],
        "pattern": ctx.get("pattern", ""),
        "kind": _kind(value),
        "kind_zh": KIND_ZH.get(_kind(value), _kind(value)),
    }
    code = "schema.missing" if kind == "missing" else "schema.type"
    return Problem(code, english.format(**fill), chinese.format(**fill), loc)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _fields_at(model: type[BaseModel], loc: Loc) -> set[str]:
    """The field names of the model reached by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return set()
        info = current.model_fields.get(str(part))
        if info is None:
            return set()
        current = _model_in(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return set(current.model_fields)
    return set()


def _model_in(annotation: Any) -> Any:
    """The BaseModel class inside an annotation like ``list[Analyst]`` or ``Fonts | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
