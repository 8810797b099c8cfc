"""Read a house's registers (``analysts.yaml``, ``disclosures.yaml``), validated and located."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel

from render.errors import UserError
from render.load.note import load_note
from render.report import display_path
from render.validate.models import validate
from schemas.problems import Problem, Severity
from schemas.registers import Disclosures, Roster

ROSTER_FILE = "analysts.yaml"
DISCLOSURES_FILE = "disclosures.yaml"


@dataclass(frozen=True)
class Registers:
    """A house's registers; either may be absent (a house without them keeps today's rules)."""

    roster: Roster | None = None
    disclosures: Disclosures | None = None


def load_registers(folder: Path) -> tuple[Registers, list[Problem]]:
    """The registers of a house folder, and the warnings found in them.

    A register with an error raises :class:`UserError`, every problem located in its file, as
    ``house.yaml``'s are: a note cannot be judged against a register that cannot be read.
    """
    problems: list[Problem] = []
    roster = _load(folder / ROSTER_FILE, Roster, problems)
    disclosures = _load(folder / DISCLOSURES_FILE, Disclosures, problems)
    if any(p.severity is Severity.ERROR for p in problems):
        raise UserError(problems)
    return Registers(roster, disclosures), problems  # type: ignore[arg-type]


def _load(path: Path, model: type[BaseModel], problems: list[Problem]) -> BaseModel | None:
    if not path.is_file():
        return None
    display = display_path(path)
    try:
        source = load_note(path)  # the note's reader: its limits, positions and characters
    except UserError as exc:
        problems += [replace(p, path=display) if p.path == str(path) else p for p in exc.problems]
        return None
    value, found = validate(model, source.data)
    problems += [source.locate(p, display) for p in [*source.problems, *found]]
    return value
