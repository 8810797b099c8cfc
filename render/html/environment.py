"""HTML stage: the Jinja environment (house templates first, built-ins last) and page rendering."""

from __future__ import annotations

import gettext
import os
import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tinycss2
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    Undefined,
    select_autoescape,
)
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup
from pydantic import BaseModel

from render.context.marks import MARK, source_mark
from render.errors import UserError
from render.html.filters import locale_filters
from render.load.houses import HouseProfile
from render.pdf.confine import Confinement, Refused
from render.report import display_path
from render.settings import Settings
from schemas.problems import Problem
from schemas.rules import Text
from schemas.rules.rendering import RESOURCE, SANDBOX, TEMPLATE


def template_names(profile: HouseProfile, builtin: Path) -> list[str]:
    """Templates a note may name: pages, not partials (``_x.html``) or the skeleton.

    ``builtin`` is the folder of built-in templates (``Settings.templates``), as everywhere here.
    """
    names = set()
    for folder in (profile.templates, builtin):
        if folder.is_dir():
            names |= {
                p.stem
                for p in folder.glob("*.html")
                if not p.name.startswith("_") and p.stem != "base"
            }
    return sorted(names)


#: Jinja's own filters a house template may use: shaping text and lists. Left out are those that
#: make a huge text from a small one in one call (center, indent, format, wordwrap, slice's loop),
#: print an object's insides (pprint, tojson), write markup unescaped (safe, urlize, xmlattr) or
#: are never the same twice (random).
JINJA_FILTERS = frozenset(
    {
        *("abs", "attr", "batch", "capitalize", "count", "d", "default", "dictsort", "e"),
        *("escape", "first", "float", "forceescape", "groupby", "int", "items", "join", "last"),
        *("length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace"),
        *("reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum"),
        *("title", "trim", "truncate", "unique", "upper", "wordcount"),
    }
)
#: Methods of a text that pad it to a width the template names: one call, a gigabyte.
PADDING_METHODS = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"}
)
#: Items (or characters) one operator may make; a whole note is some 10^4 characters.
MAX_SEQUENCE = 1_000_000
#: Bits of an integer ``**`` may make, and the widest field a ``%`` format may pad to.
MAX_POWER_BITS = 100_000
MAX_FORMAT_WIDTH = 1_000
#: A ``%`` conversion's width and precision (``*`` takes them from the arguments).
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
#: A reference in a house template that is a file, not an expression, a fragment or a data URI.
_ASSET = r"(?!data:|#)([^\"'{}<>\\\s()]+)"
_HOUSE_REFERENCES = re.compile(
    rf"(?P<src>\bsrc\s*=\s*)(?P<q1>[\"']){_ASSET}(?P=q1)"
    rf"|(?P<url>\burl\(\s*)(?P<q2>[\"']?){_ASSET}(?P=q2)(?P<end>\s*\))",
    re.IGNORECASE,
)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, stricter: a template reaches data, never Python, files or hosts.

    An unsafe attribute fails where it is written, instead of becoming an undefined value that
    ``{% set %}`` or ``{% if %}`` would let pass silently. A pydantic model shows its fields and
    nothing else (its methods parse files and build new models). Operators that could make a
    gigabyte from a few characters are bounded.
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, BaseModel):
            return attr in type(obj).model_fields
        return not (isinstance(obj, str) and attr in PADDING_METHODS)

    def wrap_str_format(self, value: Any) -> None:
        # ``"{:>999999999}".format(x)`` pads as ``center`` does; templates have filters instead.
        return None

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise Forbidden(
            Text(
                "access to attribute {attribute} of {kind} object is unsafe",
                attribute=repr(attribute),
                kind=repr(type(obj).__name__),
            )
        )

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    _bound(len(sequence) * times, MAX_SEQUENCE, Text("a repeated sequence"))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            bits = abs(right) * max(abs(left).bit_length(), 1)
            _bound(bits, MAX_POWER_BITS, Text("a power's bits"))
        elif operator == "%" and isinstance(left, str):
            for match in _PERCENT_SPEC.finditer(left):
                for size in match.groups():
                    if size == "*":
                        raise Forbidden(
                            Text("a printf-style format takes its width from its arguments")
                        )
                    _bound(int(size or 0), MAX_FORMAT_WIDTH, Text("a printf-style format's width"))
        return super().call_binop(context, operator, left, right)


class Forbidden(SecurityError):
    """What the sandbox refuses, saying why in words a problem translates (:attr:`reason`);
    ``str()`` of it is the English, as Jinja's own refusals are."""

    def __init__(self, reason: Text) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _bound(size: int, limit: int, what: Text) -> None:
    if size > limit:
        raise Forbidden(
            Text(
                "{what} would be {size}, over the sandbox's limit of {limit}",
                what=what,
                size=size,
                limit=limit,
            )
        )


def _range(*args: int) -> range:
    """Jinja's sandboxed ``range``, failing as a sandbox violation rather than an overflow."""
    numbers = range(*args)
    _bound(len(numbers), MAX_RANGE, Text("a range's length"))
    return numbers


class _Folder(FileSystemLoader):
    """Templates of one folder only: a symlink that leads out of it is refused, not followed.

    (Names with ``..`` never leave it: Jinja refuses them before looking.) In the house's
    folder, a relative ``src="…"`` or ``url(…)`` is made an ``asset()`` call, so it names a file
    of the house, as its author means, and not of each note's folder.
    """

    def __init__(self, folder: Path, house: bool) -> None:
        super().__init__(str(folder))
        self.folder = folder.resolve()
        self.house = house

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.folder):
            error = Forbidden(
                Text("the template {template} leads outside its folder", template=repr(template))
            )
            error.filename = filename  # type: ignore[attr-defined]
            raise error
        return (_house_references(source) if self.house else source), filename, uptodate


def _house_references(source: str) -> str:
    """A house template with each file reference it writes made an ``asset()`` call.

    >>> _house_references('<img src="seal.png">')
    '<img src="{{ asset("seal.png") }}">'
    >>> _house_references('<p style="background: url(bg.png)">')
    '<p style="background: url({{ asset("bg.png") }})">'
    """

    def call(match: re.Match[str]) -> str:
        if match["src"] is not None:
            mark = match["q1"]
            return f'{match["src"]}{mark}{{{{ asset("{match[3]}") }}}}{mark}'
        mark = match["q2"]
        return f'{match["url"]}{mark}{{{{ asset("{match[6]}") }}}}{mark}{match["end"]}'

    return _HOUSE_REFERENCES.sub(call, source)


def environment(
    profile: HouseProfile,
    locale: str,
    translations: gettext.NullTranslations,
    templates: Path | None = None,
) -> Environment:
    """A sandboxed Jinja environment for one house and locale.

    A house's ``templates/`` folder is searched before the built-in templates, and
    ``default:NAME`` always reaches the built-in one, so an override can extend the original and
    change a single block. Built-in and house templates alike run in the sandbox, with the
    filters and globals below and nothing else.
    """
    builtin = _Folder(templates or Settings().templates, house=False)
    search: list[BaseLoader] = [_Folder(profile.templates, house=True)]
    env = Sandbox(
        loader=ChoiceLoader(
            [
                PrefixLoader({"default": builtin}, delimiter=":"),
                *(search if profile.templates.is_dir() else []),
                builtin,
            ]
        ),
        autoescape=select_autoescape(["html", "css"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    # Jinja's lipsum, cycler, joiner, namespace and dict serve no template: gone. ``range`` stays,
    # bounded by the sandbox to MAX_RANGE (100,000) items.
    for name in ("lipsum", "cycler", "joiner", "namespace", "dict"):
        del env.globals[name]
    env.globals["range"] = _range
    env.globals["asset"] = _asset(profile.folder)
    env.globals["written_at"] = _written_at
    env.filters = {name: env.filters[name] for name in sorted(JINJA_FILTERS)}
    env.filters.update(locale_filters(locale))
    return env


def _written_at(*loc: str | int) -> Markup:
    """The attribute that marks an element as printing the note's field ``loc`` (``title``,
    ``analysts, 0``): the check after layout fails the note at that field if it is not printed."""
    return Markup(' {}="{}"').format(MARK, source_mark(loc, 0))


def _asset(folder: Path) -> Callable[[str], str]:
    def asset(reference: str) -> str:
        """A file of the house folder, inlined as a data URI (so HTML output stands alone)."""
        return Confinement(folder).data_uri(str(reference), folder)

    return asset


def stylesheet(profile: HouseProfile, templates: Path) -> Markup:
    """The built-in stylesheet followed by the house's own, which may override any rule.

    A relative ``url()`` in the house's stylesheet names a file of the house folder, so each is
    inlined from there (a data URI), and one that leaves the house folder, is on the network or
    is missing is a problem located in ``style.css``; ``@import`` is refused the same way.
    It goes inside ``<style>``, where HTML escapes are not decoded, so it is marked safe; the
    one sequence that could close the element early is neutralised instead.
    """
    css = (templates / "style.css").read_text(encoding="utf-8")
    if profile.stylesheet.is_file():
        house = profile.stylesheet.read_text(encoding="utf-8")
        css += "\n/* house style.css */\n" + _inline_urls(house, profile)
    return Markup(css.replace("</", "<\\/"))


def _inline_urls(css: str, profile: HouseProfile) -> str:
    """The house's stylesheet with every ``url()`` a data URI of a file of the house folder."""
    confinement = Confinement(profile.folder)
    problems: list[Problem] = []

    def refuse(token: Any, what: Text, why: Text) -> None:
        problems.append(
            RESOURCE(
                what=what,
                why=why,
                path=display_path(profile.stylesheet),
                line=token.source_line,
                column=token.source_column,
            )
        )

    def inline(token: Any, reference: str) -> str:
        if reference.startswith(("data:", "#")):
            return reference
        try:
            return confinement.data_uri(reference, profile.folder)
        except Refused as exc:
            refuse(token, Text("the house stylesheet's url() is refused"), exc.reason)
            return reference

    def walk(tokens: list[Any]) -> None:
        for token in tokens:
            # A token serialises as written (its representation): both are replaced. A data URI
            # has no quote or backslash to escape.
            if isinstance(token, tinycss2.ast.URLToken):
                token.value = inline(token, token.value)
                token.representation = f'url("{token.value}")'
            elif isinstance(token, tinycss2.ast.FunctionBlock) and token.lower_name == "url":
                strings = [t for t in token.arguments if isinstance(t, tinycss2.ast.StringToken)]
                for string in strings:
                    string.value = inline(string, string.value)
                    string.representation = f'"{string.value}"'
            elif isinstance(token, tinycss2.ast.AtKeywordToken) and token.lower_value == "import":
                refuse(
                    token,
                    Text("the house stylesheet cannot @import another file"),
                    Text("put its rules in style.css"),
                )
            for attr in ("content", "arguments"):
                if isinstance(getattr(token, attr, None), list):
                    walk(getattr(token, attr))

    tokens = tinycss2.parse_component_value_list(css)
    walk(tokens)
    if problems:
        raise UserError(problems)
    return str(tinycss2.serialize(tokens))


def template_files(profile: HouseProfile, templates: Path) -> tuple[str, ...]:
    """The template files an environment can find; when the set changes, so must the environment.

    Jinja re-checks a template it has loaded, but never notices a new file that would now shadow
    it (a house override added while a preview server or batch worker runs).
    """
    folders = [templates, profile.templates]
    return tuple(sorted(str(p) for f in folders if f.is_dir() for p in f.rglob("*.html")))


def render_html(
    env: Environment, template: str, context: dict[str, Any], profile: HouseProfile
) -> str:
    """Render a page template.

    A house template that fails (bad syntax, a misspelt variable, a filter called wrongly) is the
    house author's mistake:
    it becomes a problem located at the template's line. A built-in template that fails is a
    bug in render, and the exception goes on.
    """
    try:
        return env.get_template(f"{template}.html").render(context)
    except (
        TemplateError,
        Refused,
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        RecursionError,
    ) as exc:
        # Besides Jinja's own errors, a house template can call a filter or method wrongly,
        # recurse without end, break out of the sandbox or name a file it may not have;
        # whose mistake it is depends on which template the failing frame is in.
        path, line = _template_position(exc)
        if path is None or not _in_folder(Path(path), profile.templates):
            raise
        raise UserError([_failed(exc, display_path(Path(path)), line or 0)]) from None


def _failed(exc: Exception, path: str, line: int) -> Problem:
    """A house template's failure as the problem of its kind, at the template's line."""
    where = {"path": path, "line": line, "column": 1 if line else 0}
    # Render's own refusals say why in words that translate; Jinja's and Python's are English.
    reason = exc.reason if isinstance(exc, Forbidden | Refused) else str(exc)
    # A sandbox refusal is named as Jinja names its own, whichever of the two made it.
    kind = SecurityError.__name__ if isinstance(exc, Forbidden) else type(exc).__name__
    failure = Text("{kind}: {error}", kind=kind, error=reason)
    if isinstance(exc, SecurityError):
        return SANDBOX(failure=failure, **where)
    if isinstance(exc, Refused):
        return RESOURCE(
            what=Text("the house template names a file it may not use"), why=failure, **where
        )
    return TEMPLATE(
        problem=Text("the house template cannot be rendered: {failure}", failure=failure), **where
    )


def _in_folder(path: Path, folder: Path) -> bool:
    """Whether a template file is in a folder, by its name (a symlink leading out still counts)."""
    return Path(os.path.normpath(path.absolute())).is_relative_to(folder.resolve())


def _template_position(exc: Exception) -> tuple[str | None, int | None]:
    """Where a template failed: the error's own place, or the last template frame."""
    path, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if path and line:
        return path, line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return path, None


__all__ = ["environment", "render_html", "stylesheet", "template_names"]
