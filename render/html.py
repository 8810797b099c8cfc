"""HTML stage: the Jinja environment (house templates first, built-ins last) and page rendering."""

from __future__ import annotations

import gettext
import traceback
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from markupsafe import Markup

from render.errors import UserError
from render.filters import locale_filters
from render.houses import BUILTIN_TEMPLATES, HouseProfile
from render.report import display_path
from schemas.problems import Problem


def template_names(profile: HouseProfile) -> list[str]:
    """Templates a note may name: pages, not partials (``_x.html``) or the skeleton."""
    names = set()
    for folder in (profile.templates, BUILTIN_TEMPLATES):
        if folder.is_dir():
            names |= {
                p.stem
                for p in folder.glob("*.html")
                if not p.name.startswith("_") and p.stem != "base"
            }
    return sorted(names)


def environment(
    profile: HouseProfile, locale: str, translations: gettext.NullTranslations
) -> Environment:
    """A Jinja environment for one house and locale.

    A house's ``templates/`` folder is searched before the built-in templates, and
    ``default:NAME`` always reaches the built-in one, so an override can extend the original and
    change a single block.
    """
    search = [str(profile.templates)] if profile.templates.is_dir() else []
    builtin = FileSystemLoader(str(BUILTIN_TEMPLATES))
    env = Environment(
        loader=ChoiceLoader(
            [
                PrefixLoader({"default": builtin}, delimiter=":"),
                FileSystemLoader([*search, str(BUILTIN_TEMPLATES)]),
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
    env.filters.update(locale_filters(locale))
    return env


def stylesheet(profile: HouseProfile) -> Markup:
    """The built-in stylesheet followed by the house's own, which may override any rule.

    It goes inside ``<style>``, where HTML escapes are not decoded, so it is marked safe; the
    one sequence that could close the element early is neutralised instead.
    """
    css = (BUILTIN_TEMPLATES / "style.css").read_text(encoding="utf-8")
    if profile.stylesheet.is_file():
        css += "\n/* house style.css */\n" + profile.stylesheet.read_text(encoding="utf-8")
    return Markup(css.replace("</", "<\\/"))


def template_files(profile: HouseProfile) -> tuple[str, ...]:
    """The template files an environment can find; when the set changes, so must the environment.

    Jinja re-checks a template it has loaded, but never notices a new file that would now shadow
    it (a house override added while a preview server or batch worker runs).
    """
    folders = [BUILTIN_TEMPLATES, profile.templates]
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
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        # Besides Jinja's own errors, a house template can call a filter or method wrongly;
        # whose mistake it is depends on which template the failing frame is in.
        path, line = _template_position(exc)
        if path is None or not Path(path).resolve().is_relative_to(profile.templates.resolve()):
            raise
        raise UserError(
            [
                Problem(
                    "render.template",
                    f"the house template cannot be rendered: {type(exc).__name__}: {exc}",
                    f"机构模板无法渲染：{type(exc).__name__}: {exc}",
                    path=display_path(Path(path)),
                    line=line or 0,
                    column=1 if line else 0,
                )
            ]
        ) from None


def _template_position(exc: Exception) -> tuple[str | None, int | None]:
    """Where a template failed: the error's own place, or the last template frame."""
    path, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if path and line:
        return path, line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return None, None


__all__ = ["environment", "render_html", "stylesheet", "template_names"]
