"""``render init``: a repository that checks and builds as made, refusals, and never an overwrite."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render.cli.app import app
from render.errors import EXIT_OK, EXIT_USAGE
from render.renderer import Renderer
from render.settings import Settings
from tests.conftest import ROOT, SHIPPED_HOUSES

TODAY = dt.date(2026, 11, 1)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["init", "--today", TODAY.isoformat(), *args])


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_a_new_repository_checks_clean_with_its_own_house(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    result = run(str(repo), "--house-name", "acme")
    assert result.exit_code == EXIT_OK, result.output
    assert files_in(repo) == {
        ".github/workflows/notes.yml",
        ".gitignore",
        "README.md",
        "render.toml",
        "houses/acme/analysts.yaml",
        "houses/acme/disclosures.yaml",
        "houses/acme/house.yaml",
        "houses/acme/logo.svg",
        "notes/2026-11-01-first-note.md",
        "schemas/analysts.schema.json",
        "schemas/disclosures.schema.json",
        "schemas/house.schema.json",
        "schemas/manifest.schema.json",
        "schemas/note.schema.json",
    }
    assert (repo / "houses/acme/logo.svg").read_bytes() == (
        SHIPPED_HOUSES / "example/logo.svg"
    ).read_bytes()
    # The note, dated today, names the repository's house (admitted by its render.toml), not
    # the shipped one: the firm edits the copy and the notes follow.
    note = repo / "notes/2026-11-01-first-note.md"
    checked = Renderer(today=TODAY).check(note)
    assert checked.problems == []
    assert checked.profile is not None
    assert checked.profile.folder == (repo / "houses/acme").resolve()
    assert checked.note is not None and checked.note.date == TODAY
    checked = CliRunner().invoke(app, ["check", "--today", TODAY.isoformat(), str(repo / "notes")])
    assert checked.exit_code == EXIT_OK, checked.output


def test_the_schema_comments_lead_to_the_repositorys_schemas(tmp_path: Path) -> None:
    assert run(str(tmp_path)).exit_code == EXIT_OK
    for path in (tmp_path / "houses/firm/house.yaml", tmp_path / "notes/2026-11-01-first-note.md"):
        [target] = re.findall(r"\$schema=(\S+)", path.read_text(encoding="utf-8"))
        assert (path.parent / target).resolve().is_file(), (path, target)


def test_the_workflow_is_the_example_workflow_with_this_version(tmp_path: Path) -> None:
    assert run(str(tmp_path)).exit_code == EXIT_OK
    written = (tmp_path / ".github/workflows/notes.yml").read_text(encoding="utf-8")
    example = (ROOT / "examples/ci/github-actions.yml").read_text(encoding="utf-8")

    def steps(text: str) -> str:
        return text[text.index("name: notes") :]

    from render import __version__

    assert steps(written) == steps(example).replace("0.1.0", __version__)
    assert "${{ github.sha }}" in written  # left as written: not a placeholder of ours
    uses = re.findall(r"uses: (\S+)", written)
    assert uses == [
        "actions/checkout@v6",
        "actions/setup-python@v6",
        "actions/cache@v5",
        "actions/upload-artifact@v7",
    ]


def test_a_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.exit_code == EXIT_USAGE
    assert "is not empty" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.output
    assert files_in(tmp_path) == {"notes.txt"}


def test_force_adds_what_is_missing_and_overwrites_nothing(tmp_path: Path) -> None:
    (tmp_path / "render.toml").write_text('houses = ["elsewhere"]\n', encoding="utf-8")
    (tmp_path / "houses/firm").mkdir(parents=True)
    (tmp_path / "houses/firm/house.yaml").write_text("mine: true\n", encoding="utf-8")
    result = run(str(tmp_path), "--force")
    assert result.exit_code == EXIT_OK, result.output
    assert (tmp_path / "render.toml").read_text(encoding="utf-8") == 'houses = ["elsewhere"]\n'
    assert (tmp_path / "houses/firm/house.yaml").read_text(encoding="utf-8") == "mine: true\n"
    assert "kept  " in result.stdout and "render.toml (already there)" in result.stdout
    assert (tmp_path / "houses/firm/logo.svg").is_file()
    assert (tmp_path / "notes/2026-11-01-first-note.md").is_file()


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "two words"])
def test_a_house_name_that_is_not_a_plain_name_is_refused(tmp_path: Path, name: str) -> None:
    result = run(str(tmp_path / "repo"), "--house-name", name)
    assert result.exit_code == EXIT_USAGE
    assert "--house-name" in result.stderr
    assert not (tmp_path / "repo").exists() and not (tmp_path / "escape").exists()


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "repo").write_text("", encoding="utf-8")
    result = run(str(tmp_path / "repo"))
    assert result.exit_code == EXIT_USAGE
    assert "is a file, not a folder" in result.stderr


def test_the_house_is_copied_from_the_settings_shipped_houses(tmp_path: Path) -> None:
    from render.cli.init import init

    shipped = tmp_path / "shipped"
    (shipped / "example").mkdir(parents=True)
    for name in ("house.yaml", "logo.svg"):
        (shipped / "example" / name).write_bytes((SHIPPED_HOUSES / "example" / name).read_bytes())
    (shipped / "example" / "style.css").write_text("h1 { color: #123456; }", encoding="utf-8")
    created = init(tmp_path / "repo", "firm", TODAY, settings=Settings(shipped_houses=shipped))
    assert (tmp_path / "repo/houses/firm/style.css").is_file()
    assert tmp_path / "repo/houses/firm/style.css" in created.written
