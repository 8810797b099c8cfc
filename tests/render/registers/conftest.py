"""Fixtures of the registers' tests: a workspace whose house keeps a roster and a register."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

HENGTONG = EXAMPLES / "2026-04-15-hengtong-upgrade.md"


@pytest.fixture
def company_note(workspace: Path) -> Path:
    """The example company note (approved, with a figure and a price file) in the workspace's notes folder."""
    notes = workspace / "notes"
    shutil.copytree(EXAMPLES / "figures", notes / "figures")
    shutil.copytree(EXAMPLES / "data", notes / "data")  # its price file
    target = notes / HENGTONG.name
    shutil.copy(HENGTONG, target)
    return target
