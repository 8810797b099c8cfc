"""``render approve``: the approval goes into the note, and nothing else of the file changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.errors import EXIT_OK, EXIT_USER_ERROR
from render.renderer import Renderer
from tests.conftest import EXAMPLES, TODAY

AT = "2026-04-16T09:30:00+08:00"


def approve(note: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["approve", str(note), "--today", TODAY.isoformat(), *options])
    return result.exit_code, result.stdout + result.stderr


def without_review(text: str) -> str:
    start = text.index("review:")
    end = text.index("\n", text.index("digest:")) + 1
    return text[:start] + text[end:]


@pytest.mark.parametrize(
    "name",
    [
        "2026-03-06-ai-training-cost.json",
        "2026-03-02-ai-training-cost.md",
        "2026-03-05-ai-training-cost.yaml",
    ],
)
def test_approval_changes_only_the_review_block(workspace: Path, name: str) -> None:
    note = workspace / "notes" / name
    shutil.copy(EXAMPLES / name, note)
    before = note.read_text(encoding="utf-8")
    status, output = approve(note, "--by", "wang-shuyi", "--at", AT)
    assert status == EXIT_OK, output
    after = note.read_text(encoding="utf-8")
    checked = Renderer(today=TODAY).check(note)
    assert checked.problems == [] and checked.verdict is not None
    review = checked.verdict.review
    assert (review.status, review.by, review.at.isoformat()) == ("approved", "wang-shuyi", AT)  # type: ignore[union-attr]
    if name.endswith(".json"):
        data = json.loads(after)
        assert data.pop("review")["by"] == "wang-shuyi"
        original = json.loads(before)
        original.pop("review", None)
        assert data == original
        assert after.startswith(before[: before.index('"analysts"')])  # formatting kept
    else:
        # Every line but the review block's is the file's own, in its place.
        assert without_review(after) == (without_review(before) if "review:" in before else before)


def test_a_crlf_file_keeps_its_line_ends(workspace: Path) -> None:
    note = workspace / "notes" / "note.md"
    text = (EXAMPLES / "2026-03-06-ai-training-cost.json").read_text("utf-8")
    note = note.with_suffix(".json")
    note.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert approve(note, "--by", "wang-shuyi", "--at", AT)[0] == EXIT_OK
    raw = note.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")


@pytest.mark.parametrize(
    ("by", "says"),
    [
        ("zhou-ruoxi", "signs the note"),
        ("gu-mingchuan", "signs the note"),  # an assistant listed on it
        ("lin-zhiyuan", "is not a reviewer"),  # an analyst, not on this note
        ("nobody", "is not a reviewer"),
    ],
)
def test_only_a_reviewer_who_does_not_sign_may_approve(
    company_note: Path, by: str, says: str
) -> None:
    before = company_note.read_bytes()
    status, output = approve(company_note, "--by", by)
    assert status == EXIT_USER_ERROR
    assert says in output and "[registers.approver]" in output
    assert company_note.read_bytes() == before


def test_a_note_with_errors_is_not_approved(note_file: Path) -> None:
    text = note_file.read_text(encoding="utf-8").replace("sac: S9901524060001", "sac: S99")
    note_file.write_text(text, encoding="utf-8")
    status, output = approve(note_file, "--by", "wang-shuyi")
    assert status == EXIT_USER_ERROR and "[schema.sac]" in output
    assert note_file.read_text(encoding="utf-8") == text


def test_a_stale_approval_is_renewed_in_place(company_note: Path) -> None:
    text = company_note.read_text(encoding="utf-8").replace("同比增长 133%", "同比增长 134%")
    company_note.write_text(text, encoding="utf-8")
    assert Renderer(today=TODAY).check(company_note).verdict.review.status == "stale"  # type: ignore[union-attr]
    status, output = approve(company_note, "--by", "wang-shuyi", "--at", AT)
    assert status == EXIT_OK, output
    assert f"approved {company_note}" in output or "approved" in output
    after = company_note.read_text(encoding="utf-8")
    assert after.count("review:") == 1 and f"at: {AT}" in after
    assert Renderer(today=TODAY).check(company_note).verdict.review.status == "approved"  # type: ignore[union-attr]


def test_a_bad_time_is_a_usage_error(company_note: Path) -> None:
    status, output = approve(company_note, "--by", "wang-shuyi", "--at", "yesterday")
    assert status == 2 and "--at" in output
