"""Read a note's price file (date,close,benchmark) from its folder, every mistake at its line."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from render.pdf.confine import Confinement, Refused
from render.settings import Limits
from schemas.problems import Loc, Problem, quote

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


def csv_problem(message: str, message_zh: str, path: str, line: int, column: int = 1) -> Problem:
    """``data.csv``: a price file that cannot be read as it must be, at the line of the mistake."""
    return Problem("data.csv", message, message_zh, path=path, line=line, column=column)


def resource_problem(message: str, message_zh: str, loc: Loc) -> Problem:
    """``render.resource``: a data file outside the note's folder or missing, at its key."""
    return Problem("render.resource", message, message_zh, loc)


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
        path = Confinement(folder).resolve(reference, folder)
    except Refused as exc:
        message, message_zh = str(exc), exc.message_zh
        if "outside" in message:
            # The confinement's words name the house's folder too; a data file has only one.
            message = (
                f"{quote(reference)} is outside the note's folder: a data file lies beside its note"
            )
            message_zh = f"{quote(reference, zh=True)}位于报告文件夹之外：数据文件应与报告放在一起"
        return None, [resource_problem(message, message_zh, loc)]
    shown = data_path(display, reference)
    size = path.stat().st_size
    if size > limits.data_bytes:
        return None, [
            resource_problem(
                f"{quote(reference)} is {size:,} bytes, more than render reads for a data file "
                f"(data_bytes, {limits.data_bytes:,})",
                f"{quote(reference, zh=True)}大小为 {size:,} 字节，超过数据文件的上限"
                f"（data_bytes，{limits.data_bytes:,}）",
                loc,
            )
        ]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [csv_problem("the file is not UTF-8", "文件不是 UTF-8 编码", shown, line)]
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
                f"the first line must name the columns date,close,benchmark, not "
                f"{quote(lines[0] if lines else '')}",
                f"首行应为列名 date,close,benchmark，而不是{quote(lines[0] if lines else '', zh=True)}",
                shown,
                1,
            )
        ]
    if len(lines) - 1 > limits.data_rows:
        return [], [
            csv_problem(
                f"the file has {len(lines) - 1:,} rows, more than render reads "
                f"(data_rows, {limits.data_rows:,})",
                f"文件共 {len(lines) - 1:,} 行，超过上限（data_rows，{limits.data_rows:,}）",
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
                "the file needs at least two days of prices",
                "文件至少需要两个交易日的价格",
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
            f"the line has {len(cells)} values, not 3 (date,close,benchmark)",
            f"该行有 {len(cells)} 个值，而不是 3 个（date,close,benchmark）",
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
            f"{quote(date_cell)} is not a real date written YYYY-MM-DD",
            f"{quote(date_cell, zh=True)}不是 YYYY-MM-DD 格式的真实日期",
            shown,
            number,
            column,
        )
    if previous is not None and date <= previous.date:
        word, word_zh = (
            ("repeats", "重复") if date == previous.date else ("is earlier than", "早于")
        )
        return csv_problem(
            f"{date} {word} the line above ({previous.date}): one line per day, in date order",
            f"{date} {word_zh}上一行（{previous.date}）：每天一行，按日期升序排列",
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
                f"{name}: {quote(cell)} is not a price (a number above zero)",
                f"{name}：{quote(cell, zh=True)}不是有效价格（应为大于零的数字）",
                shown,
                number,
                column,
            )
        values[name] = value
    return Row(date, values["close"], values["benchmark"])
