"""A ```chart block of a note's body read: its YAML and its data file, every mistake located."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from render.data.prices import data_path
from render.errors import UserError
from render.load.positions import load_yaml_into
from render.load.source import Position, Source
from render.pdf.confine import Refused, note_data_file
from render.settings import Limits
from render.validate.models import validate
from schemas.data import MAX_SERIES, ChartBlock, chart_rules
from schemas.markdown import PARSER
from schemas.note import line_starts
from schemas.problems import Loc, Problem
from schemas.rules import Quoted, Text, reading
from schemas.rules import data as rules
from schemas.rules import note as note_rules
from schemas.rules.rendering import RESOURCE

#: The fence's info word that makes a code block a chart.
INFO = "chart"


@dataclass(frozen=True)
class Chart:
    """A chart block read and judged: what it draws, with the numbers from the note or its file."""

    block: ChartBlock
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    #: The data file's path as problems show it (beside the note's), if the numbers are in one.
    data_file: str | None = None

    def alt(self) -> str:
        """What a screen reader says of the chart: the given ``alt``, else title, unit and range."""
        if self.block.alt:
            return self.block.alt
        unit = f" ({self.block.unit})" if self.block.unit else ""
        names = ", ".join(name for name, _ in self.series)
        return f"{self.block.title}{unit}: {names}, {self.categories[0]} – {self.categories[-1]}"


@dataclass(frozen=True)
class Fence:
    """A chart block in a Markdown text: where its YAML starts (a character offset) and the YAML."""

    offset: int
    content: str
    #: Where each line of the YAML starts in the text: inside a list item or a quote, Markdown
    #: takes each line's indent or marker off, so the lines are not one run of the text.
    line_offsets: tuple[int, ...] = ()


def is_chart(info: str) -> bool:
    """Whether a fenced code block's info string makes it a chart (```chart)."""
    return info.strip().split(" ")[0].casefold() == INFO


def chart_fences(text: str) -> list[Fence]:
    """Every chart block of a Markdown text, in order (parsed once; ``"```"`` is looked for first)."""
    if "```" not in text and "~~~" not in text:
        return []
    starts = line_starts(text)
    lines = text.split("\n")
    fences = []
    for token in PARSER.parse(text):
        if token.type != "fence" or not is_chart(token.info) or not token.map:
            continue
        first = token.map[0] + 1  # the line after the opening fence
        offsets = []
        for number, content in enumerate(token.content.split("\n")[:-1], first):
            written = lines[number] if number < len(lines) else ""
            # What Markdown took off the line's start (an indent, "> "), if the rest is as written.
            taken = len(written) - len(content) if written.endswith(content) else 0
            offsets.append(starts[min(number, len(starts) - 1)] + taken)
        offset = offsets[0] if offsets else starts[min(first, len(starts) - 1)]
        fences.append(Fence(offset, token.content, tuple(offsets)))
    return fences


def chart_references(text: str) -> list[tuple[int, str]]:
    """Each data file a text's chart blocks name, as (offset of the block's YAML, reference)."""
    found = []
    for fence in chart_fences(text):
        data = _quick_data(fence.content)
        if data:
            found.append((fence.offset, data))
    return found


def _quick_data(content: str) -> str | None:
    """The ``data:`` a chart's YAML names, if it reads (a broken block is the check's to report)."""
    if "data" not in content:
        return None
    scratch = Source(Path("chart"), content, {}, "yaml")
    try:
        load_yaml_into(scratch, content, 0)
    except (UserError, RecursionError):
        return None
    data = scratch.data.get("data")
    return data.strip() if isinstance(data, str) and data.strip() else None


def read_chart(
    fence: Fence, loc: Loc, folder: Path, display: str, limits: Limits
) -> tuple[Chart | None, list[Problem]]:
    """A chart block read and judged, or None and every problem found.

    Problems in the block are at ``loc`` (the Markdown field) with their offset in its text, to
    be located in the note; problems in the data file carry the file's path, line and column.
    """
    where = _Where(fence, loc)
    scratch = Source(Path(display), fence.content, {}, "yaml")
    try:
        load_yaml_into(scratch, fence.content, 0, limits)
    except UserError as exc:
        return None, [where.relocated(p) for p in exc.problems]
    block, found = validate(ChartBlock, scratch.data)
    if block is None:
        unknown = note_rules.UNKNOWN_KEY.code
        return None, [where.at(scratch, _chart_problem(p), p.code == unknown) for p in found]
    problems = [
        where.at(
            scratch, rules.CHART(key, problem=problem), key[-1:] in (("series",), ("categories",))
        )
        for key, problem in chart_rules(block)
    ]
    if problems:
        return None, problems
    if block.data is None:
        assert block.categories is not None and block.series is not None
        series = tuple((s.name, tuple(s.values)) for s in block.series)
        chart: Chart | None = Chart(block, tuple(block.categories), series)
        at_data = where.at(scratch, rules.CHART(("categories",)), key_first=True)
    else:
        at_data = where.at(scratch, rules.CHART(("data",)))
        chart, problems = _from_file(block, at_data, folder, display, limits)
        if chart is None:
            return None, problems
    assert chart is not None
    points = len(chart.categories) * len(chart.series)
    if points > limits.chart_points:
        why = Text(
            "the chart has {points:,} values ({categories:,} categories × {series} series), more "
            "than render draws in one chart (chart_points, {limit:,})",
            points=points,
            categories=len(chart.categories),
            series=len(chart.series),
            limit=limits.chart_points,
        )
        return None, [replace(at_data, params={"problem": why})]
    return chart, []


def _chart_problem(problem: Problem) -> Problem:
    """A model's problem with a chart's key as ``data.chart``, in the model's words."""
    if problem.code == note_rules.UNKNOWN_KEY.code:
        what = Text("{key} is not a chart key{hint}", key=Quoted(problem.loc[-1]), **problem.params)
        return rules.CHART(problem.loc, problem=what)
    if problem.code == note_rules.MISSING.code and problem.loc:
        what = Text("{key} is missing: add it", key=Quoted(problem.loc[-1]))
        return rules.CHART(problem.loc, problem=what)
    if "what" in problem.params:
        return rules.CHART(problem.loc, problem=problem.params["what"])
    return problem


class _Where:
    """Turns places in a chart block's YAML into offsets in the Markdown field that holds it."""

    def __init__(self, fence: Fence, loc: Loc) -> None:
        self.fence, self.loc = fence, loc
        self.starts = line_starts(fence.content)

    def offset(self, line: int, column: int) -> int:
        """The field's offset of a 1-based line and column of the block's YAML."""
        line = min(max(line, 1), len(self.starts) - 1)
        if line <= len(self.fence.line_offsets):
            return self.fence.line_offsets[line - 1] + max(column - 1, 0)
        return self.fence.offset + self.starts[line - 1] + max(column - 1, 0)

    def relocated(self, problem: Problem) -> Problem:
        """A YAML reader's problem (its line and column the block's) at its place in the note."""
        offset = self.offset(problem.line or 1, problem.column or 1)
        if problem.code == reading.YAML.code:
            problem = rules.CHART(problem=problem.params["problem"])
        return replace(problem, loc=self.loc, offset=offset, path="", line=0, column=0)

    def at(self, scratch: Source, problem: Problem, key_first: bool = False) -> Problem:
        """A problem about a key of the block at the key's value (or the key, or its mapping).

        ``key_first`` points at the key itself (an unknown key, a list as a whole).
        """
        key, position = problem.loc, None
        while position is None and key:
            if key_first:
                position = scratch.keys.get(key)
            position = position or scratch.values.get(key) or scratch.keys.get(key)
            key = key[:-1]
        position = position or Position(1, 1)
        offset = self.offset(position.line, position.column)
        return replace(problem, loc=self.loc, offset=offset)


def _resource(why: Any, problem: Problem) -> Problem:
    """``render.resource`` at the chart's ``data:`` key: the file is missing or outside."""
    return RESOURCE(problem.loc, what=Text("the chart's data file"), why=why, offset=problem.offset)


def _from_file(
    block: ChartBlock, at_data: Problem, folder: Path, display: str, limits: Limits
) -> tuple[Chart | None, list[Problem]]:
    """The chart's numbers from its CSV in the note's folder (the price file's confinement)."""
    reference = block.data or ""
    try:
        path = note_data_file(reference, folder)
    except Refused as exc:
        why = exc.reason
        return None, [_resource(why, at_data)]
    size = path.stat().st_size
    if size > limits.data_bytes:
        why = Text(
            "{reference} is {size:,} bytes, more than render reads for a data file "
            "(data_bytes, {limit:,})",
            reference=Quoted(reference),
            size=size,
            limit=limits.data_bytes,
        )
        return None, [_resource(why, at_data)]
    shown = data_path(display, reference)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [_csv(Text("the file is not UTF-8"), shown, line)]
    table, problems = read_table(text.split("\n"), shown, limits)
    if table is None:
        return None, problems
    categories, series = table
    return Chart(block, categories, series, shown), []


def _csv(problem: Text, path: str, line: int, column: int = 1) -> Problem:
    """``data.chart_csv``: a chart's data file that cannot be read, at the line of the mistake."""
    return rules.CHART_CSV(problem=problem, path=path, line=line, column=column)


Table = tuple[tuple[str, ...], tuple[tuple[str, tuple[float, ...]], ...]]


def read_table(lines: list[str], shown: str, limits: Limits) -> tuple[Table | None, list[Problem]]:
    """A chart's CSV: a header naming the category column and the series, one row per category.

    Every bad line is one problem (its first mistake), at its line and column.
    """
    lines = [line.rstrip("\r") for line in lines]
    header = [cell.strip() for cell in lines[0].split(",")] if lines else []
    if len(header) < 2:
        first = Quoted(lines[0] if lines else "")
        return None, [
            _csv(
                Text(
                    "the first line must name the category column and at least one series, "
                    "separated by commas, not {first}",
                    first=first,
                ),
                shown,
                1,
            )
        ]
    problems: list[Problem] = []
    for index, name in enumerate(header[1:], start=1):
        column = _starts(lines[0])[index] + 1
        if not name:
            problems.append(_csv(Text("a series has no name in the first line"), shown, 1, column))
        elif name in header[1:index]:
            why = Text("two series are named {name}", name=Quoted(name))
            problems.append(_csv(why, shown, 1, column))
    if len(header) - 1 > MAX_SERIES:
        why = Text(
            "a chart draws at most {most} series, not {count}",
            most=MAX_SERIES,
            count=len(header) - 1,
        )
        problems.append(_csv(why, shown, 1))
    rows = [(number, line) for number, line in enumerate(lines[1:], start=2) if line.strip()]
    if len(rows) > limits.data_rows:
        why = Text(
            "the file has {rows:,} rows, more than render reads (data_rows, {limit:,})",
            rows=len(rows),
            limit=limits.data_rows,
        )
        return None, [_csv(why, shown, rows[limits.data_rows][0])]
    if problems:
        return None, problems
    categories: list[str] = []
    values: list[list[float]] = [[] for _ in header[1:]]
    seen: dict[str, int] = {}
    for number, line in rows:
        cells = line.split(",")
        starts = _starts(line)
        if len(cells) != len(header):
            why = Text(
                "the line has {count} values, not {expected} (a category and one value per series)",
                count=len(cells),
                expected=len(header),
            )
            problems.append(_csv(why, shown, number))
            continue
        category = cells[0].strip()
        if not category:
            problems.append(_csv(Text("the line has no category"), shown, number))
            continue
        if category in seen:
            why = Text(
                "the category {category} repeats line {line}",
                category=Quoted(category),
                line=seen[category],
            )
            problems.append(_csv(why, shown, number))
            continue
        seen[category] = number
        parsed: list[float] = []
        for index, cell in enumerate(cells[1:], start=1):
            try:
                value = float(cell.strip())
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                why = Text(
                    "{name}: {cell} is not a number",
                    name=Quoted(header[index]),
                    cell=Quoted(cell.strip()),
                )
                problems.append(_csv(why, shown, number, starts[index] + 1))
                break
            parsed.append(value)
        else:
            categories.append(category)
            for column, value in zip(values, parsed, strict=True):
                column.append(value)
    if not problems and not categories:
        problems.append(_csv(Text("the file has no rows under its first line"), shown, 1))
    if problems:
        return None, problems
    series = tuple((name, tuple(column)) for name, column in zip(header[1:], values, strict=True))
    return (tuple(categories), series), []


def _starts(line: str) -> list[int]:
    """Where each comma-separated cell of a line starts (0-based)."""
    starts = [0]
    for cell in line.split(",")[:-1]:
        starts.append(starts[-1] + len(cell) + 1)
    return starts
