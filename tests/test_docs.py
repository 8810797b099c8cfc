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


def _command_list() -> list[str]:
    """The lines of the README's command list (the first code block under "## Commands")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Commands", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("render ")]


def _workflow_calls() -> list[tuple[str, str]]:
    """Each render subcommand the example CI workflow runs, with each option it passes."""
    workflow = (ROOT / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8")
    calls = []
    for line in workflow.splitlines():
        words = line.strip().removeprefix("run:").split()
        if len(words) > 1 and words[0] == "render":
            calls += [(words[1], word) for word in words[2:] if word.startswith("-")]
    return calls


def test_the_workflow_passes_options() -> None:
    # Guards the parametrized test below from passing on an empty list.
    assert ("build", "--error-format") in _workflow_calls()


@pytest.mark.parametrize(("command", "option"), _workflow_calls())
def test_every_option_the_workflow_uses_is_in_the_readmes_command_list(
    command: str, option: str
) -> None:
    lines = [line for line in _command_list() if command in line.split()[1].split("|")]
    assert lines, f"render {command} is not in README.md's command list"
    assert any(option in line for line in lines), (
        f"the example workflow runs render {command} {option}, not in README.md's command list"
    )
