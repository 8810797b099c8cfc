"""Analyst Markdown to safe HTML: raw HTML disabled, images inlined from allowed folders."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from render.confine import Confinement
from schemas.markdown import PARSER, note_markdown
from schemas.note import line_starts, starts_with_source


def image_references(text: str) -> Iterator[tuple[int, str]]:
    """Each image a Markdown text refers to, as (character offset of its line, reference)."""
    starts = line_starts(text)
    for token in PARSER.parse(text):
        for child in token.children or []:
            if child.type == "image" and token.map:
                yield starts[min(token.map[0], len(starts) - 1)], str(child.attrGet("src"))


class BodyRenderer:
    """Renders a note's Markdown fields, resolving images through the render's confinement."""

    def __init__(self, confinement: Confinement, base: Path) -> None:
        self.confinement = confinement
        self.base = base
        self.md = note_markdown()
        default_image = self.md.renderer.rules["image"]

        def image(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
            token = tokens[idx]
            token.attrSet("src", confinement.data_uri(str(token.attrGet("src")), base))
            html = default_image(tokens, idx, options, env)
            if token.meta.get("figure"):
                caption = renderer.renderInlineAsText(token.children or [], options, env)
                html = f"<figcaption>{escape(caption)}</figcaption>" + html
            return html

        # markdown-it binds a rule to its renderer, which arrives as the first argument.
        self.md.add_render_rule("image", image)
        self.md.core.ruler.push("exhibits", _mark_exhibits)

    def block(self, text: str) -> Markup:
        """A Markdown field as block HTML."""
        return Markup(self.md.render(text))

    def point(self, lead: str, body: str) -> Markup:
        """A commentary point: the bold lead opens the body's first paragraph, as it is written."""
        lead_html = Markup('<strong class="lead">{}</strong>').format(
            Markup(self.md.renderInline(lead))
        )
        html = self.md.render(body)
        if html.startswith("<p>"):
            gap = " " if _needs_space(lead, body) else ""
            return Markup("<p>") + lead_html + gap + Markup(html[3:])
        return Markup("<p>") + lead_html + Markup("</p>") + Markup(html)


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
