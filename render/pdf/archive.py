"""Archival PDF: the PDF/A and PDF/UA options, the files attached, and the tag tree's reading order."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, get_args
from xml.etree.ElementTree import SubElement, fromstring, tostring

import pydyf
from weasyprint import Attachment, Document
from weasyprint.css import ColorProfile
from weasyprint.pdf import tags
from weasyprint.pdf.metadata import NS, DocumentMetadata

from render.context.markdown import image_references
from render.context.resolve import resolve
from render.data.chart_block import chart_references
from render.load.houses import HouseProfile
from render.pdf.confine import Confinement, Refused
from schemas.house import PdfVariant, localize
from schemas.note import NoteBase

#: The variants a house or ``--pdf-variant`` may ask for; ``none`` is a plain, untagged PDF.
#: PDF/A-3 is the archival standard that allows attached files of any kind.
VARIANTS: tuple[str, ...] = get_args(PdfVariant)

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

#: The sRGB profile's components, as WeasyPrint declares them.
SRGB = (["r"], ["g"], ["b"])

#: The resolved note's attachment: what a machine reads instead of parsing the pages.
NOTE_JSON = "note.json"


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

    def options(self) -> dict[str, Any]:
        """WeasyPrint's ``write_pdf`` options for this variant."""
        if self.plain:
            return {"pdf_identifier": False, "pdf_tags": False}
        # The identifier is a hash of the file's content (pydyf), so it is reproducible too.
        options: dict[str, Any] = {"pdf_identifier": True, "pdf_tags": True}
        # The sRGB output intent is added by prepare(): WeasyPrint's own leaves its file open.
        options["output_intent"] = False
        options["pdf_variant"] = self.variant
        if self.variant.startswith("pdf/a-3"):  # PDF/A-2 forbids attachments that are not PDF/A
            stamp = self.created.replace(tzinfo=None)
            options["attachments"] = [
                Attachment(
                    string=a.data,
                    name=a.name,
                    description=a.description,
                    created=stamp,
                    modified=stamp,
                    relationship=a.relationship,
                )
                for a in self.attachments
            ]
        return options

    def prepare(self, document: Document) -> None:
        """Give the document's metadata what PDF/A and PDF/UA ask for beyond WeasyPrint's."""
        if self.plain:
            return
        metadata = _Metadata(ua=not self.variant.startswith("pdf/ua"))
        metadata.__dict__.update(vars(document.metadata))
        document.metadata = metadata
        if self.pdfa:
            # The profile WeasyPrint ships, as it would add it, read from a file that is closed.
            with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
                profile = ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", SRGB)
            document.color_profiles["srgb"] = profile

    def finish(self, document: Document, pdf: pydyf.PDF) -> None:
        """Last changes before the file is written: attachments' types, the reading order."""
        if self.plain:
            return
        types = {a.name: a.mime for a in self.attachments}
        for item in pdf.objects:
            if isinstance(item, dict) and item.get("Type") == "/Filespec":
                mime = types.get(str(item["UF"].string))
                stream = pdf.objects[int(item["EF"]["F"].split()[0])]
                if mime:
                    stream.extra["Subtype"] = "/" + mime.replace("/", "#2f")
        if "AF" in pdf.catalog:
            # WeasyPrint lists each file twice (from the name tree and from the file specs).
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        sidebar_after_text(document, pdf)


class _Metadata(DocumentMetadata):
    """WeasyPrint's XMP, plus the document's language and (when tagged) its PDF/UA claim."""

    def __init__(self, ua: bool) -> None:
        super().__init__()
        self.ua = ua

    def generate_rdf_metadata(self, variant: str, version: int, conformance: str) -> bytes:
        rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
        description = SubElement(rdf, f"{{{NS['rdf']}}}Description")
        description.attrib[f"{{{NS['rdf']}}}about"] = ""
        if self.lang:
            language = SubElement(description, f"{{{NS['dc']}}}language")
            bag = SubElement(language, f"{{{NS['rdf']}}}Bag")
            SubElement(bag, f"{{{NS['rdf']}}}li").text = self.lang
        if self.ua and variant == "a":
            # A PDF/A file that is also PDF/UA-1 says so in its own schema (ISO 14289-1, 5).
            description.attrib[f"{{{NS['pdfuaid']}}}part"] = "1"
        return tostring(rdf, encoding="utf-8")


def sidebar_after_text(document: Document, pdf: pydyf.PDF) -> bool:
    """Move the first page's sidebar after the note's text in the structure tree.

    The sidebar comes first in the page's HTML, since it floats beside the text that follows
    it; a screen reader should meet the title and the sections first. WeasyPrint makes one
    structure element per top-level box per page, in order: they are matched with the boxes,
    and the ``<aside>`` of the first page moves after the last ``<main>`` element. Returns
    whether it moved (a house template without them is left as it is).
    """
    if "StructTreeRoot" not in pdf.catalog:
        return False
    root = pdf.objects[int(pdf.catalog["StructTreeRoot"].split()[0])]
    top = pdf.objects[int(root["K"][0].split()[0])]
    kids = top["K"]
    tags: list[str | None] = []
    for page in document.pages:
        box = page._page_box
        html = next((c for c in box.children if getattr(c, "element_tag", None) == "html"), None)
        body = html.children[0] if html and html.children else None
        if body is None or getattr(body, "element_tag", None) != "body":
            return False
        tags += [getattr(getattr(c, "_box", c), "element_tag", None) for c in body.children]
    if len(tags) != len(kids) or "aside" not in tags or "main" not in tags:
        return False
    first = tags.index("aside")
    last = len(tags) - 1 - tags[::-1].index("main")
    if first > last:
        return False
    moved = kids.pop(first)
    kids.insert(last, moved)
    return True


def _tagged_with_language(build: Any) -> Any:
    """WeasyPrint's tag-tree builder, giving an element written in another language its /Lang.

    WeasyPrint (70) makes one structure element per box and drops the HTML's ``lang``: a
    ``<span lang="en">`` in a Chinese paragraph (see ``render/context/markdown.py``) would be
    read with the document's language. ``build`` yields the box's own element last, except for
    the page, ``html`` and ``body``, whose children it yields (and whose language is the
    catalog's ``/Lang``).
    """

    def with_language(box: Any, *args: Any) -> Any:
        inner = getattr(box, "_box", box)  # an absolutely placed box's placeholder
        element = getattr(inner, "element", None)
        lang = None
        if element is not None and inner.element_tag not in ("html", "body"):
            lang = element.get("lang")
        for made in build(box, *args):
            if lang and made.get("S") != "/NonStruct":
                made["Lang"] = pydyf.String(lang)
            yield made

    with_language.languages = True  # type: ignore[attr-defined]
    return with_language


# Installed once; recursive calls go through the module's name, so every box is seen.
if not getattr(tags._build_box_tree, "languages", False):
    tags._build_box_tree = _tagged_with_language(tags._build_box_tree)


# -- the attached files ---------------------------------------------------------------------


def attachments(note: NoteBase, profile: HouseProfile, path: Path) -> list[Attached]:
    """The note's source file, its data files (the figures its text shows, its charts' data, its
    price file), and the resolved note as JSON."""
    found = [Attached(path.name, path.read_bytes(), "Source", "The note as its analysts wrote it")]
    folder = path.parent
    confinement = Confinement(folder, profile.folder)
    seen: set[Path] = set()
    references = [
        (reference, "A figure of the note")
        for _, text in note.texts()
        for _, reference in image_references(text)
    ]
    references += [
        (reference, "The data of a chart of the note")
        for _, text in note.texts()
        for _, reference in chart_references(text)
    ]
    prices = getattr(note, "prices", None)
    if prices is not None:
        # The closes the market data and the chart are computed from: the page's numbers' source.
        references.append((prices if isinstance(prices, str) else prices.file, "The note's prices"))
    for reference, description in references:
        try:
            file = confinement.resolve(reference, folder)
        except Refused:  # reported by the check; nothing is read
            continue
        if file in seen or not file.is_file():
            continue
        seen.add(file)
        name = file.relative_to(folder).as_posix() if file.is_relative_to(folder) else file.name
        found.append(Attached(name, file.read_bytes(), "Data", description))
    data = json.dumps(resolved_note(note, profile), ensure_ascii=False, indent=2, sort_keys=True)
    found.append(
        Attached(NOTE_JSON, (data + "\n").encode("utf-8"), "Data", "The note's facts, resolved")
    )
    return found


def resolved_note(note: NoteBase, profile: HouseProfile) -> dict[str, Any]:
    """What a machine needs of a note: subject, rating and its action, analysts, risk level."""
    house = profile.house
    found = resolve(note, house)  # type: ignore[arg-type]  # any report type's note
    locale = found.locale

    def text(value: Any) -> str:
        return localize(value, locale, house.default_locale)

    subject = note.subject
    return {
        "title": note.title,
        "date": note.date.isoformat(),
        "locale": locale,
        "template": note.template,
        "house": {"code": house.code, "name": text(house.name)},
        "subject": {
            "kind": subject.kind,
            "name": subject.name,
            "market": found.market.code,
            "ticker": getattr(subject, "ticker", None),
        },
        "rating": {
            "code": found.rating.code,
            "label": text(found.rating.label),
            "previous": found.previous.code if found.previous else None,
            "action": found.action.value if found.action else None,
        },
        "risk_level": {"code": found.risk.code, "name": text(found.risk.name)},
        "analysts": [{"name": a.name, "role": a.role, "sac": a.sac} for a in note.analysts],
        "disclosures": [
            "rating_system",
            "risk_levels",
            "certification",
            "disclaimer",
            "contact",
        ],
    }
