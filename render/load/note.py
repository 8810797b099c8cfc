"""Load stage: read a note file (Markdown with front matter, YAML or JSON) with positions."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from render.errors import UserError
from render.load.body import split_body
from render.load.positions import check_characters, load_json, load_yaml_into
from render.load.source import Source
from render.settings import Limits
from schemas.rules import Text, reading

NOTE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json")

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)


def read_text(path: Path, max_bytes: int = Limits.note_bytes) -> str:
    """A file's text with line ends as ``\\n``, or a located error for bytes that are not UTF-8.

    Only a regular file is read, and only if it has at most ``max_bytes``: a pipe or a device
    named as a note (``/dev/zero``, a FIFO) would never end, and a huge file would fill memory.
    """
    try:
        raw = _read_bounded(path, max_bytes)
    except FileNotFoundError:
        raise _missing(path, Text("file not found")) from None
    except IsADirectoryError:
        raise _missing(path, Text("is a folder")) from None
    except _NotRegular:
        why = Text("is not a regular file (a pipe, a device or a socket): a note must be a file")
        raise _missing(path, why) from None
    except _TooLarge:
        problem = reading.FILE_TOO_LARGE(path=str(path), line=1, column=1, limit=max_bytes)
        raise UserError([problem]) from None
    except OSError as exc:  # no permission to read it, a broken link, an I/O error
        reason = exc.strerror or type(exc).__name__
        raise _missing(path, Text("cannot be read: {reason}", reason=reason)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[: exc.start].rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        problem = reading.FILE_ENCODING(path=str(path), line=line, column=column, byte=exc.start)
        raise UserError([problem]) from None
    # YAML, JSON and Markdown all count a CR LF or a lone CR as one line end.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _missing(path: Path, why: Text) -> UserError:
    return UserError([reading.FILE_MISSING(path=str(path), problem=why)])


class _NotRegular(OSError):
    """A pipe, a device or a socket where a file was expected."""


class _TooLarge(OSError):
    """A file with more bytes than allowed."""


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes, at most ``max_bytes`` of them, never waiting on a pipe."""
    info = path.stat()  # first, so that no device is even opened
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(info.st_mode):
        raise _NotRegular(path)
    if info.st_size > max_bytes:
        raise _TooLarge(path)
    # Non-blocking: were the file swapped for a FIFO since, opening it would wait for a writer.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _NotRegular(path)
        raw = handle.read(max_bytes + 1)  # it may have grown since
    if len(raw) > max_bytes:
        raise _TooLarge(path)
    return raw


TitlesFor = Callable[[Source], dict[str, list[str]]]


def load_note(
    path: Path, titles_for: TitlesFor | None = None, limits: Limits | None = None
) -> Source:
    """Parse a note file into a :class:`Source`.

    For Markdown, ``titles_for`` is called with the front matter read so far and returns, for
    each body field, the headings that name it (the house's titles in every locale); English
    names always work. ``limits`` bound what the file may make render read: its size, its
    values once YAML aliases are expanded, the digits of its numbers.
    """
    limits = limits or Limits()
    text = read_text(path, limits.note_bytes)
    suffix = path.suffix.lower()
    kind = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "markdown"
    source = Source(path, text, {}, kind)
    try:
        if kind == "json":
            load_json(source, limits)
        elif kind == "yaml":
            load_yaml_into(source, text, 0, limits)
        else:
            _load_markdown(source, titles_for or (lambda source: {}), limits)
        check_characters(source, source.data, ())
    except RecursionError:
        # Readers and walkers recurse once per level; no note nests more than a few levels.
        rule = reading.JSON if kind == "json" else reading.YAML
        why = Text(
            "the data is nested too deeply (lists or mappings inside each other hundreds of times)"
        )
        raise UserError([rule(path=str(path), line=1, column=1, problem=why)]) from None
    return source


def _load_markdown(source: Source, titles_for: TitlesFor, limits: Limits) -> None:
    text = source.text
    match = FRONT_MATTER.match(text)
    body_start = 0
    if match:
        load_yaml_into(source, match.group(1), 1, limits)
        body_start = text[: match.end()].count("\n")
    elif re.match(r"---[ \t]*\n", text):
        raise UserError([reading.FRONT_MATTER(path=str(source.path), line=1, column=1)])
    source.section_titles = titles_for(source)
    split_body(source, text.split("\n")[body_start:], body_start)
