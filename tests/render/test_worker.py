"""The worker side of batch builds: one note in, its bytes, inputs and problems out, never a raise."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

from render.worker import Job, Result, build_note, build_settings, cores, local_pool
from tests.conftest import TODAY, edit


def _job(note: Path, formats: tuple[str, ...] = ("html",)) -> Job:
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
    )


def test_a_good_note_comes_back_with_its_outputs_and_inputs(note_file: Path) -> None:
    result = build_note(_job(note_file, ("pdf", "html")))
    assert result.ok and result.crash is None and result.problems == []
    assert sorted(result.outputs) == ["note.html", "note.pdf"]
    assert result.outputs["note.pdf"].startswith(b"%PDF-") and result.pages >= 2
    assert result.inputs is not None and result.inputs["note"]["path"] == "notes/note.md"
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
    assert build_settings(created) == {"source_date_epoch": "2026-01-02T03:04:05Z"}
    assert build_settings(None) == {"source_date_epoch": None}
    assert cores() >= 1
