"""Rules, their messages and the registry of them; the messages translated at output time.

A rule is declared once, here, with its English message as a gettext message id with named
parameters (``"{value} is not a SAC certificate number"``). Code that finds a problem calls
the rule with the parameters; the :class:`~schemas.problems.Problem` carries the code and the
parameters, never text. Text is made when a problem is printed, in the reader's locale, from
the ``problems`` catalogs (``render/locale/<locale>/LC_MESSAGES/problems.po``): a third
language is a catalog file, no code. ``docs/rules.md`` is generated from this registry.

Parameters may be plain values (formatted with the message's format spec), :class:`Quoted`
values from the note (quoted in the locale's marks), or :class:`Text` — words that are
translated too, each a message id of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemas.problems import Loc, Problem, Severity, visible

if TYPE_CHECKING:
    from pydantic_core import PydanticCustomError

#: Translates one message id; the identity gives English, the language message ids are in.
Translate = Callable[[str], str]


def english(msgid: str) -> str:
    return msgid


def phrase(msgid: str) -> str:
    """Mark a message id for the ``problems`` catalogs without translating it now."""
    return msgid


@dataclass(frozen=True)
class Text:
    """Words translated when printed: an English message id and its named parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __init__(self, msgid: str, /, **params: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", params)

    def render(self, translate: Translate = english) -> str:
        return fill(self.msgid, self.params, translate)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Quoted:
    """A value from the user's files, quoted in the locale's marks, control characters escaped
    and long text shortened."""

    value: Any
    limit: int = 40

    def render(self, translate: Translate = english) -> str:
        text = str(self.value)
        if len(text) > self.limit:
            text = text[: self.limit - 1] + "…"
        return translate(QUOTE).format(text="".join(visible(char) for char in text))

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Localized:
    """Words the user's files give in several locales (a house's ``{zh_CN: …, en_US: …}``),
    printed in the reader's: no catalog can translate them, the house already has."""

    texts: Mapping[str, str] = field(hash=False)

    def render(self, translate: Translate = english) -> str:
        locale = str(getattr(translate, "locale", "en_US"))
        language = locale.split("_")[0]
        for key in (locale, *(k for k in self.texts if k.split("_")[0] == language), "en_US"):
            if key in self.texts:
                return self.texts[key]
        return next(iter(self.texts.values()), "")

    def __str__(self) -> str:
        return self.render()


#: How a quoted value looks: English ``'S0340'``, Chinese ``“S0340”``.
QUOTE = phrase("'{text}'")


def fill(msgid: str, params: Mapping[str, Any], translate: Translate = english) -> str:
    """A message id translated and filled in; a translation that does not fit its parameters
    (a typo in a catalog) falls back to the English rather than losing the problem."""
    values = {
        key: value.render(translate) if isinstance(value, Text | Quoted | Localized) else value
        for key, value in params.items()
    }
    try:
        return translate(msgid).format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return msgid.format(**values)


@dataclass(frozen=True)
class Section:
    """A part of ``docs/rules.md``: the rules of one stage."""

    title: str
    intro: str = ""


@dataclass(frozen=True)
class Rule:
    """One rule: its code, its usual severity, its message id and what it means (for the docs)."""

    code: str
    message: str
    section: Section
    about: str
    severity: Severity = Severity.ERROR
    #: Shown in the docs' severity column where the rule's problems vary ("error or warning").
    severity_text: str = ""

    def __post_init__(self) -> None:
        if self.code in RULES:
            raise ValueError(f"rule {self.code} is declared twice")
        RULES[self.code] = self

    def __call__(
        self,
        loc: Loc = (),
        *,
        severity: Severity | None = None,
        offset: int | None = None,
        path: str = "",
        line: int = 0,
        column: int = 0,
        **params: Any,
    ) -> Problem:
        """A problem breaking this rule, at ``loc``, with the message's parameters."""
        return Problem(
            self.code,
            params,
            tuple(loc),
            severity or self.severity,
            path,
            line,
            column,
            offset=offset,
        )

    def error(self, **params: Any) -> PydanticCustomError:
        """The rule as a pydantic error, for a validator to raise; located by pydantic."""
        from pydantic_core import PydanticCustomError

        # Pydantic fills ``{name}`` in the template from the context; validation reads the
        # code and the context back, so the English here is only pydantic's own account.
        return PydanticCustomError(self.code, fill(self.message, params), params)


#: Every rule by its code, in the order declared (the order of ``docs/rules.md``).
RULES: dict[str, Rule] = {}


def message(problem: Problem, translate: Translate = english) -> str:
    """A problem's message in the language ``translate`` gives (English by default)."""
    rule = RULES.get(problem.code)
    template = rule.message if rule is not None else "{message}"
    return fill(template, problem.params, translate)
