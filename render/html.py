"""HTML stage: the Jinja environment (house templates first, built-ins last) and page rendering."""

from __future__ import annotations

import gettext
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

from render.filters import locale_filters
from render.houses import BUILTIN_TEMPLATES, HouseProfile


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


def render_html(env: Environment, template: str, context: dict[str, Any]) -> str:
    """Render a page template; a missing template raises :class:`TemplateNotFound`."""
    return env.get_template(f"{template}.html").render(context)


__all__ = ["TemplateNotFound", "environment", "render_html", "stylesheet", "template_names"]
