"""The worker side of batch builds: render one note in a warm process and send back its bytes.

Jobs and results are plain picklable records, so any :class:`concurrent.futures.Executor` can
carry them: the local process pool made here, or a Dask cluster's executor on other machines.

Every note has a time limit (``Limits.render_seconds``). Inside the worker it is a timer that
raises :class:`RenderTimeout` in the rendering thread (WeasyPrint's layout is Python, so the
exception lands within milliseconds); the local pool backs it up by killing and replacing a
worker that is still busy a grace period later (stuck in C code, where no exception can land).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import functools
import os
import queue
import resource
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from render.batch.manifest import Fingerprints, note_inputs
from render.errors import UserError
from render.load.config import note_limits
from render.registers.history import subject_of
from render.settings import Settings
from schemas.problems import Problem, fails
from schemas.rules import Text
from schemas.rules.rendering import TIMEOUT

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext
    from multiprocessing.process import BaseProcess

    from render.renderer import PdfStage, Renderer
    from schemas.manifest import Inputs

Format = Literal["pdf", "html", "rixml"]
SUFFIXES: dict[str, str] = {"pdf": ".pdf", "html": ".html", "rixml": ".rixml"}


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
    #: The notes built with this one that its history may come from (besides its folder's):
    #: the planner sends only those on the same subject and dated earlier.
    record: tuple[str, ...] = ()


@dataclass
class Result:
    """What a worker sends back: the outputs' bytes, the inputs' record, every problem."""

    key: str
    display: str
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    outputs: dict[str, bytes] = field(default_factory=dict)
    pages: int = 0
    inputs: Inputs | None = None
    about: dict[str, Any] = field(default_factory=dict)
    #: The traceback of a bug in render (not a problem with the note), if one happened.
    crash: str | None = None
    seconds: float = 0.0
    worker: int = 0
    peak_memory_kib: int = 0


def build_settings(created: dt.datetime | None, pdf_variant: str | None = None) -> dict[str, Any]:
    """The build settings that shape every output, as the manifest records them."""
    # The date taken as today is left out on purpose: it only decides whether a note dated
    # after it is an error, and a note that was built was dated on or before it.
    # ``pdf_variant`` is --pdf-variant (None: each house's, which the house's record covers).
    return {
        "source_date_epoch": created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
        "pdf_variant": pdf_variant,
    }


# -- the worker side ---------------------------------------------------------------------------

# One warm renderer per process and settings: its Jinja environments, houses and WeasyPrint's
# font configuration survive from one note to the next. The lock keeps a worker that runs tasks
# on several threads (a Dask worker with threads_per_worker > 1) to one render at a time, since
# the renderer's caches and Pango are not made for concurrent use.
_LOCK = threading.Lock()
_RENDERERS: dict[tuple[dt.date | None, dt.datetime | None, Settings], Renderer] = {}
_FINGERPRINTS = Fingerprints()
_BUILD = [""]


def _renderer(job: Job) -> Renderer:
    from render.renderer import Renderer

    key = (job.today, job.created, job.settings)
    if key not in _RENDERERS:
        _RENDERERS[key] = Renderer(today=job.today, created=job.created, settings=job.settings)
    return _RENDERERS[key]


# -- the time limit ----------------------------------------------------------------------------

#: How long after its time limit a note's worker is killed if the limit's exception has not
#: ended the render (code stuck in C never sees it). Long enough for an exception raised in
#: Python to unwind; a process cannot be stopped more gently than by that exception.
GRACE_SECONDS = 5.0


class RenderTimeout(BaseException):
    """Raised in the rendering thread when a note's time is up.

    A BaseException, so that no ``except Exception`` in render or in its libraries (WeasyPrint
    logs and skips a failing image that way) takes it for an ordinary failure and goes on.
    """


#: How often a timeout is raised again until it ends the render: Python drops an exception
#: raised in a garbage-collection callback or a ``__del__`` (Dask installs such a callback), and
#: the render would go on as if the time limit had not come.
REPEAT_SECONDS = 0.1

# Two prototypes of one C function: posting an exception to a thread, and taking it back (NULL).
_post = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_take_back = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`RenderTimeout` in this thread if the block is still running after ``seconds``.

    In a process's main thread (a pool worker, the preview's PDF worker) a SIGALRM timer raises
    it, which also interrupts a blocking system call. Elsewhere (a Dask worker's task threads,
    the preview's HTML thread) signals cannot be used: a timer thread posts the exception to
    this thread with ``PyThreadState_SetAsyncExc``, and it lands at the next Python instruction.
    Either way it is raised again every ``REPEAT_SECONDS`` until the block has ended.
    """
    if threading.current_thread() is threading.main_thread():
        with _alarm_after(seconds):
            yield
    else:
        with _posted_after(seconds):
            yield


@contextlib.contextmanager
def _alarm_after(seconds: float) -> Iterator[None]:
    armed = [True]

    def alarm(signum: int, frame: object) -> None:
        if armed[0]:
            raise RenderTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        # Nested, so that an alarm landing here (it is raised, as a timeout) cannot skip the
        # cleanup; the next one is REPEAT_SECONDS away, far longer than these lines take.
        try:
            armed[0] = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _posted_after(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    lock = threading.Lock()
    armed = [True]
    done = threading.Event()

    def post() -> None:
        if done.wait(seconds):
            return
        while True:
            with lock:
                if not armed[0]:
                    return
                _post(target, RenderTimeout)
            if done.wait(REPEAT_SECONDS):
                return

    threading.Thread(target=post, name="render-deadline", daemon=True).start()
    try:
        yield
    finally:
        try:
            done.set()
        finally:
            with lock:
                armed[0] = False
                # Posted just as the block ended and not raised yet: take it back, or it
                # would land in whatever this thread runs next.
                _take_back(target, None)


def timeout_problem(display: str, seconds: float, forced: bool = False) -> Problem:
    """The located problem of a note stopped at its time limit."""
    how = Text("its worker was killed") if forced else Text("it was stopped")
    return TIMEOUT(seconds=seconds, how=how, path=display)


def timed_out(job: Job, forced: bool = False) -> Result:
    """The result of a job stopped at its time limit."""
    problem = timeout_problem(job.display, job_seconds(job), forced)
    return Result(job.key, job.display, ok=False, problems=[problem])


def job_seconds(job: Job) -> float:
    """The job's time limit: ``render_seconds`` of its note's ``render.toml``, or the runner's."""
    return note_limits(job.settings, Path(job.path)).render_seconds


def _guarded(job: Job, body: Callable[[Job], Result]) -> Result:
    """Run ``body`` on the job within its time limit; never raises (a bug comes back as a result)."""
    started = time.perf_counter()
    with _LOCK:
        try:
            with deadline(job_seconds(job)):
                result = body(job)
        except RenderTimeout:
            # Stopped anywhere, perhaps halfway through filling a cache: start afresh.
            _RENDERERS.clear()
            result = timed_out(job)
        except Exception:
            result = Result(job.key, job.display, ok=False, crash=traceback.format_exc())
    result.seconds = time.perf_counter() - started
    result.worker = os.getpid()
    result.peak_memory_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def build_note(job: Job, pdf_stage: PdfStage | None = None) -> Result:
    """Check and render one note in this process, within its time limit; never raises.

    ``pdf_stage`` lays out its PDF (a process started ahead, :mod:`render.pdf.ahead`); the
    note's time limit covers it too: a layout over the limit is stopped with its process.
    """
    return _guarded(job, functools.partial(_build, pdf_stage=pdf_stage))


def render_pdf(job: Job) -> Result:
    """Check a note and render its PDF alone, within its time limit (the preview's PDF view)."""
    return _guarded(job, _pdf)


def _pdf(job: Job) -> Result:
    checked = _renderer(job).check(Path(job.path), job.display, [Path(p) for p in job.record])
    problems = list(checked.problems)
    if fails(problems) or checked.note is None or checked.profile is None:
        return Result(job.key, job.display, ok=False, problems=problems)
    try:
        rendered = _renderer(job).render_checked(checked, ("pdf",))
    except UserError as exc:
        return Result(job.key, job.display, ok=False, problems=problems + exc.problems)
    assert rendered.pdf is not None
    outputs = {job.key + SUFFIXES["pdf"]: rendered.pdf}
    return Result(job.key, job.display, True, problems, outputs, rendered.pages)


def _build(job: Job, pdf_stage: PdfStage | None = None) -> Result:
    renderer = _renderer(job)
    if _BUILD[0] != job.build:
        # A Dask worker outlives builds; fonts installed since the last one must be seen.
        _FINGERPRINTS.forget_fonts()
        _BUILD[0] = job.build
    path, root = Path(job.path), Path(job.root)
    # Hashed before it is read: if it changes meanwhile, the record is older than the output
    # and the next build redoes the note, rather than trusting an output of a newer text.
    note_sha256 = _FINGERPRINTS.file(path)
    checked = renderer.check(path, job.display, [Path(p) for p in job.record])
    problems = list(checked.problems)
    if fails(problems, job.strict) or checked.note is None or checked.profile is None:
        return Result(job.key, job.display, ok=False, problems=problems)
    settings = build_settings(job.created, job.settings.pdf_variant)
    # The record hashes every font file the note may draw with (~100 MB of CJK collections in
    # a cold process): on a thread of its own, beside the layout, since hashing and reading
    # release the GIL. Taken after the check, as before, so it describes what is rendered.
    hashing = _Beside(
        functools.partial(note_inputs, runner=job.settings),
        checked,
        note_sha256,
        root,
        _FINGERPRINTS,
        settings,
        job.settings.house_paths,
    )
    try:
        # The renderer lays out PDF and HTML; the RIXML is written from the note below.
        laid_out = tuple(f for f in job.formats if f != "rixml")
        rendered = renderer.render_checked(checked, laid_out, pdf_stage)  # type: ignore[arg-type]
    except UserError as exc:
        return Result(job.key, job.display, ok=False, problems=problems + exc.problems)
    inputs = hashing.result()
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
    if "rixml" in job.formats and rendered.pdf is not None:
        from render.publish.rixml import document

        # It describes the PDF (and the HTML edition, when written): the sidecar of the PDF.
        resources = [name for name in outputs if not name.endswith(SUFFIXES["rixml"])]
        rixml = document(
            note, checked.profile.house, job.key, resources, rendered.pages, job.created
        )
        outputs[job.key + SUFFIXES["rixml"]] = rixml
    about: dict[str, Any] = {
        "title": note.title,
        "date": note.date.isoformat(),
        "template": note.template,
    }
    subject = subject_of(checked.source.data) if checked.source else None
    if subject is not None:
        about["subject"] = list(subject)
    if checked.verdict is not None:
        review = checked.verdict.review
        about["review"] = {
            "status": review.status,
            "by": review.by if review.status != "draft" else None,
            "at": review.at.isoformat() if review.at and review.status != "draft" else None,
        }
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


class _Beside:
    """A call run on a daemon thread while the calling thread goes on; :meth:`result` waits."""

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        thread.name = "render-beside"
        thread.start()

    def _run(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._value = func(*args)
        except BaseException as exc:  # raised again in the thread that asks for the value
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> Any:
        """The call's value, or its exception raised here."""
        # Short waits, so that a time limit posted to this thread (not the main one: no
        # SIGALRM there) lands between them rather than after an endless wait.
        while not self._done.wait(REPEAT_SECONDS):
            pass
        if self._error is not None:
            raise self._error
        return self._value


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


def _context() -> BaseContext:
    """Workers forked from a fork server that has imported the renderer once, so each starts
    warm and none inherits the parent's threads (the progress bar's) or open files."""
    # Imported here: a build of one note renders in its own process and starts no worker.
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(
            ["render.renderer", "render.batch.worker", "render.pdf.writer", "render.pdf.fidelity"]
        )
    return context


def _serve(connection: Connection, build: int) -> None:
    """A worker process's loop: run each call it is sent, send back its value or exception."""
    _start_worker(build)
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return  # the parent closed its end: no more work
        except Exception as exc:  # a call that does not unpickle here
            connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            continue
        func, args = message
        try:
            answer: tuple[str, Any] = ("value", func(*args))
        except Exception as exc:
            answer = ("error", exc)
        try:
            connection.send(answer)
        except Exception as exc:  # an answer that does not pickle
            connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


class Overran(Exception):
    """A call ran past its deadline; its worker process was killed (and is replaced on demand)."""


class Lane:
    """One warm worker process running one call at a time, replaced when it dies or overruns.

    Unlike a :class:`~concurrent.futures.ProcessPoolExecutor`, where a worker that dies breaks
    the whole pool and fails every note in flight, a lane's death costs only its own call.
    """

    def __init__(self, context: BaseContext | None = None) -> None:
        self._context = context or _context()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def call(self, func: Callable[..., Any], args: tuple[Any, ...], timeout: float | None) -> Any:
        """``func(*args)`` in the worker process; raise :class:`Overran` if it is not done in
        ``timeout`` seconds (the worker is killed), or :class:`BrokenProcessPool` if it died."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()
            connection = self._connection
            assert connection is not None
            try:
                connection.send((func, args))
                ready = connection.poll(timeout)
                answer = connection.recv() if ready else None
            except (EOFError, OSError):
                from concurrent.futures.process import BrokenProcessPool

                self._kill()
                raise BrokenProcessPool(
                    "a worker process terminated abruptly (killed, or out of memory)"
                ) from None
            if not ready:
                self._kill()
                raise Overran(f"no answer within {timeout:g} seconds")
        kind, value = answer
        if kind == "error":
            raise value
        return value

    def _start(self) -> None:
        mine, theirs = self._context.Pipe()
        process = self._context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(theirs, os.getpid()), name="render-worker", daemon=True
        )
        process.start()
        theirs.close()
        self._process, self._connection = process, mine

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None

    def close(self, kill: bool = False) -> None:
        """End the worker: at once if ``kill``, else once it sees its pipe closed."""
        if kill and self._process is not None:
            self._process.kill()
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.join(GRACE_SECONDS)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._process = self._connection = None


def _watch(
    func: Callable[..., Any], args: tuple[Any, ...]
) -> tuple[float | None, Callable[[], Any]]:
    """How long a call may take before its worker is killed, and what it then returns."""
    if args and isinstance(args[0], Job) and func in (build_note, render_pdf):
        job: Job = args[0]
        return job_seconds(job) + GRACE_SECONDS, lambda: timed_out(job, True)
    return None, lambda: None


_STOP = object()


class LocalPool(Executor):
    """Worker processes on this machine, one :class:`Lane` each, fed from one queue.

    A job still running ``GRACE_SECONDS`` after its time limit has its worker killed and gets a
    ``render.timeout`` result; the lane starts a fresh worker and the other jobs go on.
    """

    def __init__(self, workers: int) -> None:
        context = _context()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lanes = [Lane(context) for _ in range(workers)]
        self._busy: set[Lane] = set()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._feed, args=(lane,), name="render-lane", daemon=True)
            for lane in self._lanes
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._closed:
            raise RuntimeError("cannot submit to a pool that was shut down")
        if kwargs:
            raise TypeError("LocalPool.submit takes positional arguments only")
        future: Future[Any] = Future()
        self._queue.put((future, fn, args))
        return future

    def _feed(self, lane: Lane) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                future, fn, args = item
                if not future.set_running_or_notify_cancel():
                    continue
                timeout, overran = _watch(fn, args)
                self._busy.add(lane)
                try:
                    value = lane.call(fn, args, timeout)
                except Overran:
                    future.set_result(overran())
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(value)
                finally:
                    self._busy.discard(lane)
        finally:
            lane.close()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; with ``cancel_futures`` drop the queued jobs and kill the running."""
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    item[0].cancel()
            for lane in list(self._busy):
                # Its call fails at once (the pipe closes); nobody waits for that note now.
                if lane._process is not None:
                    lane._process.kill()
        for _ in self._threads:
            self._queue.put(_STOP)
        if wait:
            for thread in self._threads:
                thread.join()


def local_pool(jobs: int) -> LocalPool:
    """A pool of ``jobs`` warm worker processes on this machine, each note within its time limit."""
    return LocalPool(jobs)
