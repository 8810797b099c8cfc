"""Load stage: read a note file (Markdown with front matter, YAML or JSON) with positions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from render.errors import UserError
from schemas.problems import Loc, Problem

NOTE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json")

#: Body headings may always be written with these English names (or the field keys themselves).
ENGLISH_SECTION_NAMES = {
    "event": "event",
    "commentary": "commentary",
    "recommendation": "recommendation",
    "investment view": "recommendation",
    "risks": "risks",
    "risk": "risks",
}

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.S | re.M)
BOLD_LEAD = re.compile(r"\A(\*\*|__)(.+?)\1[ \t]*(.*)\Z", re.S)


@dataclass
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Source:
    """A note file's data as parsed, and where each field was written in the file."""

    path: Path
    text: str
    data: dict[str, Any]
    #: Where each field's value starts (its text starts there too, for offsets into it).
    values: dict[Loc, Position] = field(default_factory=dict)
    #: Where each mapping key was written (for unknown keys).
    keys: dict[Loc, Position] = field(default_factory=dict)
    #: Fields whose value is the file's text verbatim from its position (body sections).
    verbatim: set[Loc] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    #: Headings found in the body, mapped to the field they name.
    headings: dict[str, str] = field(default_factory=dict)

    def locate(self, problem: Problem, display_path: str) -> Problem:
        """The problem with its file, line and column filled in from the closest known place."""
        loc = problem.loc
        table = self.keys if problem.code == "schema.unknown_key" else self.values
        while loc and loc not in table and loc not in self.values:
            loc = loc[:-1]
        position = table.get(loc) or self.values.get(loc) or Position(1, 1)
        line, column = position.line, position.column
        if problem.offset is not None and loc == problem.loc:
            line, column = self._advance(loc, line, column, problem.offset)
        return replace(problem, path=display_path, line=line, column=column)

    def _advance(self, loc: Loc, line: int, column: int, offset: int) -> tuple[int, int]:
        """Move a field's start position ``offset`` characters into its text."""
        text = _get(self.data, loc)
        if not isinstance(text, str):
            return line, column
        before = text[:offset]
        newlines = before.count("\n")
        if newlines:
            return line + newlines, len(before) - before.rfind("\n")
        return line, column + len(before)


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class _Constructor(RoundTripConstructor):
    """Keeps dates as text so that pydantic, not the YAML reader, judges them (with a location)."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


def read_text(path: Path) -> str:
    """A file's text, with a located error for bytes that are not UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError.single(str(path), "file.missing", "file not found", "文件不存在") from None
    except IsADirectoryError:
        raise UserError.single(str(path), "file.missing", "is a folder", "这是一个文件夹") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError.single(
            str(path),
            "file.encoding",
            f"byte {exc.start} is not UTF-8; save the file as UTF-8",
            f"第 {exc.start} 字节不是 UTF-8 编码，请以 UTF-8 保存文件",
            line=line,
        ) from None


TitlesFor = Callable[[Source], dict[str, list[str]]]


def load_note(path: Path, titles_for: TitlesFor | None = None) -> Source:
    """Parse a note file into a :class:`Source`.

    For Markdown, ``titles_for`` is called with the front matter read so far and returns, for
    each body field, the headings that name it (the house's titles in every locale); English
    names always work.
    """
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _load_json(path, text)
    if suffix in (".yaml", ".yml"):
        source = Source(path, text, {})
        _load_yaml_into(source, text, line_offset=0)
        return source
    return _load_markdown(path, text, titles_for or (lambda source: {}))


def _load_json(path: Path, text: str) -> Source:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError.single(
            str(path), "syntax.json", exc.msg, f"JSON 语法错误：{exc.msg}", exc.lineno, exc.colno
        ) from None
    source = Source(path, text, {})
    _load_yaml_into(source, text, line_offset=0)  # JSON is YAML 1.2; this reader keeps positions
    return source


def _load_yaml_into(source: Source, text: str, line_offset: int) -> None:
    try:
        data = _yaml().load(StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1
        column = (mark.column + 1) if mark else 1
        message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise UserError.single(
            str(source.path), "syntax.yaml", message, f"YAML 语法错误：{message}", line, column
        ) from None
    except Exception as exc:  # ruamel raises plain errors for a few malformed inputs
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise UserError.single(
            str(source.path), "syntax.yaml", message, f"YAML 语法错误：{message}", line_offset + 1
        ) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise UserError.single(
            str(source.path),
            "syntax.yaml",
            "the note's data must be a mapping of keys to values",
            "报告数据必须是“键: 值”形式的映射",
            line_offset + 1,
        )
    source.data.update(_plain(data))
    _record_positions(data, (), source, line_offset)


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (keys as strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _record_positions(node: Any, loc: Loc, source: Source, line_offset: int) -> None:
    if isinstance(node, CommentedMap):
        if loc == ():
            source.values[()] = Position(line_offset + 1, 1)
        for key in node:
            sub = (*loc, str(key))
            key_line, key_col = node.lc.key(key)
            value_line, value_col = node.lc.value(key)
            source.keys[sub] = Position(key_line + 1 + line_offset, key_col + 1)
            source.values[sub] = Position(value_line + 1 + line_offset, value_col + 1)
            _record_positions(node[key], sub, source, line_offset)
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            source.values[(*loc, i)] = Position(line + 1 + line_offset, col + 1)
            _record_positions(item, (*loc, i), source, line_offset)


_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def _load_markdown(path: Path, text: str, titles_for: TitlesFor) -> Source:
    source = Source(path, text, {})
    match = FRONT_MATTER.match(text)
    body_start = 0
    if match:
        _load_yaml_into(source, match.group(1), line_offset=1)
        body_start = text[: match.end()].count("\n")
    elif text.lstrip().startswith("---"):
        raise UserError.single(
            str(path),
            "syntax.front_matter",
            "the front matter has no closing '---' line",
            "前置数据块缺少结尾的“---”行",
            1,
        )
    _split_body(source, text.splitlines()[body_start:], body_start, titles_for(source))
    return source


def _section_names(section_titles: dict[str, list[str]]) -> dict[str, str]:
    names = dict(ENGLISH_SECTION_NAMES)
    for field_name, titles in section_titles.items():
        for title in titles:
            names[title.strip().casefold()] = field_name
    return names


def _split_body(
    source: Source, lines: list[str], first_line: int, section_titles: dict[str, list[str]]
) -> None:
    """Cut the body at its headings and file each part under the field its heading names."""
    names = _section_names(section_titles)
    tokens = _MD.parse("\n".join(lines))
    headings = [
        (tok.map[0], tokens[i + 1].content)
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.map and tok.level == 0
    ]
    body_lines = [n for n, line in enumerate(lines) if line.strip()]
    if body_lines and (not headings or body_lines[0] < headings[0][0]):
        source.problems.append(
            Problem(
                "body.preamble",
                "text before the first section heading belongs to no section",
                "第一个章节标题之前的文字不属于任何章节",
                (),
                line=first_line + body_lines[0] + 1,
                column=1,
            )
        )
    for index, (start, heading) in enumerate(headings):
        end = headings[index + 1][0] if index + 1 < len(headings) else len(lines)
        title = heading.strip().strip("*_").rstrip("：:").strip()
        field_name = names.get(title.casefold())
        heading_line = first_line + start + 1
        if field_name is None:
            choices = _allowed_headings(section_titles)
            source.problems.append(
                Problem(
                    "body.heading",
                    f"'{title}' is not a section of this note (allowed: {choices})",
                    f"“{title}”不是本报告的章节（可用：{choices}）",
                    (),
                    line=heading_line,
                    column=1,
                )
            )
            continue
        if field_name in source.data or field_name in source.headings.values():
            source.problems.append(
                Problem(
                    "body.duplicate",
                    f"section '{title}' is given twice",
                    f"章节“{title}”重复出现",
                    (),
                    line=heading_line,
                    column=1,
                )
            )
            continue
        source.headings[title] = field_name
        chunk = lines[start + 1 : end]
        while chunk and not chunk[0].strip():
            chunk, start = chunk[1:], start + 1
        while chunk and not chunk[-1].strip():
            chunk = chunk[:-1]
        content_line = first_line + start + 2 if chunk else heading_line
        if field_name == "commentary":
            _commentary(source, chunk, content_line)
        else:
            source.data[field_name] = "\n".join(chunk)
            source.values[(field_name,)] = Position(content_line, 1)
            source.verbatim.add((field_name,))


def _allowed_headings(section_titles: dict[str, list[str]]) -> str:
    titles = [
        t
        for field_name in ("event", "commentary", "recommendation", "risks")
        for t in section_titles.get(field_name, [])
    ]
    return ", ".join([*titles, "Event", "Commentary", "Recommendation", "Risks"])


def _commentary(source: Source, chunk: list[str], first_line: int) -> None:
    """Each paragraph opening with bold text starts a point; other blocks continue the last one."""
    points: list[dict[str, str]] = []
    source.values[("commentary",)] = Position(first_line, 1)
    text = "\n".join(chunk)
    tokens = _MD.parse(text)
    blocks = [t for t in tokens if t.level == 0 and t.map and t.nesting in (0, 1)]
    for block in blocks:
        start, end = block.map  # type: ignore[misc]
        block_text = "\n".join(chunk[start : max(end, start + 1)]).strip()
        match = BOLD_LEAD.match(block_text) if block.type == "paragraph_open" else None
        i = len(points)
        if match:
            lead, body = match.group(2).strip(), match.group(3).strip()
            points.append({"lead": lead, "body": body})
            line = first_line + start
            indent = len(chunk[start]) - len(chunk[start].lstrip())
            source.values[("commentary", i)] = Position(line, indent + 1)
            source.values[("commentary", i, "lead")] = Position(line, indent + 3)
            before_body = block_text[: match.start(3)]
            if "\n" in before_body:
                body_at = Position(
                    line + before_body.count("\n"), len(before_body.rsplit("\n")[-1]) + 1
                )
            else:
                body_at = Position(line, indent + 1 + len(before_body))
            source.values[("commentary", i, "body")] = body_at
        elif points:
            points[-1]["body"] = f"{points[-1]['body']}\n\n{block_text}".strip()
        else:
            points.append({"lead": "", "body": block_text})
            source.values[("commentary", i)] = Position(first_line + start, 1)
            source.values[("commentary", i, "lead")] = Position(first_line + start, 1)
    source.data["commentary"] = points
