"""Find a house folder by name or path, and load and validate its ``house.yaml``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from render.errors import UserError
from render.load.note import Source, load_note
from render.registers.load import Registers, load_registers
from render.report import display_path
from render.settings import Settings
from render.validate.models import validate
from schemas.house import House
from schemas.problems import Problem, Severity
from schemas.rules import Quoted, Rule, Text, project, rendering

DEFAULT_HOUSE = "example"
HOUSE_FILE = "house.yaml"
#: Admitted houses a problem names at most.
LISTED = 20


@dataclass(frozen=True)
class HouseProfile:
    """A validated house and the folder it was read from (its templates, style and logo)."""

    folder: Path
    house: House
    warnings: tuple[Problem, ...] = ()
    #: The house's analyst roster and disclosures register, when it keeps them.
    registers: Registers = field(default_factory=Registers)

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @property
    def stylesheet(self) -> Path:
        return self.folder / "style.css"


def shipped_houses(settings: Settings | None = None) -> list[str]:
    """The names of the shipped houses (render's own, or the settings' folder of them)."""
    folder = (settings or Settings()).shipped_houses
    return sorted(p.name for p in folder.iterdir() if (p / HOUSE_FILE).is_file())


def _houses_in(entry: Path) -> list[tuple[str, Path]]:
    """The houses an admitted folder holds, by name: itself if it is one, else its subfolders.

    A subfolder that is a link leading out of the folder is not one of them: admitting a folder
    admits what is in it, not what its links point to.
    """
    try:
        root = entry.resolve()
        if (root / HOUSE_FILE).is_file():
            return [(entry.name or root.name, root)]
        children = sorted(root.iterdir()) if root.is_dir() else []
    except (OSError, ValueError):
        return []
    houses = []
    for child in children:
        try:
            folder = child.resolve()
            if folder.is_relative_to(root) and (folder / HOUSE_FILE).is_file():
                houses.append((child.name, folder))
        except (OSError, ValueError):
            continue
    return houses


def admitted_houses(settings: Settings | None = None) -> dict[str, Path]:
    """Every house a note may name, by name: the runner's folders first, then the shipped ones.

    When two admitted houses share a name, the first wins: ``--house-path`` folders, then those
    of ``render.toml``, then the shipped houses (a project may replace the shipped ``example``).
    """
    settings = settings or Settings()
    houses: dict[str, Path] = {}
    for entry in (*settings.house_paths, settings.shipped_houses):
        for name, folder in _houses_in(entry):
            houses.setdefault(name, folder)
    return houses


def _admitted_roots(settings: Settings | None) -> list[Path]:
    settings = settings or Settings()
    roots = []
    for entry in (*settings.house_paths, settings.shipped_houses):
        try:
            roots.append(entry.resolve())
        except (OSError, ValueError):
            continue
    return roots


def _is_name(spec: str) -> bool:
    return spec not in ("", ".", "..") and "/" not in spec and "\\" not in spec


def find_house(spec: str | None, note_folder: Path, settings: Settings | None = None) -> Path:
    """The folder a note's ``house:`` names, among the houses the runner admits.

    ``house:`` is the name of an admitted house, or a path (relative to the note, or absolute)
    that resolves inside an admitted folder: a shipped house's, a ``render.toml`` entry or a
    ``--house-path``. None names the shipped default house. Anything else raises a problem at
    the ``house`` field listing the admitted houses: ``house.not_found`` for what names no
    house, ``house.not_admitted`` for a path outside every admitted folder (not looked at).
    """
    settings = settings or Settings()
    if spec is None:
        return settings.shipped_houses / DEFAULT_HOUSE
    houses = admitted_houses(settings)
    shipped = settings.shipped_houses
    if _is_name(spec):
        if spec in houses:
            return houses[spec]
        raise _problem(project.HOUSE_NOT_FOUND, spec, houses, note_folder, shipped)
    try:
        candidate = (note_folder / spec).resolve()
    except (OSError, ValueError):  # a name no file can have (a NUL, too long), a link loop
        raise _problem(project.HOUSE_NOT_FOUND, spec, houses, note_folder, shipped) from None
    # Decided on the resolved path, so that neither "../" nor a link can lead out of the folders.
    if not any(candidate.is_relative_to(root) for root in _admitted_roots(settings)):
        raise _problem(project.HOUSE_NOT_ADMITTED, spec, houses, note_folder, shipped)
    try:
        if (candidate / HOUSE_FILE).is_file():
            return candidate
    except (OSError, ValueError):
        pass
    raise _problem(project.HOUSE_NOT_FOUND, spec, houses, note_folder, shipped)


def _problem(
    rule: Rule, spec: str, houses: dict[str, Path], note_folder: Path, shipped_houses: Path
) -> UserError:
    """A problem at the ``house`` field that says which houses the note may name."""
    shipped = shipped_houses.resolve()
    listed: list[Text] = []
    for name, folder in sorted(houses.items()):
        if folder.parent == shipped:
            listed.append(Text("{name} (shipped)", name=name))
        else:
            where = os.path.relpath(folder, note_folder.resolve())
            listed.append(Text("{name} ({where})", name=name, where=where))
    if len(listed) > LISTED:  # a shared folder of many houses: enough to see the pattern
        listed = [*listed[:LISTED], Text("{count} more", count=len(listed) - LISTED)]
    admitted = _listing(listed)
    return UserError([rule(("house",), house=Quoted(spec), admitted=admitted)])


def _listing(items: list[Text]) -> Text | str:
    """Items as one list, with the language's commas between them."""
    if not items:
        return ""
    joined = items[-1]
    for item in reversed(items[:-1]):
        joined = Text("{item}, {rest}", item=item, rest=joined)
    return joined


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
        problems += logo_problems(house.logo, folder)
    located = [source.locate(p, display) for p in [*source.problems, *problems]]
    if house is None or any(p.severity is Severity.ERROR for p in located):
        raise UserError(located)
    warnings = tuple(p for p in located if p.severity is Severity.WARNING)
    registers, register_warnings = load_registers(folder)
    return HouseProfile(folder.resolve(), house, (*warnings, *register_warnings), registers)


def logo_problems(logo: str, folder: Path) -> list[Problem]:
    """A logo that is not a file of the house folder, which every page would fail to print."""
    from render.pdf.confine import (  # WeasyPrint's import; the planner needs none
        Confinement,
        Refused,
    )

    try:
        Confinement(folder).resolve(logo, folder)
    except Refused:
        why = Text("not a file in the house folder")
        return [rendering.RESOURCE(("logo",), what=Quoted(logo), why=why)]
    return []
