"""The one fingerprint service: file and folder hashes, fonts, catalogs, the program's source."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from render.fingerprints import Fingerprints, font_files, source_digest
from render.settings import Settings


def test_file_hashes_follow_the_contents(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"first")
    fingerprints = Fingerprints()
    assert fingerprints.file(path) == hashlib.sha256(b"first").hexdigest()
    path.write_bytes(b"second, longer")
    assert fingerprints.file(path) == hashlib.sha256(b"second, longer").hexdigest()
    path.unlink()
    assert fingerprints.file(path) is None


def test_a_tree_lists_every_file_but_hidden_ones_and_caches(tmp_path: Path) -> None:
    (tmp_path / "templates" / "__pycache__").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "house.yaml").write_text("a")
    (tmp_path / "templates" / "page.html").write_text("b")
    (tmp_path / "templates" / "__pycache__" / "x.pyc").write_text("c")
    (tmp_path / ".git" / "HEAD").write_text("d")
    (tmp_path / ".DS_Store").write_text("e")
    tree = Fingerprints().tree(tmp_path)
    assert list(tree) == ["house.yaml", "templates/page.html"]
    assert tree["templates/page.html"] == hashlib.sha256(b"b").hexdigest()
    assert Fingerprints().tree(tmp_path / "missing") == {}


def test_fonts_are_the_files_fontconfig_has_for_each_family() -> None:
    fingerprints = Fingerprints()
    cjk = fingerprints.fonts("Noto Sans CJK SC")
    assert sorted(cjk) == ["NotoSansCJK-Bold.ttc", "NotoSansCJK-Regular.ttc"]
    assert all(value and len(value) == 64 for value in cjk.values())
    # A generic family, or one that is not installed, is the one file fontconfig puts instead.
    assert len(fingerprints.fonts("sans-serif")) == 1
    assert len(fingerprints.fonts("No Such Font Pro")) == 1


def test_the_program_includes_a_digest_of_its_source() -> None:
    program = Fingerprints().program()
    assert len(program["source"]) == 64 and program["version"]
    # The same source gives the same digest in every process, so builds stay reproducible.
    assert Fingerprints().program()["source"] == program["source"]


def test_font_files_with_spaces_in_their_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    listing = "/fonts/Noto Sans CJK/NotoSansCJK-Regular.ttc\n/fonts/NotoSans-Bold.ttf\n"
    monkeypatch.setattr(
        "subprocess.run",
        lambda command, **kwargs: subprocess.CompletedProcess(command, 0, stdout=listing),
    )
    assert font_files("Noto Sans") == [
        Path("/fonts/Noto Sans CJK/NotoSansCJK-Regular.ttc"),
        Path("/fonts/NotoSans-Bold.ttf"),
    ]


def test_no_pipe_or_device_is_ever_opened_for_a_hash(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")  # opening it would wait for a writer for ever
    (tmp_path / "zero").symlink_to("/dev/zero")  # reading it would never end
    (tmp_path / "real").write_bytes(b"x")
    fingerprints = Fingerprints()
    started = time.perf_counter()
    assert fingerprints.file(tmp_path / "pipe") is None
    assert fingerprints.file(tmp_path / "zero") is None
    assert fingerprints.file(Path("/dev/zero")) is None
    assert fingerprints.tree(tmp_path) == {
        "pipe": None,
        "real": hashlib.sha256(b"x").hexdigest(),
        "zero": None,
    }
    assert time.perf_counter() - started < 1


def test_an_old_mtime_put_back_on_the_same_size_is_still_a_change(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"rating: A")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    fingerprints = Fingerprints()
    first = fingerprints.file(path)
    path.write_bytes(b"rating: B")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # as `cp -p` or `touch -d` would
    assert fingerprints.file(path) == hashlib.sha256(b"rating: B").hexdigest() != first


def test_the_source_digest_follows_the_contents_of_the_source(tmp_path: Path) -> None:
    for package in ("render", "schemas"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text('"""A package."""\n')
    (tmp_path / "render" / "stage.py").write_text("LIMIT = 1\n")
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    (tmp_path / "render" / "stage.py").write_text("LIMIT = 2\n")  # the same name and size
    assert source_digest(tmp_path) != first
    (tmp_path / "render" / "notes.txt").write_text("not source")
    assert source_digest(tmp_path) == source_digest(tmp_path)


def test_the_catalogs_are_the_files_a_render_reads(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(Settings().catalogs, locale)
    mo = locale / "zh_CN" / "LC_MESSAGES" / "messages.mo"
    po = mo.with_suffix(".po")
    os.utime(po, ns=(1_000_000_000, 1_000_000_000))
    fingerprints = Fingerprints()
    assert fingerprints.catalogs(locale, ["zh_CN"]) == {
        "zh_CN/LC_MESSAGES/messages.mo": hashlib.sha256(mo.read_bytes()).hexdigest()
    }
    assert sorted(fingerprints.catalogs(locale)) == [
        "en_US/LC_MESSAGES/messages.mo",
        "zh_CN/LC_MESSAGES/messages.mo",
    ]
    # A .po edited since it was compiled is the one read (compiled in memory), and recorded.
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(po, ns=(time.time_ns(), time.time_ns()))
    os.utime(mo, ns=(1_000_000_000, 1_000_000_000))
    assert list(fingerprints.catalogs(locale, ["zh_CN"])) == ["zh_CN/LC_MESSAGES/messages.po"]
    assert fingerprints.catalogs(locale, ["xx_XX"]) == {}
