"""Archival PDF with WeasyPrint: the PDF/A and PDF/UA options, the metadata, the attachments'
types, and the tag tree's reading order."""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from xml.etree.ElementTree import SubElement, fromstring, tostring

import pydyf
from weasyprint import Attachment, Document
from weasyprint.css import ColorProfile
from weasyprint.pdf import tags
from weasyprint.pdf.metadata import NS, DocumentMetadata

from render.pdf.job import Archival

#: The sRGB profile's components, as WeasyPrint declares them.
SRGB = (["r"], ["g"], ["b"])


def write_options(archival: Archival) -> dict[str, Any]:
    """WeasyPrint's ``write_pdf`` options for the note's variant."""
    if archival.plain:
        return {"pdf_identifier": False, "pdf_tags": False}
    # The identifier is a hash of the file's content (pydyf), so it is reproducible too.
    options: dict[str, Any] = {"pdf_identifier": True, "pdf_tags": True}
    # The sRGB output intent is added by prepare(): WeasyPrint's own leaves its file open.
    options["output_intent"] = False
    options["pdf_variant"] = archival.variant
    if archival.variant.startswith("pdf/a-3"):  # PDF/A-2 forbids attachments that are not PDF/A
        stamp = archival.created.replace(tzinfo=None)
        options["attachments"] = [
            Attachment(
                string=a.data,
                name=a.name,
                description=a.description,
                created=stamp,
                modified=stamp,
                relationship=a.relationship,
            )
            for a in archival.attachments
        ]
    return options


def prepare(archival: Archival, document: Document) -> None:
    """Give the document's metadata what PDF/A and PDF/UA ask for beyond WeasyPrint's."""
    if archival.plain:
        return
    metadata = _Metadata(ua=not archival.variant.startswith("pdf/ua"))
    metadata.__dict__.update(vars(document.metadata))
    document.metadata = metadata
    if archival.pdfa:
        # The profile WeasyPrint ships, as it would add it, read from a file that is closed.
        with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
            profile = ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", SRGB)
        document.color_profiles["srgb"] = profile


def finish(archival: Archival, document: Document, pdf: pydyf.PDF) -> None:
    """Last changes before the file is written: attachments' types, the reading order."""
    if archival.plain:
        return
    types = {a.name: a.mime for a in archival.attachments}
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
