"""Validate stage: run the pydantic models and turn every error into a plain, bilingual problem."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from schemas.problems import Loc, Problem, ProblemLog, Severity, value_at
from schemas.rules import RULES, Quoted, Text, phrase
from schemas.rules import note as rules

Model = TypeVar("Model", bound=BaseModel)

#: pydantic error types in words an analyst can act on, each a phrase of the ``problems``
#: catalogs. Parameters: ``{input}`` the value given, quoted; ``{kind}`` what it is; any key
#: of the error's context (``{ge}``, ``{expected}``…).
MESSAGES: dict[str, str] = {
    "missing": phrase("required key is missing"),
    "string_type": phrase("must be text, not {kind}{quote_hint}"),
    "int_type": phrase("must be a whole number, not {kind}"),
    "int_parsing": phrase("{input} is not a whole number"),
    "int_from_float": phrase("{input} is not a whole number"),
    "float_type": phrase("must be a number, not {kind}"),
    "float_parsing": phrase("{input} is not a number"),
    "bool_type": phrase("must be true or false, not {kind}"),
    "bool_parsing": phrase("{input} is not true or false"),
    "list_type": phrase("must be a list (items starting with '- '), not {kind}"),
    "dict_type": phrase("must be a mapping of keys to values, not {kind}"),
    "model_type": phrase("must be a mapping of keys to values, not {kind}"),
    "model_attributes_type": phrase("must be a mapping of keys to values, not {kind}"),
    "too_short": phrase("must not be empty"),
    "string_too_short": phrase("must not be empty"),
    "string_unicode": phrase("contains text that is not valid Unicode"),
    "too_long": phrase("has too many items (at most {max_length})"),
    "string_too_long": phrase("is too long (at most {max_length} characters)"),
    "date_type": phrase("must be a date written YYYY-MM-DD, not {kind}"),
    "date_parsing": phrase("{input} is not a real date ({error})"),
    "date_from_datetime_parsing": phrase("{input} is not a real date ({error})"),
    "date_from_datetime_inexact": phrase("must be a date without a time of day"),
    "literal_error": phrase("{input} is not allowed: write {expected}"),
    "string_pattern_mismatch": phrase("{input} is not {pattern}"),
    "greater_than_equal": phrase("must be at least {ge}"),
    "greater_than": phrase("must be more than {gt}"),
    "less_than_equal": phrase("must be at most {le}"),
    "less_than": phrase("must be less than {lt}"),
}

#: An error type of pydantic's that :data:`MESSAGES` does not word: pydantic's own English.
UNWORDED = phrase("{pydantic_message}")

#: A text that is either one string or one string per locale, and is neither.
UNION_MESSAGE = phrase("must be text, or one text per locale (zh_CN: …, en_US: …), not {kind}")

#: The forms a pattern asks for, in words.
PATTERNS: dict[str, str] = {
    r"^[a-z]{2}_[A-Z]{2}$": phrase("a locale code like zh_CN or en_US"),
    r"^R[1-9]$": phrase("a risk level code R1 to R9"),
    r"^\d{4}$": phrase("a firm code of 4 digits (in quotes, so that leading zeros stay)"),
}

#: What a value is, as an analyst would call it (see :func:`_kind`).
KINDS: frozenset[str] = frozenset(
    {
        phrase("text"),
        phrase("a number"),
        phrase("a list"),
        phrase("a mapping"),
        phrase("true/false"),
        phrase("empty (null)"),
        phrase("a date"),
    }
)

#: What a number given for a text should be written as.
QUOTE_HINT = Text(" (put it in quotes)")


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
                what = Text(UNION_MESSAGE, kind=_kind_text(value))
                problems.append(rules.TYPE(loc, what=what))
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
    if kind in RULES:  # one of ours, raised by a validator with the rule's parameters
        return Problem(kind, ctx, loc, RULES[kind].severity)
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    value = error.get("input")
    kind_text = _kind_text(value)
    pattern = str(ctx.get("pattern", ""))
    expected = str(ctx.get("expected", ""))
    params: dict[str, Any] = {
        **{key: str(v) for key, v in ctx.items()},
        "input": Quoted(value),
        "kind": kind_text,
        "pattern": (
            Text(PATTERNS[pattern])
            if pattern in PATTERNS
            else Text("in the form {pattern}", pattern=pattern)
        ),
        "expected": _alternatives(expected),
        "error": str(ctx.get("error", error["msg"])),
        "quote_hint": QUOTE_HINT if _kind(value) == "a number" else "",
    }
    if kind in MESSAGES:
        what = Text(MESSAGES[kind], **params)
    else:
        what = Text(UNWORDED, pydantic_message=error["msg"], type=kind)
    if kind == "missing":
        rule = rules.MISSING
    elif kind in ("too_short", "string_too_short"):
        rule = rules.EMPTY
    elif kind.startswith("date_"):
        rule = rules.DATE
    else:
        rule = rules.TYPE
    return rule(loc, what=what)


def _alternatives(expected: str) -> Text | str:
    """pydantic's list of allowed values (``'a', 'b' or 'c'``), its last "or" translated."""
    first, sep, last = expected.rpartition(" or ")
    return Text("{first} or {last}", first=first, last=last) if sep else expected


def _unknown_key(model: type[BaseModel], loc: Loc) -> Problem:
    """An unknown key, with the known key it most likely misspells (or the list of them)."""
    known = sorted(_fields_at(model, loc[:-1]))
    key = str(loc[-1])
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    if not guess:
        folded = {name.casefold(): name for name in known}
        guess = [folded[key.casefold()]] if key.casefold() in folded else []
    if guess:
        hint = rules.did_you_mean(guess[0])
    else:
        hint = rules.known_keys(", ".join(name for name in known if not name.startswith("$")))
    return rules.UNKNOWN_KEY(loc, hint=hint)


def _kind_text(value: Any) -> Text | str:
    """What a value is, in words translated when printed (a type's name as it is)."""
    kind = _kind(value)
    return Text(kind) if kind in KINDS else kind


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
