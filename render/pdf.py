"""PDF stage: WeasyPrint lays out the HTML and writes the PDF, fetching only confined resources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from render.confine import Confinement
from render.errors import UserError


@dataclass
class PdfResult:
    data: bytes
    pages: int


class PdfWriter:
    """Keeps WeasyPrint's font configuration warm across renders in one process."""

    def __init__(self) -> None:
        self.fonts = FontConfiguration()

    def write(self, html: str, base: Path, confinement: Confinement, display: str) -> PdfResult:
        """Lay out and write one document; a refused resource is the user's error, not ours."""
        try:
            document = HTML(
                string=html,
                base_url=base.resolve().as_uri() + "/",
                url_fetcher=confinement.fetcher(),
            ).render(font_config=self.fonts)
            data = document.write_pdf(pdf_identifier=False, pdf_tags=False)
        except FatalURLFetchingError as exc:
            cause = exc.__cause__ or exc
            raise UserError.single(
                display,
                "render.resource",
                f"a template asks for a resource that is refused: {cause}",
                f"模板引用的资源被拒绝：{cause}",
            ) from None
        assert data is not None
        return PdfResult(data, len(document.pages))
