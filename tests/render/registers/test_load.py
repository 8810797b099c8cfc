"""A house's registers are read like a note: validated, and every problem located in its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from render.errors import UserError
from render.registers.load import load_registers
from render.renderer import Renderer
from tests.conftest import EXAMPLE_HOUSE, TODAY, edit


def test_the_example_house_keeps_both_registers() -> None:
    registers, warnings = load_registers(EXAMPLE_HOUSE)
    assert registers.roster is not None and registers.disclosures is not None
    assert warnings == []


def test_a_house_without_registers_has_none(tmp_path: Path) -> None:
    registers, _ = load_registers(tmp_path)
    assert registers.roster is None and registers.disclosures is None


def test_a_mistake_in_the_roster_is_located_in_analysts_yaml(
    workspace: Path, note_file: Path
) -> None:
    roster = workspace / "houses" / "example" / "analysts.yaml"
    edit(roster, "sac: S9901523090002", "sac: S990152309")
    with pytest.raises(UserError) as caught:
        load_registers(roster.parent)
    (problem,) = caught.value.problems
    assert problem.path.endswith("houses/example/analysts.yaml")
    assert (problem.line, problem.column, problem.code) == (16, 10, "schema.sac")
    # A note of the house reports it too, at the same place, and is not rendered.
    checked = Renderer(today=TODAY).check(note_file)
    assert [(p.code, p.line) for p in checked.errors] == [("schema.sac", 16)]


def test_a_syntax_error_in_the_register_is_located_in_disclosures_yaml(workspace: Path) -> None:
    register = workspace / "houses" / "example" / "disclosures.yaml"
    edit(register, "  - ticker: 300999.SZ\n    percentage: 1.2", "  - ticker: [300999.SZ\n")
    with pytest.raises(UserError) as caught:
        load_registers(register.parent)
    (problem,) = caught.value.problems
    assert problem.path.endswith("disclosures.yaml") and problem.code == "syntax.yaml"
    assert problem.line > 1
