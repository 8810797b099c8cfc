"""Analysts named by id come from the roster; every listed person is checked against it."""

from __future__ import annotations

import shutil
from pathlib import Path

from render.renderer import Renderer
from tests.conftest import EXAMPLES, TODAY, edit


def test_ids_become_the_rosters_records_in_the_notes_locale(renderer: Renderer) -> None:
    chinese = renderer.check(EXAMPLES / "2026-04-15-hengtong-upgrade.md")
    english = renderer.check(EXAMPLES / "2026-03-09-chiplet-interconnect-en.md")
    assert chinese.problems == [] and english.problems == []
    assert chinese.note is not None and english.note is not None
    zhou = chinese.note.analysts[0]
    assert (zhou.name, zhou.sac, zhou.phone) == ("周若溪", "S9901523090002", "000-0000 1202")
    assert [a.name for a in english.note.analysts] == [
        "林知远 (Lin Zhiyuan)",
        "周若溪 (Zhou Ruoxi)",
    ]
    # The roster's details are what the page prints.
    assert "S9901523090002" in (chinese.html or "")
    assert "zhou.ruoxi@research.example.com" in (chinese.html or "")


def test_an_assistant_by_id_keeps_the_assistant_role(renderer: Renderer) -> None:
    checked = renderer.check(EXAMPLES / "2026-04-15-hengtong-upgrade.md")
    assert checked.note is not None
    assert [(a.name, a.role) for a in checked.note.analysts] == [
        ("周若溪", "analyst"),
        ("顾明川", "assistant"),
    ]


def test_an_unknown_id_is_one_problem_with_the_closest_id(note_file: Path) -> None:
    edit(note_file, "analysts:\n", "analysts:\n  - zhou-ruxi\n")
    checked = Renderer(today=TODAY).check(note_file)
    (problem,) = checked.errors  # and the approval is stale: a warning
    assert problem.code == "registers.analyst_unknown" and problem.loc == ("analysts", 0)
    assert "did you mean 'zhou-ruoxi'?" in problem.message
    assert (problem.line, problem.column) == (17, 5)  # at the id in the note


def test_an_id_without_a_roster_says_the_house_has_none(note_file: Path, workspace: Path) -> None:
    (workspace / "houses" / "example" / "analysts.yaml").unlink()
    edit(note_file, "analysts:\n", "analysts:\n  - zhou-ruoxi\n")
    checked = Renderer(today=TODAY).check(note_file)
    assert [p.code for p in checked.problems] == ["registers.analyst_unknown"]
    assert "no roster" in checked.problems[0].message
    # Full records alone are fine; but no approval can name a reviewer.
    edit(note_file, "  - zhou-ruoxi\n", "")
    assert Renderer(today=TODAY).check(note_file).problems == []
    edit(note_file, "risk_level:", "review: {status: draft, by: wang-shuyi}\nrisk_level:")
    codes = [p.code for p in Renderer(today=TODAY).check(note_file).problems]
    assert codes == ["registers.approver"]


def test_a_full_record_is_checked_against_the_roster(note_file: Path) -> None:
    edit(note_file, "email: zhou.ruoxi@research.example.com", "email: zhou@elsewhere.example.com")
    checked = Renderer(today=TODAY).check(note_file)
    codes = [(p.code, p.field) for p in checked.problems]
    assert ("registers.analyst_mismatch", "analysts[1].email") in codes
    assert checked.note is None  # an error: not rendered


def test_a_signer_who_had_left_or_was_not_yet_registered(workspace: Path, note_file: Path) -> None:
    roster = workspace / "houses" / "example" / "analysts.yaml"
    edit(
        roster,
        "    email: zhou.ruoxi@research.example.com\n",
        "    email: zhou.ruoxi@research.example.com\n    left: 2026-03-02\n",
    )
    left = Renderer(today=TODAY).check(note_file)
    assert [(p.code, p.field) for p in left.errors] == [
        ("registers.analyst_inactive", "analysts[1]")
    ]
    assert "left the firm on 2026-03-02" in left.errors[0].message
    edit(roster, "    left: 2026-03-02\n", "")
    edit(roster, "registered: 2023-09-11", "registered: 2026-03-03")
    late = Renderer(today=TODAY).check(note_file)
    assert [(p.code, p.field) for p in late.errors] == [
        ("registers.analyst_inactive", "analysts[1]")
    ]
    assert "registered on 2026-03-03" in late.errors[0].message


def test_a_house_without_a_roster_keeps_todays_rules(tmp_path: Path) -> None:
    house = tmp_path / "houses" / "example"
    shutil.copytree(EXAMPLES.parent / "houses" / "example", house)
    (house / "analysts.yaml").unlink()
    (tmp_path / "render.toml").write_text('houses = ["houses"]\n', encoding="utf-8")
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(EXAMPLES / "2026-03-02-ai-training-cost.md", notes / "note.md")
    assert Renderer(today=TODAY).check(notes / "note.md").problems == []
