"""Message catalogs for template labels (Babel ``.po``/``.mo`` files, ``Settings.catalogs``)."""

from __future__ import annotations

import gettext
from functools import lru_cache
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


def catalog_file(locale: str, catalogs: Path | None = None) -> Path | None:
    """The file :func:`translations` reads for a locale: the compiled ``.mo``, or the ``.po``
    when the set-up has not compiled it (or it was edited since); None if there is neither.

    An installed render ships the ``.po`` only (the ``.mo`` are build products, left out of
    git), so it reads them; a checkout's ``make catalogs`` saves compiling them in memory.
    """
    folder = (catalogs or Settings().catalogs) / locale / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo
    return po if po.is_file() else None


def translations(locale: str, catalogs: Path | None = None) -> gettext.NullTranslations:
    """A locale's catalog from a folder of catalogs (default: render's own), loaded again
    whenever its file changes: a long-lived worker or preview renders with the catalog that is
    on disk, the one the build's manifest records."""
    path = catalog_file(locale, catalogs)
    try:
        st = path.stat() if path is not None else None
    except OSError:
        st = None
    # The stat signature is the cache key: an edited or recompiled catalog is a new entry.
    signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if st else None
    return _load(locale, path if signature else None, signature)


@lru_cache(maxsize=16)
def _load(
    locale: str, path: Path | None, signature: tuple[int, ...] | None
) -> gettext.NullTranslations:
    if path is None:
        return gettext.NullTranslations()
    if path.suffix == ".mo":
        with path.open("rb") as handle:
            return Translations(handle, DOMAIN)
    # Compiled in memory, so a fresh checkout renders the same labels.
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, DOMAIN)
