"""The README cannot drift from the command line: every command and option is documented."""

from __future__ import annotations

import dataclasses

import pytest
import typer.main

from render.cli.app import app
from render.settings import Limits
from tests.conftest import ROOT

DOCS = "\n".join(
    p.read_text(encoding="utf-8")
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
)
COMMAND = typer.main.get_command(app)
# typer ships its own copy of click, so its classes are not click's: read them by their fields.
COMMANDS = sorted(COMMAND.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"render {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (name, option)
        for name in COMMANDS
        for parameter in COMMAND.commands[name].params  # type: ignore[attr-defined]
        if parameter.param_type_name == "option"
        for option in parameter.opts
        if option.startswith("--") and option != "--help"
    ],
)
def test_every_option_is_documented(command: str, option: str) -> None:
    assert option in DOCS, f"render {command} {option} is not in README.md or docs/"


def test_readme_shows_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("limit", dataclasses.fields(Limits), ids=lambda f: f.name)
def test_every_limit_is_in_the_security_page_with_its_default(limit: dataclasses.Field) -> None:
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    row = next((line for line in page.splitlines() if line.startswith(f"| `{limit.name}` |")), "")
    assert row, f"{limit.name} is not in docs/security.md's table of limits"
    default = row.split("|")[2].split("(")[0].strip().replace(",", "")
    assert float(default) == limit.default, f"{limit.name}: the page says {default}"
