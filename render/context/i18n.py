"""Message catalogs: template labels (``messages``) and problem messages (``problems``)."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from render.settings import Settings

#: The labels documents print; a change to these changes the outputs (the manifest records them).
DOMAIN = "messages"
#: The messages of problems, by rule (``schemas.rules``); English is their message ids.
PROBLEMS = "problems"


def available_locales(catalogs: Path | None = None, domain: str = DOMAIN) -> list[str]:
    """Locales with a catalog in a folder of catalogs (default: render's own)."""
    catalogs = catalogs or Settings().catalogs
    return sorted(
        p.name for p in catalogs.iterdir() if (p / "LC_MESSAGES" / f"{domain}.po").is_file()
    )


def problem_locales(catalogs: Path | None = None) -> list[str]:
    """The languages problems can be printed in: English, and each locale with a catalog."""
    return ["en", *available_locales(catalogs, PROBLEMS)]


def problem_locale(lang: str, catalogs: Path | None = None) -> str | None:
    """The locale of problem messages a ``--lang`` value asks for, or None if there is none.

    ``zh``, ``zh-CN`` and ``zh_cn`` all find ``zh_CN``; ``en`` and ``en_US`` are English.
    """
    wanted = lang.strip().replace("-", "_").casefold()
    known = problem_locales(catalogs)
    for locale in known:
        if locale.casefold() == wanted:
            return locale
    language = wanted.split("_")[0]
    matches = [locale for locale in known if locale.split("_")[0].casefold() == language]
    return matches[0] if matches and language else None


class Translator:
    """A catalog's ``gettext`` that knows its locale, for texts a house gives per locale."""

    def __init__(self, locale: str, gettext: Callable[[str], str]) -> None:
        self.locale, self._gettext = locale, gettext

    def __call__(self, msgid: str) -> str:
        return self._gettext(msgid)


def translator(lang: str, catalogs: Path | None = None) -> Callable[[str], str]:
    """How problem messages are translated for ``lang``: its catalog's ``gettext``.

    English needs none (the rules' messages are English); an unknown language gets English
    rather than no message (the command line refuses it before this is asked).
    """
    locale = problem_locale(lang, catalogs)
    if locale is None or locale == "en":
        return Translator("en_US", str)
    return Translator(locale, translations(locale, catalogs, PROBLEMS).gettext)


def catalog_file(locale: str, catalogs: Path | None = None, domain: str = DOMAIN) -> Path | None:
    """The file :func:`translations` reads for a locale: the compiled ``.mo``, or the ``.po``
    when the set-up has not compiled it (or it was edited since); None if there is neither.

    An installed render ships the ``.po`` only (the ``.mo`` are build products, left out of
    git), so it reads them; a checkout's ``make catalogs`` saves compiling them in memory.
    """
    folder = (catalogs or Settings().catalogs) / locale / "LC_MESSAGES"
    mo, po = folder / f"{domain}.mo", folder / f"{domain}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo
    return po if po.is_file() else None


def translations(
    locale: str, catalogs: Path | None = None, domain: str = DOMAIN
) -> gettext.NullTranslations:
    """A locale's catalog from a folder of catalogs (default: render's own), loaded again
    whenever its file changes: a long-lived worker or preview renders with the catalog that is
    on disk, the one the build's manifest records."""
    path = catalog_file(locale, catalogs, domain)
    try:
        st = path.stat() if path is not None else None
    except OSError:
        st = None
    # The stat signature is the cache key: an edited or recompiled catalog is a new entry.
    signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if st else None
    return _load(locale, path if signature else None, signature, domain)


@lru_cache(maxsize=16)
def _load(
    locale: str, path: Path | None, signature: tuple[int, ...] | None, domain: str
) -> gettext.NullTranslations:
    if path is None:
        return gettext.NullTranslations()
    if path.suffix == ".mo":
        with path.open("rb") as handle:
            return Translations(handle, domain)
    # Compiled in memory, so a fresh checkout renders the same labels.
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain)
