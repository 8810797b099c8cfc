"""A note file as read: its text, its data, and where each field was written in it."""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from schemas.problems import Loc, Problem, value_at
from schemas.report_type import ReportType, default_type
from schemas.rules import Quoted, Text

Kind = Literal["markdown", "yaml", "json"]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, in characters


@dataclass(frozen=True)
class Included:
    """A data file a key of the note names: its data took the key's place in the note's."""

    #: The file as read, with its own positions.
    source: Source
    #: The file as the note names it (relative to the note's folder).
    reference: str
    #: Where the key's data sits in the file: the root, or the key in a ``data:`` file.
    prefix: Loc


@dataclass
class Source:
    """A note file's data as parsed, and where each field was written in the file."""

    path: Path
    text: str
    data: dict[str, Any]
    kind: Kind = "yaml"
    #: Where each field's value starts (its text starts there or after, for offsets into it).
    values: dict[Loc, Position] = field(default_factory=dict)
    #: Where each mapping key was written (for unknown keys, and for fields holding a mapping
    #: or list); for a Markdown body section, its heading.
    keys: dict[Loc, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Headings found in the body, mapped to the field they name.
    headings: dict[str, str] = field(default_factory=dict)
    #: For each body field, the headings that may name it (the house's, in all its locales).
    section_titles: dict[str, list[str]] = field(default_factory=dict)
    #: The note's report type: its sections are the body's (set once the front matter is read).
    report_type: ReportType = field(default_factory=default_type)
    #: The keys whose data came from a file of the note's folder (render/load/data_files.py).
    included: dict[str, Included] = field(default_factory=dict)
    #: The keys naming a data file that could not be read (a problem said so already).
    unread: set[str] = field(default_factory=set)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    # -- positions ------------------------------------------------------------------------------

    def locate(self, problem: Problem, display_path: str) -> Problem:
        """The problem with its file, line and column filled in from the closest known place.

        A problem that has a line already (found while loading) keeps it. A missing key points
        at the mapping that lacks it (a missing Markdown section, where it belongs); an unknown
        key at the key; a value at the value, or ``offset`` characters into its text.
        """
        if problem.line:
            return replace(problem, path=problem.path or display_path)
        loc = problem.loc
        if loc and loc[0] in self.included:
            return self._in_file(problem, display_path)
        problem = replace(problem, path=display_path)
        if problem.code == "schema.unknown_key" and loc in self.keys:
            return placed(problem, self.keys[loc])
        if problem.code == "schema.missing":
            if self.kind == "markdown" and len(loc) == 1 and loc[0] in self.report_type.body_keys:
                return self._missing_section(problem)
            return placed(problem, self._container(loc[:-1]))
        known = loc
        while known and known not in self.values:
            known = known[:-1]
        if known != loc or not known:
            return placed(problem, self._container(known))
        if isinstance(value_at(self.data, loc), dict | list | None):
            # A mapping or list is named by its key; so is an empty (null) value.
            return placed(problem, self._container(loc))
        position = self.values[loc]
        if problem.offset is not None:
            raw = value_at(self.data, loc)
            if isinstance(raw, str):
                # Rules read the model's text, which is stripped of surrounding white space.
                lead = len(raw) - len(raw.lstrip())
                position = self.position_in(position, raw, problem.offset + lead)
        return placed(problem, position)

    def _in_file(self, problem: Problem, display_path: str) -> Problem:
        """A problem in data that came from a file: located in that file, at its own place."""
        included = self.included[str(problem.loc[0])]
        shown = os.path.normpath(
            os.path.join(os.path.dirname(display_path), included.reference.strip())
        )
        inner = replace(problem, loc=(*included.prefix, *problem.loc[1:]))
        return replace(included.source.locate(inner, shown), loc=problem.loc)

    def _container(self, loc: Loc) -> Position:
        """Where a mapping or list is named: its key, or its first item; the file for the root."""
        if not loc:
            return Position(1, 1)
        return self.keys.get(loc) or self.values.get(loc) or self._container(loc[:-1])

    def _missing_section(self, problem: Problem) -> Problem:
        """A missing body section: say which heading to add, at the heading it belongs before."""
        name = str(problem.loc[0])
        keys = self.report_type.body_keys
        later = [self.keys[(f,)] for f in keys[keys.index(name) + 1 :] if (f,) in self.keys]
        if later:
            position = later[0]
        else:
            lines = self.text.split("\n")
            filled = [n for n, line in enumerate(lines, 1) if line.strip()]
            position = Position(filled[-1] if filled else 1, 1)
        section = self.report_type.section(name)
        english = section.names()[0] if section else name
        title = (self.section_titles.get(name) or [english])[0]
        what = Text(
            "the section is missing: add a {heading} heading with its text",
            heading=Quoted(f"## {title}"),
        )
        problem = replace(problem, params={"what": what})
        return placed(problem, position)

    def position_in(self, start: Position, raw: str, offset: int) -> Position:
        """Where the character ``offset`` into a value's text is, for a value starting at ``start``.

        The value's text is not always the file's (quotes, escapes, folded lines), so the text
        at the offset is looked for in the file after the value's start; if it is not found
        there, the value's start is the best place known.
        """
        rest = raw[offset:]
        skipped = len(rest) - len(rest.lstrip())
        needle_match = re.match(r"\S{1,16}", rest[skipped:])
        if needle_match is None:
            return start
        needle = needle_match.group(0)
        offset += skipped
        nth = _count(raw[:offset], needle)
        index = self._index(start)
        for _ in range(nth + 1):
            index = self.text.find(needle, index)
            if index < 0:
                return start
            index += 1
        return self._position(index - 1)

    def _index(self, position: Position) -> int:
        starts = self._starts()
        line = min(max(position.line, 1), len(starts))
        return starts[line - 1] + position.column - 1

    def _position(self, index: int) -> Position:
        starts = self._starts()
        line = bisect.bisect_right(starts, index)
        return Position(line, index - starts[line - 1] + 1)

    def _starts(self) -> list[int]:
        if not self._line_starts:
            self._line_starts.append(0)
            for line in self.text.split("\n")[:-1]:
                self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        return self._line_starts


def placed(problem: Problem, position: Position) -> Problem:
    return replace(problem, line=position.line, column=position.column)


def _count(text: str, needle: str) -> int:
    """How many times ``needle`` starts in ``text`` (overlaps counted, as the search finds them)."""
    count, index = 0, text.find(needle)
    while index >= 0:
        count, index = count + 1, text.find(needle, index + 1)
    return count
