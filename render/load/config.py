"""The project configuration, ``render.toml``: the houses the runner admits and the limits.

render looks for ``render.toml`` in the note's folder and then in each folder above it; the
nearest one applies to the note. It is the runner's file, like the command line: a note cannot
choose it, and it decides which house folders a note's ``house:`` may name (see
``docs/security.md``). A ``render.toml`` that cannot be read is a usage error of the runner,
reported with its file, line and key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from render.errors import UsageError
from render.report import display_path
from render.settings import Limits, Settings
from schemas.problems import Loc, Problem
from schemas.rules import Quoted, Text, project

CONFIG_NAME = "render.toml"


@dataclass(frozen=True)
class ProjectConfig:
    """A read and validated ``render.toml``."""

    path: Path
    #: The folders it admits, absolute (its entries are relative to the file's folder).
    houses: tuple[Path, ...] = ()
    #: The limits it sets, by field of :class:`Limits`; the others keep their defaults.
    limits: dict[str, Any] = dataclasses.field(default_factory=dict)


class ConfigError(UsageError):
    """A ``render.toml`` that cannot be used; carries its problems, located in the file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


def _strict(**fields: Any) -> type[BaseModel]:
    config = ConfigDict(extra="forbid", strict=True)
    return create_model("Config", __config__=config, **fields)


# Built from the Limits dataclass, so a limit added there is accepted here with no other change.
# Every limit is a positive number: zero or less would refuse every note.
_LIMITS = _strict(
    **{
        name: (Annotated[kind, Field(gt=0)], None)  # type: ignore[valid-type]
        for name, kind in typing.get_type_hints(Limits).items()
    }
)
_CONFIG = _strict(houses=(list[str], []), limits=(_LIMITS, None))

#: pydantic's messages for the errors a ``render.toml`` can have, to be translated; any other
#: (or one a later pydantic words differently) is printed as pydantic words it.
_MESSAGES = {
    "int_type": Text("Input should be a valid integer"),
    "float_type": Text("Input should be a valid number"),
    "list_type": Text("Input should be a valid list"),
    "string_type": Text("Input should be a valid string"),
    "model_type": Text("Input should be a valid dictionary or instance of Config"),
    "greater_than": Text("Input should be greater than 0"),
}


def find_config(folder: Path) -> Path | None:
    """The nearest ``render.toml`` in ``folder`` or a folder above it, or None."""
    folder = folder.resolve()
    for parent in (folder, *folder.parents):
        candidate = parent / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


# Read files by resolved path, kept while their size, modification time and inode are unchanged:
# a build of a thousand notes under one render.toml reads it once per process.
_CACHE: dict[Path, tuple[tuple[int, int, int], ProjectConfig]] = {}


def load_config(path: Path) -> ProjectConfig:
    """Read and validate a ``render.toml``; raises :class:`ConfigError`, located, if it is wrong."""
    path = path.resolve()
    try:
        info = path.stat()
    except OSError as exc:
        raise _error(path, (), Text("cannot be read: {reason}", reason=exc.strerror)) from None
    stamp = (info.st_size, info.st_mtime_ns, info.st_ino)
    cached = _CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    config = _read(path)
    _CACHE[path] = (stamp, config)
    return config


def _read(path: Path) -> ProjectConfig:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _error(path, (), Text("cannot be read: {reason}", reason=exc.strerror)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _error(path, (), Text("is not UTF-8"), line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(where[1]), int(where[2])) if where else (text.count("\n") + 1, 1)
        message = re.sub(r"\s*\(at .*\)$", "", str(exc))
        raise _error(path, (), Text("is not TOML: {error}", error=message), line, column) from None
    try:
        model = _CONFIG.model_validate(data)
    except ValidationError as exc:
        lines = text.splitlines()
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line, column = locate(lines, loc)
            problems.append(_problem(path, loc, _words(error), line, column))
        raise ConfigError(problems) from None
    houses = []
    for index, entry in enumerate(model.houses):  # type: ignore[attr-defined]
        folder = (path.parent / entry).resolve()
        if not folder.is_dir():
            line, column = locate(text.splitlines(), ("houses", index))
            words = Text(
                "{entry} is not a folder (entries are relative to render.toml)",
                entry=Quoted(entry),
            )
            raise _error(path, ("houses", index), words, line, column)
        houses.append(folder)
    limits = model.limits.model_dump(exclude_unset=True) if model.limits else {}  # type: ignore[attr-defined]
    return ProjectConfig(path, tuple(houses), limits)


def _words(error: Any) -> Text | str:
    """What is wrong with a value, as pydantic found it."""
    if error["type"] == "extra_forbidden":
        return Text("unknown key")
    known = _MESSAGES.get(error["type"])
    return known if known is not None and known.msgid == error["msg"] else str(error["msg"])


def _problem(path: Path, loc: Loc, words: Text | str, line: int = 1, column: int = 1) -> Problem:
    where = {"path": display_path(path), "line": line, "column": column}
    return project.PROJECT_CONFIG(loc, **where, problem=words)


def _error(path: Path, loc: Loc, words: Text | str, line: int = 1, column: int = 1) -> ConfigError:
    return ConfigError([_problem(path, loc, words, line, column)])


_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"' .]+?)\s*=")


def _dotted(text: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in text.split("."))


def locate(lines: list[str], loc: Loc) -> tuple[int, int]:
    """The line and column of a key in a TOML file, found by reading its lines.

    tomllib gives no positions. A key is found as ``key =`` under its ``[table]`` header or as a
    dotted key; a key not written there (in an inline table, say) at the nearest enclosing key or
    header; else at the first line setting a key of the same name; else at line 1.
    """
    keys = [str(k) for k in loc if isinstance(k, str)]
    if not keys:
        return 1, 1
    wanted = ".".join(keys)
    table = ""
    enclosing: tuple[int, int, int] | None = None  # (length of the prefix, line, column)
    anywhere: tuple[int, int] | None = None
    for number, line in enumerate(lines, 1):
        if match := _TABLE.match(line):
            full, column = _dotted(match[1]), match.start(1) + 1
            table = full
        elif match := _KEY.match(line):
            key, column = _dotted(match[1]), match.start(1) + 1
            full = f"{table}.{key}" if table else key
            if anywhere is None and key.split(".")[-1] == keys[-1]:
                anywhere = (number, column)
        else:
            continue
        if full == wanted:
            return number, column
        if wanted.startswith(full + ".") and (enclosing is None or len(full) > enclosing[0]):
            enclosing = (len(full), number, column)
    if enclosing is not None:
        return enclosing[1], enclosing[2]
    return anywhere or (1, 1)


def note_settings(settings: Settings, note: Path) -> Settings:
    """The settings for one note: the front end's, with the note's ``render.toml`` over them.

    The admitted folders are the front end's (``--house-path``) then the configuration's; its
    limits replace the ones it names. Raises :class:`ConfigError` if the file is wrong.
    """
    found = find_config(note.parent)
    if found is None:
        return settings
    config = load_config(found)
    paths = tuple(dict.fromkeys((*settings.house_paths, *config.houses)))
    limits = dataclasses.replace(settings.limits, **config.limits)
    # replace(), not a new Settings: where the shipped houses and templates are stays the front end's.
    return dataclasses.replace(settings, house_paths=paths, limits=limits)


def note_limits(settings: Settings, note: Path) -> Limits:
    """The limits a note is held to: its ``render.toml``'s over the front end's.

    A configuration that cannot be read leaves the front end's: the note's check reports it.
    """
    try:
        return note_settings(settings, note).limits
    except ConfigError:
        return settings.limits


def check_configs(notes: list[Path]) -> None:
    """Read the ``render.toml`` of every note before any work starts; raise the first error."""
    for found in dict.fromkeys(find_config(note.parent) for note in notes):
        if found is not None:
            load_config(found)


__all__ = [
    "CONFIG_NAME",
    "ConfigError",
    "ProjectConfig",
    "check_configs",
    "find_config",
    "load_config",
    "locate",
    "note_limits",
    "note_settings",
]
