"""Figures are opened and judged at check: decoded within limits, SVGs parsed safely, once each."""

from __future__ import annotations

import base64
import io
import re
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from weasyprint import HTML

from render.context.markdown import BodyRenderer
from render.pdf.confine import Confinement
from render.pdf.writer import PdfWriter
from render.renderer import Renderer
from render.settings import Limits, Settings
from render.validate.images import Figures, ImageProblem, css_problems, css_references, inspect
from tests.conftest import TODAY, edit

LIMITS = Limits()


def png(width: int, height: int, noise: bool = False) -> bytes:
    """A real PNG, drawn by Pillow: a gradient, or noise (which does not compress)."""
    if noise:
        image = Image.frombytes("RGB", (width, height), _noise(width * height * 3))
    else:
        image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _noise(count: int) -> bytes:
    # Deterministic, incompressible enough: a run of a linear congruential generator.
    state, out = 12345, bytearray(count)
    for i in range(count):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out[i] = state >> 16 & 0xFF
    return bytes(out)


def bomb(width: int, height: int) -> bytes:
    """A valid PNG header declaring a huge image, with a few bytes of (zero) pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def _judge(tmp_path: Path, data: bytes, name: str = "chart.png", **limits: int) -> list[str]:
    """The codes and messages of what is wrong with an image, or [] if it can be printed."""
    (tmp_path / name).write_bytes(data)
    try:
        inspect(data, name, tmp_path, Confinement(tmp_path), Limits(**limits))
    except ImageProblem as exc:
        return [f"{i.code}: {i.message}" for i in exc.issues]
    return []


# -- rasters -------------------------------------------------------------------------------------


def test_a_real_png_passes_and_keeps_its_size(tmp_path: Path) -> None:
    data = png(30, 20)
    figure = inspect(data, "a.png", tmp_path, Confinement(tmp_path), LIMITS)
    assert (figure.mime, figure.width, figure.height, figure.pixels) == (
        "image/png",
        "30",
        "20",
        600,
    )


@pytest.mark.parametrize("fmt", ["JPEG", "GIF", "WEBP"])
def test_the_formats_a_browser_and_the_pdf_both_draw_pass(tmp_path: Path, fmt: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, fmt)
    figure = inspect(out.getvalue(), "a", tmp_path, Confinement(tmp_path), LIMITS)
    assert figure.mime == f"image/{fmt.lower()}" and (figure.width, figure.height) == ("8", "6")


def test_a_format_a_browser_does_not_draw_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, "BMP")
    assert _judge(tmp_path, out.getvalue(), "a.bmp") == [
        "render.image: 'a.bmp' is not a PNG, JPEG, GIF, WebP or SVG image"
    ]


def test_a_truncated_png_is_refused(tmp_path: Path) -> None:
    data = png(200, 200, noise=True)
    problems = _judge(tmp_path, data[: len(data) // 2])
    assert len(problems) == 1 and problems[0].startswith("render.image: 'chart.png' cannot be")


def test_a_png_with_a_broken_checksum_is_refused(tmp_path: Path) -> None:
    data = bytearray(png(20, 20))
    data[-20] ^= 0xFF  # inside the last IDAT chunk: the pixels decode wrong, the CRC says so
    assert _judge(tmp_path, bytes(data))[0].startswith("render.image: 'chart.png' cannot be")


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_a_pixel_bomb_is_refused_from_its_header(tmp_path: Path, side: int) -> None:
    # 100000 x 100000 is past Pillow's own bound, where Image.open would raise on its own.
    start = time.perf_counter()
    problems = _judge(tmp_path, bomb(side, side))
    assert time.perf_counter() - start < 1
    assert problems == [
        f"render.image_limit: 'chart.png' declares {side}×{side} = {side * side:,} pixels, "
        "over the limit of 40,000,000 pixels (image_pixels)"
    ]


def test_the_bytes_limit_names_itself(tmp_path: Path) -> None:
    problems = _judge(tmp_path, png(64, 64, noise=True), image_bytes=1024)
    assert problems == [
        "render.image_limit: 'chart.png' is 12.1 KB, over the limit of 1.0 KB (image_bytes)"
    ]


def test_a_quarter_turned_jpeg_lays_out_turned(tmp_path: Path) -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (40, 10), "red").save(out, "JPEG", exif=exif)
    figure = inspect(out.getvalue(), "a.jpg", tmp_path, Confinement(tmp_path), LIMITS)
    assert (figure.width, figure.height) == ("10", "40")


# -- the note's totals ------------------------------------------------------------------------------


def test_the_note_totals_count_each_image_once(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(png(100, 100))
    (tmp_path / "b.png").write_bytes(png(100, 50))
    figures = Figures(Confinement(tmp_path), tmp_path, Limits(note_image_pixels=12_000))
    for _ in range(5):
        figures.open("a.png")  # 10000 pixels, five times: counted once
    with pytest.raises(ImageProblem) as caught:
        figures.open("b.png")
    assert [i.message for i in caught.value.issues] == [
        "with 'b.png', the note's images come to 15,000 pixels, over the limit of 12,000 pixels "
        "(note_image_pixels)"
    ]
    with pytest.raises(ImageProblem):
        figures.open("b.png")  # at each of its references


def test_a_file_over_the_bytes_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(png(64, 64, noise=True))
    big.chmod(0)  # unreadable: a read would fail with PermissionError, a traceback
    figures = Figures(Confinement(tmp_path), tmp_path, Limits(image_bytes=1024))
    try:
        with pytest.raises(ImageProblem, match="image_bytes"):
            figures.open("big.png")
    finally:
        big.chmod(0o644)


# -- SVG --------------------------------------------------------------------------------------------

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="60">{body}</svg>'


def _svg(body: str = "", w: str = "80") -> bytes:
    return SVG.format(w=w, body=body).encode()


def test_a_plain_svg_passes_with_its_declared_size(tmp_path: Path) -> None:
    figure = inspect(_svg(w="80mm"), "a.svg", tmp_path, Confinement(tmp_path), LIMITS)
    assert (figure.mime, figure.width, figure.height) == ("image/svg+xml", "80mm", "60")
    stand_in = base64.b64decode(figure.stand_in.split(",", 1)[1]).decode()
    assert stand_in == '<svg xmlns="http://www.w3.org/2000/svg" width="80mm" height="60"/>'


def test_an_editors_public_doctype_is_let_through(tmp_path: Path) -> None:
    doctype = (
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    )
    assert _judge(tmp_path, doctype + _svg(), "a.svg") == []


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "<!DOCTYPE svg [<!ELEMENT svg ANY>]>",
    ],
)
def test_an_svg_with_entities_or_its_own_dtd_is_refused(tmp_path: Path, doctype: str) -> None:
    problems = _judge(tmp_path, (doctype + "\n").encode() + _svg("<text>&b;</text>"), "a.svg")
    assert len(problems) == 1
    assert problems[0].startswith("render.image: the SVG 'a.svg' is refused: it declares")


def test_an_undeclared_entity_is_not_well_formed(tmp_path: Path) -> None:
    problems = _judge(tmp_path, _svg("<text>&lol;</text>"), "a.svg")
    assert "not well-formed XML (undefined entity" in problems[0]


def test_xml_that_is_not_svg_is_refused(tmp_path: Path) -> None:
    assert _judge(tmp_path, b"<html><body/></html>", "a.svg") == [
        "render.image: 'a.svg' is not a PNG, JPEG, GIF, WebP or SVG image "
        "(its root element is 'html')"
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '<image href="../outside.png" width="5" height="5"/>',
            "render.resource: the figure asks for a resource that is refused (a.svg:1:",
        ),
        (
            '<image xlink:href="https://example.com/x.png"/>',
            "render.resource: the figure asks for a resource that is refused (a.svg:1:",
        ),
        (
            '<image href="inside.png"/>',
            "render.image: the figure refers to the file 'inside.png' (a.svg:1:",
        ),
        (
            '<rect style="fill: url(https://example.com/p.svg#a)"/>',
            "render.resource: the figure asks for a resource that is refused (a.svg:1:",
        ),
        (
            "\n<style>\n  @import url(https://fonts.googleapis.com/css?family=Roboto);\n</style>",
            "render.resource: the figure asks for a resource that is refused (a.svg:3:11)",
        ),
        (
            "<style>@font-face { font-family: X; src: url('https://fonts.example/x.woff2') }"
            "</style>",
            "render.resource: the figure asks for a resource that is refused (a.svg:1:",
        ),
        (
            '<style>@import "local.css";</style>',
            "render.resource: the figure asks for a resource that is refused (a.svg:1:",
        ),
    ],
)
def test_what_an_svg_asks_for_is_judged(tmp_path: Path, body: str, expected: str) -> None:
    (tmp_path.parent / "outside.png").write_bytes(png(5, 5))
    (tmp_path / "inside.png").write_bytes(png(5, 5))
    problems = _judge(tmp_path, _svg(body), "a.svg")
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_what_an_svg_holds_itself_is_fine(tmp_path: Path) -> None:
    inner = base64.b64encode(png(4, 4)).decode()
    body = (
        '<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="5" height="5"/>'
        f'<image href="data:image/png;base64,{inner}" width="4" height="4"/>'
        '<a href="https://example.com/report"><text>link</text></a>'
    )
    assert _judge(tmp_path, _svg(body), "a.svg") == []


def test_a_bomb_inside_an_svg_is_refused(tmp_path: Path) -> None:
    inner = base64.b64encode(bomb(20_000, 20_000)).decode()
    problems = _judge(tmp_path, _svg(f'<image href="data:image/png;base64,{inner}"/>'), "a.svg")
    assert problems == [
        "render.image_limit: 'a.svg:1:107' declares 20000×20000 = 400,000,000 pixels, "
        "over the limit of 40,000,000 pixels (image_pixels)"
    ]


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        ("100000", "render.image_limit: 'a.svg' declares 100000×60 = 6,000,000 pixels"),
        ("12 furlongs", "render.image: the SVG 'a.svg' declares width '12 furlongs'"),
    ],
)
def test_an_svgs_declared_size_is_bounded(tmp_path: Path, width: str, expected: str) -> None:
    problems = _judge(tmp_path, _svg(w=width), "a.svg", image_pixels=1_000_000)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


# -- CSS -------------------------------------------------------------------------------------------


def test_css_references_are_found_with_their_place() -> None:
    css = (
        '@import "a.css";\n@import url(b.css);\n'
        "@font-face { src: url(c.woff) format('woff'), local(X) }\n"
        'p { background: url("d.png"), image-set("e.png" 1x) }\n'
    )
    assert list(css_references(css)) == [
        ("a.css", 1, 9),
        ("b.css", 2, 9),
        ("c.woff", 3, 19),
        ("d.png", 4, 17),
        ("e.png", 4, 41),
    ]


def test_css_problems_locate_what_the_pdf_would_refuse(tmp_path: Path) -> None:
    (tmp_path / "ok.png").write_bytes(png(2, 2))
    css = (
        "body { background: url(ok.png) }\n"
        "h1 { background: url(data:image/png;base64,AAAA) }\n"
        "@font-face { font-family: W; src: url(https://fonts.example/w.woff2) }\n"
        "@import '../../etc/passwd';\n"
    )
    issues = css_problems(css, tmp_path, Confinement(tmp_path))
    assert [(i.code, i.line, i.column) for i in issues] == [
        ("render.resource", 3, 35),
        ("render.resource", 4, 9),
    ]
    assert "is on the network" in issues[0].message and "outside" in issues[1].message


# -- check and render ------------------------------------------------------------------------------


def _add_figure(note: Path, name: str, times: int = 1) -> None:
    figures = "\n\n".join([f"![chart]({name})\n资料来源：示例"] * times)
    edit(note, "## 风险提示\n", f"## 风险提示\n\n{figures}\n\n")


def test_check_locates_a_broken_figure_at_its_reference(
    renderer: Renderer, note_file: Path
) -> None:
    (note_file.parent / "chart.png").write_bytes(png(50, 50)[:60])
    _add_figure(note_file, "chart.png")
    problems = [p for p in renderer.check(note_file, "note.md").problems]
    assert [p.code for p in problems] == ["render.image"]
    line = note_file.read_text(encoding="utf-8").splitlines()[problems[0].line - 1]
    assert problems[0].path == "note.md" and line == "![chart](chart.png)"


def test_check_reads_the_house_stylesheet(renderer: Renderer, note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example"
    (house / "style.css").write_text(
        "h1 { color: red }\n@import url(https://fonts.example/x.css);\n", encoding="utf-8"
    )
    problems = renderer.check(note_file, "note.md").problems
    assert [(p.code, p.path.endswith("style.css"), p.line, p.column) for p in problems] == [
        ("render.resource", True, 2, 9)
    ]


def test_the_limits_come_from_the_settings(note_file: Path) -> None:
    (note_file.parent / "chart.png").write_bytes(png(50, 50))
    _add_figure(note_file, "chart.png")
    strict = Renderer(today=TODAY, settings=Settings(limits=Limits(image_pixels=100)))
    assert [p.code for p in strict.check(note_file).problems] == ["render.image_limit"]


def test_an_image_shown_many_times_is_in_the_html_once(tmp_path: Path) -> None:
    data = png(600, 580, noise=True)  # about 1 MB
    (tmp_path / "big.png").write_bytes(data)
    body = BodyRenderer(Confinement(tmp_path), tmp_path)
    html = body.block("\n\n".join(["![chart](big.png)\nSource: x"] * 300))
    html += body.point("Lead ![again](big.png).", "Body ![and again](big.png).")
    encoded = base64.b64encode(data).decode()
    assert html.count(encoded) == 1 and html.count("<style>") == 1
    assert len(html) < len(encoded) + 302 * 400  # one copy, and a short element per use
    assert html.count('alt="chart"') == 300 and 'alt="and again"' in html


def test_an_image_shown_many_times_is_in_the_pdf_once(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(png(300, 200, noise=True))
    (tmp_path / "b.png").write_bytes(png(30, 20))
    body = BodyRenderer(Confinement(tmp_path), tmp_path)
    html = "<html><body>" + body.block("![a](a.png) " * 20 + "![b](b.png) " * 5) + "</body></html>"
    pdf = PdfWriter().write(html, tmp_path, Confinement(tmp_path), "n").data
    (tmp_path / "out.pdf").write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", tmp_path / "out.pdf"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    drawn = [line.split() for line in listing]
    assert len(drawn) == 25  # every use is drawn…
    assert len({row[10] for row in drawn}) == 2  # …from one image object per picture


def _page(html: str, folder: Path) -> Image.Image:
    pdf = folder / "page.pdf"
    HTML(string=html).write_pdf(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", pdf, folder / "page"], check=True
    )
    return Image.open(folder / "page.png").convert("RGB")


@pytest.mark.parametrize("name", ["chart.png", "chart.svg"])
def test_the_pdf_draws_the_figure_as_a_plain_img_would(tmp_path: Path, name: str) -> None:
    if name.endswith(".png"):
        data = png(900, 400, noise=True)
    else:
        data = _svg('<rect x="5" y="5" width="60" height="40" fill="#0b3d6b"/>', w="160mm")
    (tmp_path / name).write_bytes(data)
    body = BodyRenderer(Confinement(tmp_path), tmp_path)
    figure = body.figures.open(name)
    ours = body.block(f"Text ![x]({name})\n\n![y]({name})\nSource: z")
    # The same page as an <img> holding the picture itself would be (as render made it before).
    theirs = re.sub(r"<style>.*?</style>", "", ours, flags=re.S).replace(
        figure.stand_in, figure.uri
    )
    assert ours.count(figure.stand_in) == 2 and theirs.count(figure.uri) == 2
    style = "<style>img { max-width: 90%; border: 2pt solid red; padding: 3pt }</style>"
    drawn = [_page(f"<html><body>{style}{html}</body></html>", tmp_path) for html in (ours, theirs)]
    difference = ImageChops.difference(*drawn).convert("L").point(lambda v: 255 if v > 32 else 0)
    # A raster is drawn pixel for pixel the same; an SVG in the same place and size, its edges
    # anti-aliased a shade apart (at most a few pixels of each edge's length).
    changed = difference.histogram()[255]
    inked = [ImageChops.invert(page).getbbox() for page in drawn]
    assert inked[0] == inked[1] and (changed == 0 if name.endswith(".png") else changed < 200)
