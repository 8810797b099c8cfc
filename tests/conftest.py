"""Shared fixtures: the example house and note, a renderer with a fixed today, PDF readers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from render.load.kept import private_folder
from render.renderer import Renderer
from render.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "notes"
#: The shipped example house, where render finds it (the package data, or the checkout).
SHIPPED_HOUSES = Settings().shipped_houses
EXAMPLE_HOUSE = SHIPPED_HOUSES / "example"
EXAMPLE_NOTE = EXAMPLES / "2026-03-02-ai-training-cost.md"
TODAY = dt.date(2026, 11, 1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files of the broken-note corpus instead of comparing with them.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Give the tests a temporary folder of their own, for this process and the commands it runs.

    What render keeps between runs (validated houses, read YAML: ``render/load/kept.py``) goes to
    the temporary folder; keyed by each test's own folder, it would otherwise leave thousands of
    entries in the user's ``/tmp/render-cache-UID`` at every run. Here the previous session's are
    removed as this one starts (set before collection, which reads notes too). pytest's own
    folders go there as well and keep pytest's retention of the last three sessions; nothing is
    removed at exit, where the build's worker pool is still cleaning up after itself.
    """
    folder = private_folder(Path(tempfile.gettempdir()) / f"render-tests-{os.getuid()}")
    if folder is None:
        return  # not a folder of ours: the system's, as before
    shutil.rmtree(folder / f"render-cache-{os.getuid()}", ignore_errors=True)
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are rewritten (``--update-golden``) rather than compared."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    """One warm renderer for the session, as the batch builder and preview server keep one."""
    return Renderer(today=TODAY)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder with a copy of the example note and house, laid out as in ``examples/``.

    Its ``render.toml`` admits ``houses/``, so the note's ``house: example`` is the copy (an
    admitted folder's house comes before the shipped one of the same name).
    """
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copytree(EXAMPLE_HOUSE, tmp_path / "houses" / "example")
    shutil.copy(EXAMPLES.parent / "render.toml", tmp_path / "render.toml")
    shutil.copy(EXAMPLE_NOTE, notes / "note.md")
    return tmp_path


@pytest.fixture
def note_file(workspace: Path) -> Path:
    return workspace / "notes" / "note.md"


def edit(path: Path, old: str, new: str) -> Path:
    """Replace text in a file, failing loudly if the text is not there (so tests cannot rot)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


STORM = "*_" * 20_000
"""A paragraph of ``*_*_*_…``: quick to parse, many minutes to lay out as a PDF anywhere.

WeasyPrint's layout of it grows faster than the square of its length (on a two-core machine
5,000 pairs took 16 seconds, 10,000 more than 100), so 20,000 stays far above every time limit a
test sets, however fast the machine: a test that needs a note "too slow to render" must not
depend on how slow the machine is.
"""


def emphasis_storm(note: Path) -> Path:
    """Give a note the storm paragraph before its 投资建议 section (see ``STORM``)."""
    return edit(note, "## 投资建议", STORM + "\n\n## 投资建议")


def calm(note: Path) -> Path:
    """Take the storm paragraph out of a note again."""
    return edit(note, STORM, "")


def fresh_python(code: str, *before: str) -> str:
    """What ``code`` prints in a fresh interpreter importing this checkout (``before``: a command
    to run it under, as ``taskset -c 0``); fails the test if it fails."""
    done = subprocess.run(
        [*before, sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def assert_stale_until_restored(
    renderer: Renderer, note: Path, file: Path, old: str, new: str
) -> None:
    """An approved note's approval goes stale when ``file`` (a file its digest covers) has
    ``old`` replaced by ``new``, and holds again once the file is restored byte for byte (the
    digest is of content, not of time)."""
    assert renderer.check(note).verdict.review.status == "approved"  # type: ignore[union-attr]
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    checked = renderer.check(note)
    assert checked.verdict is not None and checked.verdict.review.status == "stale"
    file.write_text(text, encoding="utf-8")
    assert renderer.check(note).verdict.review.status == "approved"  # type: ignore[union-attr]
