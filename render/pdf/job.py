"""What the PDF stage is given, as plain data: the HTML, the folders it may read, the note's
texts for the fidelity check, and the archival variant with its attachments. Nothing here needs
WeasyPrint, so the process that checks a note can hand a job to another that lays it out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.pdf.confine import Confinement
from schemas.problems import Problem

#: Attachments' media types, fixed here: WeasyPrint would ask the machine's MIME database, which
#: differs between machines, and the bytes must not.
MEDIA_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".csv": "text/csv",
}


@dataclass(frozen=True)
class Attached:
    """A file attached to the PDF as an associated file (PDF/A-3 ``/AF``)."""

    name: str
    data: bytes
    #: ``Source`` (what the document was made from) or ``Data`` (what it presents).
    relationship: str
    description: str

    @property
    def mime(self) -> str:
        return MEDIA_TYPES.get(Path(self.name).suffix.lower(), "application/octet-stream")


@dataclass
class Archival:
    """How one note's PDF is written: its variant, tagging, attachments and metadata."""

    variant: str
    created: dt.datetime
    attachments: list[Attached] = field(default_factory=list)

    @property
    def plain(self) -> bool:
        return self.variant == "none"

    @property
    def pdfa(self) -> bool:
        return self.variant.startswith("pdf/a-")


@dataclass
class PdfJob:
    """One document for the PDF stage to lay out and write."""

    html: str
    #: The folder relative references are read from (the note's).
    base: Path
    confinement: Confinement
    #: The note's path as messages show it.
    display: str
    #: The note file's text, and its fields as plain data: what the fidelity check compares
    #: the pages with (the problems it finds name a field; the caller places them in the file).
    text: str
    fields: dict[str, Any]
    #: The house's ``style.css`` and the path messages show, for locating its mistakes.
    house_css: tuple[Path, str] | None = None
    archival: Archival | None = None


@dataclass
class PdfResult:
    """A written PDF: its bytes, its page count, and the warnings of its layout."""

    data: bytes
    pages: int
    #: Warnings of the render (errors are raised): declarations WeasyPrint ignored, say.
    problems: list[Problem] = field(default_factory=list)
