"""The watcher: which folders it watches, a real change poking a pass, re-arming, stopping."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from render.preview.server import running
from render.preview.service import PreviewService
from render.preview.watch import watch, watch_paths
from render.settings import Settings
from tests.conftest import EXAMPLES, TODAY, edit
from tests.render.preview.test_server import Events

WAIT = 15.0  # generous: a shared machine may be busy


class Poked(PreviewService):
    """A service that records the watcher's pokes instead of running passes."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, TODAY)
        self.pokes = asyncio.Queue[None]()

    def poke(self) -> None:
        self.pokes.put_nowait(None)


def test_the_notes_folder_its_houses_the_builtin_templates_and_render_toml(
    workspace: Path,
) -> None:
    service = PreviewService(workspace / "notes", TODAY)
    asyncio.run(service.sweep())
    assert watch_paths(service) == [
        *sorted(
            [
                (workspace / "notes").resolve(),
                (workspace / "houses" / "example").resolve(),
                Settings().templates.resolve(),
            ]
        ),
        (workspace / "render.toml").resolve(),  # above the notes folder: the file alone
    ]


def test_a_folder_inside_another_is_watched_once(workspace: Path) -> None:
    service = PreviewService(workspace, TODAY)
    asyncio.run(service.sweep())
    assert service.notes.house_folders() == {(workspace / "houses" / "example").resolve()}
    assert watch_paths(service) == sorted([workspace.resolve(), Settings().templates.resolve()])


def test_a_folder_that_is_gone_is_not_watched(workspace: Path, note_file: Path) -> None:
    service = PreviewService(workspace / "notes", TODAY)
    asyncio.run(service.sweep())
    note_file.unlink()
    (workspace / "notes").rmdir()
    assert (workspace / "notes").resolve() not in watch_paths(service)


def test_a_saved_note_or_house_pokes_and_close_stops_the_watcher(
    workspace: Path, note_file: Path
) -> None:
    async def scenario() -> None:
        service = Poked(workspace / "notes")
        await service.sweep()
        service.swept.set()
        watcher = asyncio.create_task(watch(service))
        # Once armed, it pokes a pass of its own (changes made while arming are not lost).
        await asyncio.wait_for(service.pokes.get(), WAIT)
        assert service.watched == {(workspace / "houses" / "example").resolve()}
        for path, old, new in [
            (note_file, "sac: S9901524060001", "sac: S99"),
            (workspace / "houses" / "example" / "house.yaml", 'code: "9901"', 'code: "9902"'),
        ]:
            edit(path, old, new)
            await asyncio.wait_for(service.pokes.get(), WAIT)
            while not service.pokes.empty():
                service.pokes.get_nowait()
        service.close()
        await asyncio.wait_for(watcher, WAIT)

    asyncio.run(scenario())


def test_a_house_elsewhere_is_watched_after_re_arming(workspace: Path, note_file: Path) -> None:
    other = workspace / "elsewhere" / "other"
    other.parent.mkdir()
    (workspace / "houses" / "example").rename(other)
    edit(note_file, "house: example", "house: ../elsewhere/other")
    (workspace / "render.toml").write_text('houses = ["houses", "elsewhere"]\n', encoding="utf-8")

    async def scenario() -> None:
        service = Poked(workspace / "notes")
        service.swept.set()  # armed before any pass: the house is not known yet
        watcher = asyncio.create_task(watch(service))
        await asyncio.wait_for(service.pokes.get(), WAIT)
        assert service.watched == set()
        await service.sweep()  # finds the house, and re-arms the watcher to cover it
        await asyncio.wait_for(service.pokes.get(), WAIT)
        assert service.watched == {other.resolve()}
        edit(other / "house.yaml", 'code: "9901"', 'code: "9902"')
        await asyncio.wait_for(service.pokes.get(), WAIT)
        service.close()
        await asyncio.wait_for(watcher, WAIT)

    asyncio.run(scenario())


#: The example notes a note reads besides itself, and the edits that change what it shows.
HENGTONG = "2026-04-15-hengtong-upgrade.md"
EARLIER = "2026-01-22-hengtong-annual-preview.md"
LANFENG = "2026-05-06-lanfeng-earnings.md"
LANFENG_EN = "2026-05-06-lanfeng-earnings-en.md"
INPUTS = {
    "prices CSV": (
        HENGTONG,
        "notes/data/hengtong-prices.csv",
        "2025-03-18,37.62",
        "2025-03-18,30.62",
    ),
    "chart CSV": (HENGTONG, "notes/data/hengtong-quarterly.csv", "2025Q1,2.1", "2025Q1,2.6"),
    "forecast file": (LANFENG, "notes/data/lanfeng-forecast.yaml", "eps: [0.15", "eps: [0.16"),
    "data file": (
        LANFENG_EN,
        "notes/data/lanfeng-data-en.json",
        '"target_price": 32.00',
        '"target_price": 33.00',
    ),
    "roster": (HENGTONG, "houses/example/analysts.yaml", "000-0000 1202", "000-0000 1299"),
    "register": (
        HENGTONG,
        "houses/example/disclosures.yaml",
        "zh_CN: 重要关系披露",
        "zh_CN: 关系披露",
    ),
    "earlier note": (HENGTONG, f"notes/{EARLIER}", "title: ", "title: 修订："),
    # The record is the whole folder previewed: an earlier note in a subfolder of its own.
    "earlier note elsewhere": (HENGTONG, f"notes/2026q1/{EARLIER}", "title: ", "title: 修订："),
}


@pytest.mark.parametrize("case", list(INPUTS))
def test_a_change_to_any_file_a_note_reads_re_renders_it(workspace: Path, case: str) -> None:
    note, changed, old, new = INPUTS[case]
    notes = workspace / "notes"
    (notes / "note.md").unlink()
    shutil.copytree(EXAMPLES / "data", notes / "data")
    shutil.copytree(EXAMPLES / "figures", notes / "figures")
    shutil.copy(EXAMPLES / note, notes / note)
    if note == HENGTONG:
        (workspace / changed).parent.mkdir(exist_ok=True)
        target = workspace / changed if changed.endswith(EARLIER) else notes / EARLIER
        shutil.copy(EXAMPLES / EARLIER, target)
    with running(notes, today=TODAY) as url:
        stream = Events(f"{url}_events?note={note}")
        try:
            first = stream.next("note", lambda s: s["status"] != "pending" and s["version"] > 0)
            assert first["status"] == "valid", first["problems"]
            edit(workspace / changed, old, new)
            stream.next("note", lambda s: s["version"] > first["version"])
        finally:
            stream.close()


def test_render_toml_above_the_folder_is_followed_however_it_is_saved(workspace: Path) -> None:
    config = workspace / "render.toml"
    good = config.read_bytes()
    with running(workspace / "notes", today=TODAY) as url:
        stream = Events(f"{url}_events?note=note.md")
        try:
            stream.next("note", lambda s: s["status"] == "valid")
            config.write_text("houses = [\n", encoding="utf-8")  # saved in place
            stream.next("note", lambda s: s["status"] == "errors")
            config.write_bytes(good)
            stream.next("note", lambda s: s["status"] == "valid")
            # Saved as editors do, a new file renamed over the old: watched afresh each time
            # (the note keeps no house meanwhile, so nothing else re-arms the watcher).
            for text in ("houses = 1\n", "houses = [\n", "houses = 1\n", "houses = [\n"):
                (workspace / "render.toml.tmp").write_text(text, encoding="utf-8")
                os.replace(workspace / "render.toml.tmp", config)
                listed = text == "houses = 1\n"
                stream.next("note", lambda s, listed=listed: _says_list(s) == listed)
        finally:
            stream.close()


def _says_list(state: dict) -> bool:
    return any("valid list" in p["text"] for p in state["problems"])
