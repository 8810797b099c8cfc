"""Keep a render inside its folders: resources come only from the note's and the house's folders.

Rendering never opens a network connection and never reads a file elsewhere on the machine,
whatever a note or a house template asks for; both the image check at validation and WeasyPrint's
``url_fetcher`` go through :class:`Confinement`.
"""

from __future__ import annotations

import functools
import mimetypes
from base64 import b64encode
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from schemas.rules import Quoted, Text


class Refused(ValueError):
    """A resource reference that points outside the allowed folders or at the network.

    ``str()`` of it says why in English; :attr:`reason` is the same words, to be translated
    where a problem prints them.
    """

    def __init__(self, reason: Text) -> None:
        super().__init__(str(reason))
        self.reason = reason


class Confinement:
    """The folders a render may read from, and the checks every reference goes through."""

    def __init__(self, *roots: Path) -> None:
        self.roots = tuple(root.resolve() for root in roots)

    def resolve(self, reference: str, base: Path) -> Path:
        """The file a reference names, if it is inside a root; raise :class:`Refused` otherwise.

        Relative references are read from ``base``; symlinks are followed before the check, so a
        link that leads out of the folder is refused too.
        """
        shown = Quoted(reference, 80)
        parts = urlsplit(reference)
        scheme = parts.scheme.lower()
        # A file URL naming a host is a remote share: urllib would look the host up (a DNS query)
        # before refusing it, or fetch it over FTP.
        remote_file = scheme == "file" and parts.netloc.lower() not in ("", "localhost")
        if scheme in ("http", "https", "ftp", "ftps") or reference.startswith("//") or remote_file:
            raise Refused(
                Text(
                    "{reference} is on the network; rendering never fetches from it",
                    reference=shown,
                )
            )
        if scheme == "file":
            target = Path(unquote(parts.path))
        elif scheme and len(scheme) > 1:
            raise Refused(
                Text(
                    "{reference} uses the unsupported scheme {scheme}",
                    reference=shown,
                    scheme=Quoted(f"{scheme}:"),
                )
            )
        else:
            target = base / unquote(parts.path)
        resolved = target.resolve()
        if not any(resolved.is_relative_to(root) for root in self.roots):
            raise Refused(
                Text("{reference} is outside the note's and the house's folders", reference=shown)
            )
        if not resolved.is_file():
            raise Refused(Text("{reference} does not exist", reference=shown))
        return resolved

    def data_uri(self, reference: str, base: Path) -> str:
        """The referenced file inlined as a ``data:`` URI, so HTML output stands alone."""
        path = self.resolve(reference, base)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"data:{kind};base64,{b64encode(path.read_bytes()).decode('ascii')}"

    def fetcher(self) -> Any:
        """WeasyPrint's URL fetcher for this confinement (a :class:`ConfinedFetcher`)."""
        return _fetcher_class()(self)


@functools.cache
def _fetcher_class() -> type:
    """The fetcher class, made on first use: the image check and ``render check`` use this
    module without laying anything out, and WeasyPrint's import is most of a second."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ConfinedFetcher(URLFetcher):
        """WeasyPrint's fetcher, limited to ``data:`` URIs and files inside the confinement."""

        def __init__(self, confinement: Confinement) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.confinement = confinement

        def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
            if not url.startswith("data:"):
                try:
                    self.confinement.resolve(url, Path("/"))
                except Refused as exc:
                    raise FatalURLFetchingError(str(exc)) from exc
            return super().fetch(url, headers)

    ConfinedFetcher.__module__ = __name__
    return ConfinedFetcher


def __getattr__(name: str) -> Any:
    # ``ConfinedFetcher`` is still importable from here, built when first asked for.
    if name == "ConfinedFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def note_data_file(reference: str, folder: Path) -> Path:
    """The data file a note names (prices, a chart's CSV, a forecast's YAML), inside its folder.

    Raises :class:`Refused` as :meth:`Confinement.resolve` does, with the "outside" reason in a
    data file's words: a note's data is the note's, so only its own folder is named.
    """
    try:
        return Confinement(folder).resolve(reference, folder)
    except Refused as exc:
        if "outside" not in str(exc):
            raise
        raise Refused(
            Text(
                "{reference} is outside the note's folder: a data file lies beside its note",
                reference=Quoted(reference),
            )
        ) from None
