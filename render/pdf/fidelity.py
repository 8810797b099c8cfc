"""After layout: what the pages show is what the note holds, or the note fails where it differs."""

from __future__ import annotations

import re
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
class _Block:
    """An element whose text must be printed: where it was written, what it holds, what was drawn.

    A block of the note is marked with the field its text was written in (``loc``); one of the
    house's own text (its templates and texts: the disclaimer, the rating scales, the footer)
    has no field, ``loc`` empty.
    """

    element: ET.Element
    loc: Loc
    offset: int
    #: Printed on every page (the running footer), not only on some page.
    every_page: bool = False
    expected: list[str] = field(default_factory=list)
    #: What was drawn of it: the text, the hyphen layout may add to it, the page's index.
    drawn: list[tuple[str, str, int]] = field(default_factory=list)
    images: list[ET.Element] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.expected)

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
        for block in blocks:
            problems += self._compare(block)
            if block.every_page and block.text().strip():
                problems += self._pages_without(block, len(document.pages))
            for image in block.images:
                if id(image) not in drawn_images and id(image) not in failed_images:
                    problems.append(self._figure_missing(block, image))
        return problems

    # -- what differs -----------------------------------------------------------------------

    def _compare(self, block: _Block) -> list[Problem]:
        """The block's text, in order, among what was drawn of it; where it stops, it is lost."""
        expected = _INVISIBLE.sub("", block.text()).casefold()
        position = _printed(expected, block.drawn)
        if position == len(expected):
            return []
        snippet = _INVISIBLE.sub("", block.text())[position:]
        if not block.of_note:
            return [self._house_unprinted(block, position)]
        offset = self._find(block, snippet) if position else block.offset
        name = _name(block)
        if position == 0:
            what = Text("the {block} is not printed as written: its text", block=name)
        else:
            what = Text(
                "the {block} is not printed as written: its text from {snippet} on",
                block=name,
                snippet=Quoted(_spaced_from(block.text(), position), 20),
            )
        return [UNPRINTED(block.loc, what=what, offset=offset)]

    def _house_unprinted(self, block: _Block, position: int) -> Problem:
        """The house's own text lost: named by its words, in the note that uses the house."""
        start = Quoted(_spaced_from(block.text(), 0), 30)
        if position == 0:
            what = Text("the house's text {start} (its templates or house.yaml)", start=start)
        else:
            what = Text(
                "the house's text {start} (its templates or house.yaml) from {snippet} on",
                start=start,
                snippet=Quoted(_spaced_from(block.text(), position), 20),
            )
        return UNPRINTED((), what=what, path=self.display)

    def _pages_without(self, block: _Block, pages: int) -> list[Problem]:
        """The pages an every-page block (the running footer) is not printed whole on."""
        expected = _INVISIBLE.sub("", block.text()).casefold()
        missing = [
            index + 1
            for index in range(pages)
            if _printed(expected, [d for d in block.drawn if d[2] == index]) < len(expected)
        ]
        if not missing:
            return []
        what = Text(
            "the house's footer {snippet}", snippet=Quoted(_spaced_from(block.text(), 0), 30)
        )
        return [
            MISSING_ON_PAGES((), what=what, pages=", ".join(map(str, missing)), path=self.display)
        ]

    def _figure_missing(self, block: _Block, image: ET.Element) -> Problem:
        if not block.of_note:
            what = Text("the house's image {image}", image=Quoted(image.get("alt") or "", 30))
            return UNPRINTED((), what=what, path=self.display)
        what = Text("a figure is not printed: its image")
        return UNPRINTED(block.loc, what=what, offset=block.offset)

    def _image_failed(self, item: Logged, blocks: list[_Block]) -> tuple[Problem, Any] | None:
        """A figure of the note that WeasyPrint could not load, located at its line."""
        for block in blocks:
            if not block.of_note:
                continue  # the house's image: the problem WeasyPrint's message makes stands
            for image in block.images:
                if image.get("src") == item.url:
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


def _blocks(html: HTML) -> tuple[list[_Block], dict[int, _Block]]:
    """The elements whose text must be printed, in document order, and for each element the
    block its text is in: the note's marked elements, and every other element holding text
    (the house's), save those its template says are not printed on every page or on paper."""
    blocks: list[_Block] = []
    owners: dict[int, _Block] = {}
    body = html.etree_element.find("body")
    if body is None:
        return blocks, owners

    def visit(element: ET.Element, owner: _Block | None) -> None:
        printed = element.get(PRINT)
        if printed in (SOME_PAGES, SCREEN) or _is_svg(element) or element.tag in _NOT_TEXT:
            return  # not printed on every page, drawn as a picture (its text is no text box),
            # or no text at all (a style sheet)
        mark = element.get(MARK)
        where = read_mark(mark) if mark else None
        if where is not None:
            owner = _Block(element, *where)
            blocks.append(owner)
        elif owner is None and (
            printed == EVERY_PAGE or _holds_text(element) or element.tag == "img"
        ):
            owner = _Block(element, (), 0, every_page=printed == EVERY_PAGE)
            blocks.append(owner)
        if owner is not None:
            owners[id(element)] = owner
            if element.tag == "img":
                owner.images.append(element)
            owner.expected.append(element.text or "")
        for child in element:
            if not isinstance(child.tag, str):
                continue  # a comment
            visit(child, owner)
            if owner is not None:
                owner.expected.append(child.tail or "")

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


def _printed(expected: str, drawn: list[tuple[str, str, int]]) -> int:
    """How much of ``expected`` (folded, without white space) the drawn pieces print in order."""
    position = 0
    for text, hyphen, _page in drawn:
        if position == len(expected):
            break
        piece = _INVISIBLE.sub("", text).casefold()
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


def _walk(
    box: boxes.Box,
    owners: dict[int, _Block],
    images: set[int],
    clip: Rect,
    hidden: bool,
    page: int,
) -> None:
    """Record the text and images drawn visibly on the page, by the block they belong to."""
    if "::" in (box.element_tag or ""):
        return  # generated by the stylesheet (a list marker, a counter): not the note's
    style = box.style
    hidden = hidden or style["opacity"] == 0
    if style["overflow"] != "visible" and not isinstance(box, boxes.TextBox):
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
        if drawn and box.element is not None and box.element.tag == "img":
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
