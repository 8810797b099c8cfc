"""Read YAML and JSON keeping the line and column of every key and value; errors in plain words."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import StreamMark, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from render.errors import UserError
from render.load.source import Position, Source, placed
from render.settings import Limits
from schemas.problems import BIDI_CONTROLS, Loc, Problem, Severity


class _Constructor(RoundTripConstructor):
    """Keeps dates as text so that pydantic, not the YAML reader, judges them (with a location)."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


class _Refused(Exception):
    """Data render will not read whole, found while composing: a rule code, words and a place."""

    def __init__(self, code: str, english: str, chinese: str, mark: StreamMark | None) -> None:
        super().__init__(english)
        self.code, self.english, self.chinese, self.mark = code, english, chinese, mark


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class _Composer(Composer):
    """Counts what a document holds once its aliases are expanded, without expanding them.

    An alias (``*a``) is the very node its anchor (``&a``) names, so ten aliases of a list of
    ten aliases of ... name 10^9 values in a kilobyte; every walk over the data (``_plain``,
    the positions, the character check, validation) would copy them all. Each node's expanded
    size is counted once, when it is composed, and each alias adds the size of what it names:
    a document that would grow past the limits stops here, at the alias that crosses them,
    before anything is built. Merge keys (``<<: *a``) are aliases too, and count the same.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        # A second '&a' is valid YAML (later aliases name it); a warning would only be noise.
        self.warn_double_anchors = False
        self.limits: Limits = getattr(loader, "note_limits", None) or Limits()
        self.nodes = 0
        self.chars = 0
        #: Each composed node's size once expanded, by identity: (values, characters of text).
        self.sizes: dict[int, tuple[int, int]] = {}

    def compose_document(self) -> Any:
        self.nodes, self.chars, self.sizes = 0, 0, {}
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)  # an unknown anchor is the reader's error
            size = self.sizes.get(id(node))
            if size is None:  # its anchor is still being composed: the alias is inside it
                name = event.anchor
                raise _Refused(
                    "syntax.alias_loop",
                    f"'*{name}' is inside the anchor '&{name}' it refers to: the data would "
                    "contain itself",
                    f"“*{name}”位于它所引用的锚点“&{name}”之内：数据将包含其自身",
                    event.start_mark,
                )
            self._grow(size, event.start_mark, event.anchor)
            return node
        start = (self.nodes, self.chars)
        self._grow((1, 0), event.start_mark, None)
        node = super().compose_node(parent, index)
        if isinstance(node, ScalarNode):
            self._grow((0, len(node.value)), node.start_mark, None)
            _check_number(node, self.limits.number_digits)
        self.sizes[id(node)] = (self.nodes - start[0], self.chars - start[1])
        return node

    def _grow(self, size: tuple[int, int], mark: StreamMark, alias: str | None) -> None:
        """Add a node (or what an alias names) to the document; refuse it past the limits."""
        self.nodes += size[0]
        self.chars += size[1]
        # Without aliases, text can never outgrow the file: only repetition can.
        nodes, chars = self.limits.yaml_nodes, self.limits.note_bytes
        if self.nodes <= nodes and self.chars <= chars:
            return
        if self.nodes > nodes:
            what, what_zh = f"{nodes:,} values", f"{nodes} 个值"
        else:
            what, what_zh = f"{chars:,} characters of text", f"{chars} 个字符的文本"
        if alias is None:
            raise _Refused(
                "syntax.too_large",
                f"the data holds more than {what}: no note needs so many",
                f"数据超过 {what_zh}：任何报告都不需要这么多",
                mark,
            )
        raise _Refused(
            "syntax.too_large",
            f"'*{alias}' repeats '&{alias}' ({size[0]:,} values, {size[1]:,} characters) once "
            f"too often: with its aliases expanded the data would hold more than {what}",
            f"“*{alias}”重复引用“&{alias}”（{size[0]} 个值，{size[1]} 个字符）次数过多："
            f"展开别名后数据将超过 {what_zh}",
            mark,
        )


def _check_number(node: ScalarNode, digits: int) -> None:
    """Refuse a number longer than any note needs (Python itself refuses one past 4300 digits)
    or one that is not finite (``1e999999``, ``.inf``, ``.nan``)."""
    tag = str(node.tag)
    if tag not in (_INT, _FLOAT):
        return
    text = str(node.value)
    problem = _number_problem(text, digits, tag == _FLOAT)
    if problem is not None:
        raise _Refused("syntax.number", *problem, node.start_mark)


def _number_problem(text: str, digits: int, real: bool) -> tuple[str, str] | None:
    """Why a number written ``text`` is refused (English, Chinese), or None if it is not."""
    written = sum(char.isalnum() for char in text)  # hexadecimal digits too
    if written > digits:
        return (
            f"a number of {written:,} digits is longer than the {digits} a note may write: "
            "put it in quotes if it is an identifier, not a number",
            f"数字长达 {written} 位，超过报告允许的 {digits} 位：如为编号而非数字，请加引号",
        )
    if not real:
        return None
    try:
        finite = math.isfinite(float(text.replace("_", "")))
    except ValueError:
        finite = not re.fullmatch(r"[-+]?\.(?:inf|nan)|[-+]?(?:NaN|Infinity)", text, re.I)
    if finite:
        return None
    shown = text if len(text) <= 20 else text[:20] + "…"
    return (
        f"a number must be finite: {shown} is not (put it in quotes if it is meant as text)",
        f"数字必须是有限值：{shown} 不是（如为文本，请加引号）",
    )


def _yaml(limits: Limits | None = None) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Composer = _Composer
    yaml.note_limits = limits or Limits()  # type: ignore[attr-defined]  # read by _Composer
    return yaml


def _refused(path: Path, exc: _Refused, line_offset: int) -> UserError:
    mark = exc.mark
    line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
    column = (mark.column + 1) if mark else 1
    return UserError.single(str(path), exc.code, exc.english, exc.chinese, line, column)


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


class _BadNumber(Exception):
    """A number in JSON that render refuses, as written."""

    def __init__(self, text: str, english: str, chinese: str) -> None:
        super().__init__(english)
        self.text, self.english, self.chinese = text, english, chinese


def _json_number(digits: int, real: bool) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        problem = _number_problem(text, digits, real)
        if problem is not None:
            raise _BadNumber(text, *problem)
        return float(text) if real else int(text)

    return parse


#: JSON's texts (skipped) and numbers, to find where a refused number was written.
_JSON_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|(-?(?:[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|Infinity)|NaN)'
)


def _number_at(text: str, number: str) -> tuple[int, int]:
    """The line and column of the first number written ``number`` (not inside a text)."""
    for match in _JSON_TOKEN.finditer(text):
        if match.group(1) == number:
            before = text[: match.start(1)]
            return before.count("\n") + 1, match.start(1) - (before.rfind("\n") + 1) + 1
    return 1, 1


def load_json(source: Source, limits: Limits | None = None) -> None:
    limits = limits or Limits()
    try:
        data = json.loads(
            source.text,
            parse_int=_json_number(limits.number_digits, real=False),
            parse_float=_json_number(limits.number_digits, real=True),
            parse_constant=_json_number(limits.number_digits, real=True),
        )
    except json.JSONDecodeError as exc:
        english, chinese = f"this is not valid JSON: {exc.msg}", "此处不是有效的 JSON 格式"
        for start, en, zh in JSON_MESSAGES:
            if exc.msg.startswith(start):
                english, chinese = en, zh
                break
        raise UserError.single(
            str(source.path), "syntax.json", english, chinese, exc.lineno, exc.colno
        ) from None
    except _BadNumber as exc:
        line, column = _number_at(source.text, exc.text)
        raise UserError.single(
            str(source.path), "syntax.number", exc.english, exc.chinese, line, column
        ) from None
    # JSON is YAML 1.2, and the YAML reader keeps positions; it also refuses duplicate keys.
    try:
        tree = _yaml(limits).load(StringIO(source.text))
    except DuplicateKeyError as exc:
        raise _yaml_problem(source.path, exc, 0, "syntax.json", source.text) from None
    except _Refused as exc:  # more values than render reads
        raise _refused(source.path, exc, 0) from None
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


def load_yaml_into(
    source: Source, text: str, line_offset: int, limits: Limits | None = None
) -> None:
    try:
        data = _yaml(limits).load(StringIO(text))
    except _Refused as exc:
        raise _refused(source.path, exc, line_offset) from None
    except YAMLError as exc:
        raise _yaml_problem(source.path, exc, line_offset, "syntax.yaml", text) from None
    except RecursionError:
        raise  # load_note words it for every kind of file
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


def check_characters(source: Source, value: Any, loc: Loc) -> Any:
    """Report characters that cannot be printed (errors) or that reorder text (warnings).

    Returns the value with lone surrogates replaced by U+FFFD, so that later stages, which
    must encode the text, report nothing more about them.
    """
    if isinstance(value, dict):
        for key, sub in value.items():
            value[key] = check_characters(source, sub, (*loc, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            value[i] = check_characters(source, sub, (*loc, i))
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
                problem = placed(problem, source.position_in(start, value, offset))
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
