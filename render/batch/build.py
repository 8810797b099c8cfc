"""Batch builds: plan what changed, render notes on a pool of warm workers, record the manifest.

The pool is any :class:`concurrent.futures.Executor`. By default it is a local process pool, one
warm :class:`~render.renderer.Renderer` per worker; an executor from a distributed engine (Dask's
``Client.get_executor()``) runs the same build across machines. Workers only read inputs and
return the outputs' bytes: the calling process is the one writer of the output folder, so a
build killed at any moment leaves no half-written file and no manifest entry that lies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from render.batch.manifest import (
    Fingerprints,
    Manifest,
    ManifestError,
    changed_inputs,
    current_inputs,
    history_input,
    is_plain_name,
    new_entry,
    outputs_intact,
    untrusted_input,
)
from render.batch.outputs import write_atomic
from render.batch.worker import (
    SUFFIXES,
    Format,
    Job,
    Result,
    build_note,
    build_settings,
    local_pool,
)
from render.errors import UsageError
from render.load.config import ConfigError, check_configs, note_limits, note_settings
from render.pdf.ahead import PdfProcess, discard_early, take_early
from render.pdf.ahead import start as start_ahead
from render.registers.history import Header, Record, Subject, folder_notes
from render.report import display_path
from render.settings import Limits, Settings, cores
from schemas.problems import Problem, Severity

if TYPE_CHECKING:
    from schemas.manifest import Inputs

Status = Literal["built", "skipped", "failed", "crashed"]


@dataclass(frozen=True)
class BuildOptions:
    """What a build writes and how it judges notes (the ``render build`` options)."""

    output: Path
    formats: tuple[Format, ...] = ("pdf",)
    today: dt.date | None = None
    strict: bool = False
    force: bool = False
    #: The creation date written into every output (SOURCE_DATE_EPOCH); else each note's date.
    created: dt.datetime | None = None
    #: The runner's settings (``--house-path``); each note's render.toml adds to them.
    settings: Settings = field(default_factory=Settings)


# -- the calling side ---------------------------------------------------------------------------


@dataclass
class Step:
    """A note in the plan: its job, and why it is rebuilt (None: it is up to date)."""

    job: Job
    reason: str | None


@dataclass
class Outcome:
    """What became of one note in a build."""

    display: str
    status: Status
    reason: str | None = None
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0
    crash: str | None = None
    worker: int = 0
    peak_memory_kib: int = 0


@dataclass
class Summary:
    """A whole build: every note's outcome, in the order the notes were given, and the time."""

    outcomes: list[Outcome]
    seconds: float

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def problems(self) -> list[Problem]:
        """Every problem once: a house's are found again with each of its notes."""
        unique = {p.key: p for o in self.outcomes for p in o.problems}
        return list(unique.values())


class Reporter(Protocol):
    """Where a build tells its progress (the command line's progress bar or plain lines)."""

    def start(self, total: int, building: int) -> None: ...

    def message(self, text: str) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...

    def stop(self) -> None: ...


class Silent:
    """A reporter that says nothing, for callers that only want the summary."""

    def start(self, total: int, building: int) -> None:
        pass

    def message(self, text: str) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        pass

    def stop(self) -> None:
        pass


def _jobs(notes: Sequence[Path], options: BuildOptions, root: Path, build: str) -> list[Job]:
    by_key: dict[str, list[Path]] = {}
    for note in notes:
        by_key.setdefault(note.stem, []).append(note)
    clashes = {key: paths for key, paths in by_key.items() if len(paths) > 1}
    if clashes:
        key, paths = sorted(clashes.items())[0]
        names = ", ".join(display_path(p, root) for p in paths)
        raise UsageError(
            f"{names} would all be written to {options.output / key}.*; "
            "notes built together need different file names"
        )
    return [
        Job(
            key=note.stem,
            path=str(note.resolve()),
            display=display_path(note, root),
            root=str(root.resolve()),
            build=build,
            formats=options.formats,
            today=options.today,
            created=options.created,
            strict=options.strict,
            settings=options.settings,
        )
        for note in notes
    ]


def plan(
    notes: Sequence[Path],
    options: BuildOptions,
    manifest: Manifest,
    root: Path,
    fingerprints: Fingerprints | None = None,
) -> list[Step]:
    """Each note with the reason it must be rebuilt, or None if nothing that feeds it changed.

    Nothing is loaded or rendered here, only hashed, so a no-change rebuild stays fast.
    """
    fingerprints = fingerprints or Fingerprints()
    settings = build_settings(options.created, options.settings.pdf_variant)
    steps = []
    build = f"{os.getpid()}-{time.time_ns()}"
    jobs = _jobs(notes, options, root, build)
    reader = Record(fingerprints)
    for entry in manifest.notes.values():
        # A note unchanged since the last build has the date and subject it had then: known
        # without reading its front matter (the file's hash says whether it is unchanged).
        if entry.subject and len(entry.subject) == 2 and entry.inputs.note.sha256:
            kind, key = entry.subject
            path = Path(os.path.normpath(root.resolve() / entry.inputs.note.path))
            # Its review block says approved when it was built approved or stale.
            approved = entry.review is not None and entry.review.status != "draft"
            header = Header(path, entry.date, (kind, key), entry.title, None, None, approved)
            reader.know(header, entry.inputs.note.sha256)
    earlier = _earlier(jobs, reader)
    for job in jobs:
        feeding = earlier.get(job.key, [])
        # The worker reads its history from these and its folder's notes: no other note is sent.
        job = replace(job, record=tuple(str(h.path) for h in feeding))
        reason = _reason(job, options, manifest, root, fingerprints, settings, feeding)
        steps.append(Step(job, reason))
    return steps


def _earlier(jobs: list[Job], reader: Record) -> dict[str, list[Header]]:
    """For each note, the notes of its record on its subject dated before it (any review):
    the notes built with it and its folder's (see :mod:`render.registers.history`).

    Only front matter is read, once per file, and notes are grouped by subject, so planning a
    large folder stays linear in its notes.
    """
    batch = {Path(job.path) for job in jobs}  # resolved already
    folders = {path.parent for path in batch}
    everything = sorted(batch | {p for folder in folders for p in folder_notes(folder)})
    # Each note's record is read with its own limits: almost always one set for all of them.
    index: dict[Limits, dict[Subject, list[Header]]] = {}
    found: dict[str, list[Header]] = {}
    for job in jobs:
        path = Path(job.path)
        limits = note_limits(job.settings, path)
        if limits not in index:
            grouped: dict[Subject, list[Header]] = {}
            for other in everything:
                header = reader.header(other, limits)
                if header is not None:
                    grouped.setdefault(header.subject, []).append(header)
            index[limits] = grouped
        own = reader.header(path, limits)
        if own is None:
            continue
        found[job.key] = sorted(
            (
                header
                for header in index[limits].get(own.subject, [])
                if header.path != path
                and (header.path in batch or header.path.parent == path.parent)
                and header.date < own.date
            ),
            key=lambda h: (h.date, h.path.name),
        )
    return found


def _reason(
    job: Job,
    options: BuildOptions,
    manifest: Manifest,
    root: Path,
    fingerprints: Fingerprints,
    settings: dict[str, Any],
    feeding: list[Header],
) -> str | None:
    if options.force:
        return "forced"
    entry = manifest.notes.get(job.key)
    if entry is None:
        return "new"
    # The entry was validated when the manifest was read: its paths are strings, its hashes hex.
    recorded = entry.inputs
    # A changed note is rebuilt whatever its entry says: nothing the entry names is read.
    if fingerprints.file(Path(job.path)) != recorded.note.sha256:
        return "note changed"
    if not _trusted(recorded, Path(job.path), root, job.settings):
        return "manifest names a file outside the notes' folders"
    now = current_inputs(
        recorded,
        Path(job.path),
        root,
        fingerprints,
        settings,
        job.settings.house_paths,
        runner=job.settings,
        history=history_input(
            recorded.history, [(h.path, h.approved) for h in feeding], root, fingerprints
        ),
    )
    reason = changed_inputs(recorded, now)
    if reason:
        return reason
    names = [job.key + SUFFIXES[f] for f in options.formats]
    if not outputs_intact(options.output, entry.outputs, names):
        return "output missing or modified"
    if options.strict and entry.warnings:
        return "has warnings (--strict)"
    if options.settings.release and (
        entry.warnings or entry.review is None or entry.review.status != "approved"
    ):
        # Built as a draft, or with a warning --release makes an error (a quiet period).
        return "not released yet (--release)"
    return None


def _trusted(recorded: Inputs, note: Path, root: Path, settings: Settings) -> bool:
    """Whether every path a note's manifest entry names lies where the build may read.

    That is the note's folder, the shipped houses and the folders the runner admits houses
    from (``--house-path`` and the note's ``render.toml``): a note's house is one of those.
    """
    try:
        admitted = note_settings(settings, note).house_paths
    except ConfigError:
        return False  # rebuilt, and the build reports the configuration at its place
    shipped = settings.shipped_houses
    return untrusted_input(recorded, root, [note.parent, shipped, *admitted]) is None


@contextlib.contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """Hold the output folder for one build at a time (two would interleave the manifest)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another build is writing to {folder}") from None
        yield
    finally:
        os.close(descriptor)


def _remove_partials(folder: Path) -> None:
    # Temporary files of a build that was killed mid-write (see render.batch.outputs.write_atomic).
    for path in folder.glob(".*.part"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def build(
    notes: Sequence[Path],
    options: BuildOptions,
    *,
    executor: Executor | None = None,
    jobs: int | None = None,
    reporter: Reporter | None = None,
    root: Path | None = None,
) -> Summary:
    """Build notes into ``options.output``: plan, render what changed, record the manifest.

    ``executor`` runs the renders (a local process pool of ``jobs`` workers when not given; it
    is then shut down at the end). Raises :class:`UsageError` for a build that cannot start.
    """
    started = time.perf_counter()
    root = root or Path.cwd()
    reporter = reporter or Silent()
    output = options.output
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file, not a folder for the outputs")
    # A broken render.toml stops the build before it starts (a ConfigError is a UsageError).
    check_configs(list(notes))
    output.mkdir(parents=True, exist_ok=True)
    with _exclusive(output):
        _remove_partials(output)
        try:
            manifest = Manifest.load(output)
        except ManifestError as exc:
            reporter.message(f"{exc}; building every note afresh")
            manifest = Manifest(output)
        steps = plan(notes, options, manifest, root)
        outcomes: dict[str, Outcome] = {}
        todo = [s for s in steps if s.reason is not None]
        reporter.start(len(steps), len(todo))
        try:
            for step in steps:
                if step.reason is None:
                    outcomes[step.job.key] = Outcome(step.job.display, "skipped")
                    reporter.finished(outcomes[step.job.key])
            if todo:
                own = executor is None
                call: Callable[[Job], Result] = build_note
                ahead: PdfProcess | None = None
                if own and len(todo) == 1:
                    # One note: rendered here, as a worker would, rather than starting a pool
                    # whose fork server would import everything again (1.6x the render alone);
                    # in a cold process its PDF is laid out by a process that imports WeasyPrint
                    # on the second core meanwhile.
                    pool: Executor = InProcess()
                    if "pdf" in options.formats:
                        # The command line may have started it before its own imports.
                        ahead = take_early() or start_ahead()
                    if ahead is not None:
                        call = functools.partial(build_note, pdf_stage=ahead)
                elif own:
                    pool = local_pool(max(1, min(jobs or cores(), len(todo))))
                else:
                    assert executor is not None
                    pool = executor
                discard_early()  # not taken: this build lays out elsewhere
                try:
                    _run(pool, todo, manifest, options, reporter, outcomes, call)
                finally:
                    if own:
                        pool.shutdown(wait=True, cancel_futures=True)
                    if ahead is not None:
                        ahead.close()
        finally:
            reporter.stop()
            discard_early()  # nothing to lay out, or the build failed before
    ordered = [outcomes[s.job.key] for s in steps if s.job.key in outcomes]
    return Summary(ordered, time.perf_counter() - started)


class InProcess(Executor):
    """Runs each call at once in the calling thread: the executor of a build of one note.

    :func:`build_note` keeps its guarantees here: the note's time limit (a SIGALRM timer in the
    main thread) and a bug coming back as a crash result, never raised. What this cannot do,
    unlike a worker process, is kill a render stuck in C code past its limit, or outlive a
    crash of the interpreter itself; for a single note that costs no other note anything.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _run(
    pool: Executor,
    todo: list[Step],
    manifest: Manifest,
    options: BuildOptions,
    reporter: Reporter,
    outcomes: dict[str, Outcome],
    call: Callable[[Job], Result] = build_note,
) -> None:
    """Submit every job, and record each result as it comes, in whatever order they finish."""
    futures: dict[Future[Result], Step] = {pool.submit(call, s.job): s for s in todo}
    try:
        for future in as_completed(futures):
            step = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker died (killed, out of memory, …)
                crash = "".join(traceback.format_exception(exc))
                result = Result(step.job.key, step.job.display, ok=False, crash=crash)
            outcome = _record(step, result, manifest, options)
            outcomes[step.job.key] = outcome
            reporter.finished(outcome)
    except BaseException:
        # Interrupted: an executor we do not own (a cluster) must not go on with our jobs.
        for future in futures:
            future.cancel()
        raise


def _record(step: Step, result: Result, manifest: Manifest, options: BuildOptions) -> Outcome:
    """Write a note's outputs and its manifest entry, in the order that keeps both honest."""
    job = step.job
    outcome = Outcome(
        job.display,
        "built",
        reason=step.reason,
        problems=result.problems,
        pages=result.pages,
        seconds=result.seconds,
        crash=result.crash,
        worker=result.worker,
        peak_memory_kib=result.peak_memory_kib,
    )
    if result.crash is not None:
        outcome.status = "crashed"
        return outcome
    if not result.ok or result.inputs is None:
        # The previous outputs and their entry stay: they still match each other.
        outcome.status = "failed"
        return outcome
    folder = options.output
    # The old entry goes first, so a build killed while the new files are being renamed into
    # place leaves no entry recording hashes that the files no longer have.
    previous = manifest.notes.pop(job.key, None)
    if previous is not None:
        manifest.save()
    for name, data in sorted(result.outputs.items()):
        write_atomic(folder / name, data)
        outcome.written.append(folder / name)
    old = previous.outputs if previous is not None else {}
    for name in sorted(old):
        # An output of the old text that this build does not replace would be left stale.
        if name not in result.outputs and is_plain_name(name):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
    warnings = sum(p.severity is Severity.WARNING for p in result.problems)
    manifest.notes[job.key] = new_entry(
        result.inputs, result.about, result.pages, warnings, result.outputs
    )
    manifest.save()
    return outcome


__all__ = [
    "BuildOptions",
    "InProcess",
    "Job",
    "Outcome",
    "Reporter",
    "Result",
    "Silent",
    "Step",
    "Summary",
    "build",
    "build_note",
    "cores",
    "local_pool",
    "plan",
]
