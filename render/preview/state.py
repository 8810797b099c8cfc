"""Per-note preview state: the last good render, the current problems and the PDF cache."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.batch.outputs import source_date_epoch
from render.batch.worker import Job, RenderTimeout, Result, deadline, render_pdf, timeout_problem
from render.cli.discover import find_notes
from render.context.i18n import translator
from render.errors import UserError
from render.fingerprints import Fingerprints
from render.load.config import note_limits
from render.preview.fingerprint import note_fingerprint, record_index, with_files
from render.registers.history import Header, Subject
from render.renderer import Checked, Renderer
from render.report import display_path as display
from render.settings import Settings
from schemas.problems import Problem, Severity
from schemas.rules.rendering import INTERNAL

log = logging.getLogger("render.preview")

#: A render whose inputs keep changing under it is retried this many times before giving up.
ATTEMPTS = 3


@dataclass(frozen=True)
class PdfEntry:
    """A rendered PDF and the fingerprint of the inputs it was rendered from."""

    fingerprint: str
    data: bytes
    pages: int
    seconds: float


@dataclass(frozen=True)
class PdfTask:
    """A PDF to render in the PDF worker: the job, and the fingerprint of the inputs it reads."""

    fingerprint: str
    job: Job
    attempt: int = 1


@dataclass
class NoteView:
    """One note as the preview shows it.

    The render thread updates it; the event loop only reads ``state`` and ``page``, which are
    replaced whole, never mutated, so a reader always sees one consistent version.
    """

    rel: str
    path: Path
    #: What browsers are sent about the note (status, problems, versions), as JSON data.
    state: dict[str, Any] = field(default_factory=dict)
    #: The last good render: its version and the HTML, kept on screen while the note is broken.
    page: tuple[int, str] | None = None
    fingerprint: str | None = None
    house: Path | None = None
    checked: Checked | None = None
    pdf: PdfEntry | None = None
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)
    #: What the house's registers and the record say of the note (its last valid check).
    registers: dict[str, Any] = field(default_factory=dict)
    #: The files the approvals of its earlier notes cover, as its last check hashed them.
    history_files: dict[Path, str | None] = field(default_factory=dict)
    version: int = 0

    @property
    def status(self) -> str:
        if self.fingerprint is None and self.checked is None and not self.problems:
            return "pending"
        if any(p.severity is Severity.ERROR for p in self.problems):
            return "errors"
        return "warnings" if self.problems else "valid"


def problem_data(problem: Problem, lang: str) -> dict[str, Any]:
    """A problem for the page: the exact line ``render check`` prints, and its parts."""
    translate = translator(lang)
    return {
        "text": problem.text(translate),
        "severity": str(problem.severity),
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
        "code": problem.code,
        "message": problem.message_in(translate),
    }


def _summary(checked: Checked) -> dict[str, str]:
    """Title, date and rating as written, read from the data so a broken note still shows them."""
    data = checked.source.data if checked.source else {}
    rating = data.get("rating")
    if isinstance(rating, dict):
        rating = rating.get("value")
    date = data.get("date")
    out = {}
    for key, value in (("title", data.get("title")), ("date", date), ("rating", rating)):
        if isinstance(value, dt.date):
            value = value.isoformat()
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            out[key] = str(value)
    return out


def registers_data(checked: Checked, root: Path) -> dict[str, Any]:
    """The note's review status, the disclosures that applied and its earlier approved notes,
    for the page's bar and the index; empty for a note the registers could not judge."""
    verdict = checked.verdict
    if verdict is None:
        return {}
    review = verdict.review
    applied = verdict.disclosures
    earlier = checked.history.earlier if checked.history else ()

    def where(path: Path) -> str:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name

    return {
        "review": {
            "status": review.status,
            "by": review.by_name or review.by,
            "at": review.at.isoformat() if review.at else None,
        },
        "disclosures": None
        if applied is None
        else {
            "heading": applied.heading,
            "sentences": list(applied.sentences),
            "none": applied.none,
        },
        "earlier": [
            {"note": where(e.path), "date": e.date.isoformat(), "title": e.title}
            for e in reversed(earlier)
        ],
    }


def _bug_problem(exc: Exception, where: str, logged: bool = False) -> Problem:
    if not logged:
        log.error("internal error rendering %s", where, exc_info=exc)
    return INTERNAL(error=f"{type(exc).__name__}: {exc}", path=where)


class Notes:
    """Every note in a folder, checked and rendered with one warm :class:`Renderer`.

    Not thread-safe by design: the preview runs every method on its render thread, one call at a
    time, because the renderer's caches and WeasyPrint's font configuration are not shared safely.
    """

    def __init__(
        self,
        root: Path,
        today: dt.date | None = None,
        lang: str = "en",
        settings: Settings | None = None,
    ) -> None:
        self.root = root.resolve()
        self.today = today
        self.lang = lang
        #: The runner's settings (``--house-path``); each note's render.toml adds to them.
        self.settings = settings or Settings()
        self.renderer = Renderer(today=today, settings=self.settings)
        self.fingerprints = Fingerprints()
        self.views: dict[str, NoteView] = {}
        #: The notes' resolved paths, the record (see :meth:`record`), found again at each scan.
        self._record: list[Path] = []
        self._index: dict[Subject, list[Header]] = {}

    # -- the folder --------------------------------------------------------------------------

    def scan(self) -> tuple[list[str], list[str]]:
        """Find the folder's notes again; return the notes that appeared and those that went."""
        found: dict[str, Path] = {}
        for path in find_notes([self.root]):
            # A link that leads out of the folder is not one of its notes, whatever its name.
            if path.resolve().is_relative_to(self.root) and path.is_file():
                found[path.relative_to(self.root).as_posix()] = path
        views = {rel: self.views.get(rel) or NoteView(rel, path) for rel, path in found.items()}
        for view in views.values():
            if not view.state:
                view.state = self._state(view)
        added = sorted(set(views) - set(self.views))
        removed = sorted(set(self.views) - set(views))
        # Replaced whole: the event loop may be iterating over the old dictionary.
        self.views = views
        self._record = [view.path.resolve() for view in views.values()]
        # Each pass starts with a scan: the record's headers are read once for the pass.
        self._index = record_index(self.fingerprints, self._record, self.settings)
        return added, removed

    def record(self) -> list[Path]:
        """The publication record a note's history is read from: every note of the folder
        previewed, in its subfolders too, as ``render build`` and ``render check`` of the
        folder read it (docs/compliance.md)."""
        return self._record

    def house_folders(self) -> set[Path]:
        return {view.house for view in self.views.values() if view.house is not None}

    # -- one note ----------------------------------------------------------------------------

    def refresh(self, rel: str) -> bool:
        """Re-check and re-render a note if any of its inputs changed.

        Returns whether what a viewer sees changed (status, problems, the page). A note whose
        house could not be found is always re-checked: the house may have appeared since.
        """
        view = self.views.get(rel)
        if view is None:
            return False
        before = self._fingerprint(view, view.house)
        if before is not None and before == view.fingerprint and view.house is not None:
            return False
        old = view.state
        view.fingerprint = None
        for _ in range(ATTEMPTS):
            house = view.house
            before = self._inputs(view, house)
            self._render(view)
            # The inputs read must be the inputs fingerprinted, or a later edit would be missed;
            # a note now using another house is rendered again with that house fingerprinted.
            if view.house == house and before == self._inputs(view, house):
                # The earlier notes' files as the render hashed them: one changed since then
                # makes the next fingerprint differ.
                view.fingerprint = before and with_files(before, view.history_files)
                break
        view.state = self._state(view)
        return view.state != old

    def pdf(self, rel: str, run: Callable[[Job], Result] = render_pdf) -> PdfEntry | list[Problem]:
        """The PDF of the note as it is now: from the cache if its inputs are unchanged.

        Returns the errors instead when the note cannot be rendered; an error only the PDF
        stage finds (a resource a template asks for and is refused, the time limit) joins the
        note's problems. ``run`` renders a job; the preview runs it in its PDF worker process
        (see :meth:`pdf_task` and :meth:`pdf_done`, the two halves it calls from its thread).
        """
        step = self.pdf_task(rel)
        while isinstance(step, PdfTask):
            step = self.pdf_done(rel, step, run(step.job))
        return step

    def pdf_task(self, rel: str) -> PdfEntry | list[Problem] | PdfTask:
        """The cached PDF, the errors that stop one, or the job that renders it now."""
        self.refresh(rel)
        view = self.views.get(rel)
        if view is None or view.checked is None or view.fingerprint is None:
            return self._errors(view)
        if view.pdf is not None and view.pdf.fingerprint == view.fingerprint:
            return view.pdf
        return PdfTask(view.fingerprint, self._job(view, view.checked.display))

    def pdf_done(
        self, rel: str, task: PdfTask, result: Result
    ) -> PdfEntry | list[Problem] | PdfTask:
        """Take a rendered PDF, or why it failed; another task if the inputs changed meanwhile."""
        self.refresh(rel)
        view = self.views.get(rel)
        if view is None:
            return []
        current = view.fingerprint == task.fingerprint
        if not current and task.attempt < ATTEMPTS and view.checked and view.fingerprint:
            # Rendered from inputs that are no longer there: render the note as it is now.
            return PdfTask(view.fingerprint, self._job(view, task.job.display), task.attempt + 1)
        if result.ok:
            pdf = result.outputs[task.job.key + ".pdf"]
            entry = PdfEntry(task.fingerprint, pdf, result.pages, result.seconds)
            if current:
                view.pdf = entry
                view.state = self._state(view)
            # Else the inputs changed under every attempt: the newest render, not cached.
            return entry
        if result.crash is not None:
            log.error("internal error rendering %s:\n%s", task.job.display, result.crash)
            last = result.crash.strip().splitlines()[-1]
            failed = [_bug_problem(RuntimeError(last), task.job.display, logged=True)]
        else:
            failed = [p for p in result.problems if p.severity is Severity.ERROR]
        if not current:
            return failed
        # An error only the PDF stage finds (or its time limit) is the note's until it changes.
        known = {p.key for p in view.problems}
        view.problems = [*view.problems, *(p for p in failed if p.key not in known)]
        view.checked = None
        view.state = self._state(view)
        return self._errors(view)

    def _job(self, view: NoteView, where: str) -> Job:
        created = source_date_epoch() if self.renderer.created == "environment" else None
        return Job(
            key=view.path.stem,
            path=str(view.path),
            display=where,
            root=str(self.root),
            build="preview",
            formats=("pdf",),
            today=self.today,
            created=created,
            strict=False,
            settings=self.settings,
        )

    @staticmethod
    def _errors(view: NoteView | None) -> list[Problem]:
        return [p for p in view.problems if p.severity is Severity.ERROR] if view else []

    def is_current(self, rel: str) -> bool:
        """Whether a note's known state is of its files as they are now.

        Uses no renderer, so it may run on any thread, beside a render: the fingerprints' memo
        is a dictionary whose entries are replaced whole.
        """
        view = self.views.get(rel)
        if view is None or view.fingerprint is None or view.house is None:
            return False
        return self._fingerprint(view, view.house) == view.fingerprint

    # -- internals ---------------------------------------------------------------------------

    def _fingerprint(self, view: NoteView, house: Path | None) -> str | None:
        """The note's fingerprint now, the files its earlier notes' approvals cover included."""
        inputs = self._inputs(view, house)
        if inputs is None:
            return None
        files = {path: self.fingerprints.file(path) for path in view.history_files}
        return with_files(inputs, files)

    def _inputs(self, view: NoteView, house: Path | None) -> str | None:
        try:
            # The note's render.toml is among the inputs: it decides which houses it may use.
            return note_fingerprint(
                self.fingerprints, view.path, house, self.today, self.settings, self._index
            )
        except OSError:
            return None

    def _render(self, view: NoteView) -> None:
        """Check and render the HTML; any failure becomes a located problem, never an exception."""
        where = display(view.path)
        seconds = note_limits(self.settings, view.path).render_seconds
        try:
            with deadline(seconds):
                self._check_and_render(view, where)
        except RenderTimeout:
            # Stopped anywhere, perhaps halfway through filling a cache: start afresh.
            self.renderer = Renderer(today=self.today, settings=self.settings)
            view.problems, view.checked = [timeout_problem(where, seconds)], None

    def _check_and_render(self, view: NoteView, where: str) -> None:
        try:
            checked = self.renderer.check(view.path, where, self.record())
        except Exception as exc:
            view.problems, view.checked = [_bug_problem(exc, where)], None
            view.history_files = {}
            return
        view.history_files = dict(checked.history.files) if checked.history else {}
        view.house = checked.profile.folder if checked.profile else None
        if checked.source is not None:
            view.summary = _summary(checked)
        view.registers = registers_data(checked, self.root)
        problems = list(checked.problems)
        view.checked = None
        if not checked.errors and checked.note is not None:
            try:
                html = self.renderer.render_checked(checked, ("html",)).html
            except UserError as exc:
                problems += exc.problems
            except Exception as exc:
                problems.append(_bug_problem(exc, where))
            else:
                view.checked = checked
                if view.page is None or view.page[1] != html:
                    view.version += 1
                    view.page = (view.version, html)
        view.problems = problems

    def _state(self, view: NoteView) -> dict[str, Any]:
        ready = view.pdf is not None and view.pdf.fingerprint == view.fingerprint
        return {
            "note": view.rel,
            "status": view.status,
            "version": view.page[0] if view.page else 0,
            "fingerprint": view.fingerprint,
            "pdf": view.pdf.fingerprint if ready and view.pdf else None,
            "pages": view.pdf.pages if ready and view.pdf else None,
            "errors": sum(p.severity is Severity.ERROR for p in view.problems),
            "warnings": sum(p.severity is Severity.WARNING for p in view.problems),
            "problems": [problem_data(p, self.lang) for p in view.problems],
            **view.summary,
            **view.registers,
        }

    def missing(self, rel: str) -> dict[str, Any]:
        """The state sent for a note that is not (or no longer) in the folder."""
        return {"note": rel, "status": "missing", "version": 0, "pdf": None, "problems": []}
