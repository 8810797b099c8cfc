"""The PDF job: plain data that crosses to another process, gathered without WeasyPrint."""

from __future__ import annotations

import contextlib
import pickle
from dataclasses import replace
from pathlib import Path

from render.renderer import Renderer
from tests.conftest import fresh_python


def test_what_a_pdf_job_is_made_of_imports_no_weasyprint() -> None:
    script = (
        "import sys, render.pdf.job, render.pdf.attachments, render.pdf.ahead\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf')))"
    )
    assert fresh_python(script) == "[]"


def test_a_notes_job_survives_the_crossing(renderer: Renderer, note_file: Path) -> None:
    jobs = []

    class Keep:
        def lay_out(self, job):  # type: ignore[no-untyped-def]
            jobs.append(job)
            raise RuntimeError("kept")

    checked = renderer.check(note_file)
    with contextlib.suppress(RuntimeError):
        renderer.render_checked(checked, ("pdf",), pdf_stage=Keep())
    (job,) = jobs
    again = pickle.loads(pickle.dumps(job))
    assert again.confinement.roots == job.confinement.roots  # the folders a render may read
    assert replace(again, confinement=job.confinement) == job
    assert again.fields["title"] == checked.note.title  # type: ignore[union-attr]
    assert again.archival is not None and again.archival.attachments
    assert again.text == note_file.read_text(encoding="utf-8")
