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
from render.load import kept
from render.load.source import Position, Source, placed
from render.settings import Limits
from schemas.problems import BIDI_CONTROLS, Loc, Severity
from schemas.rules import Quoted, Rule, Text, reading
from schemas.rules import note as note_rules


class _Constructor(RoundTripConstructor):
    """Keeps dates as text so that pydantic, not the YAML reader, judges them (with a location)."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


class _Refused(Exception):
    """Data render will not read whole, found while composing: a rule, its words and a place."""

    def __init__(self, rule: Rule, mark: StreamMark | None, **params: Any) -> None:
        super().__init__(rule.code)
        self.rule, self.params, self.mark = rule, params, mark


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
                raise _Refused(reading.ALIAS_LOOP, event.start_mark, **_alias(name))
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
            what = Text("{count:,} values", count=nodes)
        else:
            what = Text("{count:,} characters of text", count=chars)
        if alias is None:
            problem = Text("the data holds more than {what}: no note needs so many", what=what)
        else:
            problem = Text(
                "{alias} repeats {anchor} ({values:,} values, {chars:,} characters) once too "
                "often: with its aliases expanded the data would hold more than {what}",
                **_alias(alias),
                values=size[0],
                chars=size[1],
                what=what,
            )
        raise _Refused(reading.TOO_LARGE, mark, problem=problem)


def _alias(name: str) -> dict[str, Quoted]:
    """An alias and the anchor it names, as a message quotes them: '*a' and '&a'."""
    return {"alias": Quoted(f"*{name}"), "anchor": Quoted(f"&{name}")}


def _check_number(node: ScalarNode, digits: int) -> None:
    """Refuse a number longer than any note needs (Python itself refuses one past 4300 digits)
    or one that is not finite (``1e999999``, ``.inf``, ``.nan``)."""
    tag = str(node.tag)
    if tag not in (_INT, _FLOAT):
        return
    text = str(node.value)
    problem = _number_problem(text, digits, tag == _FLOAT)
    if problem is not None:
        raise _Refused(reading.NUMBER, node.start_mark, problem=problem)


def _number_problem(text: str, digits: int, real: bool) -> Text | None:
    """Why a number written ``text`` is refused, or None if it is not."""
    written = sum(char.isalnum() for char in text)  # hexadecimal digits too
    if written > digits:
        return Text(
            "a number of {written:,} digits is longer than the {digits} a note may write: "
            "put it in quotes if it is an identifier, not a number",
            written=written,
            digits=digits,
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
    return Text(
        "a number must be finite: {shown} is not (put it in quotes if it is meant as text)",
        shown=shown,
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
    return UserError([exc.rule(path=str(path), line=line, column=column, **exc.params)])


# -- YAML and JSON ------------------------------------------------------------------------------

#: The YAML reader's complaints in words an analyst can act on: (pattern, words, where), where
#: "context" points at what was left open (a quote, a bracket) rather than where it ended. The
#: pattern's groups are the note's own text, quoted: ``key``, ``char``, and ``name`` (an alias).
YAML_MESSAGES: list[tuple[str, Text, str]] = [
    (r"found duplicate key \"(?P<key>.*?)\"", Text("key {key} is given twice"), "problem"),
    (
        r"mapping values are not allowed here",
        Text(
            "a ':' cannot start a value here: put a value that contains ': ' in quotes, "
            "or check the indentation"
        ),
        "problem",
    ),
    (
        r"could not find expected ':'",
        Text("this line has no ':' after its key (write key: value)"),
        "context",
    ),
    (
        r"found character '\\t' that cannot start any token|found a tab character",
        Text("a tab is used for indentation: indent with spaces"),
        "problem",
    ),
    (
        r"found character '(?P<char>.*?)' that cannot start any token",
        Text("a value cannot start with {char}: put the value in quotes"),
        "problem",
    ),
    (
        r"found unexpected end of stream",
        Text("a quoted text is not closed: add the closing quote"),
        "context",
    ),
    (r"expected ',' or '\]'", Text("a list opened with '[' is not closed with ']'"), "context"),
    (
        r"expected ',' or '\}'",
        Text("a mapping opened with '{{' is not closed with '}}'"),
        "context",
    ),
    (
        r"sequence entries are not allowed here",
        Text("a '- ' list item is not allowed here: check the indentation"),
        "problem",
    ),
    (
        r"did not find expected '-' indicator",
        Text("a '- ' list item was expected here: check the indentation"),
        "problem",
    ),
    (
        r"did not find expected key|expected <block end>",
        Text("the indentation here does not match the lines above"),
        "problem",
    ),
    (
        r"found undefined alias '?(?P<name>[^']*)'?",
        Text("{alias} refers to an anchor {anchor} that is not defined"),
        "problem",
    ),
    (
        r"found unknown escape character",
        Text(
            "a double-quoted text has an unknown escape: write a backslash as \\\\ "
            "or use single quotes"
        ),
        "problem",
    ),
    (
        r"but found another document",
        Text("a second '---' starts another document: a note file holds one"),
        "problem",
    ),
    (
        r"expected a comment or a line break",
        Text("unexpected text after the value on this line"),
        "problem",
    ),
    (
        r"expected alphabetic or numeric character",
        Text(
            "an anchor ('&') or alias ('*') needs a name: put a value starting with & or * in "
            "quotes"
        ),
        "problem",
    ),
]

#: Python's JSON reader's complaints, the same way: (start of message, words).
JSON_MESSAGES: list[tuple[str, Text]] = [
    (
        "Expecting value",
        Text("a value was expected here (is there a comma too many, or text without quotes?)"),
    ),
    (
        "Expecting property name enclosed in double quotes",
        Text("a key in double quotes was expected here (is there a comma too many?)"),
    ),
    ("Expecting ',' delimiter", Text("a ',' is missing before this item")),
    ("Expecting ':' delimiter", Text("a ':' is missing after the key")),
    ("Extra data", Text("there is more text after the end of the data")),
    ("Unterminated string", Text("a text in double quotes is not closed")),
    (
        "Invalid control character",
        Text("a line break or tab inside a text must be written \\n or \\t"),
    ),
    ("Invalid \\uXXXX escape", Text("a \\u escape needs four hexadecimal digits")),
    ("Invalid \\escape", Text("an unknown escape in a text: write a backslash as \\\\")),
]


def _matched(words: Text, groups: dict[str, str | None]) -> Text:
    """A table's words with the note's text it names, quoted."""
    params: dict[str, Quoted] = {}
    for name, value in groups.items():
        if name == "name":
            params.update(_alias(value or ""))
        else:
            params[name] = Quoted(value or "")
    return Text(words.msgid, **params)


def _yaml_problem(path: Path, exc: YAMLError, line_offset: int, rule: Rule, text: str) -> UserError:
    """A YAML reader's error as a located problem in plain words."""
    if isinstance(exc, ReaderError):
        index = max(int(getattr(exc, "position", 0)), 0)
        before = text[:index]
        line = before.count("\n") + 1 + line_offset
        column = index - (before.rfind("\n") + 1) + 1
        char = getattr(exc, "character", 0)
        number = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        why = Text(
            "an invisible control character ({number}) is not allowed: delete it", number=number
        )
        return UserError([rule(path=str(path), line=line, column=column, problem=why)])
    problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    words = _not_yaml(problem)
    for pattern, known, where in YAML_MESSAGES:
        match = re.search(pattern, problem)
        if match:
            words = _matched(known, match.groupdict())
            if where == "context" and context_mark is not None:
                mark = context_mark
            break
    mark = mark or context_mark
    line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
    column = (mark.column + 1) if mark else 1
    return UserError([rule(path=str(path), line=line, column=column, problem=words)])


def _not_yaml(error: str) -> Text:
    """The YAML reader's own complaint, for one no table entry words better."""
    return Text("this is not valid YAML: {error}", error=error)


class _BadNumber(Exception):
    """A number in JSON that render refuses, as written."""

    def __init__(self, text: str, problem: Text) -> None:
        super().__init__(text)
        self.text, self.problem = text, problem


def _json_number(digits: int, real: bool) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        problem = _number_problem(text, digits, real)
        if problem is not None:
            raise _BadNumber(text, problem)
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
        words = Text("this is not valid JSON: {error}", error=exc.msg)
        for start, known in JSON_MESSAGES:
            if exc.msg.startswith(start):
                words = known
                break
        where = {"path": str(source.path), "line": exc.lineno, "column": exc.colno}
        raise UserError([reading.JSON(**where, problem=words)]) from None
    except _BadNumber as exc:
        line, column = _number_at(source.text, exc.text)
        where = {"path": str(source.path), "line": line, "column": column}
        raise UserError([reading.NUMBER(**where, problem=exc.problem)]) from None
    # JSON is YAML 1.2, and the YAML reader keeps positions; it also refuses duplicate keys.
    try:
        tree = _yaml(limits).load(StringIO(source.text))
    except DuplicateKeyError as exc:
        raise _yaml_problem(source.path, exc, 0, reading.JSON, source.text) from None
    except _Refused as exc:  # more values than render reads
        raise _refused(source.path, exc, 0) from None
    except Exception:
        # The YAML reader has limits JSON has not (a key longer than 1024 characters): keep
        # the data, without positions.
        tree = None
    if not isinstance(data, dict):
        raise _not_a_mapping(source.path, reading.JSON, 1)
    if isinstance(tree, CommentedMap):
        source.data.update(_plain(tree))
        _record_positions(tree, (), source, 0)
    else:
        source.data.update(data)


def _not_a_mapping(path: Path, rule: Rule, line: int) -> UserError:
    words = Text("the data must be a mapping of keys to values (key: value)")
    return UserError([rule(path=str(path), line=line, column=1, problem=words)])


def load_yaml_into(
    source: Source, text: str, line_offset: int, limits: Limits | None = None
) -> None:
    """Read YAML ``text`` (``line_offset`` lines into the source's file) into the source: its
    data, and where each key and value is written; a located problem for YAML with an error.

    The round-trip reader is pure Python (milliseconds a kilobyte): what it read of a text is
    kept between processes (:mod:`render.load.kept`), one file per source file and place,
    taken for the same text, limits and program only. Text with an error is never kept.
    """
    limits = limits or Limits()
    identity = (str(source.path), line_offset)
    key = (text, line_offset, repr(limits))
    found = kept.read("yaml", identity, key)
    if not _read_whole(found):
        fresh = Source(source.path, text, {})
        _read_yaml(fresh, text, line_offset, limits)
        found = (fresh.data, fresh.keys, fresh.values)
        kept.write("yaml", identity, key, found)
    data, keys, values = found  # type: ignore[misc]  # checked by _read_whole
    source.data.update(data)
    source.keys.update(keys)
    source.values.update(values)


def _read_whole(found: object) -> bool:
    """Whether a kept value is what :func:`load_yaml_into` keeps: data, keys and values."""
    return isinstance(found, tuple) and len(found) == 3 and all(isinstance(x, dict) for x in found)


def _read_yaml(source: Source, text: str, line_offset: int, limits: Limits) -> None:
    try:
        data = _yaml(limits).load(StringIO(text))
    except _Refused as exc:
        raise _refused(source.path, exc, line_offset) from None
    except YAMLError as exc:
        raise _yaml_problem(source.path, exc, line_offset, reading.YAML, text) from None
    except RecursionError:
        raise  # load_note words it for every kind of file
    except Exception as exc:  # ruamel raises plain errors for a few malformed inputs
        words = _not_yaml(" ".join(str(exc).split()) or type(exc).__name__)
        where = {"path": str(source.path), "line": line_offset + 1, "column": 1}
        raise UserError([reading.YAML(**where, problem=words)]) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise _not_a_mapping(source.path, reading.YAML, line_offset + 1)
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
                what = note_rules.lone_surrogate(number)
                problem = note_rules.CHARACTER(loc, offset=offset, what=what)
            elif severity is Severity.ERROR:
                what = note_rules.control_character(number)
                problem = note_rules.CHARACTER(loc, offset=offset, what=what)
            else:
                problem = note_rules.BIDI(loc, offset=offset, number=number)
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
