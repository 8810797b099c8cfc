"""Front end: the ``render`` command line."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

# The command line loads no Pydantic plugins: looking for them reads every installed package's
# entry points when the first model is built, ~25 ms of each command's start, and render has
# none. A PYDANTIC_DISABLE_PLUGINS the environment sets is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

#: ``render build``'s options that take a value (a test compares them with the command's).
BUILD_VALUE_OPTIONS = frozenset(
    {
        "--output",
        "-o",
        "--format",
        "--error-format",
        "--lang",
        "--today",
        "--jobs",
        "-j",
        "--scheduler",
        "--house-path",
        "--pdf-variant",
    }
)


def main() -> None:
    """Run the ``render`` command line (``python -m render`` too), its modules imported first.

    A build of one note file starts its PDF process first (:mod:`render.pdf.ahead`), before
    the command line's own imports: WeasyPrint then imports on the second core while this
    process imports the rest, reads the command line and checks the note. The build takes the
    process, or it is ended unused (the note was up to date, or the command failed).

    Importing the command line makes hundreds of thousands of objects that live as long as the
    process (Pydantic's models, Jinja, the rule registry), and Python's cyclic garbage collector
    walks them again and again while they are made: ~60 ms of a cold ``render check`` (a
    tenth of it), with nothing to collect. The collector is paused while they are imported,
    and they are then set aside for good (``gc.freeze``), so later collections walk only what
    the command itself makes; it runs as usual after that.
    """
    from render.pdf import ahead

    if one_note_build(sys.argv[1:]):
        ahead.start_early()
    try:
        gc.disable()
        try:
            from render.cli.app import main as run
        finally:
            gc.freeze()
            gc.enable()
        run()
    finally:
        ahead.discard_early()


def one_note_build(args: list[str]) -> bool:
    """Whether a command line is most likely ``render build`` of one note file, with a PDF.

    A guess made before the command line is parsed, so it only decides whether a process is
    started early: a wrong guess costs that process, never the build's result.
    """
    if not args or args[0] != "build":
        return False
    positional: list[str] = []
    formats: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--":
            positional += rest
            break
        name, equals, value = arg.partition("=")
        if not arg.startswith("-"):
            positional.append(arg)
        elif name == "--scheduler":
            return False  # rendered on a cluster
        elif name in BUILD_VALUE_OPTIONS:
            value = value if equals else next(rest, "")
            if name == "--format":
                formats.append(value)
    return len(positional) == 1 and Path(positional[0]).is_file() and formats[-1:] != ["html"]
