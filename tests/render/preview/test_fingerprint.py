"""Fingerprints change with every input a render reads, and only with those."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from render.fingerprints import Fingerprints
from render.preview.fingerprint import note_fingerprint
from render.settings import Settings
from tests.conftest import TODAY, edit

SETTINGS = Settings()


def test_stable_while_nothing_changes(note_file: Path, workspace: Path) -> None:
    house = workspace / "houses" / "example"
    prints = Fingerprints()
    assert note_fingerprint(prints, note_file, house, TODAY, SETTINGS) == note_fingerprint(
        prints, note_file, house, TODAY, SETTINGS
    )
    assert note_fingerprint(prints, note_file, house, TODAY, SETTINGS) == note_fingerprint(
        Fingerprints(), note_file, house, TODAY, SETTINGS
    )


def test_changes_with_the_note_its_folder_and_its_house(note_file: Path, workspace: Path) -> None:
    house = workspace / "houses" / "example"
    prints = Fingerprints()
    seen = {note_fingerprint(prints, note_file, house, TODAY, SETTINGS)}

    edit(note_file, "## 事件", "## 事件\n\n一")
    seen.add(note_fingerprint(prints, note_file, house, TODAY, SETTINGS))
    (note_file.parent / "chart.png").write_bytes(b"\x89PNG one")
    seen.add(note_fingerprint(prints, note_file, house, TODAY, SETTINGS))
    (house / "style.css").write_text("h1 { color: red; }", encoding="utf-8")
    seen.add(note_fingerprint(prints, note_file, house, TODAY, SETTINGS))
    (house / "templates").mkdir()
    (house / "templates" / "_footer.html").write_text("<footer></footer>", encoding="utf-8")
    seen.add(note_fingerprint(prints, note_file, house, TODAY, SETTINGS))
    seen.add(note_fingerprint(prints, note_file, None, TODAY, SETTINGS))
    assert len(seen) == 6


def test_an_old_mtime_put_back_is_still_a_change(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("rating: A", encoding="utf-8")
    os.utime(note, ns=(1_000_000_000, 1_000_000_000))
    prints = Fingerprints()
    first = note_fingerprint(prints, note, None, TODAY, SETTINGS)
    note.write_text("rating: B", encoding="utf-8")
    os.utime(note, ns=(1_000_000_000, 1_000_000_000))  # as `cp -p` or `touch -d` would
    assert note_fingerprint(prints, note, None, TODAY, SETTINGS) != first


def test_hidden_folders_are_not_inputs(note_file: Path) -> None:
    prints = Fingerprints()
    first = note_fingerprint(prints, note_file, None, TODAY, SETTINGS)
    (note_file.parent / ".git").mkdir()
    (note_file.parent / ".git" / "index").write_bytes(b"changes all the time")
    assert note_fingerprint(prints, note_file, None, TODAY, SETTINGS) == first


def test_the_day_is_an_input(note_file: Path) -> None:
    prints = Fingerprints()
    assert note_fingerprint(prints, note_file, None, TODAY, SETTINGS) != note_fingerprint(
        prints, note_file, None, None, SETTINGS
    )


def test_render_toml_and_the_catalogs_are_inputs(note_file: Path, tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(SETTINGS.catalogs, locale)
    settings = Settings(catalogs=locale)
    prints = Fingerprints()
    seen = {note_fingerprint(prints, note_file, None, TODAY, settings)}
    (note_file.parent / "render.toml").write_text('houses = ["houses"]\n', encoding="utf-8")
    seen.add(note_fingerprint(prints, note_file, None, TODAY, settings))
    edit(locale / "zh_CN" / "LC_MESSAGES" / "messages.po", 'msgstr "分析师"', 'msgstr "研究员"')
    seen.add(note_fingerprint(prints, note_file, None, TODAY, settings))
    assert len(seen) == 3
