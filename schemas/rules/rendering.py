"""Rules found while rendering: templates, figures, resources and the check after layout."""

from schemas.problems import Severity
from schemas.rules.core import Rule
from schemas.rules.sections import RENDERING

# A rule whose problems are wholly different sentences takes the sentence as its parameter,
# a ``Text`` of its own (translated by its message id); the others take the varying part.

TEMPLATE = Rule(
    "render.template",
    "{problem}",
    RENDERING,
    "the note's template is not one the house or render has",
)
RESOURCE = Rule(
    "render.resource",
    "{what}: {why}",
    RENDERING,
    "an image is on the network, outside the note's and house's folders, or missing; the "
    "house's `logo` is not a file in its folder",
)
SANDBOX = Rule(
    "render.sandbox",
    "the house template does what the sandbox forbids: {failure}",
    RENDERING,
    "a house template does what templates may not: reach Python's internals (`__class__`, "
    "`__globals__`, a model's methods), change data, make a sequence, number or padding too "
    "large at once, `range` over more than 100,000 items, or load a template file that leads "
    "outside its folder; it is located at the template's line and nothing of it runs",
)
IMAGE = Rule(
    "render.image",
    "{problem}",
    RENDERING,
    "a figure that would not print: not a PNG, JPEG, GIF, WebP or SVG image; one that does not "
    "decode (truncated, a broken checksum); an SVG that is not well-formed, declares entities or "
    "a DTD of its own, declares a size that is not a length, or refers to a file (an SVG figure "
    "must hold what it shows, as `data:` URIs: neither a browser nor the PDF shows a file an "
    "image refers to)",
)
IMAGE_LIMIT = Rule(
    "render.image_limit",
    "{found}, over the limit of {limit} ({setting})",
    RENDERING,
    "a figure over a limit (each message names it): an image's bytes (`image_bytes`) or pixels "
    "(`image_pixels`, read from its header before any decoding; an SVG's declared size and the "
    "images it holds count), or all the note's distinct images together (`note_image_bytes`, "
    "`note_image_pixels`); see `render/settings.py`",
)
UNPRINTED = Rule(
    "render.unprinted",
    "{what} is on no page (hidden by the house style, clipped, or lost in layout)",
    RENDERING,
    "text of the note (a paragraph, list item, table cell, heading, a point's lead) or a figure "
    "is on no page after layout: hidden by the house's style (`display: none`, `visibility: "
    "hidden`, transparent, zero size), clipped, or placed off the page; located at the block in "
    "the note, or where its text stops being printed. The same holds for what the templates "
    "print: a field of the note (the title, the rating, an analyst and their SAC number, the "
    "risk level, the market data) is located at that field; the house's own text (the "
    "disclaimer, the rating scales, a heading) is named by its words. What a house template "
    'means for the screen only says so (`data-print="screen"`, see '
    "[report types](report-types.md#in-a-house))",
)
MISSING_ON_PAGES = Rule(
    "render.every_page",
    "{what} is missing from {pages}: it must be printed on every page",
    RENDERING,
    "the running footer (the house's `texts.footer`) is not printed whole on every page of the "
    "note, as the house's notes must carry it: a house style that leaves it off a page (an "
    "`@page` rule with `content: none` for its margin box, a margin too small for it); a page "
    "the layout leaves blank (before a section starting on a left- or right-hand page) may go "
    "without it",
)
GLYPH = Rule(
    "render.glyph",
    "no font has a glyph for {char} (U+{codepoint}): it would print as an empty box{where}",
    RENDERING,
    "a character no installed font has a glyph for (CJK Extension B such as 𠀀, emoji such as "
    "🚀): it would print as an empty box; located at each place the note writes it (`render "
    "doctor` lists the scripts the house's fonts lack)",
)
LAYOUT = Rule(
    "render.layout",
    "the layout engine reports: {report}",
    RENDERING,
    "a message of the layout engine while rendering: an error where content is lost (an image, "
    "stylesheet or SVG that cannot be loaded or drawn, table cells ignored, content discarded), "
    "a warning otherwise; a note's figure is located at its line",
    severity_text="error or warning",
)
STYLE = Rule(
    "render.style",
    "the house's stylesheet has a declaration the layout engine ignores: {report}",
    RENDERING,
    "a declaration of the house's `style.css` that the layout engine ignores (an unknown or "
    "unsupported property or value); located in that file",
    severity=Severity.WARNING,
)
TIMEOUT = Rule(
    "render.timeout",
    "rendering took longer than the limit of {seconds:g} seconds and {how}; if the note is "
    "genuine, raise render_seconds in the [limits] table of render.toml",
    RENDERING,
    "rendering the note (checking it, its HTML and its PDF's layout) took longer than the time "
    "limit, `render_seconds` in the `[limits]` table of `render.toml` (default 120 s), and was "
    "stopped; the other notes of the build go on, and the preview keeps answering. A hostile "
    "note (a paragraph of `*_*_*_…` takes WeasyPrint minutes to lay out) meets it; a genuine "
    "note that does can have the limit raised",
)
INTERNAL = Rule(
    "render.internal",
    "internal error (a bug in render, not in the note; the server log has the traceback): {error}",
    RENDERING,
    "shown by the preview server in place of a page when rendering hits a bug in render itself "
    "(the server log has the traceback); `render build` and `render check` exit 3 instead",
)

FIGURE_ALT = Rule(
    "render.figure_alt",
    "the image {image} has no alternative text: write a caption between the brackets, "
    "![Figure 1: …](…), for readers who cannot see it",
    RENDERING,
    "a figure with neither alternative text nor caption (`![](chart.svg)`): the tagged PDF's "
    "figure would have nothing for a screen reader to say; write the caption between the "
    "brackets (see [archival PDFs](archival.md))",
    severity=Severity.WARNING,
)

__all__ = [
    "FIGURE_ALT",
    "GLYPH",
    "IMAGE",
    "IMAGE_LIMIT",
    "INTERNAL",
    "LAYOUT",
    "MISSING_ON_PAGES",
    "RESOURCE",
    "SANDBOX",
    "STYLE",
    "TEMPLATE",
    "TIMEOUT",
    "UNPRINTED",
]
