"""What an archival PDF carries: the source first, each data file once, the resolved note last."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from render.pdf.attachments import NOTE_JSON, attachments, resolved_note
from render.pdf.job import Attached
from render.renderer import Renderer
from tests.conftest import edit

FIGURES = Path(__file__).resolve().parents[3] / "examples" / "notes" / "figures"


def test_the_note_its_figures_once_each_and_its_facts(renderer: Renderer, note_file: Path) -> None:
    shutil.copytree(FIGURES, note_file.parent / "figures")
    figure = "![图 1：营业收入](figures/2026-04-revenue.svg)\n\n资料来源：公司公告\n\n"
    # The same figure twice is one attachment.
    edit(note_file, "## 投资建议", figure + figure.replace("图 1", "图 2") + "## 投资建议")
    checked = renderer.check(note_file)
    assert checked.note is not None and checked.profile is not None, checked.problems
    found = attachments(checked.note, checked.profile, note_file)
    assert [(a.name, a.relationship) for a in found] == [
        ("note.md", "Source"),
        ("figures/2026-04-revenue.svg", "Data"),
        (NOTE_JSON, "Data"),
    ]
    assert found[0].data == note_file.read_bytes()
    assert found[1].data == (FIGURES / "2026-04-revenue.svg").read_bytes()
    facts = json.loads(found[2].data)
    assert facts == resolved_note(checked.note, checked.profile)
    assert facts["title"] == checked.note.title and facts["analysts"]


def test_media_types_are_fixed_not_the_machines() -> None:
    assert Attached("data/x.csv", b"", "Data", "").mime == "text/csv"
    assert Attached("n.md", b"", "Source", "").mime == "text/markdown"
    assert Attached("x.unknown", b"", "Data", "").mime == "application/octet-stream"
