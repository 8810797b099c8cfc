"""Shared fixtures: the example house and note, a renderer with a fixed today, PDF readers."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

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


def emphasis_storm(note: Path, pairs: int = 3000) -> Path:
    """Give a note a paragraph of ``*_*_*_…``: quick to parse, minutes to lay out as a PDF.

    WeasyPrint's layout of it grows about with the square of its length (2,000 pairs take some
    15 seconds), so a test sets a small time limit rather than waiting for it.
    """
    return edit(note, "## 投资建议", "*_" * pairs + "\n\n## 投资建议")
