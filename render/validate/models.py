"""Validate stage: run the pydantic models and turn every error into a plain, bilingual problem."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.problems import Loc, Problem, ProblemLog, Severity, quote, value_at

Model = TypeVar("Model", bound=BaseModel)

#: pydantic error types in words an analyst can act on: (English, Chinese). Placeholders:
#: ``{input}``/``{input_zh}`` the value given, quoted; ``{kind}``/``{kind_zh}`` what it is;
#: any key of the error's context (``{ge}``, ``{expected}``…).
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("required key is missing", "缺少必填的键"),
    "string_type": (
        "must be text, not {kind}{quote_hint}",
        "应为文本，而不是{kind_zh}{quote_hint_zh}",
    ),
    "int_type": ("must be a whole number, not {kind}", "应为整数，而不是{kind_zh}"),
    "int_parsing": ("{input} is not a whole number", "{input_zh}不是整数"),
    "int_from_float": ("{input} is not a whole number", "{input_zh}不是整数"),
    "float_type": ("must be a number, not {kind}", "应为数字，而不是{kind_zh}"),
    "float_parsing": ("{input} is not a number", "{input_zh}不是数字"),
    "bool_type": ("must be true or false, not {kind}", "应为 true 或 false，而不是{kind_zh}"),
    "bool_parsing": ("{input} is not true or false", "{input_zh}不是 true 或 false"),
    "list_type": (
        "must be a list (items starting with '- '), not {kind}",
        "应为列表（每项以“- ”开头），而不是{kind_zh}",
    ),
    "dict_type": (
        "must be a mapping of keys to values, not {kind}",
        "应为“键: 值”形式的映射，而不是{kind_zh}",
    ),
    "model_type": (
        "must be a mapping of keys to values, not {kind}",
        "应为“键: 值”形式的映射，而不是{kind_zh}",
    ),
    "model_attributes_type": (
        "must be a mapping of keys to values, not {kind}",
        "应为“键: 值”形式的映射，而不是{kind_zh}",
    ),
    "too_short": ("must not be empty", "不能为空"),
    "string_too_short": ("must not be empty", "不能为空"),
    "string_unicode": ("contains text that is not valid Unicode", "含有无效的 Unicode 文本"),
    "too_long": ("has too many items (at most {max_length})", "项数过多（最多 {max_length} 项）"),
    "string_too_long": (
        "is too long (at most {max_length} characters)",
        "过长（最多 {max_length} 个字符）",
    ),
    "date_type": (
        "must be a date written YYYY-MM-DD, not {kind}",
        "应为 YYYY-MM-DD 格式的日期，而不是{kind_zh}",
    ),
    "date_parsing": ("{input} is not a real date ({error})", "{input_zh}不是真实存在的日期"),
    "date_from_datetime_parsing": (
        "{input} is not a real date ({error})",
        "{input_zh}不是真实存在的日期",
    ),
    "date_from_datetime_inexact": ("must be a date without a time of day", "应为不含时刻的日期"),
    "literal_error": (
        "{input} is not allowed: write {expected}",
        "{input_zh}不是允许的取值：应为 {expected_zh}",
    ),
    "string_pattern_mismatch": ("{input} is not {pattern}", "{input_zh}不是{pattern_zh}"),
    "greater_than_equal": ("must be at least {ge}", "应不小于 {ge}"),
    "greater_than": ("must be more than {gt}", "应大于 {gt}"),
    "less_than_equal": ("must be at most {le}", "应不大于 {le}"),
    "less_than": ("must be less than {lt}", "应小于 {lt}"),
}

#: A text that is either one string or one string per locale, and is neither.
UNION_MESSAGE = (
    "must be text, or one text per locale (zh_CN: …, en_US: …), not {kind}",
    "应为文本，或按语言分别给出的文本（zh_CN: …，en_US: …），而不是{kind_zh}",
)

#: The forms a pattern asks for, in words: (English, Chinese).
PATTERNS: dict[str, tuple[str, str]] = {
    r"^[a-z]{2}_[A-Z]{2}$": ("a locale code like zh_CN or en_US", "形如 zh_CN、en_US 的语言代码"),
    r"^R[1-9]$": ("a risk level code R1 to R9", "R1 至 R9 形式的风险等级代码"),
    r"^\d{4}$": (
        "a firm code of 4 digits (in quotes, so that leading zeros stay)",
        "4 位数字的机构代码（请加引号，以保留开头的 0）",
    ),
}

KINDS: dict[str, str] = {
    "text": "文本",
    "a number": "数字",
    "a list": "列表",
    "a mapping": "映射",
    "true/false": "布尔值",
    "empty (null)": "空值",
    "a date": "日期",
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
        return None, _problems(model, data, exc.errors(include_url=False)) + log.problems
    has_errors = any(p.severity is Severity.ERROR for p in log.problems)
    return (None if has_errors else value), log.problems


def _problems(model: type[BaseModel], data: Any, errors: list[Any]) -> list[Problem]:
    """One problem per error; a value that fits no branch of a union is one problem, not two."""
    problems: list[Problem] = []
    unions: set[Loc] = set()
    for error in errors:
        loc, tagged = _untag(tuple(error["loc"]), data, error["type"])
        if tagged:
            value = value_at(data, loc)
            if isinstance(value, dict):
                # A per-locale text: only the mapping branch's complaints are about this value.
                if "dict[" not in str(error["loc"][len(loc)]) or len(error["loc"]) == len(loc) + 1:
                    continue
                error = {**error, "loc": (*loc, *error["loc"][len(loc) + 1 :])}
            else:
                if loc in unions:
                    continue
                unions.add(loc)
                kind = _kind(value)
                english, chinese = UNION_MESSAGE
                problems.append(
                    Problem(
                        "schema.type",
                        english.format(kind=kind),
                        chinese.format(kind_zh=KINDS.get(kind, kind)),
                        loc,
                    )
                )
                continue
        problems.append(_problem(model, error))
    return problems


def _untag(loc: Loc, data: Any, kind: str) -> tuple[Loc, bool]:
    """The location without a union member's tag (``str``, ``dict[str,str]``), if it has one.

    A part that names nothing in the data is a tag, unless it is the key a ``missing`` error
    is about.
    """
    current = data
    for index, part in enumerate(loc):
        if _has(current, part):
            current = current[part]
        elif kind == "missing" and index == len(loc) - 1:
            break
        elif isinstance(part, str):
            return loc[:index], True
        else:
            break
    return loc, False


def _has(container: Any, part: str | int) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _problem(model: type[BaseModel], error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind.startswith(("schema.", "house.", "data.")):
        return Problem(kind, error["msg"], ctx.get("zh", error["msg"]), loc)
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    value = error.get("input")
    english, chinese = MESSAGES.get(kind, (error["msg"], f"取值无效（{kind}）"))
    what = _kind(value)
    pattern = str(ctx.get("pattern", ""))
    pattern_en, pattern_zh = PATTERNS.get(
        pattern, (f"in the form {pattern}", f"符合 {pattern} 格式的值")
    )
    expected = str(ctx.get("expected", ""))
    number = what == "a number"
    fill = {
        **{key: str(v) for key, v in ctx.items()},
        "input": quote(value),
        "input_zh": quote(value, zh=True),
        "kind": what,
        "kind_zh": KINDS.get(what, what),
        "pattern": pattern_en,
        "pattern_zh": pattern_zh,
        "expected": expected,
        "expected_zh": expected.replace(" or ", " 或 "),
        "error": str(ctx.get("error", error["msg"])),
        "quote_hint": " (put it in quotes)" if number else "",
        "quote_hint_zh": "（请加引号）" if number else "",
    }
    if kind == "missing":
        code = "schema.missing"
    elif kind in ("too_short", "string_too_short"):
        code = "schema.empty"
    elif kind.startswith("date_"):
        code = "schema.date"
    else:
        code = "schema.type"
    return Problem(code, english.format(**fill), chinese.format(**fill), loc)


def _unknown_key(model: type[BaseModel], loc: Loc) -> Problem:
    """An unknown key, with the known key it most likely misspells (or the list of them)."""
    known = sorted(_fields_at(model, loc[:-1]))
    key = str(loc[-1])
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    if not guess:
        folded = {name.casefold(): name for name in known}
        guess = [folded[key.casefold()]] if key.casefold() in folded else []
    if guess:
        hint, hint_zh = f"; did you mean '{guess[0]}'?", f"；是否应为“{guess[0]}”？"
    else:
        listed = ", ".join(name for name in known if not name.startswith("$"))
        hint, hint_zh = f" (known keys: {listed})", f"（可用的键：{listed}）"
    return Problem("schema.unknown_key", f"unknown key{hint}", f"未知的键{hint_zh}", loc)


def _kind(value: Any) -> str:
    """What a value is, as an analyst would call it."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "text"
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


def _fields_at(model: type[BaseModel], loc: Loc) -> set[str]:
    """The keys (aliases where given) of the model reached by following ``loc`` from ``model``."""
    annotation: Any = model
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return set()
    found = _model_in(annotation)
    if found is None:
        return set()
    return {info.alias or name for name, info in found.model_fields.items()}


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of what ``part`` reaches inside a value of type ``annotation``."""
    found = _model_in(annotation)
    if found is not None:
        for name, info in found.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    for candidate in _members(annotation):
        origin, args = typing.get_origin(candidate), typing.get_args(candidate)
        if origin is list and isinstance(part, int) and args:
            return args[0]
        if origin is dict and len(args) == 2:
            return args[1]
    return None


def _members(annotation: Any) -> tuple[Any, ...]:
    """The members of a union annotation, or the annotation itself."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return typing.get_args(annotation)
    return (annotation,)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class an annotation is, or that a union like ``Fonts | None`` holds."""
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
