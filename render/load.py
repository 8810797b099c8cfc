"""Load stage: read a note file (Markdown with front matter, YAML or JSON) with positions."""

from __future__ import annotations

import bisect
import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from io import StringIO
from pathlib import Path
from typing import Any, Literal

from markdown_it import MarkdownIt
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.reader import ReaderError

from render.errors import UserError
from schemas.problems import BIDI_CONTROLS, Loc, Problem, Severity, quote

NOTE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".json")

#: The body fields, in the order a note gives them.
BODY_FIELDS = ("event", "commentary", "recommendation", "risks")

#: Body headings may always be written with these English names (or the field keys themselves).
ENGLISH_SECTION_NAMES = {
    "event": "event",
    "commentary": "commentary",
    "recommendation": "recommendation",
    "investment view": "recommendation",
    "risks": "risks",
    "risk": "risks",
}
ENGLISH_TITLES = {
    "event": "Event",
    "commentary": "Commentary",
    "recommendation": "Recommendation",
    "risks": "Risks",
}

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
BOLD_LEAD = re.compile(r"\A(\*\*|__)(.+?)\1[ \t]*(.*)\Z", re.S)

Kind = Literal["markdown", "yaml", "json"]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, in characters


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
        problem = replace(problem, path=display_path)
        loc = problem.loc
        if problem.code == "schema.unknown_key" and loc in self.keys:
            return _at(problem, self.keys[loc])
        if problem.code == "schema.missing":
            if self.kind == "markdown" and len(loc) == 1 and loc[0] in BODY_FIELDS:
                return self._missing_section(problem)
            return _at(problem, self._container(loc[:-1]))
        known = loc
        while known and known not in self.values:
            known = known[:-1]
        if known != loc or not known:
            return _at(problem, self._container(known))
        if isinstance(_get(self.data, loc), dict | list | None):
            # A mapping or list is named by its key; so is an empty (null) value.
            return _at(problem, self._container(loc))
        position = self.values[loc]
        if problem.offset is not None:
            raw = _get(self.data, loc)
            if isinstance(raw, str):
                # Rules read the model's text, which is stripped of surrounding white space.
                lead = len(raw) - len(raw.lstrip())
                position = self.position_in(position, raw, problem.offset + lead)
        return _at(problem, position)

    def _container(self, loc: Loc) -> Position:
        """Where a mapping or list is named: its key, or its first item; the file for the root."""
        if not loc:
            return Position(1, 1)
        return self.keys.get(loc) or self.values.get(loc) or self._container(loc[:-1])

    def _missing_section(self, problem: Problem) -> Problem:
        """A missing body section: say which heading to add, at the heading it belongs before."""
        name = str(problem.loc[0])
        index = BODY_FIELDS.index(name)
        later = [self.keys[(f,)] for f in BODY_FIELDS[index + 1 :] if (f,) in self.keys]
        if later:
            position = later[0]
        else:
            lines = self.text.split("\n")
            filled = [n for n, line in enumerate(lines, 1) if line.strip()]
            position = Position(filled[-1] if filled else 1, 1)
        title = (self.section_titles.get(name) or [ENGLISH_TITLES[name]])[0]
        problem = replace(
            problem,
            message=f"the section is missing: add a '## {title}' heading with its text",
            message_zh=f"缺少该章节：请添加“## {title}”标题及其内容",
        )
        return _at(problem, position)

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


def _at(problem: Problem, position: Position) -> Problem:
    return replace(problem, line=position.line, column=position.column)


def _count(text: str, needle: str) -> int:
    """How many times ``needle`` starts in ``text`` (overlaps counted, as the search finds them)."""
    count, index = 0, text.find(needle)
    while index >= 0:
        count, index = count + 1, text.find(needle, index + 1)
    return count


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
    """A file's text with line ends as ``\\n``, or a located error for bytes that are not UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError.single(str(path), "file.missing", "file not found", "文件不存在") from None
    except IsADirectoryError:
        raise UserError.single(str(path), "file.missing", "is a folder", "这是一个文件夹") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[: exc.start].rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        raise UserError.single(
            str(path),
            "file.encoding",
            f"byte {exc.start} is not UTF-8; save the file as UTF-8",
            f"第 {exc.start} 字节不是 UTF-8 编码，请以 UTF-8 保存文件",
            line=line,
            column=column,
        ) from None
    # YAML, JSON and Markdown all count a CR LF or a lone CR as one line end.
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
        source = Source(path, text, {}, "json")
        _load_json(source)
    elif suffix in (".yaml", ".yml"):
        source = Source(path, text, {}, "yaml")
        _load_yaml_into(source, text, line_offset=0)
    else:
        source = Source(path, text, {}, "markdown")
        _load_markdown(source, titles_for or (lambda source: {}))
    _check_characters(source, source.data, ())
    return source


# -- YAML and JSON ------------------------------------------------------------------------------

#: The YAML reader's complaints in words an analyst can act on: (pattern, English, Chinese, where)
#: where "context" points at what was left open (a quote, a bracket) rather than where it ended.
YAML_MESSAGES: list[tuple[str, str, str, str]] = [
    (
        r"found duplicate key \"(?P<key>.*?)\"",
        "key '{key}' is given twice",
        "键“{key}”重复出现",
        "problem",
    ),
    (
        r"mapping values are not allowed here",
        "a ':' cannot start a value here: put a value that contains ': ' in quotes, "
        "or check the indentation",
        "此处不能出现“:”：含有“: ”的值请加引号，或检查缩进",
        "problem",
    ),
    (
        r"could not find expected ':'",
        "this line has no ':' after its key (write key: value)",
        "此行的键后缺少“:”（应写作“键: 值”）",
        "context",
    ),
    (
        r"found character '\\t' that cannot start any token|found a tab character",
        "a tab is used for indentation: indent with spaces",
        "使用了制表符缩进：请用空格缩进",
        "problem",
    ),
    (
        r"found character '(?P<char>.*?)' that cannot start any token",
        "a value cannot start with '{char}': put the value in quotes",
        "值不能以“{char}”开头：请为该值加引号",
        "problem",
    ),
    (
        r"found unexpected end of stream",
        "a quoted text is not closed: add the closing quote",
        "引号中的文本没有结束：请补上结尾的引号",
        "context",
    ),
    (
        r"expected ',' or '\]'",
        "a list opened with '[' is not closed with ']'",
        "以“[”开始的列表缺少结尾的“]”",
        "context",
    ),
    (
        r"expected ',' or '\}'",
        "a mapping opened with '{{' is not closed with '}}'",
        "以“{{”开始的映射缺少结尾的“}}”",
        "context",
    ),
    (
        r"sequence entries are not allowed here",
        "a '- ' list item is not allowed here: check the indentation",
        "此处不能出现“- ”列表项：请检查缩进",
        "problem",
    ),
    (
        r"did not find expected '-' indicator",
        "a '- ' list item was expected here: check the indentation",
        "此处应为“- ”列表项：请检查缩进",
        "problem",
    ),
    (
        r"did not find expected key|expected <block end>",
        "the indentation here does not match the lines above",
        "此处的缩进与上文不一致",
        "problem",
    ),
    (
        r"found undefined alias '?(?P<name>[^']*)'?",
        "'*{name}' refers to an anchor '&{name}' that is not defined",
        "“*{name}”引用了未定义的锚点“&{name}”",
        "problem",
    ),
    (
        r"found unknown escape character",
        "a double-quoted text has an unknown escape: write a backslash as \\\\ "
        "or use single quotes",
        "双引号文本中有无效的转义：反斜杠请写作 \\\\，或改用单引号",
        "problem",
    ),
    (
        r"but found another document",
        "a second '---' starts another document: a note file holds one",
        "第二个“---”开始了另一个文档：一个报告文件只能包含一个文档",
        "problem",
    ),
    (
        r"expected a comment or a line break",
        "unexpected text after the value on this line",
        "此行的值之后还有多余的内容",
        "problem",
    ),
    (
        r"expected alphabetic or numeric character",
        "an anchor ('&') or alias ('*') needs a name: put a value starting with & or * in quotes",
        "锚点（&）或别名（*）缺少名称：以 & 或 * 开头的值请加引号",
        "problem",
    ),
]

#: Python's JSON reader's complaints, the same way: (start of message, English, Chinese).
JSON_MESSAGES: list[tuple[str, str, str]] = [
    (
        "Expecting value",
        "a value was expected here (is there a comma too many, or text without quotes?)",
        "此处应为一个值（是否多了逗号，或文本缺少引号？）",
    ),
    (
        "Expecting property name enclosed in double quotes",
        "a key in double quotes was expected here (is there a comma too many?)",
        "此处应为带双引号的键（是否多了逗号？）",
    ),
    ("Expecting ',' delimiter", "a ',' is missing before this item", "此项之前缺少“,”"),
    ("Expecting ':' delimiter", "a ':' is missing after the key", "键之后缺少“:”"),
    ("Extra data", "there is more text after the end of the data", "数据结束之后还有多余的内容"),
    (
        "Unterminated string",
        "a text in double quotes is not closed",
        "双引号中的文本没有结束",
    ),
    (
        "Invalid control character",
        "a line break or tab inside a text must be written \\n or \\t",
        "文本中的换行或制表符须写作 \\n 或 \\t",
    ),
    (
        "Invalid \\uXXXX escape",
        "a \\u escape needs four hexadecimal digits",
        "\\u 转义须为四位十六进制数字",
    ),
    (
        "Invalid \\escape",
        "an unknown escape in a text: write a backslash as \\\\",
        "文本中有无效的转义：反斜杠请写作 \\\\",
    ),
]


def _yaml_problem(path: Path, exc: YAMLError, line_offset: int, code: str, text: str) -> UserError:
    """A YAML reader's error as a located problem in plain words, in English and Chinese."""
    if isinstance(exc, ReaderError):
        index = max(int(getattr(exc, "position", 0)), 0)
        before = text[:index]
        line = before.count("\n") + 1 + line_offset
        column = index - (before.rfind("\n") + 1) + 1
        char = getattr(exc, "character", 0)
        number = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return UserError.single(
            str(path),
            code,
            f"an invisible control character ({number}) is not allowed: delete it",
            f"不允许使用不可见的控制字符（{number}）：请删除",
            line,
            column,
        )
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    english = f"this is not valid YAML: {problem}"
    chinese = "此处不是有效的 YAML 格式：请检查缩进、冒号和引号"
    for pattern, en, zh, where in YAML_MESSAGES:
        match = re.search(pattern, problem)
        if match:
            fill = {k: v or "" for k, v in match.groupdict().items()}
            english, chinese = en.format(**fill), zh.format(**fill)
            if where == "context" and context_mark is not None:
                mark = context_mark
            break
    mark = mark or context_mark
    line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
    column = (mark.column + 1) if mark else 1
    return UserError.single(str(path), code, english, chinese, line, column)


def _load_json(source: Source) -> None:
    try:
        data = json.loads(source.text)
    except json.JSONDecodeError as exc:
        english, chinese = f"this is not valid JSON: {exc.msg}", "此处不是有效的 JSON 格式"
        for start, en, zh in JSON_MESSAGES:
            if exc.msg.startswith(start):
                english, chinese = en, zh
                break
        raise UserError.single(
            str(source.path), "syntax.json", english, chinese, exc.lineno, exc.colno
        ) from None
    # JSON is YAML 1.2, and the YAML reader keeps positions; it also refuses duplicate keys.
    try:
        tree = _yaml().load(StringIO(source.text))
    except DuplicateKeyError as exc:
        raise _yaml_problem(source.path, exc, 0, "syntax.json", source.text) from None
    except Exception:
        # The YAML reader has limits JSON has not (a key longer than 1024 characters): keep
        # the data, without positions.
        tree = None
    if not isinstance(data, dict):
        raise _not_a_mapping(source.path, "syntax.json", 1)
    if isinstance(tree, CommentedMap):
        source.data.update(_plain(tree))
        _record_positions(tree, (), source, 0)
    else:
        source.data.update(data)


def _not_a_mapping(path: Path, code: str, line: int) -> UserError:
    return UserError.single(
        str(path),
        code,
        "the data must be a mapping of keys to values (key: value)",
        "数据必须是“键: 值”形式的映射",
        line,
        1,
    )


def _load_yaml_into(source: Source, text: str, line_offset: int) -> None:
    try:
        data = _yaml().load(StringIO(text))
    except YAMLError as exc:
        raise _yaml_problem(source.path, exc, line_offset, "syntax.yaml", text) from None
    except Exception as exc:  # ruamel raises plain errors for a few malformed inputs
        raise UserError.single(
            str(source.path),
            "syntax.yaml",
            f"this is not valid YAML: {' '.join(str(exc).split()) or type(exc).__name__}",
            "此处不是有效的 YAML 格式",
            line_offset + 1,
            1,
        ) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise _not_a_mapping(source.path, "syntax.yaml", line_offset + 1)
    source.data.update(_plain(data))
    _record_positions(data, (), source, line_offset)


def _plain(value: Any) -> Any:
    """ruamel's containers and scalars as plain dicts, lists, text and numbers (keys as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, TaggedScalar):
        return str(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if type(value).__name__ == "ScalarBoolean":
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _record_positions(node: Any, loc: Loc, source: Source, line_offset: int) -> None:
    if isinstance(node, CommentedMap):
        for key in node:
            sub = (*loc, str(key))
            try:
                key_line, key_col = node.lc.key(key)
                value_line, value_col = node.lc.value(key)
            except (KeyError, TypeError):
                continue  # a key merged in from an anchor ('<<: *base') has no place of its own
            source.keys[sub] = Position(key_line + 1 + line_offset, key_col + 1)
            source.values[sub] = Position(value_line + 1 + line_offset, value_col + 1)
            _record_positions(node[key], sub, source, line_offset)
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            try:
                line, col = node.lc.item(i)
            except (KeyError, TypeError):
                continue
            source.values[(*loc, i)] = Position(line + 1 + line_offset, col + 1)
            _record_positions(item, (*loc, i), source, line_offset)


# -- characters that cannot be printed ------------------------------------------------------------


def _check_characters(source: Source, value: Any, loc: Loc) -> Any:
    """Report characters that cannot be printed (errors) or that reorder text (warnings).

    Returns the value with lone surrogates replaced by U+FFFD, so that later stages, which
    must encode the text, report nothing more about them.
    """
    if isinstance(value, dict):
        for key, sub in value.items():
            value[key] = _check_characters(source, sub, (*loc, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            value[i] = _check_characters(source, sub, (*loc, i))
    elif isinstance(value, str):
        for offset, char, severity in _odd_characters(value):
            number = f"U+{ord(char):04X}"
            if 0xD800 <= ord(char) <= 0xDFFF:
                code = "schema.character"
                english = (
                    f"a lone surrogate ({number}, written as an escape) is not a character: "
                    "delete it"
                )
                chinese = f"孤立的代理项（{number}，以转义写入）不是有效字符：请删除"
            elif severity is Severity.ERROR:
                code = "schema.character"
                english = f"an invisible control character ({number}) cannot be printed: delete it"
                chinese = f"不可见的控制字符（{number}）无法排印：请删除"
            else:
                code = "schema.bidi"
                english = (
                    f"a bidirectional control character ({number}) reorders the text around it "
                    "as displayed: delete it unless it is intended"
                )
                chinese = f"双向控制字符（{number}）会改变其前后文字的显示顺序：如非有意，请删除"
            problem = Problem(code, english, chinese, loc, severity, offset=offset)
            start = source.values.get(loc)
            if start is not None:
                problem = _at(problem, source.position_in(start, value, offset))
            source.problems.append(problem)
        return re.sub("[\ud800-\udfff]", "\ufffd", value)
    return value


def _odd_characters(text: str) -> Iterator[tuple[int, str, Severity]]:
    """The first control character and the first bidi control in a text, with their offsets."""
    seen: set[Severity] = set()
    for offset, char in enumerate(text):
        code = ord(char)
        if char in "\t\n\r":
            continue
        if code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            severity = Severity.ERROR
        elif char in BIDI_CONTROLS:
            severity = Severity.WARNING
        elif unicodedata.category(char) == "Cc":
            severity = Severity.ERROR  # C1 controls (U+0080–U+009F)
        else:
            continue
        if severity not in seen:
            seen.add(severity)
            yield offset, char, severity


# -- Markdown -------------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def _load_markdown(source: Source, titles_for: TitlesFor) -> None:
    text = source.text
    match = FRONT_MATTER.match(text)
    body_start = 0
    if match:
        _load_yaml_into(source, match.group(1), line_offset=1)
        body_start = text[: match.end()].count("\n")
    elif re.match(r"---[ \t]*\n", text):
        raise UserError.single(
            str(source.path),
            "syntax.front_matter",
            "the front matter has no closing '---' line",
            "前置数据块缺少结尾的“---”行",
            1,
            1,
        )
    source.section_titles = titles_for(source)
    _split_body(source, text.split("\n")[body_start:], body_start)


def _section_names(section_titles: dict[str, list[str]]) -> dict[str, str]:
    names = dict(ENGLISH_SECTION_NAMES)
    for field_name, titles in section_titles.items():
        for title in titles:
            names[title.strip().casefold()] = field_name
    return names


def _allowed_headings(section_titles: dict[str, list[str]]) -> list[str]:
    """The headings a note may use, the house's first, without repeats."""
    titles = [t for name in BODY_FIELDS for t in section_titles.get(name, [])]
    titles += list(ENGLISH_TITLES.values())
    unique: dict[str, str] = {}
    for title in titles:
        unique.setdefault(title.strip().casefold(), title.strip())
    return list(unique.values())


def _split_body(source: Source, lines: list[str], first_line: int) -> None:
    """Cut the body at its section headings and file each part under the field it names.

    A heading of level 1 or 2 must name a section; deeper headings that name none are part of
    the section's text (sub-headings).
    """
    names = _section_names(source.section_titles)
    tokens = _MD.parse("\n".join(lines))
    headings: list[tuple[int, str, str | None]] = []
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open" or not tok.map or tok.level != 0:
            continue
        title = tokens[i + 1].content.strip().strip("*_").rstrip("：:").strip()
        field_name = names.get(title.casefold())
        if field_name is not None or tok.tag in ("h1", "h2"):
            headings.append((tok.map[0], title, field_name))
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
    seen: dict[str, int] = {}
    for index, (start, title, field_name) in enumerate(headings):
        end = headings[index + 1][0] if index + 1 < len(headings) else len(lines)
        heading_line = first_line + start + 1
        if field_name is None:
            source.problems.append(_unknown_heading(title, source.section_titles, heading_line))
            continue
        if field_name in seen or field_name in source.data:
            if field_name in seen:
                where, where_zh = f"line {seen[field_name]}", f"第 {seen[field_name]} 行"
            else:
                where, where_zh = (
                    f"the front matter as '{field_name}'",
                    f"前置数据中的“{field_name}”",
                )
            source.problems.append(
                Problem(
                    "body.duplicate",
                    f"section {quote(title)} is given twice (also at {where})",
                    f"章节{quote(title, zh=True)}重复出现（另见{where_zh}）",
                    (),
                    line=heading_line,
                    column=1,
                )
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
        if field_name == "commentary":
            _commentary(source, chunk, content_line)
        else:
            source.data[field_name] = "\n".join(chunk)
            source.values[(field_name,)] = Position(content_line, 1)


def _unknown_heading(title: str, section_titles: dict[str, list[str]], line: int) -> Problem:
    allowed = _allowed_headings(section_titles)
    guess = difflib.get_close_matches(title, allowed, n=1, cutoff=0.6)
    choices = ", ".join(allowed)
    if guess:
        hint, hint_zh = f"did you mean '{guess[0]}'? ", f"是否应为“{guess[0]}”？"
    else:
        hint, hint_zh = "", ""
    return Problem(
        "body.heading",
        f"{quote(title)} is not a section of this note; {hint}(sections: {choices})",
        f"{quote(title, zh=True)}不是本报告的章节；{hint_zh}（可用的章节：{choices}）",
        (),
        line=line,
        column=1,
    )


def _commentary(source: Source, chunk: list[str], first_line: int) -> None:
    """Each paragraph opening with bold text starts a point; other blocks continue the last one."""
    points: list[dict[str, str]] = []
    source.values[("commentary",)] = Position(first_line, 1)
    tokens = _MD.parse("\n".join(chunk))
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
            source.values[("commentary", i)] = Position(line, indent + 1)
            source.values[("commentary", i, "lead")] = Position(line, indent + 1)
            source.values[("commentary", i, "body")] = Position(line, indent + 1)
    source.data["commentary"] = points
