"""Data keys given as files: a note's ``forecast:``, ``results:``… read from its folder, located there."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from render.errors import UserError
from render.load.note import load_note
from render.load.source import Included, Source
from render.pdf.confine import Refused, note_data_file
from render.settings import Limits
from schemas.problems import Loc, Problem
from schemas.report_type import ReportType
from schemas.rules import Quoted, Text
from schemas.rules import data as rules
from schemas.rules.rendering import RESOURCE

#: The file types a data file may be: read with positions, as a note's front matter is.
SUFFIXES = (".yaml", ".yml", ".json")
#: The key whose file holds the whole data block (any of the data keys).
BLOCK = "data"
#: The keys of the market data every note may give (docs/data.md).
MARKET_KEYS = ("price", "target_price", "prices", "forecast", "market_data")
#: Those that may be a file of their own: a mapping too long to sit well in the front matter.
FILE_KEYS = ("forecast", "market_data")


def data_keys(report_type: ReportType) -> tuple[str, ...]:
    """The keys a ``data:`` file may hold: the market data and the type's data sections."""
    sections = tuple(s.key for s in report_type.sections if s.kind == "data")
    return MARKET_KEYS + sections


def file_keys(report_type: ReportType) -> tuple[str, ...]:
    """The keys that may each name a file of their own, besides ``data:``."""
    return FILE_KEYS + tuple(s.key for s in report_type.sections if s.kind == "data")


def shown_path(display: str, reference: str) -> str:
    """A data file's path as problems show it: beside the note's, as the note names it."""
    return os.path.normpath(os.path.join(os.path.dirname(display), reference))


def include_data_files(source: Source, display: str, limits: Limits | None = None) -> None:
    """Read each data key the note gives as a file name into the note's data, in place.

    The file must lie in the note's folder (as the price file must). Its data takes the key's
    place, and the source records where it came from, so that a problem in it is located in
    the file (:meth:`Source.locate`). A file that cannot be read, or refused, is a problem of
    the note at its key; a mistake in it, a problem of the file at its line.
    """
    limits = limits or Limits()
    folder = source.path.parent
    report_type = source.report_type
    for key in file_keys(report_type):
        reference = source.data.get(key)
        if isinstance(reference, str):
            loaded = _load(source, (key,), reference, folder, display, limits)
            if loaded is None:
                source.unread.add(key)
            else:
                source.data[key] = loaded.data
                source.included[key] = Included(loaded, reference, ())
    reference = source.data.get(BLOCK)
    if not isinstance(reference, str):
        return
    loaded = _load(source, (BLOCK,), reference, folder, display, limits)
    if loaded is None:
        source.unread.add(BLOCK)
        return
    allowed = data_keys(report_type)
    shown = shown_path(display, reference)
    for key, value in loaded.data.items():
        problem = None
        if key not in allowed:
            problem = Text(
                "{key} is not a data key: a data file holds {allowed}",
                key=Quoted(key),
                allowed=", ".join(allowed),
            )
        elif key in source.data:
            problem = Text("{key} is given in the note too: give it in one place", key=Quoted(key))
        if problem is not None:
            where = loaded.keys.get((key,))
            line, column = (where.line, where.column) if where else (1, 1)
            source.problems.append(
                rules.DATA_FILE(problem=problem, path=shown, line=line, column=column)
            )
            continue
        source.data[key] = value
        source.included[key] = Included(loaded, reference, (key,))


def unread_keys(source: Source) -> set[str]:
    """The keys whose data file could not be read, and those a ``data:`` file would have given:
    the problem is said once, at the reference, not again as a key missing or of a wrong type."""
    unread = set(source.unread)
    if BLOCK in unread:
        unread |= set(data_keys(source.report_type))
    return unread


def _load(
    source: Source, loc: Loc, reference: str, folder: Path, display: str, limits: Limits
) -> Source | None:
    """The data file a key names, read with positions; None when it cannot be (a problem)."""
    what = Text("the data file")
    if not reference.strip().lower().endswith(SUFFIXES):
        problem = Text(
            "{reference} is not a data file: name a .yaml, .yml or .json file in the note's "
            "folder, or write the data here",
            reference=Quoted(reference),
        )
        source.problems.append(rules.DATA_FILE(loc, problem=problem))
        return None
    try:
        path = note_data_file(reference.strip(), folder)
    except Refused as exc:
        why = exc.reason
        source.problems.append(RESOURCE(loc, what=what, why=why))
        return None
    shown = shown_path(display, reference.strip())
    try:
        loaded = load_note(path, limits=limits)
    except UserError as exc:
        source.problems += [_shown(p, path, shown) for p in exc.problems]
        return None
    # A character that cannot be printed is the file's, at its line.
    source.problems += [_shown(p, path, shown) for p in loaded.problems if p.line]
    source.problems += [loaded.locate(p, shown) for p in loaded.problems if not p.line]
    loaded.problems = []
    return loaded


def _shown(problem: Problem, path: Path, shown: str) -> Problem:
    return replace(problem, path=shown) if problem.path in (None, "", str(path)) else problem


__all__ = ["data_keys", "file_keys", "include_data_files", "shown_path", "unread_keys"]
