"""The worker side of batch builds: one note in, its bytes, inputs and problems out, never a raise."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import signal
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from render.batch.worker import (
    GRACE_SECONDS,
    Job,
    Lane,
    Overran,
    RenderTimeout,
    Result,
    _Beside,
    build_note,
    build_settings,
    deadline,
    local_pool,
    render_pdf,
)
from render.context.i18n import translator
from render.settings import Limits, Settings, cores
from tests.conftest import STORM, TODAY, calm, edit, emphasis_storm


def _job(note: Path, formats: tuple[str, ...] = ("html",), seconds: float = 120.0) -> Job:
    return Job(
        key=note.stem,
        path=str(note),
        display=note.name,
        root=str(note.parent.parent),
        build="test",
        formats=formats,  # type: ignore[arg-type]
        today=TODAY,
        created=None,
        strict=False,
        settings=Settings(limits=Limits(render_seconds=seconds)),
    )


def test_a_good_note_comes_back_with_its_outputs_and_inputs(note_file: Path) -> None:
    result = build_note(_job(note_file, ("pdf", "html")))
    assert result.ok and result.crash is None and result.problems == []
    assert sorted(result.outputs) == ["note.html", "note.pdf"]
    assert result.outputs["note.pdf"].startswith(b"%PDF-") and result.pages >= 2
    assert result.inputs is not None and result.inputs.note.path == "notes/note.md"
    # The catalog recorded is the one the render read: the note's locale's compiled catalog.
    locale = result.inputs.catalogs.locale
    assert list(result.inputs.catalogs.files) == [f"{locale}/LC_MESSAGES/messages.mo"]
    assert result.about["date"] == "2026-03-02"


def test_a_bad_note_comes_back_with_its_problems_and_no_outputs(note_file: Path) -> None:
    edit(note_file, "sac: S9901524060001", "sac: S99")
    result = build_note(_job(note_file))
    assert not result.ok and result.outputs == {} and result.inputs is None
    assert [p.code for p in result.problems] == ["schema.sac"]


def test_a_missing_note_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = build_note(_job(tmp_path / "gone.md"))
    assert not result.ok and result.crash is None
    assert [p.code for p in result.problems] == ["file.missing"]


def test_jobs_and_results_cross_process_boundaries(note_file: Path) -> None:
    job = _job(note_file)
    assert pickle.loads(pickle.dumps(job)) == job
    result = build_note(job)
    assert isinstance(pickle.loads(pickle.dumps(result)), Result)


def test_the_local_pool_renders_in_another_process(note_file: Path) -> None:
    import os

    with local_pool(1) as pool:
        result = pool.submit(build_note, _job(note_file)).result(timeout=120)
    assert result.ok and result.worker != os.getpid()


def test_settings_and_cores() -> None:
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert build_settings(created) == {
        "source_date_epoch": "2026-01-02T03:04:05Z",
        "pdf_variant": None,
    }
    assert build_settings(None, "none") == {"source_date_epoch": None, "pdf_variant": "none"}
    assert cores() >= 1


# -- the time limit ----------------------------------------------------------------------------


#: A timeout may land in a garbage-collection callback, where Python drops it (and raises it
#: again, see below): the Dask test leaves distributed's callback installed in this process,
#: and pytest reports the dropped one as a warning.
dropped_timeouts = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@dropped_timeouts
@pytest.mark.parametrize("where", ["main thread", "other thread"])
def test_a_deadline_stops_python_code_in_any_thread(where: str) -> None:
    caught: list[float] = []

    def run() -> None:
        started = time.monotonic()
        try:
            with deadline(0.3):
                _spin(5)
        except RenderTimeout:
            caught.append(time.monotonic() - started)
        # A block that ends in time leaves nothing behind to go off later.
        with deadline(0.2):
            pass
        _spin(0.5)

    if where == "main thread":
        run()
    else:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    assert len(caught) == 1 and 0.25 < caught[0] < 1.5, caught


class _Swallows:
    """Busy in ``__del__``, where Python drops an exception (prints it, and goes on)."""

    finished: ClassVar[list[bool]] = []

    def __del__(self) -> None:
        _spin(0.5)
        self.finished.append(True)


@dropped_timeouts
@pytest.mark.parametrize("where", ["main thread", "other thread"])
def test_a_timeout_python_drops_is_raised_again(where: str) -> None:
    caught: list[float] = []

    def run() -> None:
        started = time.monotonic()
        try:
            with deadline(0.2):
                _Swallows()  # the timeout lands in its __del__ and is dropped there
                _spin(5)
        except RenderTimeout:
            caught.append(time.monotonic() - started)

    if where == "main thread":
        run()
    else:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    # The first timeout ended __del__ early and was dropped; the next one ended the block.
    assert _Swallows.finished == []
    assert len(caught) == 1 and 0.25 < caught[0] < 2, caught


@dropped_timeouts
def test_a_note_over_its_time_limit_is_stopped_and_located(note_file: Path) -> None:
    emphasis_storm(note_file)
    started = time.monotonic()
    result = build_note(_job(note_file, ("pdf",), seconds=1))
    elapsed = time.monotonic() - started
    assert not result.ok and result.crash is None and result.outputs == {}, result
    [problem] = result.problems
    assert problem.code == "render.timeout" and problem.path == "note.md"
    assert "1 seconds" in problem.message and "[limits]" in problem.message
    assert problem.message_in(translator("zh")) == (
        "渲染超过1秒的时间上限，已停止；若报告内容无误，"
        "可在 render.toml 的 [limits] 表中调高 render_seconds"
    )
    assert elapsed < 6, elapsed  # the limit, and the check before it on a busy machine
    # The next note renders as usual (on a fresh renderer: the old one was stopped anywhere).
    calm(note_file)
    again = build_note(_job(note_file, ("pdf",), seconds=60))
    assert again.ok and again.outputs["note.pdf"].startswith(b"%PDF-"), again.problems


@dropped_timeouts
def test_the_preview_pdf_job_is_limited_too(note_file: Path) -> None:
    good = render_pdf(_job(note_file, ("pdf",)))
    assert good.ok and good.outputs["note.pdf"].startswith(b"%PDF-") and good.pages >= 2
    assert good.inputs is None  # the preview has no manifest to record
    emphasis_storm(note_file)
    slow = render_pdf(_job(note_file, ("pdf",), seconds=1))
    assert [p.code for p in slow.problems] == ["render.timeout"]


def test_a_lane_kills_a_call_that_overruns_and_starts_afresh() -> None:
    lane = Lane()
    try:
        first = lane.call(os.getpid, (), 30)
        started = time.monotonic()
        with pytest.raises(Overran):
            lane.call(time.sleep, (30,), 0.5)
        assert time.monotonic() - started < 5
        assert lane.call(os.getpid, (), 30) not in (first, os.getpid())
    finally:
        lane.close()


def test_the_pool_kills_a_worker_stuck_past_the_limit_and_goes_on(note_file: Path) -> None:
    emphasis_storm(note_file)
    good = note_file.with_name("good.md")
    good.write_text(note_file.read_text(encoding="utf-8").replace(STORM, ""), "utf-8")
    with local_pool(1) as pool:
        # The worker's alarm no longer raises, as when the render is stuck in C code where no
        # exception can land: only killing the worker stops the slow note.
        pool.submit(exec, "import signal; signal.setitimer = lambda *a: (0.0, 0.0)").result(60)
        started = time.monotonic()
        slow = pool.submit(build_note, _job(note_file, ("pdf",), seconds=1)).result(timeout=60)
        elapsed = time.monotonic() - started
        after = pool.submit(build_note, _job(good, ("pdf",))).result(timeout=120)
    assert [p.code for p in slow.problems] == ["render.timeout"]
    assert "killed" in slow.problems[0].message
    assert 1 + GRACE_SECONDS - 0.5 < elapsed < 1 + GRACE_SECONDS + 5, elapsed
    assert after.ok and after.worker != slow.worker


def test_a_dead_worker_costs_its_own_job_only(note_file: Path) -> None:
    with local_pool(1) as pool:
        pid = pool.submit(os.getpid).result(timeout=60)
        doomed = pool.submit(time.sleep, 30)
        time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(Exception, match="terminated abruptly"):
            doomed.result(timeout=30)
        result = pool.submit(build_note, _job(note_file)).result(timeout=120)
    assert result.ok and result.worker != pid


def test_a_call_beside_gives_its_value_or_raises_its_error_in_the_asking_thread() -> None:
    # The manifest's record is hashed beside the layout: its failure must not pass unseen.
    assert _Beside(sum, [1, 2, 3]).result() == 6
    with pytest.raises(ZeroDivisionError):
        _Beside(divmod, 1, 0).result()
