"""Analyst Markdown to safe HTML: raw HTML disabled, images embedded once, ```chart blocks drawn."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from markdown_it.token import Token
from markupsafe import Markup, escape

from render.context.marks import MARK, source_mark
from render.data.chart import body_chart
from render.data.chart_block import Fence, is_chart, read_chart
from render.errors import UserError
from render.pdf.confine import Confinement
from render.settings import Limits
from render.validate.images import Figure, Figures, ImageProblem
from schemas.markdown import PARSER, note_markdown
from schemas.note import line_starts, starts_with_source
from schemas.problems import Loc, Problem
from schemas.rules import Quoted
from schemas.rules.rendering import FIGURE_ALT

#: The tokens whose element gets a mark: every block that holds the note's text.
_MARKED = {
    "paragraph_open",
    "heading_open",
    "list_item_open",
    "th_open",
    "td_open",
    "fence",
    "code_block",
}

#: A paragraph's opening tag, with its source mark if it has one.
_OPENING_P = re.compile(r'<p(?: data-src="[^"]*")?>')


def images(text: str) -> list[tuple[int, Any]]:
    """Each image token of a Markdown text, with the character offset of its line.

    Parsed once for every rule that reads images: a hostile text can take seconds to parse.
    """
    starts = line_starts(text)
    found = []
    for token in PARSER.parse(text):
        for child in token.children or []:
            if child.type == "image" and token.map:
                found.append((starts[min(token.map[0], len(starts) - 1)], child))
    return found


def image_references(text: str) -> Iterator[tuple[int, str]]:
    """Each image a Markdown text refers to, as (character offset of its line, reference)."""
    for offset, image in images(text):
        yield offset, str(image.attrGet("src"))


def figure_alt_problems(found: list[tuple[int, Any]], loc: Loc) -> list[Problem]:
    """An image with neither alternative text nor caption: a screen reader can say nothing of it.

    In Markdown both are the bracketed text (``![图 1：caption](chart.svg)``); the tagged PDF
    gives it to the figure as its ``/Alt``. ``found`` is what :func:`images` found in a text.
    """
    problems = []
    for offset, image in found:
        if image.content.strip():
            continue
        reference = str(image.attrGet("src"))
        problems.append(FIGURE_ALT(loc, image=Quoted(reference), offset=offset))
    return problems


class BodyRenderer:
    """Renders a note's Markdown fields, resolving images through the render's confinement.

    Each distinct image is embedded once: its ``<img>`` elements (alt text and all) show an
    empty stand-in of the image's size, and one CSS rule, given with the field that first shows
    the image, paints the picture on all of them. A picture referenced 300 times is in the HTML
    once, and WeasyPrint, which keeps images by URL, puts it in the PDF once.

    A ```chart block is drawn as an inline SVG figure, numbered with the image figures in the
    order the fields are rendered (图1, 图2… / Figure 1, Figure 2…), with its source line.
    """

    def __init__(
        self,
        confinement: Confinement,
        base: Path,
        limits: Limits | None = None,
        *,
        lang: str | None = None,
        locale: str = "zh_CN",
        gettext: Callable[[str], str] | None = None,
        fonts: str = "sans-serif",
    ) -> None:
        self.confinement = confinement
        self.base = base
        self.limits = limits or Limits()
        self.figures = Figures(confinement, base, self.limits)
        self.locale, self.fonts = locale, fonts
        self.gettext = gettext or (lambda message: message)
        #: The figures (images shown as figures, and charts) numbered so far.
        self.numbered = 0
        self.md = note_markdown()
        #: The images defined so far, and the rules of those not yet given with a field.
        self._defined: set[str] = set()
        self._pending: list[str] = []
        default_image = self.md.renderer.rules["image"]
        default_fence = self.md.renderer.rules["fence"]

        def image(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
            token = tokens[idx]
            figure = self._figure(str(token.attrGet("src")))
            token.attrSet("src", figure.stand_in)
            token.attrJoin("class", f"figure-{figure.key}")
            html = default_image(tokens, idx, options, env)
            if token.meta.get("figure"):
                self.numbered += 1
                caption = renderer.renderInlineAsText(token.children or [], options, env)
                html = f"<figcaption>{escape(caption)}</figcaption>" + html
            return html

        def fence(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
            token = tokens[idx]
            if not is_chart(token.info):
                return str(default_fence(tokens, idx, options, env))
            return self._chart(token, env if isinstance(env, dict) else {})

        # markdown-it binds a rule to its renderer, which arrives as the first argument.
        self.md.add_render_rule("image", image)
        self.md.add_render_rule("fence", fence)
        self.md.core.ruler.push("exhibits", _mark_exhibits)
        self.md.core.ruler.push("sources", _mark_sources)
        if lang:
            self.md.core.ruler.push("languages", language_spans(lang))

    def _chart(self, token: Any, env: dict[str, Any]) -> str:
        """A chart block as a numbered figure: caption, the SVG, its note and its source line."""
        text, loc = env.get("src", ""), env.get("loc", ())
        starts = line_starts(text)
        offset = starts[min(token.map[0] + 1, len(starts) - 1)] if token.map else 0
        chart, problems = read_chart(Fence(offset, token.content), loc, self.base, "", self.limits)
        if chart is None:
            # The check reported it at its place; here only a data file changed since can fail.
            raise UserError(problems)
        self.numbered += 1
        _ = self.gettext
        block = chart.block
        # TRANSLATORS: a figure's caption: its number and its title (图1：…).
        caption = _("Figure %(number)s: %(title)s") % {
            "number": self.numbered,
            "title": block.title,
        }
        svg = body_chart(
            block.type,
            chart.categories,
            chart.series,
            block.unit,
            chart.alt(),
            self.locale,
            self.fonts,
        )
        parts = [
            f'<figure class="figure chart chart-{block.type}">',
            f"<figcaption>{escape(caption)}</figcaption>",
            svg,
        ]
        if block.caption:
            parts.append(f'<p class="chart-note">{escape(block.caption)}</p>')
        parts.append(
            f'<p class="source">{escape(_("Source: %(source)s") % {"source": block.source})}</p>'
        )
        parts.append("</figure>\n")
        return "\n".join(parts)

    def _figure(self, reference: str) -> Figure:
        """The image a reference names, judged as the check judged it; its rule queued once."""
        try:
            figure = self.figures.open(reference)
        except ImageProblem as exc:
            # The check reported it at its place; here only a file changed since can fail.
            raise UserError(exc.issues) from None
        if figure.key not in self._defined:
            self._defined.add(figure.key)
            self._pending.append(figure.css())
        return figure

    def _styles(self) -> Markup:
        """A ``<style>`` element defining the images first shown since the last call, if any."""
        if not self._pending:
            return Markup("")
        rules, self._pending = "\n".join(self._pending), []
        return Markup(f"<style>\n{rules}\n</style>\n")

    def block(self, text: str, loc: Loc = ()) -> Markup:
        """A Markdown field as block HTML; with the field's path, each block marks its source."""
        html = Markup(self.md.render(text, {"loc": loc, "src": text}))
        return self._styles() + html

    def point(self, lead: str, body: str, loc: Loc = ()) -> Markup:
        """A commentary point: the bold lead opens the body's first paragraph, as it is written."""
        mark = Markup(' {}="{}"').format(MARK, source_mark((*loc, "lead"), 0)) if loc else ""
        lead_html = Markup('<strong class="lead"{}>{}</strong>').format(
            mark, Markup(self.md.renderInline(lead))
        )
        html = self.md.render(body, {"loc": (*loc, "body") if loc else (), "src": body})
        styles = self._styles()
        opening = _OPENING_P.match(html)
        if opening:
            gap = " " if _needs_space(lead, body) else ""
            return (
                styles + Markup(opening.group(0)) + lead_html + gap + Markup(html[opening.end() :])
            )
        return styles + Markup("<p>") + lead_html + Markup("</p>") + Markup(html)


def _needs_space(before: str, after: str) -> bool:
    """Whether a lead and the body it opens need a space between them.

    English does ("…purchase. Until now"); Chinese runs on after its full-width stop ("…下降。据").

    >>> _needs_space("Costs fall.", "Until now"), _needs_space("成本下降。", "据报告"), _needs_space("*AI*", "芯片")
    (True, False, False)
    """
    last, first = before.rstrip("*_` ")[-1:], after.lstrip("*_` ")[:1]
    wide = any(unicodedata.east_asian_width(c) in ("W", "F") for c in (last, first) if c)
    return bool(last and first) and not wide


def _mark_exhibits(state: Any) -> None:
    """Give source lines a class, and make a paragraph holding only an image a captioned figure."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-2]):
        if token.type != "paragraph_open" or tokens[i + 1].type != "inline":
            continue
        inline, closing = tokens[i + 1], tokens[i + 2]
        if starts_with_source(inline.content):
            token.attrSet("class", "source")
            continue
        children = [
            c
            for c in inline.children or []
            if (c.type != "softbreak" and c.content.strip()) or c.type == "image"
        ]
        if len(children) == 1 and children[0].type == "image":
            children[0].meta["figure"] = True
            token.tag = closing.tag = "figure"
            token.attrSet("class", "figure")


def _mark_sources(state: Any) -> None:
    """Mark each text block with where it starts in the note, for the check after layout."""
    loc = state.env.get("loc") if isinstance(state.env, dict) else None
    if not loc:
        return
    starts = line_starts(state.src)
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type not in _MARKED:
            continue
        # A table cell has no lines of its own; its text (the next token) has.
        lines = token.map or (tokens[i + 1].map if i + 1 < len(tokens) else None)
        if lines:
            token.attrSet(MARK, source_mark(loc, starts[min(lines[0], len(starts) - 1)]))


# -- language changes inside a paragraph ---------------------------------------------------------

#: A run of Latin words in Chinese text: "AI", "Open Chiplet Link 1.0", "GB200". Not a letter
#: glued to a number or a code ("300999.SZ"), nor a lone letter ("A股", the A-share market).
_LATIN_RUN = re.compile(
    r"(?<![A-Za-z0-9.])[A-Za-z][A-Za-z0-9]*(?:['’.-][A-Za-z0-9]+)*"
    r"(?: [A-Za-z0-9][A-Za-z0-9]*(?:['’.-][A-Za-z0-9]+)*)*(?![A-Za-z0-9])"
)
#: A run of Han characters (with the full-width punctuation inside it) in Latin text.
_HAN_RUN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"(?:[\u3000-\u303f\uff01-\uff60]*[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])*"
)


def language_runs(text: str, lang: str) -> list[tuple[int, int, str]]:
    """The runs of a text written in another language than the note's: (start, end, language).

    A Chinese note's runs of Latin words are English; an English note's runs of Han characters
    are Chinese. Found by script, so an author marks nothing: a screen reader switches voice
    for them, and the tagged PDF gives each its ``/Lang``.

    >>> language_runs("加快 AI 应用落地，A股与 300999.SZ", "zh-CN")
    [(3, 5, 'en')]
    >>> language_runs("the Open Chiplet Link 1.0 standard", "zh-CN")
    [(0, 34, 'en')]
    >>> language_runs("The term 先进封装 means advanced packaging", "en-US")
    [(9, 13, 'zh-CN')]
    """
    if lang.split("-")[0].lower() == "zh":
        pattern, other = _LATIN_RUN, "en"
    else:
        pattern, other = _HAN_RUN, "zh-CN"
    found = []
    for match in pattern.finditer(text):
        if other == "en" and sum(c.isalpha() for c in match.group()) < 2:
            continue
        found.append((match.start(), match.end(), other))
    return found


def language_spans(lang: str) -> Callable[[Any], None]:
    """A core rule that wraps each run of another language in ``<span lang="…">``."""

    def mark(state: Any) -> None:
        for token in state.tokens:
            if token.type != "inline" or not token.children:
                continue
            children: list[Token] = []
            for child in token.children:
                runs = language_runs(child.content, lang) if child.type == "text" else []
                if not runs:
                    children.append(child)
                    continue
                text, at = child.content, 0
                for start, end, other in runs:
                    if start > at:
                        children.append(Token("text", "", 0, content=text[at:start]))
                    opening = Token("lang_open", "span", 1)
                    opening.attrSet("lang", other)
                    children.append(opening)
                    children.append(Token("text", "", 0, content=text[start:end]))
                    children.append(Token("lang_close", "span", -1))
                    at = end
                if at < len(text):
                    children.append(Token("text", "", 0, content=text[at:]))
            token.children = children

    return mark
