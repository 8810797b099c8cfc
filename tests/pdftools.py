"""Read rendered PDFs with real PDF tools: text per page (Poppler), fonts, and glyph coverage."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream


def page_texts(pdf: bytes, layout: bool = True, raw: bool = False) -> list[str]:
    """Each page's text as Poppler's ``pdftotext`` extracts it.

    ``layout`` keeps the page's columns side by side, so a line of the sidebar shares a line with
    the body; without it each block is read through in turn, so a label that wraps inside the
    sidebar ("Overweight / (Maintained)") comes out in one piece. ``raw`` keeps the order the
    text is drawn in (as pdf.js reads it), with no guessing of columns.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            [
                "pdftotext",
                *(["-layout"] if layout and not raw else []),
                *(["-raw"] if raw else []),
                "-enc",
                "UTF-8",
                str(path),
                "-",
            ],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squash(text: str) -> str:
    """Text without whitespace, so words broken across lines still match."""
    return "".join(text.split())


def font_names(pdf: bytes) -> set[str]:
    """Base names of the fonts embedded in a PDF (subset prefixes removed)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    names = set()
    for line in out.stdout.splitlines()[2:]:
        name = line.split()[0]
        names.add(name.split("+", 1)[-1])
    return names


def missing_glyphs(pdf: bytes) -> list[tuple[str, int]]:
    """Every glyph drawn as .notdef or as Pango's "unknown glyph": a tofu box on the page.

    Text extraction cannot see these: a character drawn as a box still extracts as itself. The
    fonts are embedded as CID fonts with two-byte glyph ids; glyph 0 is .notdef and WeasyPrint
    writes 0xFFFF where no installed font had the character. Returns (font, glyph id) pairs.
    """
    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, int]] = []
    for page in reader.pages:
        fonts = {
            key: str(ref.get_object().get("/BaseFont"))
            for key, ref in page["/Resources"].get("/Font", {}).items()
        }
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = operands[0]
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                shown = operands[0] if operator == b"TJ" else [operands[-1]]
                for item in shown:
                    if isinstance(item, int | float):
                        continue
                    data = getattr(item, "original_bytes", item)
                    if isinstance(data, str):
                        data = data.encode("latin-1")
                    for i in range(0, len(data) - 1, 2):
                        glyph = data[i] << 8 | data[i + 1]
                        if glyph in (0, 0xFFFF):
                            found.append((fonts.get(current, "?"), glyph))
    return found
