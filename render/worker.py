"""The worker side of batch builds: render one note in a warm process and send back its bytes.

Jobs and results are plain picklable records, so any :class:`concurrent.futures.Executor` can
carry them: the local process pool made here, or a Dask cluster's executor on other machines.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import resource
import select
import signal
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from render.errors import UserError
from render.manifest import Fingerprints, note_inputs
from render.settings import Settings
from schemas.problems import Problem, fails

if TYPE_CHECKING:
    from render.renderer import Renderer

Format = Literal["pdf", "html"]
SUFFIXES: dict[str, str] = {"pdf": ".pdf", "html": ".html"}


@dataclass(frozen=True)
class Job:
    """One note to render, as sent to a worker (picklable, and self-contained: a worker on
    another machine has no access to the caller's environment)."""

    key: str
    path: str
    display: str
    root: str
    #: Which build the job belongs to, so a long-lived worker re-reads per-build facts (fonts).
    build: str
    formats: tuple[Format, ...]
    today: dt.date | None
    created: dt.datetime | None
    strict: bool
    #: The runner's settings (``--house-path``); the worker adds each note's render.toml.
    settings: Settings = field(default_factory=Settings)


@dataclass
class Result:
    """What a worker sends back: the outputs' bytes, the inputs' record, every problem."""

    key: str
    display: str
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    outputs: dict[str, bytes] = field(default_factory=dict)
    pages: int = 0
    inputs: dict[str, Any] | None = None
    about: dict[str, Any] = field(default_factory=dict)
    #: The traceback of a bug in render (not a problem with the note), if one happened.
    crash: str | None = None
    seconds: float = 0.0
    worker: int = 0
    peak_memory_kib: int = 0


def build_settings(created: dt.datetime | None) -> dict[str, Any]:
    """The build settings that shape every output, as the manifest records them."""
    # The date taken as today is left out on purpose: it only decides whether a note dated
    # after it is an error, and a note that was built was dated on or before it.
    return {"source_date_epoch": created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None}


# -- the worker side ---------------------------------------------------------------------------

# One warm renderer per process and settings: its Jinja environments, houses and WeasyPrint's
# font configuration survive from one note to the next. The lock keeps a worker that runs tasks
# on several threads (a Dask worker with threads_per_worker > 1) to one render at a time, since
# the renderer's caches and Pango are not made for concurrent use.
_LOCK = threading.Lock()
_RENDERERS: dict[tuple[dt.date | None, dt.datetime | None, Settings], Renderer] = {}
_FINGERPRINTS = Fingerprints()
_BUILD = [""]


def _renderer(today: dt.date | None, created: dt.datetime | None, settings: Settings) -> Renderer:
    from render.renderer import Renderer

    key = (today, created, settings)
    if key not in _RENDERERS:
        _RENDERERS[key] = Renderer(today=today, created=created, settings=settings)
    return _RENDERERS[key]


def build_note(job: Job) -> Result:
    """Check and render one note in this process; never raises (a bug comes back as a result)."""
    started = time.perf_counter()
    with _LOCK:
        try:
            result = _build(job)
        except Exception:
            result = Result(job.key, job.display, ok=False, crash=traceback.format_exc())
    result.seconds = time.perf_counter() - started
    result.worker = os.getpid()
    result.peak_memory_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _build(job: Job) -> Result:
    renderer = _renderer(job.today, job.created, job.settings)
    if _BUILD[0] != job.build:
        # A Dask worker outlives builds; fonts installed since the last one must be seen.
        _FINGERPRINTS.forget_fonts()
        _BUILD[0] = job.build
    path, root = Path(job.path), Path(job.root)
    # Hashed before it is read: if it changes meanwhile, the record is older than the output
    # and the next build redoes the note, rather than trusting an output of a newer text.
    note_sha256 = _FINGERPRINTS.file(path)
    checked = renderer.check(path, job.display)
    problems = list(checked.problems)
    if fails(problems, job.strict) or checked.note is None or checked.profile is None:
        return Result(job.key, job.display, ok=False, problems=problems)
    settings = build_settings(job.created)
    inputs = note_inputs(
        checked, note_sha256, root, _FINGERPRINTS, settings, job.settings.house_paths
    )
    try:
        rendered = renderer.render_checked(checked, job.formats)
    except UserError as exc:
        return Result(job.key, job.display, ok=False, problems=problems + exc.problems)
    # Warnings of the layout (a house declaration ignored) count like the note's own.
    problems += rendered.problems
    if fails(problems, job.strict):
        return Result(job.key, job.display, ok=False, problems=problems)
    outputs: dict[str, bytes] = {}
    if rendered.pdf is not None:
        outputs[job.key + SUFFIXES["pdf"]] = rendered.pdf
    if "html" in job.formats:
        outputs[job.key + SUFFIXES["html"]] = rendered.html.encode("utf-8")
    note = checked.note
    about = {"title": note.title, "date": note.date.isoformat(), "template": note.template}
    return Result(
        job.key,
        job.display,
        ok=True,
        problems=problems,
        outputs=outputs,
        pages=rendered.pages,
        inputs=inputs,
        about=about,
    )


def _start_worker(build: int) -> None:
    # Ctrl-C reaches the whole process group; the build alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(build,), name="exit-with-build", daemon=True).start()


def _exit_with(build: int) -> None:
    """End this worker as soon as the build that started it is gone, even killed with SIGKILL.

    A pool's worker would otherwise wait for its next job forever, since it holds both ends
    of its own job queue and never sees it close.
    """
    try:
        handle = os.pidfd_open(build)  # readable once the process has ended (Linux 5.3+)
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while _alive(build):
            time.sleep(1)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool of worker processes on this machine.

    Workers are forked from a fork server that has imported the renderer once, so each starts
    warm and none inherits the parent's threads (the progress bar's) or open files.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["render.renderer", "render.worker"])
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
    )


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
