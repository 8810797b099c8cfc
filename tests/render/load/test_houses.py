"""Finding houses by name or path among the admitted ones, and saying which when a name is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from render.context.i18n import translator
from render.errors import UserError
from render.load.houses import admitted_houses, find_house, shipped_houses
from render.renderer import Renderer
from render.settings import Settings
from tests.conftest import EXAMPLE_HOUSE, SHIPPED_HOUSES, TODAY, edit

ZH = translator("zh_CN")


def test_default_and_named_houses(tmp_path: Path) -> None:
    assert "example" in shipped_houses()
    assert find_house(None, tmp_path) == SHIPPED_HOUSES / "example"
    assert find_house("example", tmp_path) == (SHIPPED_HOUSES / "example").resolve()
    # A path into the shipped houses' folder is as good as the name.
    assert find_house(str(SHIPPED_HOUSES / "example"), tmp_path).name == "example"


def test_a_shipped_house_by_name_renders_with_no_configuration(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    shutil.copy(Path(__file__).resolve().parents[3] / "examples/notes" / _EXAMPLE, note)
    assert "house: example" in note.read_text(encoding="utf-8")
    checked = Renderer(today=TODAY).check(note)
    assert checked.problems == []
    assert checked.profile is not None
    assert checked.profile.folder == (SHIPPED_HOUSES / "example").resolve()


_EXAMPLE = "2026-03-02-ai-training-cost.md"


def test_missing_house_lists_what_exists(renderer: Renderer, note_file: Path) -> None:
    edit(note_file, "house: example", "house: exmaple")
    problems = renderer.check(note_file, "note.md").problems
    assert len(problems) == 1
    text = problems[0].text()
    assert text.startswith("note.md:4:8: error: house: no admitted house 'exmaple'")
    # The workspace's render.toml admits houses/, whose example hides the shipped one.
    assert "(admitted: example (../houses/example))" in text
    assert "[house.not_found]" in text


def test_a_path_inside_an_admitted_folder_without_a_house(
    renderer: Renderer, note_file: Path
) -> None:
    edit(note_file, "house: example", "house: ../houses/exmaple")
    problems = renderer.check(note_file, "note.md").problems
    assert [(p.code, p.line, p.column) for p in problems] == [("house.not_found", 4, 8)]


def test_a_path_into_an_admitted_folder_is_used(renderer: Renderer, note_file: Path) -> None:
    edit(note_file, "house: example", "house: ../houses/example")
    checked = renderer.check(note_file, "note.md")
    assert checked.problems == []
    assert checked.profile is not None
    assert checked.profile.folder == (note_file.parent.parent / "houses" / "example").resolve()


def _stray_house(workspace: Path) -> Path:
    """A real house outside every admitted folder: it exists, but the runner did not admit it."""
    stray = workspace / "somewhere" / "house"
    shutil.copytree(EXAMPLE_HOUSE, stray)
    return stray


@pytest.mark.parametrize("spec", ["../somewhere/house", "../../somewhere/house", "absolute"])
def test_a_house_outside_the_admitted_folders_is_refused(
    renderer: Renderer, note_file: Path, spec: str
) -> None:
    stray = _stray_house(note_file.parent.parent)
    if spec == "../../somewhere/house":
        # One level further up: the note's folder is deeper than the workspace.
        deeper = note_file.parent / "deeper"
        deeper.mkdir()
        note_file = note_file.rename(deeper / "note.md")
    spec = str(stray) if spec == "absolute" else spec
    edit(note_file, "house: example", f"house: {spec}")
    checked = renderer.check(note_file, "note.md")
    assert checked.note is None and checked.profile is None
    [problem] = checked.problems
    assert (problem.code, problem.field, problem.line, problem.column) == (
        "house.not_admitted",
        "house",
        4,
        8,
    )
    assert "admitted: example (" in problem.message and "render.toml" in problem.message
    assert "“example”" in problem.message_in(ZH)


def test_a_link_in_an_admitted_folder_that_leads_out_is_refused(
    renderer: Renderer, note_file: Path
) -> None:
    workspace = note_file.parent.parent
    stray = _stray_house(workspace)
    (workspace / "houses" / "linked").symlink_to(stray, target_is_directory=True)
    edit(note_file, "house: example", "house: ../houses/linked")
    assert [p.code for p in renderer.check(note_file, "note.md").problems] == ["house.not_admitted"]
    # Nor is it an admitted house by its name.
    edit(note_file, "house: ../houses/linked", "house: linked")
    assert [p.code for p in renderer.check(note_file, "note.md").problems] == ["house.not_found"]
    assert "linked" not in admitted_houses(Settings(house_paths=(workspace / "houses",)))


def test_a_link_inside_the_admitted_folder_is_followed(renderer: Renderer, note_file: Path) -> None:
    houses = note_file.parent.parent / "houses"
    (houses / "alias").symlink_to(houses / "example", target_is_directory=True)
    edit(note_file, "house: example", "house: alias")
    assert renderer.check(note_file, "note.md").problems == []


def test_house_path_admits_a_folder_of_houses_or_a_house(note_file: Path) -> None:
    workspace = note_file.parent.parent
    stray = _stray_house(workspace)
    edit(note_file, "house: example", "house: ../somewhere/house")
    for admitted in (stray.parent, stray):
        renderer = Renderer(today=TODAY, settings=Settings(house_paths=(admitted,)))
        checked = renderer.check(note_file, "note.md")
        assert checked.problems == [], admitted
        assert checked.profile is not None and checked.profile.folder == stray.resolve()
    # By name too: the folder's own name.
    edit(note_file, "house: ../somewhere/house", "house: house")
    renderer = Renderer(today=TODAY, settings=Settings(house_paths=(stray.parent,)))
    assert renderer.check(note_file, "note.md").problems == []


def test_the_first_admitted_house_of_a_name_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "first" / "example", tmp_path / "second" / "example"
    shutil.copytree(EXAMPLE_HOUSE, first)
    shutil.copytree(EXAMPLE_HOUSE, second)
    settings = Settings(house_paths=(first.parent, second.parent))
    assert admitted_houses(settings)["example"] == first.resolve()
    assert admitted_houses()["example"] == (SHIPPED_HOUSES / "example").resolve()


def test_a_long_list_of_admitted_houses_is_cut_short(tmp_path: Path) -> None:
    for i in range(25):
        (tmp_path / "many" / f"h{i:02}").mkdir(parents=True)
        (tmp_path / "many" / f"h{i:02}" / "house.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        find_house("nope", tmp_path, Settings(house_paths=(tmp_path / "many",)))
    [problem] = caught.value.problems
    assert "h18 (many/h18), 6 more)" in problem.message  # example, h00 … h18: 20 of 26
    assert "h19" not in problem.message and "另有 6 个" in problem.message_in(ZH)


@pytest.mark.parametrize("spec", ["../\0", "x" * 5000 + "/y", "\0"])
def test_names_no_file_can_have_are_problems_not_tracebacks(tmp_path: Path, spec: str) -> None:
    with pytest.raises(UserError) as caught:
        find_house(spec, tmp_path)
    assert [p.code for p in caught.value.problems] in (["house.not_found"], ["house.not_admitted"])


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
    assert "'missing.svg': not a file in the house folder" in problems[0].message


def test_a_warm_renderer_sees_the_house_folder_change(note_file: Path) -> None:
    renderer = Renderer()
    assert renderer.check(note_file, "note.md").problems == []
    (note_file.parent.parent / "houses" / "example" / "logo.svg").unlink()
    problems = renderer.check(note_file, "note.md").problems
    assert [p.code for p in problems] == ["render.resource"]
    assert problems[0].path.endswith("house.yaml")
