"""PdfWriter: real WeasyPrint layouts, page counts, and a refused resource as the user's error."""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint.logger import LOGGER

from render.context.i18n import translator
from render.errors import UserError
from render.pdf.confine import Confinement
from render.pdf.job import PdfResult
from render.pdf.writer import PdfWriter, captured

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
    ("reference", "reason", "reason_zh"),
    [
        (
            "../elsewhere/dot.png",
            "is outside the note's and the house's folders",
            "位于报告和机构文件夹之外",
        ),
        ("http://example.com/dot.png", "is on the network", "位于网络上，渲染时从不联网获取"),
        ("missing.png", "does not exist", "不存在"),
    ],
)
def test_a_refused_resource_is_a_located_user_error(
    writer: PdfWriter, folders: tuple[Path, Path], reference: str, reason: str, reason_zh: str
) -> None:
    inside, _ = folders
    html = PAGE.format(extra=f'<img src="{reference}">')
    with pytest.raises(UserError) as raised:
        writer.write(html, inside, Confinement(inside), "notes/n.md")
    (problem,) = raised.value.problems
    assert (problem.code, problem.path) == ("render.resource", "notes/n.md")
    assert problem.message.startswith("a template asks for a resource that is refused: ")
    assert reason in problem.message
    # The reason is translated too: the refusal carries its words, not an English sentence.
    chinese = problem.message_in(translator("zh"))
    assert chinese.startswith("模板引用的资源被拒绝：“") and chinese.endswith(reason_zh)


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


# -- WeasyPrint's messages become the note's problems -------------------------------------------

CSS_PAGE = (
    "<html><head><style>\np {{ color: black }}\n/* house style.css */\np {{ {css} }}\n</style>"
    "</head><body><p>x</p></body></html>"
)


def test_an_image_that_cannot_be_loaded_is_an_error(
    writer: PdfWriter, folders: tuple[Path, Path]
) -> None:
    inside, _ = folders
    (inside / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(UserError) as raised:
        writer.write(PAGE.format(extra='<img src="broken.png">'), inside, Confinement(inside), "n")
    [problem] = raised.value.problems
    assert (problem.code, problem.path, problem.severity) == ("render.layout", "n", "error")
    assert "Failed to load image" in problem.message
    assert problem.message_in(translator("zh")).startswith("排版引擎报告：")


def test_a_house_declaration_ignored_is_a_warning_in_its_style_css(
    writer: PdfWriter, folders: tuple[Path, Path]
) -> None:
    inside, _ = folders
    html = CSS_PAGE.format(css="colour: red")
    house_css = (inside / "style.css", "houses/x/style.css")
    result = writer.write(html, inside, Confinement(inside), "n", house_css=house_css)
    [problem] = result.problems
    assert (problem.code, problem.severity, problem.path) == (
        "render.style",
        "warning",
        "houses/x/style.css",
    )
    # Line 1 of the house's part is the line after the mark; WeasyPrint's column is kept.
    assert (problem.line, problem.column) == (1, 5) and "colour" in problem.message


def test_a_missing_glyph_is_an_error_naming_the_character(
    writer: PdfWriter, folders: tuple[Path, Path]
) -> None:
    inside, _ = folders
    with pytest.raises(UserError) as raised:
        writer.write(PAGE.format(extra="<p>A\U00020000</p>"), inside, Confinement(inside), "n")
    [problem] = raised.value.problems
    assert problem.code == "render.glyph" and "U+20000" in problem.message


def test_nothing_reaches_the_log_handlers(
    writer: PdfWriter, folders: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    inside, _ = folders
    caplog.set_level(logging.DEBUG)
    writer.write(CSS_PAGE.format(css="colour: red"), inside, Confinement(inside), "n")
    assert [r for r in caplog.records if r.name.startswith("weasyprint")] == []
    # Outside a render, WeasyPrint's records go where they went before.
    LOGGER.warning("outside a render")
    assert [r.getMessage() for r in caplog.records] == ["outside a render"]


def test_each_thread_gets_its_own_renders_messages(
    writer: PdfWriter, folders: tuple[Path, Path]
) -> None:
    inside, _ = folders
    results: dict[str, PdfResult] = {}

    def render(name: str, css: str) -> None:
        writer_of_thread = PdfWriter()
        for _ in range(3):
            results[name] = writer_of_thread.write(
                CSS_PAGE.format(css=css),
                inside,
                Confinement(inside),
                name,
                house_css=(inside, name),
            )

    threads = [
        threading.Thread(target=render, args=("bad", "colour: red")),
        threading.Thread(target=render, args=("good", "color: red")),
    ]
    for thread in threads:
        thread.start()
    with captured() as mine:
        LOGGER.warning("the main thread's")
    for thread in threads:
        thread.join()
    assert [p.path for p in results["bad"].problems] == ["bad"]
    assert results["good"].problems == []
    assert [r.getMessage() for r in mine] == ["the main thread's"]
