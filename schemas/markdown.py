"""The one Markdown dialect notes are written in, shared by the rules, the body reader and render."""

from __future__ import annotations

from markdown_it import MarkdownIt


def note_markdown() -> MarkdownIt:
    """CommonMark with tables; raw HTML in a note prints as text, never as markup.

    ``file:`` URLs are let through the parser (which would print them as text) so that an
    image pointing at one reaches the confinement check and gets a located error.

    >>> [t.type for t in note_markdown().parse("<b>x</b>")]
    ['paragraph_open', 'inline', 'paragraph_close']
    """
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    default_validate = md.validateLink
    md.validateLink = lambda url: default_validate(url) or url.lower().startswith("file:")  # type: ignore[method-assign]
    return md


#: A parser for reading only (tokens, positions); renderers that add rules make their own.
PARSER = note_markdown()
