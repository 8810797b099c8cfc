"""PdfWriter: real WeasyPrint layouts, page counts, and a refused resource as the user's error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from render.confine import Confinement
from render.errors import UserError
from render.pdf import PdfWriter

PAGE = "<html><body><p>One</p>{extra}</body></html>"
BREAK = '<p style="break-before: page">Two</p><p style="break-before: page">Three</p>'
PIXEL = (  # a 1×1 PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def writer() -> PdfWriter:
    return PdfWriter()


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    inside, outside = tmp_path / "note", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    (inside / "dot.png").write_bytes(PIXEL)
    (outside / "dot.png").write_bytes(PIXEL)
    return inside, outside


def test_page_count_is_the_documents(writer: PdfWriter, folders: tuple[Path, Path]) -> None:
    inside, _ = folders
    result = writer.write(PAGE.format(extra=BREAK), inside, Confinement(inside), "n.md")
    assert result.data.startswith(b"%PDF-")
    assert result.pages == 3 == len(PdfReader(io.BytesIO(result.data)).pages)


def test_the_same_html_gives_the_same_bytes(writer: PdfWriter, folders: tuple[Path, Path]) -> None:
    inside, _ = folders
    html = PAGE.format(extra="")
    first = writer.write(html, inside, Confinement(inside), "n.md")
    assert writer.write(html, inside, Confinement(inside), "n.md").data == first.data
    assert first.pages == 1


def test_a_resource_inside_the_confinement_is_read_relative_to_base(
    writer: PdfWriter, folders: tuple[Path, Path]
) -> None:
    inside, _ = folders
    result = writer.write(
        PAGE.format(extra='<img src="dot.png">'), inside, Confinement(inside), "n"
    )
    page = PdfReader(io.BytesIO(result.data)).pages[0]
    assert "/XObject" in page["/Resources"]


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("../elsewhere/dot.png", "is outside the note's and the house's folders"),
        ("http://example.com/dot.png", "is on the network"),
        ("missing.png", "does not exist"),
    ],
)
def test_a_refused_resource_is_a_located_user_error(
    writer: PdfWriter, folders: tuple[Path, Path], reference: str, reason: str
) -> None:
    inside, _ = folders
    html = PAGE.format(extra=f'<img src="{reference}">')
    with pytest.raises(UserError) as raised:
        writer.write(html, inside, Confinement(inside), "notes/n.md")
    (problem,) = raised.value.problems
    assert (problem.code, problem.path) == ("render.resource", "notes/n.md")
    assert problem.message.startswith("a template asks for a resource that is refused: ")
    assert reason in problem.message
    assert problem.message_zh.startswith("模板引用的资源被拒绝：")


def test_a_refused_stylesheet_is_refused_too(writer: PdfWriter, folders: tuple[Path, Path]) -> None:
    inside, outside = folders
    (outside / "x.css").write_text("p { color: red }", encoding="utf-8")
    html = (
        '<html><head><link rel="stylesheet" href="../elsewhere/x.css"></head><body>x</body></html>'
    )
    with pytest.raises(UserError, match="refused"):
        writer.write(html, inside, Confinement(inside), "n.md")
    # With the other folder allowed, the same document renders.
    assert writer.write(html, inside, Confinement(inside, outside), "n.md").pages == 1
