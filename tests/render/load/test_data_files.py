"""Data keys given as files: read from the note's folder, located in the file, in the digest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from render.batch.manifest import note_inputs
from render.fingerprints import Fingerprints
from render.load.data_files import data_keys, file_keys, include_data_files, shown_path
from render.load.note import load_note
from render.renderer import Renderer
from schemas.report_type import builtin_type
from tests.conftest import EXAMPLES, TODAY, assert_stale_until_restored, edit

ZH = EXAMPLES / "2026-05-06-lanfeng-earnings.md"
EN = EXAMPLES / "2026-05-06-lanfeng-earnings-en.md"


@pytest.fixture
def notes(workspace: Path) -> Path:
    """The earnings examples (approved) and their data files, in the workspace's notes folder."""
    folder = workspace / "notes"
    shutil.copytree(EXAMPLES / "data", folder / "data")
    for note in (ZH, EN):
        shutil.copy(note, folder / note.name)
    return folder


def _problems(note: Path) -> list[str]:
    checked = Renderer(today=TODAY).check(note, note.name)
    return [f"{p.path}:{p.line}:{p.column}: {p.code}" for p in checked.problems]


def test_the_keys_a_type_may_give_as_files() -> None:
    review = builtin_type("earnings-review")
    assert review is not None
    assert file_keys(review) == ("forecast", "market_data", "results")
    assert data_keys(review)[-1] == "results" and "price" in data_keys(review)
    assert shown_path("notes/a.md", "data/./f.yaml") == "notes/data/f.yaml"


def test_a_yaml_file_takes_its_key_place(notes: Path) -> None:
    checked = Renderer(today=TODAY).check(notes / ZH.name)
    assert checked.problems == [] and checked.source is not None
    assert checked.source.data["forecast"]["years"][0] == "2024A"
    forecast = checked.source.included["forecast"]
    assert forecast.source.path == (notes / "data/lanfeng-forecast.yaml").resolve()
    assert checked.note is not None and checked.note.forecast.eps[-1] == 1.20  # type: ignore[union-attr]


def test_a_json_file_holds_the_whole_data_block(notes: Path) -> None:
    source = load_note(notes / EN.name)
    source.report_type = builtin_type("earnings-review")  # type: ignore[assignment]
    include_data_files(source, EN.name)
    # Read without its house, the body's headings are the default type's: only those.
    assert {p.code for p in source.problems} == {"body.heading"}
    assert set(source.included) == {"price", "target_price", "prices", "forecast", "market_data"}
    assert source.data["target_price"] == 32.0 and source.data["data"].endswith(".json")


def test_a_mistake_in_a_yaml_file_is_located_in_it(notes: Path) -> None:
    edit(notes / "data" / "lanfeng-forecast.yaml", "eps: [0.15, 0.27,", "eps: [0.15,")
    edit(notes / "data" / "lanfeng-forecast.yaml", "unit: 亿元", "unit: 亿元\ngrowth: 3")
    assert _problems(notes / ZH.name) == [
        # `growth` is no forecast key: at its key; eps has 4 values for 5 years: at its list.
        "data/lanfeng-forecast.yaml:5:1: schema.unknown_key",
        "data/lanfeng-forecast.yaml:8:1: data.forecast_length",
    ]


def test_a_mistake_in_a_json_data_block_is_located_in_it(notes: Path) -> None:
    block = notes / "data" / "lanfeng-data-en.json"
    edit(block, '"2024A", "2025A", "2026E"', '"2024A", "2026E", "2025A"')
    edit(block, '"close": 24.60', '"close": -1')
    assert _problems(notes / EN.name) == [
        "data/lanfeng-data-en.json:2:22: schema.type",
        "data/lanfeng-data-en.json:9:5: data.forecast_years",
    ]


def test_a_file_outside_the_note_folder_is_refused(notes: Path, tmp_path: Path) -> None:
    outside = tmp_path / "forecast.yaml"
    shutil.copy(notes / "data" / "lanfeng-forecast.yaml", outside)
    note = notes / ZH.name
    edit(note, "forecast: data/lanfeng-forecast.yaml", f"forecast: {outside}")
    assert _problems(note) == [f"{ZH.name}:24:11: render.resource"]
    # Nor through a link inside the folder that leads out of it.
    (notes / "data" / "link.yaml").symlink_to(outside)
    edit(note, f"forecast: {outside}", "forecast: data/link.yaml")
    checked = Renderer(today=TODAY).check(note, note.name)
    assert [p.code for p in checked.problems] == ["render.resource"]
    assert "outside the note's folder" in str(checked.problems[0].params["why"])


def test_a_missing_file_is_one_located_problem(notes: Path) -> None:
    note = notes / EN.name
    edit(note, "data: data/lanfeng-data-en.json", "data: data/no-such-file.json")
    # The keys the file would have given are not reported missing besides.
    assert _problems(note) == [f"{EN.name}:19:7: render.resource"]


def test_data_files_count_in_the_approval(notes: Path) -> None:
    renderer = Renderer(today=TODAY)
    for note, data in (
        (notes / ZH.name, notes / "data" / "lanfeng-forecast.yaml"),
        (notes / EN.name, notes / "data" / "lanfeng-data-en.json"),
    ):
        assert_stale_until_restored(renderer, note, data, "58.3", "58.4")


def test_data_files_are_among_a_build_inputs(notes: Path) -> None:
    checked = Renderer(today=TODAY).check(notes / EN.name)
    inputs = note_inputs(checked, None, notes, Fingerprints(), {"source_date_epoch": None})
    assert set(inputs.images) == {"data/lanfeng-data-en.json", "data/lanfeng-prices.csv"}
    block = json.loads((notes / "data" / "lanfeng-data-en.json").read_text(encoding="utf-8"))
    assert block["prices"]["file"] == "data/lanfeng-prices.csv"  # named from the block file
