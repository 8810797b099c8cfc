"""The PDF process started ahead: same bytes as in place, the note's problems, time limits, ends."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from render.batch.worker import RenderTimeout, deadline
from render.errors import UserError
from render.pdf import ahead
from render.pdf.ahead import PdfProcess, PdfProcessError, worth_starting
from render.pdf.confine import Confinement
from render.pdf.job import PdfJob
from render.pdf.writer import PdfWriter
from render.renderer import Renderer
from tests.conftest import ROOT, STORM, fresh_python


def _job(folder: Path, body: str) -> PdfJob:
    html = f"<html><body>{body}</body></html>"
    return PdfJob(html, folder, Confinement(folder), "n.md", body, {})


def _ended(process: PdfProcess) -> bool:
    return process._process.poll() is not None


def test_a_note_laid_out_ahead_is_the_note_laid_out_in_place(
    renderer: Renderer, note_file: Path
) -> None:
    checked = renderer.check(note_file)
    process = PdfProcess()
    ahead = renderer.render_checked(checked, ("pdf",), pdf_stage=process)
    here = renderer.render_checked(checked, ("pdf",))
    assert ahead.pdf == here.pdf and ahead.pdf is not None
    assert (ahead.pages, ahead.problems) == (here.pages, here.problems)
    assert _ended(process)  # one job, then the process is gone


def test_the_notes_problems_come_back_located(tmp_path: Path) -> None:
    outside = tmp_path.parent / "elsewhere.png"
    job = _job(tmp_path, f'<p>One</p><img src="{outside.as_uri()}">')
    with pytest.raises(UserError) as ahead:
        PdfProcess().lay_out(job)
    with pytest.raises(UserError) as here:
        PdfWriter().lay_out(job)
    assert ahead.value.problems == here.value.problems
    assert [(p.code, p.path) for p in ahead.value.problems] == [("render.resource", "n.md")]


def test_a_layout_past_the_time_limit_is_stopped_with_its_process(tmp_path: Path) -> None:
    process = PdfProcess()
    started = time.monotonic()
    with pytest.raises(RenderTimeout), deadline(3):
        process.lay_out(_job(tmp_path, f"<p>{STORM.replace('*', '<b>').replace('_', '</b>')}</p>"))
    assert time.monotonic() - started < 20
    assert _ended(process)


def test_a_process_that_dies_is_a_failure_not_a_hang(tmp_path: Path) -> None:
    process = PdfProcess()
    process._process.kill()
    with pytest.raises(PdfProcessError, match="the PDF process ended"):
        process.lay_out(_job(tmp_path, "<p>One</p>"))


def test_a_process_never_sent_a_job_ends_when_closed() -> None:
    process = PdfProcess()
    process.close()
    process.close()  # twice is harmless
    assert _ended(process)


def test_it_is_worth_starting_only_in_a_cold_process_with_a_second_core() -> None:
    # This test session has imported WeasyPrint: a layout here is already warm.
    import weasyprint  # noqa: F401

    assert not worth_starting()
    asked = "from render.pdf.ahead import worth_starting; print(worth_starting())"
    assert fresh_python(asked) == str(len(os.sched_getaffinity(0)) >= 2)
    assert fresh_python(asked, "taskset", "-c", "0") == "False"


def test_a_process_started_early_is_taken_once_or_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead, "worth_starting", lambda: True)
    ahead.start_early()
    ahead.start_early()  # one at most
    taken = ahead.take_early()
    assert taken is not None and ahead.take_early() is None
    taken.close()
    ahead.start_early()
    [left] = ahead._EARLY
    ahead.discard_early()
    assert ahead.take_early() is None and _ended(left)


def test_a_machine_that_will_not_start_one_lays_out_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(ahead, "worth_starting", lambda: True)
    monkeypatch.setattr(ahead.subprocess, "Popen", refused)
    opened = len(os.listdir("/proc/self/fd"))
    assert ahead.start() is None
    ahead.start_early()
    assert ahead.take_early() is None
    assert len(os.listdir("/proc/self/fd")) == opened  # no pipe left open


@pytest.fixture
def broken_weasyprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Children started now find a WeasyPrint that will not import (this process keeps its own)."""
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise OSError('cannot load library pango')\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(fake.parent), str(ROOT)]))


def test_a_process_whose_weasyprint_will_not_import_hands_the_layout_back(
    broken_weasyprint: None, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    job = _job(tmp_path, "<p>One</p>")
    result = PdfProcess().lay_out(job)
    assert result.data == PdfWriter().lay_out(job).data  # laid out here instead
    unused = PdfProcess()
    time.sleep(1)  # its import has failed by now
    unused.close()
    assert capfd.readouterr().err == ""  # nothing of the child's on the user's terminal


def test_the_process_dies_with_its_parent(tmp_path: Path) -> None:
    # A parent killed mid-layout (a CI runner's timeout, the OOM killer) leaves no layout running.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import pickle\n"
            "from pathlib import Path\n"
            "from render.pdf.ahead import PdfProcess\n"
            "from tests.render.pdf.test_ahead import _job, STORM\n"
            "process = PdfProcess()\n"
            "body = (STORM * 3).replace('*', '<b>').replace('_', '</b>')\n"
            f"job = _job(Path({str(tmp_path)!r}), f'<p>{{body}}</p>')\n"
            # The job sent whole (the child has read it), then the answer awaited as lay_out does.
            "pickle.dump(job, process._jobs)\n"
            "process._jobs.close()\n"
            "print(process._process.pid, flush=True)\n"
            "process._results.read()\n",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(1)  # the child is laying out the storm now (for minutes)
    assert _running(child)
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.1)
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
