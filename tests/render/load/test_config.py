"""The project configuration: found upward from the note, validated, located when wrong."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.context.i18n import translator
from render.errors import EXIT_OK, EXIT_USAGE
from render.load.config import (
    CONFIG_NAME,
    ConfigError,
    find_config,
    load_config,
    locate,
    note_settings,
)
from render.renderer import Renderer
from render.settings import Limits, Settings
from tests.conftest import EXAMPLE_HOUSE, TODAY, edit

ZH = translator("zh_CN")


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def test_the_nearest_configuration_upward_wins(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    outside = find_config(deep)  # whatever the machine has above the temporary folder
    assert outside is None or not outside.is_relative_to(tmp_path.resolve())
    top = _write(tmp_path, "houses = []\n")
    assert find_config(deep) == top.resolve()
    middle = _write(tmp_path / "a", "houses = []\n")
    assert find_config(deep) == middle.resolve()
    assert find_config(tmp_path) == top.resolve()
    # A folder named render.toml is not a configuration.
    (deep / CONFIG_NAME).mkdir()
    assert find_config(deep) == middle.resolve()


def test_houses_are_relative_to_the_file_and_limits_replace_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "houses").mkdir()
    (tmp_path / "shared").mkdir()
    path = _write(
        tmp_path / "project",
        'houses = ["../houses", "../shared"]\n\n[limits]\nimage_bytes = 1000\nrender_seconds = 5\n',
    )
    config = load_config(path)
    assert config.houses == ((tmp_path / "houses").resolve(), (tmp_path / "shared").resolve())
    assert config.limits == {"image_bytes": 1000, "render_seconds": 5}
    note = tmp_path / "project" / "notes" / "n.md"
    note.parent.mkdir()
    runner = Settings(house_paths=(Path("/cli"),))
    settings = note_settings(runner, note)
    # The command line's folders first, then the file's; named limits replaced, others kept.
    assert settings.house_paths == (Path("/cli"), *config.houses)
    assert settings.limits == Limits(image_bytes=1000, render_seconds=5.0)
    assert settings.limits.note_bytes == Limits().note_bytes
    # No configuration above the note: the runner's settings as they are.
    if find_config(tmp_path) is None:
        assert note_settings(runner, tmp_path / "n.md") is runner


def test_an_edited_configuration_is_read_again(tmp_path: Path) -> None:
    path = _write(tmp_path, "[limits]\nyaml_nodes = 10\n")
    assert load_config(path).limits == {"yaml_nodes": 10}
    path.write_text("[limits]\nyaml_nodes = 2000\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock's tick
    assert load_config(path).limits == {"yaml_nodes": 2000}


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "words"),
    [
        ('houses = ["h"]\nhoses = []\n', 2, 1, "hoses", "unknown key"),
        ("[limits]\nimage_byte = 5\n", 2, 1, "limits.image_byte", "unknown key"),
        ('[limits]\nnote_bytes = "2MB"\n', 2, 1, "limits.note_bytes", "valid integer"),
        ("[limits]\nyaml_nodes = 1.5\n", 2, 1, "limits.yaml_nodes", "valid integer"),
        ("[limits]\nrender_seconds = true\n", 2, 1, "limits.render_seconds", "valid number"),
        ("# top\n\n[limits]\n  image_pixels = 0\n", 4, 3, "limits.image_pixels", "greater than 0"),
        ("limits.number_digits = -1\n", 1, 1, "limits.number_digits", "greater than 0"),
        ('houses = "h"\n', 1, 1, "houses", "valid list"),
        ("houses = [1]\n", 1, 1, "houses[0]", "valid string"),
        ("limits = 5\n", 1, 1, "limits", "valid dictionary"),
        ("[limit]\nimage_bytes = 5\n", 1, 2, "limit", "unknown key"),
        ('houses = ["missing"]\n', 1, 1, "houses[0]", "'missing' is not a folder"),
        ("houses = [\n", 2, 1, "", "is not TOML"),
        ("[limits]\nimage_bytes = = 5\n", 2, 15, "", "is not TOML"),
    ],
)
def test_a_wrong_configuration_is_located_in_its_file(
    tmp_path: Path, text: str, line: int, column: int, field: str, words: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "render.project_config",
        line,
        column,
        field,
    )
    assert problem.path.endswith(CONFIG_NAME)
    assert words in problem.message
    assert problem.message_in(ZH) and problem.message_in(ZH) != problem.message


def test_a_configuration_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_bytes(b"houses = []\n# caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [(p.line, p.message) for p in caught.value.problems] == [(2, "is not UTF-8")]


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, 'hoses = []\n[limits]\nimage_bytes = "x"\nfoo = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert sorted((p.line, p.field) for p in caught.value.problems) == [
        (1, "hoses"),
        (3, "limits.image_bytes"),
        (4, "limits.foo"),
    ]


def test_locate_finds_keys_in_tables_dotted_and_inline() -> None:
    lines = ["a = 1", "z = {w = 1}", "[limits]", "x = 1", '"y" = 2', "[other]", "  x = 3"]
    assert locate(lines, ("limits", "x")) == (4, 1)
    assert locate(lines, ("limits", "y")) == (5, 1)
    assert locate(lines, ("other", "x")) == (7, 3)
    assert locate(lines, ("z", "w")) == (2, 1)  # inline: at the table's key
    assert locate(lines, ("limits", "absent")) == (3, 2)  # not written: at its table
    assert locate(lines, ("nowhere", "x")) == (4, 1)  # at least a key of that name
    assert locate(lines, ("nowhere",)) == (1, 1)
    assert locate(lines, ()) == (1, 1)


def test_a_limit_added_to_limits_is_accepted_by_name(tmp_path: Path) -> None:
    # Every field of Limits is a key of [limits]: the model is built from the dataclass.
    body = "".join(f"{name} = 7\n" for name in Limits.__dataclass_fields__)
    config = load_config(_write(tmp_path, "[limits]\n" + body))
    assert set(config.limits) == set(Limits.__dataclass_fields__)


# -- through the renderer and the command line --------------------------------------------------


def test_the_configuration_admits_houses_for_the_notes_below_it(workspace: Path) -> None:
    note = workspace / "notes" / "note.md"
    renderer = Renderer(today=TODAY)
    assert renderer.check(note, "note.md").problems == []
    profile = renderer.check(note, "note.md").profile
    assert profile is not None and profile.folder == (workspace / "houses" / "example").resolve()
    # Without the configuration, `example` is the shipped house; a path to the copy is refused.
    (workspace / CONFIG_NAME).unlink()
    edit(note, "house: example", "house: ../houses/example")
    assert [p.code for p in renderer.check(note, "note.md").problems] == ["house.not_admitted"]
    # A configuration nearer the note, admitting nothing, wins over one above it.
    _write(workspace, 'houses = ["houses"]\n')
    assert renderer.check(note, "note.md").problems == []
    _write(workspace / "notes", "houses = []\n")
    assert [p.code for p in renderer.check(note, "note.md").problems] == ["house.not_admitted"]


def test_a_broken_configuration_is_a_problem_for_the_renderer(workspace: Path) -> None:
    note = workspace / "notes" / "note.md"
    _write(workspace, 'houses = ["houses"]\n[limits]\nrender_second = 1\n')
    checked = Renderer(today=TODAY).check(note, "note.md")
    assert checked.note is None
    assert [(p.code, p.line, p.field) for p in checked.problems] == [
        ("render.project_config", 3, "limits.render_second")
    ]


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_broken_configuration_stops_the_command_with_exit_2(
    workspace: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace)
    _write(workspace, 'houses = ["houses"]\n[limits]\nrender_second = 1\n')
    args = [command, "--today", TODAY.isoformat(), "notes"]
    if command == "build":
        args += ["-o", "out", "--jobs", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert (
        "render.toml:3:1: error: limits.render_second: unknown key [render.project_config]"
        in result.stderr
    )
    assert "Traceback" not in result.output
    assert not (workspace / "out").exists()  # nothing started, nothing written


def test_house_path_on_check_admits_a_folder(workspace: Path) -> None:
    stray = workspace / "elsewhere" / "acme"
    shutil.copytree(EXAMPLE_HOUSE, stray)
    note = workspace / "notes" / "note.md"
    edit(note, "house: example", "house: acme")
    args = ["check", "--today", TODAY.isoformat(), str(note)]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1 and "[house.not_found]" in refused.stdout
    admitted = CliRunner().invoke(app, [*args, "--house-path", str(stray.parent)])
    assert admitted.exit_code == EXIT_OK, admitted.output
    # Repeatable, and a folder that is not there is misuse.
    twice = CliRunner().invoke(
        app, [*args, "--house-path", str(workspace), "--house-path", str(stray)]
    )
    assert twice.exit_code == EXIT_OK, twice.output
    missing = CliRunner().invoke(app, [*args, "--house-path", str(workspace / "nope")])
    assert missing.exit_code == EXIT_USAGE
