"""Cut a Markdown body into its sections and commentary points, keeping their positions."""

from __future__ import annotations

import difflib
import re

from render.load.source import Position, Source
from schemas.markdown import PARSER
from schemas.problems import Problem
from schemas.report_type import ReportType
from schemas.rules import Quoted, Text, reading

BOLD_LEAD = re.compile(r"\A(\*\*|__)(.+?)\1[ \t]*(.*)\Z", re.S)


def _section_names(report_type: ReportType, section_titles: dict[str, list[str]]) -> dict[str, str]:
    """Every heading that names a section: its key and English names always, then the house's."""
    names = report_type.english_names()
    for field_name, titles in section_titles.items():
        for title in titles:
            names[title.strip().casefold()] = field_name
    return names


def _allowed_headings(report_type: ReportType, section_titles: dict[str, list[str]]) -> list[str]:
    """The headings a note may use, the house's first, without repeats."""
    keys = report_type.body_keys
    titles = [t for name in keys for t in section_titles.get(name, [])]
    titles += [s.names()[0] for s in report_type.sections if s.key in keys]
    unique: dict[str, str] = {}
    for title in titles:
        unique.setdefault(title.strip().casefold(), title.strip())
    return list(unique.values())


def split_body(source: Source, lines: list[str], first_line: int) -> None:
    """Cut the body at its section headings and file each part under the field it names.

    A heading of level 1 or 2 must name a section; deeper headings that name none are part of
    the section's text (sub-headings).
    """
    names = _section_names(source.report_type, source.section_titles)
    tokens = PARSER.parse("\n".join(lines))
    headings: list[tuple[int, str, str | None]] = []
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open" or not tok.map or tok.level != 0:
            continue
        title = _heading_title(tokens[i + 1].content)
        field_name = names.get(title.casefold())
        if field_name is not None or tok.tag in ("h1", "h2"):
            headings.append((tok.map[0], title, field_name))
    body_lines = [n for n, line in enumerate(lines) if line.strip()]
    if body_lines and (not headings or body_lines[0] < headings[0][0]):
        source.problems.append(reading.PREAMBLE(line=first_line + body_lines[0] + 1, column=1))
    seen: dict[str, int] = {}
    for index, (start, title, field_name) in enumerate(headings):
        end = headings[index + 1][0] if index + 1 < len(headings) else len(lines)
        heading_line = first_line + start + 1
        if field_name is None:
            source.problems.append(
                _unknown_heading(title, source.report_type, source.section_titles, heading_line)
            )
            continue
        if field_name in seen or field_name in source.data:
            if field_name in seen:
                where = Text("line {line}", line=seen[field_name])
            else:
                where = Text("the front matter as {key}", key=Quoted(field_name))
            source.problems.append(
                reading.DUPLICATE(line=heading_line, column=1, title=Quoted(title), where=where)
            )
            continue
        seen[field_name] = heading_line
        source.headings[title] = field_name
        source.keys[(field_name,)] = Position(heading_line, 1)
        chunk = lines[start + 1 : end]
        while chunk and not chunk[0].strip():
            chunk, start = chunk[1:], start + 1
        while chunk and not chunk[-1].strip():
            chunk = chunk[:-1]
        content_line = first_line + start + 2 if chunk else heading_line
        section = source.report_type.section(field_name)
        if section is not None and section.kind == "points":
            _points(source, field_name, chunk, content_line)
        else:
            source.data[field_name] = "\n".join(chunk)
            source.values[(field_name,)] = Position(content_line, 1)


def _unknown_heading(
    title: str, report_type: ReportType, section_titles: dict[str, list[str]], line: int
) -> Problem:
    allowed = _allowed_headings(report_type, section_titles)
    guess = difflib.get_close_matches(title, allowed, n=1, cutoff=0.6)
    choices = ", ".join(allowed)
    hint = Text("did you mean {guess}? ", guess=Quoted(guess[0])) if guess else ""
    return reading.HEADING(line=line, column=1, title=Quoted(title), hint=hint, choices=choices)


def _points(source: Source, key: str, chunk: list[str], first_line: int) -> None:
    """Each paragraph opening with bold text starts a point; other blocks continue the last one."""
    points: list[dict[str, str]] = []
    source.values[(key,)] = Position(first_line, 1)
    tokens = PARSER.parse("\n".join(chunk))
    blocks = [t for t in tokens if t.level == 0 and t.map and t.nesting in (0, 1)]
    for block in blocks:
        start, end = block.map  # type: ignore[misc]
        block_text = "\n".join(chunk[start : max(end, start + 1)]).strip()
        match = BOLD_LEAD.match(block_text) if block.type == "paragraph_open" else None
        i = len(points)
        line = first_line + start
        indent = len(chunk[start]) - len(chunk[start].lstrip())
        if match:
            lead, body = match.group(2).strip(), match.group(3).strip()
            points.append({"lead": lead, "body": body})
            source.values[(key, i)] = Position(line, indent + 1)
            source.values[(key, i, "lead")] = Position(line, indent + 3)
            # The body may start on the line after the lead: its place is its first character.
            body = match.group(3)
            before_body = block_text[: match.start(3) + len(body) - len(body.lstrip())]
            if "\n" in before_body:
                body_at = Position(
                    line + before_body.count("\n"), len(before_body.rsplit("\n")[-1]) + 1
                )
            else:
                body_at = Position(line, indent + 1 + len(before_body))
            source.values[(key, i, "body")] = body_at
        elif points:
            points[-1]["body"] = f"{points[-1]['body']}\n\n{block_text}".strip()
        else:
            points.append({"lead": "", "body": block_text})
            source.values[(key, i)] = Position(line, indent + 1)
            source.values[(key, i, "lead")] = Position(line, indent + 1)
            source.values[(key, i, "body")] = Position(line, indent + 1)
    source.data[key] = points


def _heading_title(text: str) -> str:
    """A heading's words without bold marks or a trailing colon, in whatever order they come.

    >>> [_heading_title(t) for t in ("**事件**：", "**事件：**", "事件:", "Event")]
    ['事件', '事件', '事件', 'Event']
    """
    title, previous = text.strip(), None
    while title != previous:
        previous, title = title, title.strip("*_ \t").rstrip("：:").strip()
    return title
