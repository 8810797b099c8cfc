"""Finding houses and templates by name, and saying what exists when a name is wrong."""

from __future__ import annotations

from pathlib import Path

from render.houses import find_house, shipped_houses
from render.renderer import Renderer
from tests.conftest import edit


def test_default_and_named_houses(tmp_path: Path) -> None:
    assert "example" in shipped_houses()
    assert find_house(None, tmp_path).name == "example"
    assert find_house("example", tmp_path).name == "example"


def test_missing_house_lists_what_exists(renderer: Renderer, note_file: Path) -> None:
    edit(note_file, "house: ../houses/example", "house: ../houses/exmaple")
    problems = renderer.check(note_file, "note.md").problems
    assert len(problems) == 1
    text = problems[0].text()
    assert text.startswith("note.md:4:8: error: house: no house '../houses/exmaple'")
    assert "example (shipped)" in text and "../houses/example" in text
    assert "[house.not_found]" in text


def test_missing_template_lists_what_exists(renderer: Renderer, note_file: Path) -> None:
    edit(note_file, "template: event-commentary", "template: morning-call")
    problems = renderer.check(note_file, "note.md").problems
    assert [p.code for p in problems] == ["render.template"]
    assert problems[0].line == 3 and "event-commentary" in problems[0].message


def test_broken_house_is_reported_in_its_own_file(renderer: Renderer, note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example" / "house.yaml"
    edit(house, "    max_risk_level: R5", "    max_risk_level: R9")
    problems = renderer.check(note_file, "note.md").problems
    assert problems and all(p.path == str(house) for p in problems)
    assert any(
        p.code == "house.risk_level" and p.field.startswith("investor_types[4]") for p in problems
    )


def test_missing_logo_is_reported_in_the_house(renderer: Renderer, note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example" / "house.yaml"
    edit(house, "logo: logo.svg", "logo: missing.svg")
    problems = renderer.check(note_file, "note.md").problems
    assert [(p.code, p.field, p.path, p.line) for p in problems] == [
        ("render.resource", "logo", str(house), 13)
    ]
    assert "'missing.svg' is not a file in the house folder" in problems[0].message


def test_a_warm_renderer_sees_the_house_folder_change(note_file: Path) -> None:
    renderer = Renderer()
    assert renderer.check(note_file, "note.md").problems == []
    (note_file.parent.parent / "houses" / "example" / "logo.svg").unlink()
    problems = renderer.check(note_file, "note.md").problems
    assert [p.code for p in problems] == ["render.resource"]
    assert problems[0].path.endswith("house.yaml")
