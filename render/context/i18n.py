"""Message catalogs for template labels (Babel ``.po``/``.mo`` files, ``Settings.catalogs``)."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from render.settings import Settings

DOMAIN = "messages"


def available_locales(catalogs: Path | None = None) -> list[str]:
    """Locales with a catalog in a folder of catalogs (default: render's own)."""
    catalogs = catalogs or Settings().catalogs
    return sorted(
        p.name for p in catalogs.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    )


def translations(locale: str, catalogs: Path | None = None) -> gettext.NullTranslations:
    """A locale's catalog from a folder of catalogs (default: render's own), once per process:
    the compiled ``.mo`` when it is up to date, else the ``.po`` compiled in memory.

    An installed render ships the ``.po`` only (the ``.mo`` are build products, left out of
    git), so it reads them this way; a checkout's ``make catalogs`` saves that step.
    """
    return _translations(catalogs or Settings().catalogs, locale)


@cache
def _translations(catalogs: Path, locale: str) -> gettext.NullTranslations:
    folder = catalogs / locale / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return Translations.load(str(catalogs), [locale], DOMAIN)
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, DOMAIN)
