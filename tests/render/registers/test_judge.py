"""``--release``: only approved, unchanged notes outside quiet periods are written; the manifest
records who approved each and when."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from render.cli.app import app
from render.errors import EXIT_OK, EXIT_USER_ERROR
from tests.conftest import EXAMPLES, TODAY, edit


def run(*args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--today", TODAY.isoformat()])


@pytest.fixture
def here(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(workspace)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return workspace


AT = "2026-03-02T17:30:00+08:00"


def approve(here: Path) -> None:
    approved = run("approve", "notes/note.md", "--by", "wang-shuyi", "--at", AT)
    assert approved.exit_code == EXIT_OK, approved.output


def test_release_writes_an_approved_note_and_records_its_approval(here: Path) -> None:
    refused = run("build", "notes", "--release")  # the example note is a draft
    assert refused.exit_code == EXIT_USER_ERROR and "[registers.unapproved]" in refused.output
    approve(here)
    result = run("build", "notes", "--release")
    assert result.exit_code == EXIT_OK, result.output
    manifest = json.loads((here / "dist" / "manifest.json").read_text(encoding="utf-8"))
    review = manifest["notes"]["note"]["review"]
    assert review == {"status": "approved", "by": "wang-shuyi", "at": AT}


def test_release_refuses_a_draft_with_a_located_error(here: Path) -> None:
    result = run("build", "notes", "--release")
    assert result.exit_code == EXIT_USER_ERROR
    assert "notes/note.md:1:1: error: review: not released: the note is a draft" in result.output
    assert not (here / "dist" / "note.pdf").exists()
    # Without --release it is written, marked, and the manifest says it is a draft.
    assert run("build", "notes").exit_code == EXIT_OK
    manifest = json.loads((here / "dist" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notes"]["note"]["review"] == {"status": "draft", "by": None, "at": None}
    # A release build after it does not skip the draft as up to date.
    again = run("build", "notes", "--release")
    assert again.exit_code == EXIT_USER_ERROR and "[registers.unapproved]" in again.output


def test_release_refuses_a_stale_approval_at_its_review_block(here: Path) -> None:
    note = here / "notes" / "note.md"
    approve(here)
    edit(note, "技术迭代不及预期", "技术迭代不及预期。")
    result = run("check", "notes", "--release")
    assert result.exit_code == EXIT_USER_ERROR
    line = next(x for x in result.output.splitlines() if "[registers.unapproved]" in x)
    assert line.startswith("notes/note.md:25:1: error: review: not released: the note changed")
    # Without --release: a warning, and the note renders (as a draft).
    lenient = run("check", "notes")
    assert lenient.exit_code == EXIT_OK and "[registers.stale]" in lenient.output


def test_release_refuses_a_note_in_a_quiet_period_naming_the_entry(here: Path) -> None:
    note = here / "notes" / "note.md"
    shutil.copy(EXAMPLES / "2026-04-15-hengtong-upgrade.md", note)
    shutil.copytree(EXAMPLES / "figures", here / "notes" / "figures")
    # Its price file; not the data files of the notes left behind, which a build would take
    # for notes once no note names them.
    data = shutil.ignore_patterns("*.yaml", "*.json")
    shutil.copytree(EXAMPLES / "data", here / "notes" / "data", ignore=data)
    register = here / "houses" / "example" / "disclosures.yaml"
    edit(register, "  - ticker: 688777.SH\n", "  - ticker: 300999.SZ\n")
    edit(register, "start: 2026-04-01", "start: 2026-04-10")
    lenient = run("build", "notes")
    assert lenient.exit_code == EXIT_OK
    assert "warning: subject.ticker: 300999.SZ is in a quiet period" in lenient.output
    release = run("build", "notes", "--release")
    assert release.exit_code == EXIT_USER_ERROR
    assert (
        "error: subject.ticker: 300999.SZ is in a quiet period on 2026-04-15 (quiet_periods[0]"
        in (release.output)
    )
