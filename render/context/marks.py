"""Source marks: the attribute that ties an element of the HTML to the field and the character
of the note its text was written at, written by the Markdown stage and read after layout."""

from __future__ import annotations

from schemas.problems import Loc

#: The attribute that names where in the note an element's text was written (``event:12``).
MARK = "data-src"


def source_mark(loc: Loc, offset: int) -> str:
    """Where an element's text starts: the field's path and characters into its text.

    >>> source_mark(("commentary", 0, "body"), 12)
    'commentary.0.body:12'
    >>> read_mark(source_mark(("commentary", 0, "body"), 12))
    (('commentary', 0, 'body'), 12)
    """
    return ".".join(str(part) for part in loc) + f":{offset}"


def read_mark(mark: str) -> tuple[Loc, int] | None:
    """The field path and offset a mark names, or None for one render did not write."""
    path, _, offset = mark.rpartition(":")
    if not path or not offset.isdigit():
        return None
    return tuple(int(p) if p.isdigit() else p for p in path.split(".")), int(offset)


#: The attribute by which a template says how an element of the house's own text is printed;
#: without it, the element must be on some page like every other text of the document.
PRINT = "data-print"
#: On every page (the running footer): a page without it fails the note.
EVERY_PAGE = "every-page"
#: On some pages only, or none (the running header, left off the first page): not checked.
SOME_PAGES = "some-pages"
#: On screen only (a link the PDF prints as plain text, the draft banner): not checked.
SCREEN = "screen"
