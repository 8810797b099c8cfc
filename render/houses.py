"""Find a house folder by name or path, and load and validate its ``house.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from render.errors import UserError
from render.load import Source, load_note
from render.validate import validate
from schemas.house import House
from schemas.problems import Problem, Severity

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
        return {
            name: _texts(getattr(sections, name))
            for name in ("event", "commentary", "recommendation", "risks")
        }


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
    candidate = (note_folder / spec).resolve()
    if (candidate / HOUSE_FILE).is_file():
        return candidate
    if "/" not in spec and (SHIPPED_HOUSES / spec / HOUSE_FILE).is_file():
        return SHIPPED_HOUSES / spec
    known = [f"{name} (shipped)" for name in shipped_houses()]
    if candidate.parent.is_dir():
        known += [
            os.path.relpath(p, note_folder.resolve())
            for p in sorted(candidate.parent.iterdir())
            if (p / HOUSE_FILE).is_file()
        ]
    raise UserError(
        [
            Problem(
                "house.not_found",
                f"no house '{spec}': no {HOUSE_FILE} in {candidate} (houses: {', '.join(known)})",
                f"找不到机构配置“{spec}”：{candidate} 中没有 {HOUSE_FILE}（可用：{', '.join(known)}）",
                ("house",),
            )
        ]
    )


def load_house(folder: Path) -> HouseProfile:
    """Read and validate a house folder; every problem in ``house.yaml`` is located in it."""
    path = folder / HOUSE_FILE
    source: Source = load_note(path)
    house, problems = validate(House, source.data)
    display = str(path)
    located = [source.locate(p, display) for p in problems]
    if house is None:
        raise UserError(located)
    warnings = tuple(p for p in located if p.severity is Severity.WARNING)
    return HouseProfile(folder.resolve(), house, warnings)
