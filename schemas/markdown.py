"""The one Markdown dialect notes are written in, shared by the rules, the body reader and render."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

#: Where the parser notes the lines it dropped for being nested too deeply (in ``env``).
_TOO_DEEP = "too_deep"


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
    _watch_nesting(md)
    return md


def _watch_nesting(md: MarkdownIt) -> None:
    """Note the lines markdown-it drops when blocks nest past ``maxNesting``.

    Past the limit it skips the rest of the nested block (and what follows it in the same
    list) without a word; the limit stays, as it keeps the parser's recursion bounded.
    """
    tokenize = md.block.tokenize

    def watched(state: Any, start: int, end: int) -> None:
        if state.level >= md.options.maxNesting:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                # Where the line's text starts, inside its quote markers and indentation.
                state.env.setdefault(_TOO_DEEP, []).append(state.bMarks[line] + state.tShift[line])
        tokenize(state, start, end)

    # Rules call ``state.md.block.tokenize`` for nested blocks, so they reach this one too.
    md.block.tokenize = watched  # type: ignore[method-assign]


def too_deep(text: str) -> list[int]:
    r"""Where text starts that the parser would drop for nesting too deeply (character offsets).

    >>> deep = "".join("  " * i + f"- {i}\n" for i in range(12))
    >>> too_deep(deep) == [deep.index("- 9") + 2]
    True
    >>> too_deep(">" * 30 + " deep"), too_deep("- a\n  - b")
    ([20], [])
    """
    env: dict[str, Any] = {}
    PARSER.parse(text, env)
    # A line is tried once per enclosing level: the first place dropped is enough to say.
    return sorted(set(env.get(_TOO_DEEP, [])))[:1]


#: A parser for reading only (tokens, positions); renderers that add rules make their own.
PARSER = note_markdown()
