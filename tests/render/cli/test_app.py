"""The ``render`` command line beyond ``check``: version, help, ``python -m``, and exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render import __version__
from render.cli.app import app
from render.errors import EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR
from tests.conftest import ROOT, edit

COMMANDS = ("check", "build", "verify", "doctor", "init", "schema", "preview")


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == EXIT_OK
    assert result.stdout == f"render {__version__}\n"


def test_no_arguments_shows_help_and_is_misuse() -> None:
    result = run()
    assert result.exit_code == EXIT_USAGE
    assert "Usage:" in result.output
    for command in COMMANDS:
        assert command in result.output


def test_python_dash_m_render() -> None:
    """The module entry point in its own process, as ``python -m render`` runs it."""
    version = subprocess.run(
        [sys.executable, "-m", "render", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert (version.returncode, version.stdout) == (EXIT_OK, f"render {__version__}\n")
    misuse = subprocess.run(
        [sys.executable, "-m", "render", "verify", "no-such-folder"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert misuse.returncode == EXIT_USAGE
    assert "no-such-folder: no such folder" in misuse.stderr and "Traceback" not in misuse.stderr


def test_doctor_passes_on_this_machine() -> None:
    result = run("doctor")
    assert result.exit_code == EXIT_OK, result.output
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("ok   ") for line in lines)


def test_doctor_names_a_missing_font_with_its_fix_and_exits_1(workspace: Path) -> None:
    house = workspace / "houses" / "example"
    edit(house / "house.yaml", "sans: [Noto Sans CJK SC]", "sans: [No Such Sans]")
    result = run("doctor", "--house", str(house))
    assert result.exit_code == EXIT_USER_ERROR
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == ["FAIL font 'No Such Sans' (house example): not installed"]
    after = result.stdout.splitlines()[result.stdout.splitlines().index(failed[0]) + 1]
    assert after.startswith("     fix: apt-get install ")


def test_doctor_with_a_broken_house_prints_its_located_problems(workspace: Path) -> None:
    house = workspace / "houses" / "example"
    edit(house / "house.yaml", 'code: "9901"', 'code: "99"')
    result = run("doctor", "--house", str(house))
    assert result.exit_code == EXIT_USER_ERROR
    assert "house.yaml:" in result.stderr and "a firm code of 4 digits" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["doctor", "--house", "{tmp}"],
        ["verify", "{tmp}/missing"],
        ["verify", "{file}"],
        ["build", "{tmp}/missing.md"],
        ["build", "{tmp}"],
        ["build", "--format", "docx", "{note}"],
        ["build", "--jobs", "0", "{note}"],
        ["build", "--today", "2026-13-01", "{note}"],
        ["preview", "{tmp}/missing"],
        ["preview", "--port", "http", "{tmp}"],
        ["schema", "-o", "{file}"],
        ["init", "{file}"],
        ["init", "--today", "2026-13-01", "{tmp}"],
        ["render-it", "{note}"],
    ],
    ids=lambda args: " ".join(a for a in args if "{" not in a),
)
def test_misuse_exits_2_without_a_traceback(
    tmp_path: Path, note_file: Path, args: list[str]
) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    places = {"{tmp}": str(empty), "{note}": str(note_file), "{file}": str(tmp_path / "file.txt")}
    for mark, value in places.items():
        args = [a.replace(mark, value) for a in args]
    result = run(*args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "Traceback" not in result.output


def test_a_bad_source_date_epoch_stops_the_build_before_it_starts(
    note_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    result = run("build", "-o", str(tmp_path / "out"), str(note_file))
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith("Error: SOURCE_DATE_EPOCH must be a whole number")
    assert not (tmp_path / "out").exists()


def test_schema_writes_into_the_current_folders_schemas_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # an installed render has no checkout to write into
    result = run("schema")
    assert result.exit_code == EXIT_OK, result.output
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == [
        "analysts.schema.json",
        "disclosures.schema.json",
        "house.schema.json",
        "manifest.schema.json",
        "note.schema.json",
    ]
