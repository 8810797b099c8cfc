"""Files kept between processes: taken only under their key, never an error when they cannot be."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from render.load import kept
from render.load.kept import cache_folder


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own, so the user's cache is left as it was."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(kept, "_pruned", set())
    return temporary / f"render-cache-{os.getuid()}"


def test_a_value_is_taken_under_its_key_only(folder: Path) -> None:
    assert kept.read("yaml", "a.md", "text") is None
    kept.write("yaml", "a.md", "text", {"title": "x"})
    assert folder.is_dir() and oct(folder.stat().st_mode & 0o777) == "0o700"
    assert kept.read("yaml", "a.md", "text") == {"title": "x"}
    assert kept.read("yaml", "a.md", "text edited") is None
    assert kept.read("yaml", "b.md", "text") is None
    kept.write("yaml", "a.md", "text edited", {"title": "y"})  # in the same file's place
    assert [f.name[:5] for f in folder.iterdir()] == ["yaml-"]
    assert kept.read("yaml", "a.md", "text") is None
    assert kept.read("yaml", "a.md", "text edited") == {"title": "y"}


def test_a_damaged_file_is_no_value(folder: Path) -> None:
    kept.write("yaml", "a.md", "text", {"title": "x"})
    [file] = folder.iterdir()
    whole = file.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"not a pickle", b""):
        file.write_bytes(damaged)
        assert kept.read("yaml", "a.md", "text") is None


def test_no_cache_where_none_can_be_written(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(tempfile, "mkstemp", full)
        kept.write("yaml", "a.md", "text", {"title": "x"})
    assert kept.read("yaml", "a.md", "text") is None and list(folder.iterdir()) == []
    kept.write("yaml", "a.md", "text", {"deep": (lambda: None)})  # pickle cannot write it
    assert list(folder.iterdir()) == []

    # No folder can be made (the temporary folder is a file), or one is not the user's alone.
    blocked = tmp_path / "blocked"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    assert cache_folder() is None
    kept.write("yaml", "a.md", "text", {"title": "x"})
    assert kept.read("yaml", "a.md", "text") is None
    shared = tmp_path / "shared"
    (shared / f"render-cache-{os.getuid()}").mkdir(parents=True)
    (shared / f"render-cache-{os.getuid()}").chmod(0o777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    assert cache_folder() is None
    linked, target = tmp_path / "linked", tmp_path / "target"
    linked.mkdir()
    target.mkdir(mode=0o700)  # a folder fit for a cache, but reached through a link
    (linked / f"render-cache-{os.getuid()}").symlink_to(target)
    monkeypatch.setattr(tempfile, "tempdir", str(linked))
    assert cache_folder() is None


def test_files_not_written_for_a_month_are_removed(folder: Path) -> None:
    kept.write("house", "h", "k", 1)  # makes the folder; prunes houses, once
    old, recent, other = folder / "yaml-old.pickle", folder / "yaml-new.pickle", folder / "x"
    for path in (old, recent, other):
        path.write_bytes(b"")
    month = time.time() - kept.STALE_SECONDS - 60
    os.utime(old, (month, month))
    os.utime(other, (month, month))  # not a kept file: left alone
    kept.write("yaml", "a.md", "text", {"title": "x"})
    names = {f.name for f in folder.iterdir()}
    assert "yaml-old.pickle" not in names and {"yaml-new.pickle", "x"} <= names
    os.utime(recent, (month, month))
    kept.write("yaml", "b.md", "text", {"title": "x"})
    assert recent.exists(), "pruned once a process, not at every file written"
