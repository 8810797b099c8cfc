"""The committed JSON Schema files are current, and the example files point editors at them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.load.houses import HOUSE_FILE
from render.load.note import load_note
from schemas.jsonschema import BODY_SECTIONS, SCHEMAS, schema_text
from tests.conftest import EXAMPLES, ROOT, SHIPPED_HOUSES

FOLDER = ROOT / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schema_is_current(name: str) -> None:
    committed = (FOLDER / name).read_text(encoding="utf-8")
    assert committed == schema_text(SCHEMAS[name]), f"run `render schema` and commit {name}"


def test_render_schema_writes_both_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name, model in SCHEMAS.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == schema_text(model)


def test_render_schema_makes_its_folder_and_refuses_a_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "-o", str(tmp_path / "new" / "schemas")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "new" / "schemas").iterdir()) == sorted(SCHEMAS)
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(app, ["schema", "-o", str(tmp_path / "file")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def _schema_of(path: Path) -> Path:
    """The schema file an editor uses for a note or house: its modeline or its $schema key."""
    if path.suffix == ".json":
        reference = json.loads(path.read_text(encoding="utf-8"))["$schema"]
    else:
        found = MODELINE.search(path.read_text(encoding="utf-8"))
        assert found, f"{path.name} has no yaml-language-server modeline"
        reference = found.group(1)
    return (path.parent / reference).resolve()


EXAMPLE_NOTES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".md", ".yaml", ".json"))


@pytest.mark.parametrize("note", EXAMPLE_NOTES, ids=lambda p: p.name)
def test_example_notes_name_the_note_schema(note: Path) -> None:
    assert _schema_of(note) == FOLDER / "note.schema.json"


def test_example_house_names_the_house_schema() -> None:
    assert _schema_of(SHIPPED_HOUSES / "example" / HOUSE_FILE) == FOLDER / "house.schema.json"


@pytest.mark.parametrize("note", EXAMPLE_NOTES, ids=lambda p: p.name)
def test_example_data_fits_the_editor_schema(note: Path) -> None:
    """What an editor checks: the required keys are there, and no key is unknown to it."""
    schema = json.loads((FOLDER / "note.schema.json").read_text(encoding="utf-8"))
    data = load_note(note).data
    if note.suffix == ".md":  # the front matter only: the body comes from headings
        data = {key: value for key, value in data.items() if key not in BODY_SECTIONS}
    assert set(schema["required"]) <= set(data)
    assert set(data) <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_body_sections_are_not_required_in_front_matter() -> None:
    schema = json.loads(schema_text(SCHEMAS["note.schema.json"]))
    assert not set(BODY_SECTIONS) & set(schema["required"])
    assert set(BODY_SECTIONS) <= set(schema["properties"])
    assert "$schema" in schema["properties"]
