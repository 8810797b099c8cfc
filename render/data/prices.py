"""Read a note's price file (date,close,benchmark) from its folder, every mistake at its line."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render.pdf.confine import Refused, note_data_file
from render.settings import Limits
from schemas.problems import Loc, Problem
from schemas.rules import Quoted, Text
from schemas.rules import data as rules
from schemas.rules.rendering import RESOURCE

#: The columns of a price file, in any order.
COLUMNS = ("date", "close", "benchmark")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Row:
    """One day's closes: the subject's (a stock or an industry index) and the benchmark's."""

    date: dt.date
    close: float
    benchmark: float


@dataclass(frozen=True)
class Prices:
    """A price file, read: its rows in date order and the source line its chart prints."""

    path: Path
    rows: tuple[Row, ...]
    source: str | None = None


def csv_problem(problem: Text, path: str, line: int, column: int = 1) -> Problem:
    """``data.csv``: a price file that cannot be read as it must be, at the line of the mistake."""
    return rules.CSV(problem=problem, path=path, line=line, column=column)


def resource_problem(why: Any, loc: Loc) -> Problem:
    """``render.resource``: a data file outside the note's folder or missing, at its key."""
    return RESOURCE(loc, what=Text("the price file"), why=why)


def data_path(display: str, reference: str) -> str:
    """A data file's path as problems show it: beside the note's, as the note names it."""
    return os.path.normpath(os.path.join(os.path.dirname(display), reference))


def load_prices(
    reference: str,
    source: str | None,
    loc: Loc,
    folder: Path,
    display: str,
    limits: Limits,
) -> tuple[Prices | None, list[Problem]]:
    """The prices a note's ``prices:`` names, or None and every problem found (located).

    ``display`` is the note's path as problems show it; the file's own path is shown beside it.
    The file must lie in the note's folder (not the house's: the note's data is the note's).
    """
    try:
        path = note_data_file(reference, folder)
    except Refused as exc:
        why = exc.reason
        return None, [resource_problem(why, loc)]
    shown = data_path(display, reference)
    size = path.stat().st_size
    if size > limits.data_bytes:
        return None, [
            resource_problem(
                Text(
                    "{reference} is {size:,} bytes, more than render reads for a data file "
                    "(data_bytes, {limit:,})",
                    reference=Quoted(reference),
                    size=size,
                    limit=limits.data_bytes,
                ),
                loc,
            )
        ]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [csv_problem(Text("the file is not UTF-8"), shown, line)]
    rows, problems = _rows(text.splitlines(), shown, limits)
    if problems:
        return None, problems
    return Prices(path, tuple(rows), source), []


def _rows(lines: list[str], shown: str, limits: Limits) -> tuple[list[Row], list[Problem]]:
    """Parse the lines of a price file; every bad line is one problem (the first mistake in it)."""
    header = [name.strip().casefold() for name in lines[0].split(",")] if lines else []
    if sorted(header) != sorted(COLUMNS):
        return [], [
            csv_problem(
                Text(
                    "the first line must name the columns date,close,benchmark, not {first}",
                    first=Quoted(lines[0] if lines else ""),
                ),
                shown,
                1,
            )
        ]
    if len(lines) - 1 > limits.data_rows:
        return [], [
            csv_problem(
                Text(
                    "the file has {rows:,} rows, more than render reads (data_rows, {limit:,})",
                    rows=len(lines) - 1,
                    limit=limits.data_rows,
                ),
                shown,
                limits.data_rows + 2,
            )
        ]
    index = {name: header.index(name) for name in COLUMNS}
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        row = _row(line, number, index, shown, rows[-1] if rows else None)
        if isinstance(row, Problem):
            problems.append(row)
        else:
            rows.append(row)
    if not problems and len(rows) < 2:
        problems.append(
            csv_problem(
                Text("the file needs at least two days of prices"),
                shown,
                len(lines),
            )
        )
    return rows, problems


def _row(
    line: str, number: int, index: dict[str, int], shown: str, previous: Row | None
) -> Row | Problem:
    """One line as a row, or the problem with it, at its column."""
    cells = line.split(",")
    starts = [0]
    for cell in cells[:-1]:
        starts.append(starts[-1] + len(cell) + 1)
    if len(cells) != len(COLUMNS):
        return csv_problem(
            Text("the line has {count} values, not 3 (date,close,benchmark)", count=len(cells)),
            shown,
            number,
        )
    date_cell = cells[index["date"]].strip()
    column = starts[index["date"]] + 1
    try:
        if not DATE.match(date_cell):
            raise ValueError
        date = dt.date.fromisoformat(date_cell)
    except ValueError:
        return csv_problem(
            Text("{date} is not a real date written YYYY-MM-DD", date=Quoted(date_cell)),
            shown,
            number,
            column,
        )
    if previous is not None and date <= previous.date:
        if date == previous.date:
            problem = Text(
                "{date} repeats the line above ({previous}): one line per day, in date order",
                date=date,
                previous=previous.date,
            )
        else:
            problem = Text(
                "{date} is earlier than the line above ({previous}): one line per day, in date "
                "order",
                date=date,
                previous=previous.date,
            )
        return csv_problem(
            problem,
            shown,
            number,
            column,
        )
    values: dict[str, float] = {}
    for name in ("close", "benchmark"):
        cell = cells[index[name]].strip()
        column = starts[index[name]] + 1
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= 0:
            return csv_problem(
                Text(
                    "{name}: {cell} is not a price (a number above zero)",
                    name=name,
                    cell=Quoted(cell),
                ),
                shown,
                number,
                column,
            )
        values[name] = value
    return Row(date, values["close"], values["benchmark"])
