"""A PDF process started ahead: it imports WeasyPrint on another core while the note is checked
here, then lays out the one document it is sent.

A cold ``render build note.md`` spends about half its time importing WeasyPrint and the other
half checking the note and laying it out; the check needs none of WeasyPrint. Started first,
the process imports it on the second core beside the check, so a one-note build takes about as
long as raw WeasyPrint on the same HTML. It is worth starting only in a process that has not
imported WeasyPrint yet and has a second core (:func:`worth_starting`); a warm process (a worker,
the preview, a test session) lays out in place.

The two processes speak pickle over a pair of pipes, both ends this program's own: the job
(:class:`~render.pdf.job.PdfJob`, plain data) one way, the
:class:`~render.pdf.job.PdfResult` or the note's problems back. Standard output stays the
user's: nothing of the protocol can be mixed into what the command prints.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import subprocess
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from render.errors import UserError
from render.settings import cores

if TYPE_CHECKING:
    from render.pdf.job import PdfJob, PdfResult

#: The folder ``render`` was imported from: the child imports the same program.
PROGRAM_ROOT = Path(__file__).resolve().parents[2]

#: The child's program. Run with ``-P``: no folder of the caller's (the working folder, which
#: may hold a ``struct.py``) goes on its import path; render's own folder is put first only if
#: it is not on the path already (a checkout, not an installed package).
_CHILD = """import sys
root = {root!r}
if root not in sys.path:
    sys.path.insert(0, root)
from render.pdf.ahead import _serve
_serve({parent}, {jobs}, {results})
"""


def worth_starting() -> bool:
    """Whether a process ahead saves time here: WeasyPrint not imported yet, a second core."""
    if "weasyprint" in sys.modules or not sys.executable:  # warm, or no interpreter to run
        return False
    return cores() >= 2


class PdfProcessError(RuntimeError):
    """The PDF process failed in our code or died; carries what it said."""


class PdfProcess:
    """The child process, started at once; lays out one job (:meth:`lay_out`), then ends."""

    def __init__(self) -> None:
        job_read, job_write = os.pipe()
        try:
            result_read, result_write = os.pipe()
        except OSError:
            os.close(job_read)
            os.close(job_write)
            raise
        child = _CHILD.format(
            root=str(PROGRAM_ROOT), parent=os.getpid(), jobs=job_read, results=result_write
        )
        try:
            # In a session of its own: Ctrl+C at the terminal reaches this process, which ends
            # the child (close); the child dies with it if it is killed (_die_with).
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-c", child],
                pass_fds=(job_read, result_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
        except BaseException:
            os.close(job_write)
            os.close(result_read)
            raise
        finally:
            os.close(job_read)
            os.close(result_write)
        self._jobs: BinaryIO = os.fdopen(job_write, "wb")
        self._results: BinaryIO = os.fdopen(result_read, "rb")

    def lay_out(self, job: PdfJob) -> PdfResult:
        """The job's PDF, laid out in the child; a note's problems are raised as here."""
        try:
            pickle.dump(job, self._jobs, protocol=pickle.HIGHEST_PROTOCOL)
            self._jobs.close()
            kind, value = pickle.load(self._results)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            self.close()
            code = self._process.returncode
            raise PdfProcessError(f"the PDF process ended (exit status {code}): {exc}") from None
        except BaseException:
            # The note's time is up (RenderTimeout), or the user interrupted: stop the layout.
            self.close()
            raise
        self.close()
        if kind == "unstarted":
            # WeasyPrint would not import there (a broken installation, say): laid out here,
            # the note fails or succeeds exactly as it would have without the process.
            from render.pdf.writer import PdfWriter

            return PdfWriter().lay_out(job)
        if kind == "problems":
            raise UserError(value)
        if kind == "crash":
            raise PdfProcessError(f"the PDF process failed:\n{value}")
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """End the child (killed if it is still laying out) and close the pipes; idempotent."""
        for stream in (self._jobs, self._results):
            if not stream.closed:
                stream.close()
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()


def start() -> PdfProcess | None:
    """A process started now if it is worth it here, else None: also when the machine will not
    start one (out of processes or memory), and the layout then stays in this process."""
    if not worth_starting():
        return None
    try:
        return PdfProcess()
    except OSError:
        return None


#: The process the command line started before its imports (:func:`start_early`), not yet taken.
_EARLY: list[PdfProcess] = []


def start_early() -> None:
    """Start a process now, for the build to take later (:func:`take_early`), if worth it."""
    if not _EARLY and (started := start()) is not None:
        _EARLY.append(started)


def take_early() -> PdfProcess | None:
    """The process started early, now the caller's to use and close; None if there is none."""
    return _EARLY.pop() if _EARLY else None


def discard_early() -> None:
    """End a process started early that nothing took (the note was up to date, or failed)."""
    while _EARLY:
        _EARLY.pop().close()


def _serve(parent: int, job_fd: int, result_fd: int) -> None:
    """The child: import WeasyPrint at once, then lay out the one job that comes.

    Nothing of it reaches the user's terminal: a failed import is sent back when a job comes
    (the parent then lays out in place), and said to no one if none does.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops this process itself
    _die_with(parent)
    writer, failed = None, ""
    try:
        from render.pdf.writer import PdfWriter

        writer = PdfWriter()
    except Exception:
        failed = traceback.format_exc()
    with os.fdopen(job_fd, "rb") as jobs:
        try:
            job = pickle.load(jobs)
        except EOFError:
            return  # the parent needed no PDF after all (the note failed its check)
    answer: tuple[str, Any]
    if writer is None:
        answer = ("unstarted", failed)
    else:
        try:
            answer = ("result", writer.lay_out(job))
        except UserError as exc:
            # Sent as its problems: an exception is pickled by its message alone.
            answer = ("problems", exc.problems)
        except Exception:
            answer = ("crash", traceback.format_exc())
    data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    # A parent gone meanwhile (stopped at its time limit) no longer reads: nothing to say.
    with contextlib.suppress(BrokenPipeError), os.fdopen(result_fd, "wb") as results:
        results.write(data)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent ends, however it ends (Linux): a
    parent killed mid-layout leaves no layout running past its time limit."""
    with contextlib.suppress(AttributeError, OSError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(0)


#: prctl's request: the signal this process gets when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
