"""The ``render`` entry point's guess at a one-note build, made before the command is parsed."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from render.cli import BUILD_VALUE_OPTIONS, one_note_build
from render.cli.app import app


def test_the_options_taking_a_value_are_the_build_commands() -> None:
    build = typer.main.get_command(app).commands["build"]  # type: ignore[attr-defined]
    taking = {
        name
        for param in build.params
        if param.param_type_name == "option" and not param.is_flag
        for name in param.opts
    }
    assert taking == BUILD_VALUE_OPTIONS


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "note.md"], True),
        (["build", "note.md", "-o", "out", "--today", "2026-11-01", "--force"], True),
        (["build", "-o", "note.md", "folder"], False),  # the note is the output's value
        (["build", "--output=out", "note.md", "--format=both"], True),
        (["build", "note.md", "--format", "html"], False),  # no PDF to lay out
        (["build", "note.md", "--scheduler", "tcp://x:8786"], False),  # laid out on a cluster
        (["build", "folder"], False),
        (["build", "note.md", "other.md"], False),
        (["check", "note.md"], False),
        (["build", "missing.md"], False),
        ([], False),
    ],
)
def test_a_one_note_build_is_guessed_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("note.md", "other.md"):
        (tmp_path / name).write_text("---\n---\n", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    assert one_note_build(args) is expected
