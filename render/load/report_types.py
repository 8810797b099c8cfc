"""Find a note's report type: its house's declaration (``report_types/``) or a shipped one."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from render.errors import UserError
from render.load.note import load_note
from render.report import display_path
from render.settings import Limits
from render.validate.models import validate
from schemas.report_type import (
    NAME_PATTERN,
    ReportType,
    builtin_type,
    builtin_types,
    default_type,
)

#: The folder of a house that holds its own report types, one ``<name>.yaml`` each.
REPORT_TYPES = "report_types"


def _declaration(folder: Path, name: str) -> Path | None:
    """The house's declaration file of a report type, if it has one inside its folder.

    A link that leads out of the house folder is not the house's: it is not read.
    """
    path = folder / REPORT_TYPES / f"{name}.yaml"
    try:
        if path.is_file() and path.resolve().is_relative_to(folder.resolve()):
            return path
    except (OSError, ValueError):
        pass
    return None


def report_type_names(folder: Path) -> list[str]:
    """Every report type a note of this house may name: the house's and the shipped ones."""
    names = set(builtin_types())
    types = folder / REPORT_TYPES
    if types.is_dir():
        names |= {p.stem for p in types.glob("*.yaml") if re.match(NAME_PATTERN, p.stem)}
    return sorted(names)


def find_report_type(name: object, folder: Path, limits: Limits | None = None) -> ReportType:
    """The report type a note's ``template:`` names, as its house (``folder``) declares it.

    The house's ``report_types/<name>.yaml`` comes first, then the shipped declarations. A
    template without a declaration (a house's own page for the usual sections) is laid out with
    the default type's sections, event-commentary's. A declaration with mistakes raises them,
    located in its file.
    """
    if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
        return default_type()
    path = _declaration(folder, name)
    if path is None:
        return builtin_type(name) or default_type()
    display = display_path(path)
    try:
        source = load_note(path, limits=limits)
    except UserError as exc:
        raise UserError([replace(p, path=display) for p in exc.problems]) from None
    found, problems = validate(ReportType, source.data)
    located = [source.locate(p, display) for p in [*source.problems, *problems]]
    if found is None or located:
        raise UserError(located)
    return found
