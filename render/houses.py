"""Find a house folder by name or path, and load and validate its ``house.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from render.errors import UserError
from render.load import Source, load_note
from render.report import display_path
from render.source import BODY_FIELDS
from render.validate import validate
from schemas.house import House
from schemas.problems import Problem, Severity, quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_TEMPLATES = PROJECT_ROOT / "templates"
SHIPPED_HOUSES = PROJECT_ROOT / "examples" / "houses"
DEFAULT_HOUSE = "example"
HOUSE_FILE = "house.yaml"


@dataclass(frozen=True)
class HouseProfile:
    """A validated house and the folder it was read from (its templates, style and logo)."""

    folder: Path
    house: House
    warnings: tuple[Problem, ...] = ()

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @property
    def stylesheet(self) -> Path:
        return self.folder / "style.css"

    def section_titles(self) -> dict[str, list[str]]:
        """Every heading that names each body field, in all of the house's locales."""
        sections = self.house.sections
        return {name: _texts(getattr(sections, name)) for name in BODY_FIELDS}


def _texts(text: str | dict[str, str]) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())


def shipped_houses() -> list[str]:
    return sorted(p.name for p in SHIPPED_HOUSES.iterdir() if (p / HOUSE_FILE).is_file())


def find_house(spec: str | None, note_folder: Path) -> Path:
    """The folder a note's ``house:`` names: a path relative to the note, or a shipped house.

    Raises a problem at the ``house`` field, listing the houses that exist, when none matches.
    """
    if spec is None:
        return SHIPPED_HOUSES / DEFAULT_HOUSE
    try:
        candidate = (note_folder / spec).resolve()
        if (candidate / HOUSE_FILE).is_file():
            return candidate
        if "/" not in spec and (SHIPPED_HOUSES / spec / HOUSE_FILE).is_file():
            return SHIPPED_HOUSES / spec
        siblings = sorted(candidate.parent.iterdir()) if candidate.parent.is_dir() else []
    except (OSError, ValueError):  # a name no file can have (a NUL, too long)
        siblings = []
    nearby = [
        os.path.relpath(p, note_folder.resolve()) for p in siblings if (p / HOUSE_FILE).is_file()
    ]
    known = ", ".join([*(f"{name} (shipped)" for name in shipped_houses()), *nearby])
    known_zh = ", ".join([*(f"{name}（内置）" for name in shipped_houses()), *nearby])
    raise UserError(
        [
            Problem(
                "house.not_found",
                f"no house {quote(spec)}: neither a folder with a {HOUSE_FILE} (relative to the "
                f"note) nor a shipped house (houses: {known})",
                f"找不到机构配置{quote(spec, zh=True)}：它既不是含 {HOUSE_FILE} 的文件夹"
                f"（相对于报告所在位置），也不是内置机构（可用：{known_zh}）",
                ("house",),
            )
        ]
    )


def load_house(folder: Path) -> HouseProfile:
    """Read and validate a house folder; every problem in ``house.yaml`` is located in it."""
    path = folder / HOUSE_FILE
    display = display_path(path)
    try:
        source: Source = load_note(path)
    except UserError as exc:
        raise UserError([replace(p, path=display) for p in exc.problems]) from None
    house, problems = validate(House, source.data)
    if house is not None and house.logo:
        problems += _logo(house.logo, folder)
    located = [source.locate(p, display) for p in [*source.problems, *problems]]
    if house is None or any(p.severity is Severity.ERROR for p in located):
        raise UserError(located)
    warnings = tuple(p for p in located if p.severity is Severity.WARNING)
    return HouseProfile(folder.resolve(), house, warnings)


def _logo(logo: str, folder: Path) -> list[Problem]:
    """A logo that is not a file of the house folder, which every page would fail to print."""
    from render.confine import Confinement, Refused  # WeasyPrint's import; the planner needs none

    try:
        Confinement(folder).resolve(logo, folder)
    except Refused:
        return [
            Problem(
                "render.resource",
                f"{quote(logo)} is not a file in the house folder",
                f"{quote(logo, zh=True)}不是机构文件夹中的文件",
                ("logo",),
            )
        ]
    return []
