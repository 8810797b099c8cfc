"""Fingerprints change with every input a render reads, and only with those."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from render.preview.fingerprint import Fingerprints
from render.settings import Settings
from tests.conftest import TODAY, edit

TEMPLATES = Settings().templates


def test_stable_while_nothing_changes(note_file: Path, workspace: Path) -> None:
    house = workspace / "houses" / "example"
    prints = Fingerprints()
    assert prints.note(note_file, house, TODAY, TEMPLATES) == prints.note(
        note_file, house, TODAY, TEMPLATES
    )
    assert prints.note(note_file, house, TODAY, TEMPLATES) == Fingerprints().note(
        note_file, house, TODAY, TEMPLATES
    )


def test_changes_with_the_note_its_folder_and_its_house(note_file: Path, workspace: Path) -> None:
    house = workspace / "houses" / "example"
    prints = Fingerprints()
    seen = {prints.note(note_file, house, TODAY, TEMPLATES)}

    edit(note_file, "## 事件", "## 事件\n\n一")
    seen.add(prints.note(note_file, house, TODAY, TEMPLATES))
    (note_file.parent / "chart.png").write_bytes(b"\x89PNG one")
    seen.add(prints.note(note_file, house, TODAY, TEMPLATES))
    (house / "style.css").write_text("h1 { color: red; }", encoding="utf-8")
    seen.add(prints.note(note_file, house, TODAY, TEMPLATES))
    (house / "templates").mkdir()
    (house / "templates" / "_footer.html").write_text("<footer></footer>", encoding="utf-8")
    seen.add(prints.note(note_file, house, TODAY, TEMPLATES))
    seen.add(prints.note(note_file, None, TODAY, TEMPLATES))
    assert len(seen) == 6


def test_an_old_mtime_put_back_is_still_a_change(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("rating: A", encoding="utf-8")
    os.utime(note, ns=(1_000_000_000, 1_000_000_000))
    prints = Fingerprints()
    first = prints.note(note, None, TODAY, TEMPLATES)
    note.write_text("rating: B", encoding="utf-8")
    os.utime(note, ns=(1_000_000_000, 1_000_000_000))  # as `cp -p` or `touch -d` would
    assert prints.note(note, None, TODAY, TEMPLATES) != first


def test_hidden_folders_are_not_inputs(note_file: Path) -> None:
    prints = Fingerprints()
    first = prints.note(note_file, None, TODAY, TEMPLATES)
    (note_file.parent / ".git").mkdir()
    (note_file.parent / ".git" / "index").write_bytes(b"changes all the time")
    assert prints.note(note_file, None, TODAY, TEMPLATES) == first


def test_the_day_is_an_input(note_file: Path) -> None:
    prints = Fingerprints()
    assert prints.note(note_file, None, TODAY, TEMPLATES) != prints.note(
        note_file, None, None, TEMPLATES
    )


def test_the_builtin_templates_are_an_input(note_file: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    prints = Fingerprints()
    first = prints.note(note_file, None, TODAY, templates)
    assert first == prints.note(note_file, None, TODAY, TEMPLATES)
    (templates / "style.css").write_text("body { color: red; }", encoding="utf-8")
    assert prints.note(note_file, None, TODAY, templates) != first
