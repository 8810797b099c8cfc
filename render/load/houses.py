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
from schemas.problems import Problem, Severity, quote

DEFAULT_HOUSE = "example"
HOUSE_FILE = "house.yaml"
#: Admitted houses a problem names at most.
LISTED = 20
#: Where a runner admits houses, as problems tell the analyst.
CONFIG_HINT = "`houses` in render.toml, or render's --house-path option"
CONFIG_HINT_ZH = "“render.toml”中的“houses”，或命令行选项“--house-path”"


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
        raise _problem("house.not_found", spec, houses, note_folder, shipped)
    try:
        candidate = (note_folder / spec).resolve()
    except (OSError, ValueError):  # a name no file can have (a NUL, too long), a link loop
        raise _problem("house.not_found", spec, houses, note_folder, shipped) from None
    # Decided on the resolved path, so that neither "../" nor a link can lead out of the folders.
    if not any(candidate.is_relative_to(root) for root in _admitted_roots(settings)):
        raise _problem("house.not_admitted", spec, houses, note_folder, shipped)
    try:
        if (candidate / HOUSE_FILE).is_file():
            return candidate
    except (OSError, ValueError):
        pass
    raise _problem("house.not_found", spec, houses, note_folder, shipped)


def _problem(
    code: str, spec: str, houses: dict[str, Path], note_folder: Path, shipped_houses: Path
) -> UserError:
    """A problem at the ``house`` field that says which houses the note may name."""
    shipped = shipped_houses.resolve()
    english, chinese = [], []
    for name, folder in sorted(houses.items()):
        if folder.parent == shipped:
            english.append(f"{name} (shipped)")
            chinese.append(f"{quote(name, zh=True)}（内置）")
        else:
            where = os.path.relpath(folder, note_folder.resolve())
            english.append(f"{name} ({where})")
            chinese.append(f"{quote(name, zh=True)}（{quote(where, zh=True)}）")
    if len(english) > LISTED:  # a shared folder of many houses: enough to see the pattern
        more = len(english) - LISTED
        english, chinese = (
            [*english[:LISTED], f"{more} more"],
            [*chinese[:LISTED], f"另有 {more} 个"],
        )
    known, known_zh = ", ".join(english), "，".join(chinese)
    if code == "house.not_admitted":
        message = (
            f"house {quote(spec)} is not admitted: a note may use only the shipped houses and "
            f"those the person running render admits ({CONFIG_HINT}); admitted: {known}"
        )
        message_zh = (
            f"机构配置{quote(spec, zh=True)}未获准使用：报告只能使用内置机构和运行渲染的人"
            f"准许的机构（{CONFIG_HINT_ZH}）；可用：{known_zh}"
        )
    else:
        message = f"no admitted house {quote(spec)} (admitted: {known})"
        message_zh = f"没有名为{quote(spec, zh=True)}的可用机构配置（可用：{known_zh}）"
    return UserError([Problem(code, message, message_zh, ("house",))])


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
    registers, register_warnings = load_registers(folder)
    return HouseProfile(folder.resolve(), house, (*warnings, *register_warnings), registers)


def _logo(logo: str, folder: Path) -> list[Problem]:
    """A logo that is not a file of the house folder, which every page would fail to print."""
    from render.pdf.confine import (  # WeasyPrint's import; the planner needs none
        Confinement,
        Refused,
    )

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
