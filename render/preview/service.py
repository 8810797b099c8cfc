"""The preview's event-loop side: renders on one worker thread, passes after changes, pushes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from render.preview.events import Broadcaster
from render.preview.state import Notes, NoteView, PdfEntry
from render.settings import Settings
from schemas.problems import Problem

log = logging.getLogger("render.preview")

T = TypeVar("T")


class PreviewService:
    """Owns the notes, the open pages and the render thread.

    Every call into :class:`Notes` goes through :meth:`run`: a worker thread, one call at a time
    (a capacity limiter of one), so a render never blocks the event loop and the one warm renderer
    is never used by two threads at once.
    """

    def __init__(
        self,
        root: Path,
        today: dt.date | None = None,
        lang: str = "en",
        settings: Settings | None = None,
    ) -> None:
        self.notes = Notes(root, today, lang, settings)
        self.events = Broadcaster()
        self._limiter: anyio.CapacityLimiter | None = None
        self._wake = asyncio.Event()
        #: Set by the watcher to be re-armed when the folders it should watch change.
        self.rewatch: Callable[[], None] = lambda: None
        self.watched: set[Path] = set()
        #: Set once the first pass is done: the watcher then knows every house folder to watch.
        self.swept = asyncio.Event()
        self.closing = False

    @property
    def root(self) -> Path:
        return self.notes.root

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)

    # -- one note, on request ------------------------------------------------------------------

    async def view(self, rel: str) -> NoteView | None:
        """A note brought up to date with its files (never a stale page), or None."""
        if rel not in self.notes.views:
            await self.run(self.notes.scan)
        if rel not in self.notes.views:
            return None
        if await self.run(self.notes.refresh, rel):
            self._publish(rel)
            self.events.index()
        return self.notes.views.get(rel)

    async def everything(self) -> list[NoteView]:
        """Every note of the folder, each brought up to date (cheap when nothing changed)."""
        added, removed = await self.run(self.notes.scan)
        changed = bool(added or removed)
        for rel in list(self.notes.views):
            if await self.run(self.notes.refresh, rel):
                self._publish(rel)
                changed = True
        if changed:
            self.events.index()
        return [view for _, view in sorted(self.notes.views.items())]

    async def pdf(self, rel: str) -> PdfEntry | list[Problem] | None:
        """The current PDF of a note, rendered now unless the cache has it for these inputs."""
        view = self.notes.views.get(rel)
        if view is None:
            return None
        shown = view.state
        result = await self.run(self.notes.pdf, rel)
        if view.state != shown:
            self._publish(rel)
        return result

    def state(self, rel: str) -> dict[str, Any]:
        view = self.notes.views.get(rel)
        return view.state if view else self.notes.missing(rel)

    # -- passes after changes ----------------------------------------------------------------------

    def close(self) -> None:
        """Stop watching and end every open event stream: the server is shutting down."""
        self.closing = True
        self.events.close()
        # The watcher's thread must be told: a cancelled thread call waits for the thread.
        self.rewatch()

    def poke(self) -> None:
        """Something changed on disk: run a pass (once, however many pokes come meanwhile)."""
        self._wake.set()

    async def work(self) -> None:
        """Run passes forever; a failing pass is logged and the next one runs as usual."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.sweep()
            except Exception:
                log.exception("preview pass failed; the server keeps running")
            self.swept.set()

    async def sweep(self) -> None:
        """Bring every note up to date, the notes open in a browser first, and tell the pages."""
        started = time.perf_counter()
        added, removed = await self.run(self.notes.scan)
        changed_index = bool(added or removed)
        for rel in removed:
            self.events.note(self.notes.missing(rel))
        order = sorted(self.notes.views, key=lambda rel: (not self.events.watching(rel), rel))
        for rel in order:
            if await self.run(self.notes.refresh, rel):
                self._publish(rel)
                changed_index = True
                log.info("%s: %s", rel, self.state(rel)["status"])
        # PDFs only for pages showing one, and after every HTML view is up to date.
        for rel in order:
            if self.events.watching(rel, "pdf"):
                await self.pdf(rel)
        if changed_index:
            self.events.index()
        if self.notes.house_folders() - self.watched:
            self.rewatch()
        log.debug(
            "pass over %d notes in %.0f ms", len(order), 1000 * (time.perf_counter() - started)
        )

    def _publish(self, rel: str) -> None:
        self.events.note(self.state(rel))
