"""After layout: what the pages show is what the note holds, or the note fails where it differs."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from weasyprint import HTML, Document
from weasyprint.formatting_structure import boxes

from render.context.marks import EVERY_PAGE, MARK, PRINT, SCREEN, SOME_PAGES, read_mark
from render.pdf.writer import Logged
from schemas.problems import Loc, Problem
from schemas.rules import Quoted, Text
from schemas.rules.rendering import MISSING_ON_PAGES, UNPRINTED

#: Characters layout may add, drop or move without changing the text: white space (collapsed,
#: or ending a line), soft hyphens, and the zero-width space WeasyPrint adds for word spacing.
_INVISIBLE = re.compile(r"[\s\u00ad\u200b]+")
#: How many places one missing character is reported at, at most.
_PLACES_PER_CHARACTER = 10

Rect = tuple[float, float, float, float]


@dataclass
class _Segment:
    """The text one element writes itself (its own text and its children's tails), in order,
    and what was drawn of it: the unit whose order the check follows, since a house style may
    reorder elements (flex ``order``, a reversed column) but never the words of one."""

    element: ET.Element
    expected: list[str] = field(default_factory=list)
    #: What was drawn of it: the text, the hyphen layout may add to it, the page's index.
    drawn: list[tuple[str, str, int]] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.expected)


@dataclass
class _Block:
    """An element whose text must be printed: where it was written, what it holds, what was drawn.

    A block of the note is marked with the field its text was written in (``loc``); one of the
    house's own text (its templates and texts: the disclaimer, the rating scales, the footer)
    has no field, ``loc`` empty. Its text is held by the segments of its elements.
    """

    element: ET.Element
    loc: Loc
    offset: int
    #: Printed on every page (the running footer), not only on some page.
    every_page: bool = False
    #: The block's text in document order (each piece is also its segment's).
    pieces: list[str] = field(default_factory=list)
    segments: list[_Segment] = field(default_factory=list)
    images: list[ET.Element] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.pieces)

    def segment(self, element: ET.Element) -> _Segment:
        segment = _Segment(element)
        self.segments.append(segment)
        return segment

    def add(self, segment: _Segment, text: str) -> None:
        segment.expected.append(text)
        self.pieces.append(text)

    @property
    def of_note(self) -> bool:
        return bool(self.loc)


class FidelityCheck:
    """Compares a laid-out document with the note it was made from (see :meth:`__call__`)."""

    def __init__(self, text: str, fields: Mapping[str, Any], display: str) -> None:
        #: The note file's text, for a character the note writes outside its Markdown.
        self.text = text
        #: The note's fields as plain data (``model_dump()``): mappings, lists and values.
        self.fields = fields
        self.display = display

    def __call__(self, html: HTML, document: Document, logged: list[Logged]) -> list[Problem]:
        """Every problem of the render; one in the note's text names its field and the offset
        into it (``loc``, ``offset``) for the caller to place in the note file, which it has
        parsed (:meth:`render.load.source.Source.locate`; this may run in another process).

        Each marked element's text must be drawn, visibly and on a page; each of its images
        too; each character with a glyph (WeasyPrint reports those it draws as ``.notdef``).
        """
        blocks, owners = _blocks(html)
        drawn_images: set[int] = set()
        for index, page in enumerate(document.pages):
            box = page._page_box
            page_rect = (0.0, 0.0, box.margin_width(), box.margin_height())
            _walk(box, owners, drawn_images, page_rect, hidden=False, page=index)
        problems: list[Problem] = []
        failed_images: set[int] = set()
        chars: set[str] = set()
        for item in logged:
            if item.char is not None:
                # WeasyPrint says so at each box drawn: the note's places are found once.
                if item.char not in chars:
                    chars.add(item.char)
                    problems += self._glyph(item, blocks)
            elif item.url is not None and (found := self._image_failed(item, blocks)):
                problems.append(found[0])
                failed_images.add(id(found[1]))
            else:
                problems.append(item.problem)
        # Every page but blank ones, which a house may leave blank (before a section that
        # starts on a left- or right-hand page).
        printed = [i for i, page in enumerate(document.pages) if not _blank(page)]
        for block in blocks:
            if block.every_page:
                problems += self._pages_without(block, printed)  # lost from all: said once
            else:
                problems += self._compare(block)
            for image in block.images:
                if id(image) not in drawn_images and id(image) not in failed_images:
                    problems.append(self._figure_missing(block, image))
        return problems

    # -- what differs -----------------------------------------------------------------------

    def _compare(self, block: _Block) -> list[Problem]:
        """Each of the block's segments, in order, among what was drawn of it; the first one
        not printed whole is lost from where it stops."""
        first = True
        for segment in block.segments:
            expected = _fold(segment.text())
            if not expected:
                continue
            position = _printed(expected, segment.drawn)
            if position < len(expected):
                return [self._lost(block, segment, position, whole=first and position == 0)]
            first = False
        return []

    def _lost(self, block: _Block, segment: _Segment, position: int, whole: bool) -> Problem:
        if not block.of_note:
            return self._house_unprinted(segment, position)
        snippet = _spaced_from(segment.text(), position)
        offset = block.offset if whole else self._find(block, _INVISIBLE.sub("", snippet))
        name = _name(block)
        if whole:
            what = Text("the {block} is not printed as written: its text", block=name)
        else:
            what = Text(
                "the {block} is not printed as written: its text from {snippet} on",
                block=name,
                snippet=Quoted(snippet, 20),
            )
        return UNPRINTED(block.loc, what=what, offset=offset)

    def _house_unprinted(self, segment: _Segment, position: int) -> Problem:
        """Text of the templates lost (the house's, or a record they print): named by its
        words, in the note that uses the house."""
        start = Quoted(_spaced_from(segment.text(), 0), 30)
        if position == 0:
            what = Text("the text {start} printed by the house's templates", start=start)
        else:
            what = Text(
                "the text {start} printed by the house's templates, from {snippet} on,",
                start=start,
                snippet=Quoted(_spaced_from(segment.text(), position), 20),
            )
        return UNPRINTED((), what=what, path=self.display)

    def _pages_without(self, block: _Block, pages: list[int]) -> list[Problem]:
        """The pages (indexes given) an every-page block (the running footer) is not printed
        whole on."""
        segments = [(s, expected) for s in block.segments if (expected := _fold(s.text()))]
        missing = [
            index
            for index in pages
            if any(
                _printed(expected, [d for d in s.drawn if d[2] == index]) < len(expected)
                for s, expected in segments
            )
        ]
        if not segments or not missing:
            return []
        if missing == pages:
            where = Text("every page")
        elif len(missing) == 1:
            where = Text("page {page}", page=missing[0] + 1)
        else:
            where = Text("pages {pages}", pages=_ranges([i + 1 for i in missing]))
        what = Text(
            "the house's footer {snippet}", snippet=Quoted(_spaced_from(block.text(), 0), 30)
        )
        return [MISSING_ON_PAGES((), what=what, pages=where, path=self.display)]

    def _figure_missing(self, block: _Block, image: ET.Element) -> Problem:
        if not block.of_note:
            name = image.get("alt") or image.get("class") or str(image.tag).rpartition("}")[2]
            what = Text("the house's image {image}", image=Quoted(name, 30))
            return UNPRINTED((), what=what, path=self.display)
        what = Text("a figure is not printed: its image")
        return UNPRINTED(block.loc, what=what, offset=block.offset)

    def _image_failed(self, item: Logged, blocks: list[_Block]) -> tuple[Problem, Any] | None:
        """A figure of the note that WeasyPrint could not load, located at its line."""
        for block in blocks:
            for image in block.images:
                if image.get("src") == item.url:
                    if not block.of_note:
                        return item.problem, image  # the house's: WeasyPrint's message stands
                    problem = replace(item.problem, loc=block.loc, offset=block.offset, path="")
                    return problem, image
        return None

    def _glyph(self, item: Logged, blocks: list[_Block]) -> list[Problem]:
        """A character without a glyph, at each place the note writes it (or where it is)."""
        char = item.char or ""
        problem = item.problem
        offsets: dict[Loc, set[int]] = {}
        for block in blocks:
            if block.of_note and char in block.text() and block.loc not in offsets:
                text = self._field_text(block.loc)
                offsets[block.loc] = {i for i, c in enumerate(text) if c == char}
        found = [
            replace(problem, loc=loc, offset=index, path="")
            for loc, indexes in offsets.items()
            for index in sorted(indexes)
        ][:_PLACES_PER_CHARACTER]
        if found:
            return found
        # Not in the note's Markdown: another field printed by a template, or the house's text.
        index = self.text.find(char)
        if index < 0:
            where = Text(" (a text of the house or its templates)")
            return [replace(problem, params={**problem.params, "where": where}, path=self.display)]
        line = self.text.count("\n", 0, index) + 1
        column = index - (self.text.rfind("\n", 0, index) + 1) + 1
        return [replace(problem, path=self.display, line=line, column=column)]

    # -- where --------------------------------------------------------------------------------

    def _field_text(self, loc: Loc) -> str:
        """The note's text of a field, as the model holds it (offsets count into it)."""
        value: Any = self.fields
        for part in loc:
            if isinstance(value, Mapping):
                value = value.get(str(part))
            elif (
                isinstance(value, (list, tuple))
                and isinstance(part, int)
                and 0 <= part < len(value)
            ):
                value = value[part]
            else:
                return ""
        return value if isinstance(value, str) else ""

    def _find(self, block: _Block, snippet: str) -> int:
        """Where lost text starts in the field: its first characters searched after the block's start."""
        text = self._field_text(block.loc)
        for size in (12, 6, 3, 1):
            index = text.find(snippet[:size], block.offset) if snippet[:size] else -1
            if index >= 0:
                return index
        return block.offset


def _blocks(html: HTML) -> tuple[list[_Block], dict[int, _Segment]]:
    """The elements whose text must be printed, in document order, and for each element the
    block its text is in: the note's marked elements, and every other element holding text
    (the house's), save those its template says are not printed on every page or on paper."""
    blocks: list[_Block] = []
    owners: dict[int, _Segment] = {}
    body = html.etree_element.find("body")
    if body is None:
        return blocks, owners

    def visit(element: ET.Element, owner: _Block | None) -> None:
        printed = element.get(PRINT)
        if printed in (SOME_PAGES, SCREEN) or element.tag in _NOT_TEXT:
            return  # not printed on every page, or no text at all (a style sheet)
        mark = element.get(MARK)
        where = read_mark(mark) if mark else None
        if where is not None:
            owner = _Block(element, *where)
            blocks.append(owner)
        elif printed == EVERY_PAGE or (
            owner is None and (_holds_text(element) or element.tag == "img" or _is_svg(element))
        ):
            owner = _Block(element, (), 0, every_page=printed == EVERY_PAGE)
            blocks.append(owner)
        if owner is None:
            segment = None
        elif element.tag == "img" or _is_svg(element):
            # A picture: an inline SVG (a chart) is drawn as one, its labels no text boxes.
            owner.images.append(element)
            return
        else:
            segment = owner.segment(element)
            owners[id(element)] = segment
            owner.add(segment, element.text or "")
        for child in element:
            if not isinstance(child.tag, str):
                continue  # a comment
            visit(child, owner)
            if owner is not None and segment is not None:
                owner.add(segment, child.tail or "")

    visit(body, None)
    return blocks, owners


#: Elements whose content is never text on a page.
_NOT_TEXT = frozenset({"style", "script", "template", "noscript"})


def _holds_text(element: ET.Element) -> bool:
    """Whether text is written directly in the element (not only in its children)."""
    if (element.text or "").strip():
        return True
    return any((child.tail or "").strip() for child in element if isinstance(child.tag, str))


def _is_svg(element: ET.Element) -> bool:
    """An inline SVG drawing (a chart): WeasyPrint draws it as an image, its labels included."""
    return str(element.tag).rpartition("}")[2] == "svg"


def _fold(text: str) -> str:
    """Text as compared: without white space, compatibility forms made plain (full-width
    letters, which ``text-transform: full-width`` draws), case folded."""
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()


def _printed(expected: str, drawn: list[tuple[str, str, int]]) -> int:
    """How much of ``expected`` (folded) the drawn pieces print in order."""
    position = 0
    for text, hyphen, _page in drawn:
        if position == len(expected):
            break
        piece = _fold(text)
        if expected.startswith(piece, position):
            position += len(piece)
        elif (
            hyphen
            and piece.endswith(hyphen)
            and expected.startswith(piece[: -len(hyphen)], position)
        ):
            position += len(piece) - len(hyphen)  # a hyphen added where a word was broken
        # Anything else drawn is not the block's text (a table header repeated on a page).
    return position


def _blank(page: Any) -> bool:
    """A page the layout left blank (before a section starting on a left- or right-hand page)."""
    return bool(page._page_box.page_type.blank)


def _ranges(numbers: list[int]) -> str:
    """Page numbers as ranges: ``1–3, 5``."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _walk(
    box: boxes.Box,
    owners: dict[int, _Segment],
    images: set[int],
    clip: Rect,
    hidden: bool,
    page: int,
) -> None:
    """Record the text and images drawn visibly on the page, by the block they belong to."""
    tag = box.element_tag or ""
    if "::" in tag and not tag.endswith(("::first-letter", "::first-line")):
        return  # generated by the stylesheet (a list marker, a counter): not the note's
    style = box.style
    hidden = hidden or style["opacity"] == 0
    # The page takes the root element's overflow; it clips the page area, not the margin
    # boxes around it (the running footer).
    clips = not isinstance(box, (boxes.TextBox, boxes.PageBox))
    if style["overflow"] != "visible" and clips:
        clip = _intersect(
            clip,
            (box.padding_box_x(), box.padding_box_y(), box.padding_width(), box.padding_height()),
        )
    if isinstance(box, boxes.TextBox):
        owner = owners.get(id(box.element))
        if owner is not None and not hidden and _shown(box, clip):
            owner.drawn.append((_within(box, clip), style["hyphenate_character"], page))
        return
    if isinstance(box, boxes.ReplacedBox):
        drawn = not hidden and box.width and box.height and _shown(box, clip)
        if drawn and box.element is not None and (box.element.tag == "img" or _is_svg(box.element)):
            images.add(id(box.element))
        return
    for child in getattr(box, "children", ()):
        _walk(child, owners, images, clip, hidden, page)


def _shown(box: boxes.Box, clip: Rect) -> bool:
    """Whether a text or image box is drawn where it can be seen: visible, sized, not clipped."""
    style = box.style
    if style["visibility"] != "visible" or style["font_size"] < 1e-6:
        return False
    color = style["color"]
    if getattr(color, "alpha", 1) == 0:
        return False
    x, y = box.position_x, box.position_y
    return _overlaps((x, y, box.margin_width(), box.margin_height()), clip)


#: How far, in CSS pixels, a glyph may reach past its clip and still count as seen: an italic's
#: overhang or a rounding of the line's width, never a word.
_OVERHANG = 1.0


def _within(box: boxes.TextBox, clip: Rect) -> str:
    """The part of a text box's text drawn inside its clip, across the line.

    A word with no break opportunity runs past the margin and off the page edge as one box; the
    reader sees only its start. The characters are taken as evenly wide, so the place where the
    text is lost is found to within a few characters.
    """
    left, right = box.position_x, box.position_x + box.width
    seen_left, seen_right = max(left, clip[0]), min(right, clip[0] + clip[2])
    if seen_left - left <= _OVERHANG and right - seen_right <= _OVERHANG:
        return box.text
    if seen_left - left > _OVERHANG:
        return ""  # its start is cut off: what follows cannot be read in order
    return box.text[: int(len(box.text) * (seen_right - left) / box.width)]


def _intersect(a: Rect, b: Rect) -> Rect:
    x, y = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return (x, y, max(0.0, right - x), max(0.0, bottom - y))


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


_NAMES = {
    "p": Text("paragraph"),
    "li": Text("list item"),
    "td": Text("table cell"),
    "th": Text("table header"),
    "figure": Text("figure"),
    "code": Text("code block"),
    "strong": Text("point's lead"),
}


#: What the templates print a field of the note in, by the field.
_FIELD_NAMES = {
    "title": Text("title"),
    "date": Text("date"),
    "rating": Text("rating"),
    "subject": Text("subject box"),
    "analysts": Text("analyst's entry"),
    "risk_level": Text("risk-level line"),
    "market_data": Text("market-data box"),
    "prices": Text("relative-performance chart"),
    "price": Text("valuation"),
    "forecast": Text("forecast table"),
    "results": Text("results table"),
}


def _name(block: _Block) -> Text:
    if named := _FIELD_NAMES.get(str(block.loc[0])):
        return named
    tag = str(block.element.tag)
    return _NAMES.get(tag, Text("heading") if re.fullmatch(r"h\d", tag) else Text("text"))


def _spaced_from(text: str, position: int) -> str:
    """``text`` from its ``position``-th character that is not white space, runs of white space
    made one space: what a message quotes of lost text."""
    seen = 0
    for index, char in enumerate(text):
        if not _INVISIBLE.fullmatch(char):
            if seen == position:
                return " ".join(text[index:].split())
            seen += 1
    return ""
