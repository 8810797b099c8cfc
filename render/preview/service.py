"""The preview's event-loop side: renders off the loop, passes after changes, pushes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from render.batch.worker import (
    GRACE_SECONDS,
    Job,
    Lane,
    Overran,
    Result,
    job_seconds,
    render_pdf,
    timed_out,
)
from render.preview.events import Broadcaster
from render.preview.state import Notes, NoteView, PdfEntry, PdfTask
from render.settings import Settings
from schemas.problems import Problem

log = logging.getLogger("render.preview")

T = TypeVar("T")


class PreviewService:
    """Owns the notes, the open pages, the render thread and the PDF worker.

    Every call into :class:`Notes` goes through :meth:`run`: a worker thread, one call at a time
    (a capacity limiter of one), so a render never blocks the event loop and the one warm renderer
    is never used by two threads at once. Those calls check notes and render their HTML, which
    is quick. PDFs, whose layout may take long (a hostile note's for minutes), are rendered in a
    worker process, one at a time, without holding the render thread: the index and the other
    notes' pages answer meanwhile, and a PDF over the time limit is stopped (its worker killed
    and replaced if it does not stop) and shown as the note's ``render.timeout`` problem.
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
        self._pdf_limiter: anyio.CapacityLimiter | None = None
        self._pdf_lane: Lane | None = None
        self._pdf_wake = asyncio.Event()
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
        if self._pdf_limiter is None:
            self._pdf_limiter = anyio.CapacityLimiter(1)
        # One PDF at a time: a second request for the same note then finds it in the cache.
        async with self._pdf_limiter:
            step = await self.run(self.notes.pdf_task, rel)
            while isinstance(step, PdfTask):
                job = step.job
                result = await anyio.to_thread.run_sync(self._render_pdf, job)
                step = await self.run(self.notes.pdf_done, rel, step, result)
        if view.state != shown:
            self._publish(rel)
        return step

    def _render_pdf(self, job: Job) -> Result:
        """Render a PDF in the PDF worker process (started on first use, replaced if killed)."""
        if self.closing:
            return Result(job.key, job.display, ok=False, crash="the preview is stopping")
        if self._pdf_lane is None:
            self._pdf_lane = Lane()
        seconds = job_seconds(job) + GRACE_SECONDS
        try:
            return self._pdf_lane.call(render_pdf, (job,), seconds)
        except Overran:
            return timed_out(job, forced=True)
        except BrokenProcessPool:
            crash = traceback.format_exc()
            return Result(job.key, job.display, ok=False, crash=crash)

    def state(self, rel: str) -> dict[str, Any]:
        view = self.notes.views.get(rel)
        return view.state if view else self.notes.missing(rel)

    # -- passes after changes ----------------------------------------------------------------------

    def close(self) -> None:
        """Stop watching and end every open event stream: the server is shutting down."""
        self.closing = True
        self.events.close()
        if self._pdf_lane is not None:
            self._pdf_lane.close(kill=True)
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
            self._pdf_wake.set()

    async def pdf_work(self) -> None:
        """Render the PDFs that open PDF views show, after each pass, apart from the passes:
        a PDF taking long holds up neither the HTML pages nor the index."""
        while True:
            await self._pdf_wake.wait()
            self._pdf_wake.clear()
            for rel in sorted(self.notes.views):
                if self.events.watching(rel, "pdf"):
                    try:
                        await self.pdf(rel)
                    except Exception:
                        log.exception("PDF of %s failed; the server keeps running", rel)

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
        # PDFs only for pages showing one, after every HTML view is up to date (pdf_work).
        if changed_index:
            self.events.index()
        if self.notes.house_folders() - self.watched:
            self.rewatch()
        log.debug(
            "pass over %d notes in %.0f ms", len(order), 1000 * (time.perf_counter() - started)
        )

    def _publish(self, rel: str) -> None:
        self.events.note(self.state(rel))
