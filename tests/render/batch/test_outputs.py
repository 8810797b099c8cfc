"""Atomic writes (old file or new, never half of one, no litter) and SOURCE_DATE_EPOCH."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from render.batch.outputs import source_date_epoch, write_atomic
from render.errors import UsageError


def test_writes_into_new_folders_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "note.pdf"
    write_atomic(target, b"%PDF-1.7")
    assert target.read_bytes() == b"%PDF-1.7"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["note.pdf"]


def test_replaces_by_rename_so_a_reader_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "note.html"
    target.write_bytes(b"old")
    with target.open("rb") as reader:
        before = os.fstat(reader.fileno()).st_ino
        write_atomic(target, b"new")
        # An open reader still sees the whole old file: the new one is a different inode.
        assert reader.read() == b"old"
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino != before


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "note.pdf"
    target.write_bytes(b"old")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.pdf"]


def test_an_interrupt_leaves_no_temporary_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "note.pdf", b"new")
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_is_hidden_beside_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str]] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append((src, dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomic(tmp_path / "note.pdf", b"x")
    ((src, dst),) = seen
    assert Path(src).parent == tmp_path and Path(src).name.startswith(".note.pdf.")
    assert src.endswith(".part") and Path(dst) == tmp_path / "note.pdf"


def test_source_date_epoch_whitespace_and_empty() -> None:
    assert source_date_epoch({"SOURCE_DATE_EPOCH": " 0 \n"}) == dt.datetime(
        1970, 1, 1, tzinfo=dt.UTC
    )
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "  "}) is None


@pytest.mark.parametrize("value", ["yesterday", "1.5", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_misuse(value: str) -> None:
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH must be a whole number"):
        source_date_epoch({"SOURCE_DATE_EPOCH": value})
