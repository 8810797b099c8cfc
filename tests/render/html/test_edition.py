"""The HTML edition in Chromium: a phone's width, a desktop's, and printed from the browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from render.renderer import Renderer
from tests.chromium import chromium
from tests.conftest import EXAMPLES, TODAY
from tests.pdftools import page_texts, squash

pytestmark = pytest.mark.browser

NOTES = [
    EXAMPLES / "2026-04-15-hengtong-upgrade.md",  # a company note, with a table and a figure
    EXAMPLES / "2026-03-02-ai-training-cost.md",  # an industry note
    EXAMPLES / "2026-03-09-chiplet-interconnect-en.md",  # English
]
PHONE, DESKTOP = 390, 1280
#: Every compliance block a note carries, each of which must reach the reader at any width.
BLOCKS = [
    ".risk-level-line",
    ".compliance.rating-system",
    ".compliance.risk-levels",
    ".compliance.certification",
    ".compliance.disclaimer",
    ".compliance.contact",
    ".running-footer",
]

#: Where the parts of the first page are, as boxes in CSS pixels.
GEOMETRY = """() => {
  // A range's box is where the text is: a heading beside a float spans the float's width.
  const box = (s, text) => { const e = document.querySelector(s), range = document.createRange();
    range.selectNodeContents(e); const r = (text ? range : e).getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right}; };
  return {title: box('h1.title', true), sidebar: box('.sidebar'), first: box('.section'),
          scroll: document.scrollingElement.scrollWidth, width: innerWidth,
          text: parseFloat(getComputedStyle(document.querySelector('.section p')).fontSize)};
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as started:
        yield started


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each example note's HTML edition, as `render build --format html` writes it."""
    folder = tmp_path_factory.mktemp("html")
    renderer = Renderer(today=TODAY, created=None)
    written = {}
    for note in NOTES:
        html = renderer.render(note, ("html",)).html
        path = folder / f"{note.stem}.html"
        path.write_text(html, encoding="utf-8")
        written[note.stem] = path
    return written


def _open(browser: Browser, path: Path, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize("note", [n.stem for n in NOTES])
def test_on_a_phone_nothing_scrolls_sideways_and_the_sidebar_follows_the_title(
    browser: Browser, editions: dict[str, Path], note: str
) -> None:
    page = _open(browser, editions[note], PHONE)
    try:
        at = page.evaluate(GEOMETRY)
        assert at["scroll"] <= at["width"] == PHONE
        title, sidebar, first = at["title"], at["sidebar"], at["first"]
        # Stacked: below the title, above the first section, the column's full width.
        assert title["bottom"] <= sidebar["top"] < first["top"]
        assert sidebar["right"] - sidebar["left"] >= PHONE - 2 * 20
        assert at["text"] >= 14  # px: read at arm's length without zooming
        # A wide table scrolls within itself, inside the window.
        for table in page.locator("table").all():
            box = table.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        wide = page.locator(".suitability-table")
        assert wide.evaluate("t => getComputedStyle(t).overflowX") == "auto"
        for block in BLOCKS:
            assert page.locator(block).first.is_visible(), block
    finally:
        page.close()


@pytest.mark.parametrize("note", [n.stem for n in NOTES])
def test_at_desktop_width_the_sheet_keeps_its_sidebar_beside_the_body(
    browser: Browser, editions: dict[str, Path], note: str
) -> None:
    page = _open(browser, editions[note], DESKTOP)
    try:
        at = page.evaluate(GEOMETRY)
        assert at["scroll"] <= at["width"] == DESKTOP
        title, sidebar = at["title"], at["sidebar"]
        # Beside: level with the title, to its right.
        assert sidebar["top"] < title["bottom"] and sidebar["left"] >= title["right"]
        sheet = page.evaluate("document.body.getBoundingClientRect().width")
        assert sheet == pytest.approx(210 / 25.4 * 96, abs=1)  # the A4-wide sheet
        for block in BLOCKS:
            assert page.locator(block).first.is_visible(), block
    finally:
        page.close()


def test_printed_from_the_browser_every_page_has_its_header_and_footer(
    browser: Browser, editions: dict[str, Path]
) -> None:
    page = _open(browser, editions["2026-04-15-hengtong-upgrade"], DESKTOP)
    try:
        page.emulate_media(media="print")
        header = squash(page.locator(".running-header").inner_text())
        footer = squash(page.locator(".running-footer p").first.inner_text())
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    pages = [squash(text) for text in page_texts(pdf, layout=False)]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.startswith(header), f"page {number} does not begin with the header"
        assert footer in text[len(text) // 2 :], f"page {number} has no footer at its foot"
    # Each compliance block is printed too (the disclaimer's title, for one).
    assert "免责条款" in "".join(pages)
