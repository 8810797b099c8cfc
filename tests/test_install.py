"""Render as a user gets it: a wheel, installed in a fresh virtual environment outside the
checkout, makes a notes repository with ``render init`` and renders it with ``render build``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.pdftools import page_texts

pytestmark = pytest.mark.install

#: What the checkout holds that a wheel must not be built from: caches, outputs, a stale
#: ``build/`` (setuptools copies into it and never removes), compiled catalogs (the wheel ships
#: the ``.po``, so the ``.po`` path is what this test runs).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", ".make", "build", "dist", "*.egg-info", "__pycache__", "*.mo", ".*_cache",
    ".hypothesis",
)  # fmt: skip
#: Files the wheel must carry, one of each kind of data render reads.
DATA = (
    "render/templates/base.html",
    "render/templates/style.css",
    "render/houses/example/house.yaml",
    "render/houses/example/logo.svg",
    "render/locale/zh_CN/LC_MESSAGES/messages.po",
    "render/cli/scaffold/notes.yml",
    "schemas/note.schema.json",
)


def run(command: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    # No PYTHONPATH: the checkout must not be importable, only what the wheel installed.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh virtual environment with the wheel of this checkout."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", base / "wheel", source],
        base,
    )
    [wheel] = (base / "wheel").glob("research_notes-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in DATA if name not in names] == []
    # Not --system-site-packages: the environment has render's dependencies and nothing else.
    run([sys.executable, "-m", "venv", base / "venv"], base)
    bin_folder = base / "venv" / "bin"
    run([bin_folder / "python", "-m", "pip", "install", "-q", wheel], base)
    return bin_folder


def test_the_installed_render_inits_and_builds_a_note_from_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    where = run([installed / "python", "-c", "import render; print(render.__file__)"], tmp_path)
    assert Path(where.strip()).is_relative_to(installed.parent), where
    repo = tmp_path / "notes-repo"
    repo.mkdir()
    run([installed / "render", "init"], repo)
    [note] = (repo / "notes").glob("*-first-note.md")
    run([installed / "render", "check", "notes"], repo)
    run([installed / "render", "build", "notes"], repo)
    text = "\n".join(page_texts((repo / "dist" / f"{note.stem}.pdf").read_bytes(), layout=False))
    assert "A first note, ready to replace with" in text
    assert "Chengchuan Securities" in text  # from the house the repository holds
    assert "Analysts" in text  # a label from the built-in templates and the catalog
    # The Chinese edition: its labels exist only in the zh_CN catalog the wheel carries.
    note.write_text(
        note.read_text(encoding="utf-8").replace("locale: en_US", "locale: zh_CN"), "utf-8"
    )
    run([installed / "render", "build", "notes", "-o", "zh"], repo)
    text = "\n".join(page_texts((repo / "zh" / f"{note.stem}.pdf").read_bytes(), layout=False))
    assert "分析师" in text
