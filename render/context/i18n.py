"""Message catalogs for template labels (Babel ``.po``/``.mo`` files under ``render/locale``)."""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"


def available_locales() -> list[str]:
    """Locales with a catalog."""
    return sorted(
        p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    )


def catalog_file(locale: str) -> Path | None:
    """The file :func:`translations` reads for a locale: the compiled ``.mo``, or the ``.po``
    when the set-up has not compiled it (or it was edited since); None if there is neither."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo
    return po if po.is_file() else None


def translations(locale: str) -> gettext.NullTranslations:
    """The catalog for a locale, loaded again whenever its file changes: a long-lived worker or
    preview renders with the catalog that is on disk, the one the build's manifest records."""
    path = catalog_file(locale)
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
