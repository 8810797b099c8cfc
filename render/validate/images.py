"""Figures opened and judged before render: format, decoding, bounds, and what an SVG asks for.

A figure that cannot be printed must fail where the note refers to it, at ``render check``, not
vanish from the PDF at build. So each image a note shows is read once, here: a raster image is
decoded by Pillow within the limits (its size is judged from its header, before any decoding),
an SVG is parsed without a DTD or entities, and every resource it asks for is judged by the same
rules as the PDF stage's fetcher (:class:`render.pdf.confine.Confinement`). The CSS judgement is one
pure function, :func:`css_problems`, shared with the house's stylesheet.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes
from xml.parsers import expat

import tinycss2

from render.pdf.confine import Confinement, Refused
from render.settings import Limits
from schemas.problems import Problem
from schemas.rules import Quoted, Text
from schemas.rules.rendering import IMAGE, IMAGE_LIMIT, RESOURCE

#: Raster formats both the PDF (WeasyPrint, through Pillow) and a browser draw, with their types.
RASTER_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a camera's JPEG with a second picture; drawn as its first
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
SVG_TYPE = "image/svg+xml"
SVG_NS = "http://www.w3.org/2000/svg"
#: What messages list as the formats a figure may have.
FORMATS = "PNG, JPEG, GIF, WebP or SVG"

#: How deep an SVG may hold images (an SVG in a ``data:`` URI in an SVG…); real charts hold none.
NESTING = 4

#: A length an SVG's ``width``/``height`` may declare, and what one unit is in CSS pixels.
LENGTH = re.compile(
    r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in|em|ex|rem|%)?\s*$"
)
UNITS = {
    **{None: 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54},
    **{"in": 96.0, "em": 16.0, "rem": 16.0, "ex": 8.0},
}

#: SVG elements whose ``href`` is a link to follow, not a resource to fetch.
LINKS = {"a"}

#: EXIF orientations that turn the picture a quarter: the printed width is the stored height.
QUARTER_TURNS = {5, 6, 7, 8}

#: What Pillow raises for a file it cannot read (it has no one exception for "broken").
if TYPE_CHECKING:
    import PIL.Image

_ERRORS = (SyntaxError, OSError, ValueError, IndexError, TypeError, struct.error, EOFError)


class ImageProblem(Exception):
    """A figure that cannot be printed; carries every problem found in it, to be located by
    the caller (the figure's reference in the note)."""

    def __init__(self, issues: list[Problem]) -> None:
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues


@dataclass(frozen=True)
class Figure:
    """An image as judged: its bytes, type and size as it declares it."""

    data: bytes
    mime: str
    #: The intrinsic size as the image declares it, copied to the stand-in that lays it out.
    width: str
    height: str
    view_box: str | None = None
    #: Pixels it makes WeasyPrint hold (a raster's width x height, an SVG's area and its images').
    pixels: int = 0

    @property
    def key(self) -> str:
        """A name for the image, the same for the same bytes: the page defines each image once."""
        return hashlib.sha256(self.data).hexdigest()[:16]

    @property
    def uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    @property
    def stand_in(self) -> str:
        """An empty SVG with the image's intrinsic size: an ``<img>`` source that lays out as it.

        The picture itself is the element's background, defined once per page for all its uses.
        """
        declared = {"width": self.width, "height": self.height, "viewBox": self.view_box}
        attrs = "".join(f' {key}="{value}"' for key, value in declared.items() if value)
        svg = f'<svg xmlns="{SVG_NS}"{attrs}/>'.encode("ascii")
        return f"data:{SVG_TYPE};base64,{base64.b64encode(svg).decode('ascii')}"

    def css(self) -> str:
        """The rule that paints the image on every ``<img>`` of its class, whatever the house's CSS.

        The background fills the content box as the picture would; ``-webkit-print-color-adjust``
        makes a browser print it (a browser drops backgrounds from print by default).
        """
        return (
            f'img.figure-{self.key}{{background:url("{self.uri}") 0 0/100% 100% no-repeat '
            "content-box content-box !important;-webkit-print-color-adjust:exact}"
        )


# -- limits -----------------------------------------------------------------------------------


def _size(count: int) -> str | Text:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return Text("{count} bytes", count=count)


def _limit(found: Text, limit: str | Text, setting: str) -> Problem:
    """A bound met: ``found`` says what was found, ``limit`` the bound, and ``setting`` is the
    limit's name in the settings."""
    return IMAGE_LIMIT(found=found, limit=limit, setting=setting)


def _pixels(count: int) -> Text:
    return Text("{count:,} pixels", count=count)


def _too_big(name: str, count: int, limits: Limits) -> Problem | None:
    if count <= limits.image_bytes:
        return None
    return _limit(
        Text("{image} is {size}", image=Quoted(name), size=_size(count)),
        _size(limits.image_bytes),
        "image_bytes",
    )


def _too_many_pixels(name: str, width: float, height: float, limits: Limits) -> Problem | None:
    pixels = int(width * height)
    if pixels <= limits.image_pixels:
        return None
    return _limit(
        Text(
            "{image} declares {width:g}×{height:g} = {pixels:,} pixels",
            image=Quoted(name),
            width=width,
            height=height,
            pixels=pixels,
        ),
        _pixels(limits.image_pixels),
        "image_pixels",
    )


def _image(problem: Text) -> ImageProblem:
    """A figure that would not print, for one reason."""
    return ImageProblem([IMAGE(problem=problem)])


# -- opening ------------------------------------------------------------------------------------


def inspect(data: bytes, name: str, base: Path, confinement: Confinement, limits: Limits) -> Figure:
    """Judge an image's bytes; raise :class:`ImageProblem` if it cannot be printed faithfully.

    ``name`` names the image in messages; ``base`` is the folder its own references start from.
    """
    return _inspect(data, name, base, confinement, limits, 0)


def _inspect(
    data: bytes, name: str, base: Path, confinement: Confinement, limits: Limits, depth: int
) -> Figure:
    over = _too_big(name, len(data), limits)
    if over:
        raise ImageProblem([over])
    raster = _raster(data, name, limits)
    if raster is not None:
        return raster
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return _svg(data, name, base, confinement, limits, depth)
    raise _image(Text("{image} is not a {formats} image", image=Quoted(name), formats=FORMATS))


def _unreadable(name: str, fmt: str, exc: BaseException) -> ImageProblem:
    reason = str(exc) or type(exc).__name__
    return _image(
        Text(
            "{image} cannot be decoded as {format}: {reason}",
            image=Quoted(name),
            format=fmt,
            reason=reason,
        )
    )


def _open(data: bytes, name: str) -> PIL.Image.Image | None:
    """The raster image's header, read by the first allowed format that claims it; no pixels yet.

    This is Pillow's own ``Image.open`` restricted to the formats render prints, without its
    decompression-bomb check: that check warns (an error under strict warnings) or fails on its
    own global bound, while render judges the size against its own limits, next.
    """
    # Pillow is imported with the first raster figure: a note without one is checked without it.
    from PIL import Image

    prefix = data[:16]
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        if fmt not in Image.OPEN:
            Image.init()
        factory, accept = Image.OPEN[fmt]
        claimed = accept(prefix) if accept else True
        if not claimed or isinstance(claimed, str):  # a string: "it might be, but is not"
            continue
        try:
            return factory(BytesIO(data), name)
        except _ERRORS as exc:
            raise _unreadable(name, fmt, exc) from None
    return None


def _raster(data: bytes, name: str, limits: Limits) -> Figure | None:
    """A PNG, JPEG, GIF or WebP image, decoded once within the pixel limit; None if it is not one."""
    image = _open(data, name)
    if image is None:
        return None
    fmt = str(image.format)
    width, height = image.size
    # Judged from the header, before any decoding: a 100-byte file may declare 100000 x 100000.
    over = _too_many_pixels(name, width, height, limits)
    if over:
        raise ImageProblem([over])
    if not width or not height:
        raise _unreadable(name, fmt, ValueError(f"it is {width}×{height} pixels"))
    try:
        # Pillow warns about oddities it can read past (a broken EXIF block); the decode decides.
        with warnings.catch_warnings(action="ignore"):
            image.verify()  # checksums, without decoding; the image is spent after it
            image = _open(data, name) or image
            image.load()
            turned = image.getexif().get(0x0112) in QUARTER_TURNS
    except _ERRORS as exc:
        raise _unreadable(name, fmt, exc) from None
    if turned:
        width, height = height, width
    return Figure(data, RASTER_TYPES[fmt], str(width), str(height), pixels=width * height)


# -- SVG ------------------------------------------------------------------------------------------


@dataclass
class _Element:
    name: str
    attrs: dict[str, str]
    line: int
    column: int
    text: list[tuple[int, int, str]] = field(default_factory=list)


class _Refuse(Exception):
    """An SVG construct render does not accept, found while parsing (stops the parser)."""


def _parse_svg(data: bytes, name: str) -> list[_Element]:
    """The SVG's elements, parsed by expat with no DTD, no entity and nothing fetched.

    A plain ``<!DOCTYPE svg PUBLIC …>`` line (editors write one) is let through: expat never
    fetches it. An internal subset or an entity declaration is refused, whatever it declares:
    entities are how a small file expands to gigabytes or reads a file.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    elements: list[_Element] = []
    open_: list[_Element] = []

    def doctype(_name: str, _system: str | None, _public: str | None, internal: int) -> None:
        if internal:
            raise _Refuse(Text("it declares a DTD of its own (an internal subset)"))

    def entity(entity_name: str, *_: object) -> None:
        raise _Refuse(Text("it declares the entity {entity}", entity=Quoted(entity_name)))

    def external(*_: object) -> int:
        raise _Refuse(Text("it refers to an external entity"))

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = _Element(tag, attrs, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        elements.append(element)
        open_.append(element)

    def end(_tag: str) -> None:
        open_.pop()

    def text(chunk: str) -> None:
        if open_ and open_[-1].name == f"{SVG_NS} style":
            open_[-1].text.append((parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, chunk))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refuse as exc:
        raise _image(
            Text(
                "the SVG {image} is refused: {reason} (line {line})",
                image=Quoted(name),
                reason=exc.args[0],
                line=parser.CurrentLineNumber,
            )
        ) from None
    except expat.ExpatError as exc:
        raise _image(
            Text(
                "{image} is not a {formats} image: as SVG, it is not well-formed XML "
                "({error}: line {line}, column {column})",
                image=Quoted(name),
                formats=FORMATS,
                error=expat.ErrorString(exc.code),
                line=exc.lineno,
                # expat counts columns from 0; editors, and every other message, from 1.
                column=exc.offset + 1,
            )
        ) from None
    return elements


def _length(value: str | None, what: str, name: str) -> float | None:
    """An SVG length in CSS pixels; None for a percentage or none; a problem for anything else."""
    if value is None:
        return None
    match = LENGTH.match(value)
    if not match:
        raise _image(
            Text(
                "the SVG {image} declares {attribute} {value}, which is not a length",
                image=Quoted(name),
                attribute=what,
                value=Quoted(value),
            )
        )
    if match.group(2) == "%":
        return None
    return float(match.group(1)) * UNITS[match.group(2)]


def _svg(
    data: bytes, name: str, base: Path, confinement: Confinement, limits: Limits, depth: int
) -> Figure:
    elements = _parse_svg(data, name)
    root = elements[0] if elements else None
    if root is None or root.name != f"{SVG_NS} svg":
        tag = root.name.split(" ")[-1] if root else ""
        raise _image(
            Text(
                "{image} is not a {formats} image (its root element is {root})",
                image=Quoted(name),
                formats=FORMATS,
                root=Quoted(tag),
            )
        )
    width_text, height_text = root.attrs.get("width"), root.attrs.get("height")
    view_box = root.attrs.get("viewBox")
    width, height = _length(width_text, "width", name), _length(height_text, "height", name)
    box = _view_box(view_box, name)
    # The area it lays out at: its declared size, or its viewBox's where it declares none.
    area_w = width if width is not None else (box[2] if box else 0)
    area_h = height if height is not None else (box[3] if box else 0)
    pixels = int(area_w * area_h)
    over = _too_many_pixels(name, area_w, area_h, limits)
    issues: list[Problem] = [over] if over else []
    nested = _Resources(name, base, confinement, limits, depth)
    for element in elements:
        for attr, value in element.attrs.items():
            local = attr.split(" ")[-1]
            where = (element.line, element.column)
            if local in ("href", "src") and element.name != f"{SVG_NS} a":
                nested.judge(value.strip(), *where)
            elif local == "style" or "url(" in value.lower():
                nested.css(value, *where, whole=False)
        if element.text:
            line, column, _ = element.text[0]
            nested.css("".join(chunk for _, _, chunk in element.text), line, column, whole=True)
    issues += nested.issues
    if nested.pixels + pixels > limits.image_pixels and not issues:
        issues.append(
            _limit(
                Text(
                    "{image} and the images it holds come to {pixels:,} pixels",
                    image=Quoted(name),
                    pixels=nested.pixels + pixels,
                ),
                _pixels(limits.image_pixels),
                "image_pixels",
            )
        )
    if issues:
        raise ImageProblem(issues)
    return Figure(
        data,
        SVG_TYPE,
        width_text.strip() if width_text else "",
        height_text.strip() if height_text else "",
        " ".join(f"{n:g}" for n in box) if box else None,
        pixels + nested.pixels,
    )


def _view_box(value: str | None, name: str) -> tuple[float, ...] | None:
    """An SVG's viewBox: four numbers, the last two (its width and height) positive."""
    if value is None:
        return None
    parts = value.replace(",", " ").split()
    try:
        # float() reads "1_000" and "inf" too; SVG reads plain decimals only.
        numbers = [float(part) for part in parts if re.fullmatch(r"[-+0-9.eE]+", part)]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(abs(n) < 1e9 for n in numbers) or min(numbers[2:]) <= 0:
        raise _image(
            Text(
                "the SVG {image} declares the viewBox {value}, which is not four numbers with a "
                "positive width and height",
                image=Quoted(name),
                value=Quoted(value),
            )
        )
    return tuple(numbers)


class _Resources:
    """What one SVG asks for, each judged; the images it holds in ``data:`` URIs, opened."""

    def __init__(
        self, name: str, base: Path, confinement: Confinement, limits: Limits, depth: int
    ) -> None:
        self.name, self.base, self.confinement = name, base, confinement
        self.limits, self.depth = limits, depth
        self.issues: list[Problem] = []
        self.pixels = 0

    def css(self, text: str, line: int, column: int, whole: bool) -> None:
        for reference, at_line, at_column in css_references(text, whole):
            # Positions in the CSS text, moved to where that text starts in the SVG file.
            self.judge(
                reference, line + at_line - 1, column + at_column - 1 if at_line == 1 else at_column
            )

    def judge(self, reference: str, line: int, column: int) -> None:
        where = f"{self.name}:{line}:{column}"
        if not reference or reference.startswith("#"):
            return  # a part of the SVG itself
        if reference[:5].lower() == "data:":
            self._data(reference, where)
            return
        try:
            self.confinement.resolve(reference, self.base)
        except Refused as exc:
            self.issues.append(
                RESOURCE(
                    what=Text(
                        "the figure asks for a resource that is refused ({where})", where=where
                    ),
                    why=exc.reason,
                )
            )
            return
        # Allowed or not, a file an image refers to is never shown: a browser does not load one
        # for an SVG shown as an image, and the PDF reads the figure from the page, not its folder.
        self.issues.append(
            IMAGE(
                problem=Text(
                    "the figure refers to the file {file} ({where}), which would not be shown: "
                    "an SVG figure must hold what it shows (embed it as a data: URI)",
                    file=Quoted(reference, 80),
                    where=where,
                )
            )
        )

    def _data(self, reference: str, where: str) -> None:
        try:
            mime, payload = _decode_data_uri(reference)
        except ValueError as exc:
            self.issues.append(
                IMAGE(
                    problem=Text(
                        "the figure holds a data: URI that cannot be read ({where}): {reason}",
                        where=where,
                        reason=exc.args[0],
                    )
                )
            )
            return
        if mime == "text/css":
            self.css(payload.decode("utf-8", "replace"), 1, 1, whole=True)
        elif mime.startswith("image/"):
            if self.depth >= NESTING:
                self.issues.append(
                    IMAGE(
                        problem=Text(
                            "the figure nests images more than {depth} deep ({where})",
                            depth=NESTING,
                            where=where,
                        )
                    )
                )
                return
            try:
                inner = _inspect(
                    payload, where, self.base, self.confinement, self.limits, self.depth + 1
                )
            except ImageProblem as exc:
                self.issues += exc.issues
                return
            self.pixels += inner.pixels


def _decode_data_uri(reference: str) -> tuple[str, bytes]:
    """A ``data:`` URI's type and bytes, or ValueError."""
    header, comma, payload = reference[5:].partition(",")
    if not comma:
        raise ValueError("it has no comma")
    params = [p.strip().lower() for p in header.split(";")]
    mime = params[0] or "text/plain"
    raw = unquote_to_bytes(payload)
    if "base64" in params[1:]:
        try:
            return mime, base64.b64decode(b"".join(raw.split()), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"bad base64: {exc}") from None
    return mime, raw


# -- CSS ----------------------------------------------------------------------------------------


def css_references(text: str, whole: bool = True) -> Iterator[tuple[str, int, int]]:
    """Every URL a CSS text asks for, as (reference, line, column) in the text.

    ``url(…)``, ``src(…)``, an ``@import "…"`` string and ``image-set("…")`` strings anywhere,
    in rules, at-rules (``@font-face``, ``@import``) and declaration lists (a style attribute).
    ``whole`` reads a stylesheet (``@import`` counts); otherwise a declaration list.
    """
    tokens = tinycss2.parse_component_value_list(text, skip_comments=True)
    yield from _walk(tokens, whole)


def _walk(tokens: list[tinycss2.ast.Node], whole: bool) -> Iterator[tuple[str, int, int]]:
    after_import = False
    for token in tokens:
        kind = token.type
        if kind == "url":
            yield token.value, token.source_line, token.source_column
        elif kind == "function":
            name = token.lower_name
            strings = [t for t in token.arguments if t.type == "string"]
            if name in ("url", "src") and strings:
                yield strings[0].value, token.source_line, token.source_column
            elif name.endswith("image-set"):
                for string in strings:
                    yield string.value, string.source_line, string.source_column
            yield from _walk(token.arguments, whole)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(token.content, whole)
        elif kind == "string" and after_import:
            yield token.value, token.source_line, token.source_column
        if kind not in ("whitespace", "comment"):
            after_import = whole and kind == "at-keyword" and token.lower_value == "import"


def css_problems(text: str, base: Path, confinement: Confinement) -> list[Problem]:
    """What a stylesheet asks for that the PDF stage would refuse, each at its line and column.

    Pure: the CSS text, the folder its relative URLs start from, and the render's confinement;
    it reads no file but to see that one exists. ``data:`` URIs and ``#fragments`` are let be.
    """
    issues = []
    for reference, line, column in css_references(text):
        if not reference or reference.startswith("#") or reference[:5].lower() == "data:":
            continue
        try:
            confinement.resolve(reference, base)
        except Refused as exc:
            issues.append(
                RESOURCE(
                    what=Text("the stylesheet asks for a resource that is refused"),
                    why=exc.reason,
                    line=line,
                    column=column,
                )
            )
    return issues


# -- a note's figures --------------------------------------------------------------------------


class Figures:
    """The images of one note, each file read and judged once, and the note's totals.

    Both the check (``render check``) and the render go through it, so what the check lets
    through is what the render prints, and a file that changes between the two is judged again
    from the very bytes that are embedded.
    """

    def __init__(self, confinement: Confinement, base: Path, limits: Limits) -> None:
        self.confinement, self.base, self.limits = confinement, base, limits
        self._opened: dict[Path, Figure | ImageProblem] = {}
        self.bytes = 0
        self.pixels = 0

    def open(self, reference: str) -> Figure:
        """The image a reference names; raise :class:`ImageProblem` if it cannot be printed."""
        try:
            path = self.confinement.resolve(reference, self.base)
        except Refused as exc:
            raise ImageProblem([RESOURCE(what=Text("image refused"), why=exc.reason)]) from None
        if path not in self._opened:
            try:
                self._opened[path] = self._read(path, reference)
            except ImageProblem as exc:
                self._opened[path] = exc
        found = self._opened[path]
        if isinstance(found, ImageProblem):
            raise found
        return found

    def _read(self, path: Path, reference: str) -> Figure:
        over = _too_big(reference, path.stat().st_size, self.limits)
        if over:
            raise ImageProblem([over])  # not read at all
        with path.open("rb") as file:
            # One byte past the limit: a file that grew since is known too big without reading on.
            data = file.read(self.limits.image_bytes + 1)
        figure = inspect(data, reference, path.parent, self.confinement, self.limits)
        self.bytes += len(data)
        self.pixels += figure.pixels
        issues = []
        if self.bytes > self.limits.note_image_bytes:
            issues.append(
                _limit(
                    Text(
                        "with {image}, the note's images come to {size}",
                        image=Quoted(reference),
                        size=_size(self.bytes),
                    ),
                    _size(self.limits.note_image_bytes),
                    "note_image_bytes",
                )
            )
        if self.pixels > self.limits.note_image_pixels:
            issues.append(
                _limit(
                    Text(
                        "with {image}, the note's images come to {pixels:,} pixels",
                        image=Quoted(reference),
                        pixels=self.pixels,
                    ),
                    _pixels(self.limits.note_image_pixels),
                    "note_image_pixels",
                )
            )
        if issues:
            raise ImageProblem(issues)
        return figure


__all__ = [
    "Figure",
    "Figures",
    "ImageProblem",
    "css_problems",
    "css_references",
    "inspect",
]
