"""PreviewService: notes brought up to date on one thread, passes after pokes, states pushed."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from render.preview.events import Subscription
from render.preview.service import PreviewService
from tests.conftest import TODAY, edit


def _offered(subscription: Subscription) -> dict | None:
    """What the page would be sent next (the stream sends only the newest)."""
    return subscription._latest


def test_view_renders_a_note_and_tells_its_pages_and_the_index(workspace: Path) -> None:
    async def scenario() -> None:
        service = PreviewService(workspace / "notes", TODAY)
        page, index = service.events.subscribe("note.md"), service.events.subscribe(None)
        view = await service.view("note.md")
        assert view is not None and view.state["status"] == "valid"
        assert _offered(page) == view.state and _offered(index) == {}
        assert await service.view("nothing.md") is None
        assert await service.view("../houses/example/house.yaml") is None

    asyncio.run(scenario())


def test_state_of_an_unknown_note_is_missing(workspace: Path) -> None:
    service = PreviewService(workspace / "notes", TODAY)
    assert service.root == (workspace / "notes").resolve()
    assert service.state("gone.md")["status"] == "missing"
    assert asyncio.run(service.pdf("gone.md")) is None


def test_a_sweep_pushes_changed_and_removed_notes(workspace: Path, note_file: Path) -> None:
    async def scenario() -> None:
        service = PreviewService(workspace / "notes", TODAY)
        rewatched: list[bool] = []
        service.rewatch = lambda: rewatched.append(True)
        await service.sweep()
        # The first pass finds the note's house, which is not watched yet.
        assert rewatched == [True]
        page = service.events.subscribe("note.md")
        edit(note_file, "sac: S9901524060001", "sac: S99")
        await service.sweep()
        assert _offered(page)["status"] == "errors" and _offered(page)["errors"] == 1
        note_file.unlink()
        await service.sweep()
        assert _offered(page) == service.notes.missing("note.md")

    asyncio.run(scenario())


def test_everything_lists_notes_sorted_and_up_to_date(workspace: Path, note_file: Path) -> None:
    async def scenario() -> list[tuple[str, str]]:
        service = PreviewService(workspace / "notes", TODAY)
        (workspace / "notes" / "a.md").write_text("no front matter\n", encoding="utf-8")
        return [(v.rel, v.state["status"]) for v in await service.everything()]

    assert asyncio.run(scenario()) == [("a.md", "errors"), ("note.md", "valid")]


class Counting(PreviewService):
    """A service counting its passes; its first pass fails, as a bug in a pass would."""

    passes = 0

    async def sweep(self) -> None:
        self.passes += 1
        if self.passes == 1:
            raise RuntimeError("a bug in the first pass")
        await super().sweep()


def test_pokes_coalesce_and_a_failing_pass_does_not_stop_the_work(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> int:
        service = Counting(workspace / "notes", TODAY)
        worker = asyncio.create_task(service.work())
        service.poke()
        await asyncio.wait_for(service.swept.wait(), 10)
        service.swept.clear()
        for _ in range(5):
            service.poke()
        await asyncio.wait_for(service.swept.wait(), 10)
        worker.cancel()
        return service.passes

    with caplog.at_level(logging.ERROR, "render.preview"):
        assert asyncio.run(scenario()) == 2
    assert "preview pass failed; the server keeps running" in caplog.text
    assert "a bug in the first pass" in caplog.text


def test_close_ends_the_streams_and_tells_the_watcher(workspace: Path) -> None:
    async def scenario() -> None:
        service = PreviewService(workspace / "notes", TODAY)
        told: list[bool] = []
        service.rewatch = lambda: told.append(True)
        stream = service.events.subscribe("note.md").stream()
        await anext(stream)
        service.close()
        assert service.closing and told == [True]
        assert [chunk async for chunk in stream] == []

    asyncio.run(scenario())
