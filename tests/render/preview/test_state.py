"""The preview's per-note state: last good render kept, problems as `render check` prints them."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.preview.state import Notes, PdfEntry, PdfTask
from render.renderer import Renderer
from render.settings import Limits, Settings
from tests.conftest import EXAMPLES, TODAY, calm, edit, emphasis_storm

BAD_RATING = ("value: 超配", "value: 超超配")


@pytest.fixture
def notes(note_file: Path) -> Notes:
    notes = Notes(note_file.parent, today=TODAY)
    notes.scan()
    return notes


def test_scan_finds_notes_and_reports_what_came_and_went(notes: Notes, note_file: Path) -> None:
    assert list(notes.views) == ["note.md"]
    (note_file.parent / "sub").mkdir()
    (note_file.parent / "sub" / "second.yaml").write_text("title: x\n", encoding="utf-8")
    assert notes.scan() == (["sub/second.yaml"], [])
    note_file.unlink()
    assert notes.scan() == ([], ["note.md"])
    assert list(notes.views) == ["sub/second.yaml"]


def test_a_link_out_of_the_folder_is_not_a_note(notes: Notes, workspace: Path) -> None:
    outside = workspace / "outside.md"
    outside.write_text("---\ntitle: not here\n---\n", encoding="utf-8")
    (workspace / "notes" / "link.md").symlink_to(outside)
    assert notes.scan() == ([], [])


def test_refresh_renders_once_per_change(notes: Notes, note_file: Path) -> None:
    assert notes.refresh("note.md") is True
    view = notes.views["note.md"]
    assert view.state["status"] == "valid"
    assert view.page is not None and view.page[0] == 1
    assert view.state["title"].startswith("新一代训练框架")
    assert (view.state["date"], view.state["rating"]) == ("2026-03-02", "超配")
    assert notes.refresh("note.md") is False

    edit(note_file, "技术迭代不及预期", "技术路线变化")
    assert notes.refresh("note.md") is True
    assert view.page[0] == 2 and "技术路线变化" in view.page[1]


def test_the_html_is_what_render_build_writes(notes: Notes, note_file: Path) -> None:
    notes.refresh("note.md")
    built = Renderer(today=TODAY).render(note_file, ("html",)).html
    assert notes.views["note.md"].page == (1, built)


def test_a_broken_save_keeps_the_last_good_page(notes: Notes, note_file: Path) -> None:
    notes.refresh("note.md")
    view = notes.views["note.md"]
    good = view.page
    edit(note_file, *BAD_RATING)
    assert notes.refresh("note.md") is True
    assert view.page == good
    assert view.state["status"] == "errors"
    assert view.state["version"] == 1
    [problem] = view.state["problems"]
    assert problem["line"] == 13 and problem["field"] == "rating.value"

    edit(note_file, *reversed(BAD_RATING))
    assert notes.refresh("note.md") is True
    assert view.state["status"] == "valid" and view.state["problems"] == []
    assert view.page == good  # the same render: nothing to reload


def test_problems_read_exactly_as_render_check_prints_them(notes: Notes, note_file: Path) -> None:
    edit(note_file, *BAD_RATING)
    edit(note_file, "sac: S9901524060001", "sac: S99")
    notes.refresh("note.md")
    shown = [p["text"] for p in notes.views["note.md"].state["problems"]]
    assert len(shown) == 2
    result = CliRunner().invoke(app, ["check", str(note_file), "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    printed = result.output.splitlines()
    assert all(line in printed for line in shown), (shown, printed)


def test_a_note_that_does_not_parse_keeps_its_title(notes: Notes, note_file: Path) -> None:
    notes.refresh("note.md")
    edit(note_file, "subject:\n", "subject: [\n")
    notes.refresh("note.md")
    state = notes.views["note.md"].state
    assert state["status"] == "errors"
    assert state["problems"][0]["line"] > 0
    assert state["title"].startswith("新一代训练框架")


def test_pdf_is_cached_by_content(notes: Notes, note_file: Path) -> None:
    first = notes.pdf("note.md")
    assert isinstance(first, PdfEntry)
    assert first.data.startswith(b"%PDF") and first.pages >= 2
    assert notes.pdf("note.md") is first
    assert notes.views["note.md"].state["pdf"] == first.fingerprint

    edit(note_file, "技术迭代不及预期", "技术路线变化")
    second = notes.pdf("note.md")
    assert isinstance(second, PdfEntry) and second.fingerprint != first.fingerprint

    edit(note_file, *BAD_RATING)
    problems = notes.pdf("note.md")
    assert isinstance(problems, list) and [p.code for p in problems] == ["schema.rating"]
    assert notes.views["note.md"].state["pdf"] is None


def test_a_broken_house_template_is_a_located_problem(notes: Notes, workspace: Path) -> None:
    notes.refresh("note.md")
    templates = workspace / "houses" / "example" / "templates"
    templates.mkdir()
    footer = templates / "_footer.html"
    footer.write_text("<footer>\n{% if %}\n</footer>\n", encoding="utf-8")
    assert notes.refresh("note.md") is True
    view = notes.views["note.md"]
    [problem] = view.state["problems"]
    assert problem["code"] == "render.template"
    assert problem["path"].endswith("templates/_footer.html") and problem["line"] == 2
    assert view.page is not None and view.page[0] == 1

    footer.write_text('<footer class="house-footer">ours</footer>\n', encoding="utf-8")
    assert notes.refresh("note.md") is True
    assert view.state["status"] == "valid"
    assert '<footer class="house-footer">ours</footer>' in view.page[1]


def test_a_house_that_appears_later_is_found(notes: Notes, workspace: Path) -> None:
    house = workspace / "houses" / "example"
    moved = workspace / "elsewhere"
    house.rename(moved)
    # By path: by name, the shipped house of the same name would take its place.
    edit(workspace / "notes" / "note.md", "house: example", "house: ../houses/example")
    notes.refresh("note.md")
    view = notes.views["note.md"]
    assert [p["code"] for p in view.state["problems"]] == ["house.not_found"]
    moved.rename(house)
    assert notes.refresh("note.md") is True
    assert view.state["status"] == "valid"


def test_an_error_only_the_pdf_finds_joins_the_problems(notes: Notes, workspace: Path) -> None:
    templates = workspace / "houses" / "example" / "templates"
    templates.mkdir()
    (templates / "_footer.html").write_text(
        # Written as an expression: a literal src in a house template is checked with the HTML.
        '<footer><img src="{{ "https://example.com/tracker.png" }}"></footer>\n',
        encoding="utf-8",
    )
    notes.refresh("note.md")
    assert notes.views["note.md"].state["status"] == "valid"  # the HTML fetches nothing
    problems = notes.pdf("note.md")
    assert isinstance(problems, list) and [p.code for p in problems] == ["render.resource"]
    assert "example.com" in problems[0].message
    state = notes.views["note.md"].state
    assert state["status"] == "errors" and state["pdf"] is None
    assert notes.pdf("note.md") == problems


def test_an_edit_of_render_toml_is_seen(notes: Notes, workspace: Path) -> None:
    # render.toml is above the served folder: not a file of the note's folder or its house.
    edit(workspace / "notes" / "note.md", "house: example", "house: ../houses/example")
    notes.refresh("note.md")
    view = notes.views["note.md"]
    assert view.state["status"] == "valid"
    assert notes.refresh("note.md") is False
    (workspace / "render.toml").write_text("houses = []\n", encoding="utf-8")
    assert notes.refresh("note.md") is True
    assert [p["code"] for p in view.state["problems"]] == ["house.not_admitted"]
    (workspace / "render.toml").write_text("houses = [\n", encoding="utf-8")
    assert notes.refresh("note.md") is True
    assert [p["code"] for p in view.state["problems"]] == ["render.project_config"]
    (workspace / "render.toml").write_text('houses = ["houses"]\n', encoding="utf-8")
    assert notes.refresh("note.md") is True
    assert view.state["status"] == "valid"


def test_settings_reach_the_renderer(note_file: Path, workspace: Path) -> None:
    (workspace / "render.toml").unlink()
    edit(note_file, "house: example", "house: ../houses/example")
    plain = Notes(note_file.parent, today=TODAY)
    plain.scan()
    plain.refresh("note.md")
    assert plain.views["note.md"].state["status"] == "errors"
    admitted = Notes(
        note_file.parent, today=TODAY, settings=Settings(house_paths=(workspace / "houses",))
    )
    admitted.scan()
    admitted.refresh("note.md")
    assert admitted.views["note.md"].state["status"] == "valid"


# A timeout may land in a gc callback (distributed's, if the Dask test ran first) and be
# dropped there, then raised again; pytest would report the dropped one.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_pdf_over_the_time_limit_is_the_notes_problem_until_it_changes(
    note_file: Path,
) -> None:
    emphasis_storm(note_file)
    # Time for the storm's check and HTML (forty thousand inline boxes: seconds on a busy
    # machine) and far below its layout's minutes.
    limit = 15
    notes = Notes(note_file.parent, TODAY, settings=Settings(limits=Limits(render_seconds=limit)))
    notes.scan()
    notes.refresh("note.md")
    assert notes.views["note.md"].state["status"] == "valid"  # the HTML is quick
    started = time.monotonic()
    problems = notes.pdf("note.md")
    assert time.monotonic() - started < limit + 10
    assert isinstance(problems, list) and [p.code for p in problems] == ["render.timeout"]
    state = notes.views["note.md"].state
    assert state["status"] == "errors" and state["problems"][0]["code"] == "render.timeout"
    assert state["problems"][0]["path"] == str(note_file)
    # Not laid out again for every request: the same inputs give the same answer at once.
    started = time.monotonic()
    assert notes.pdf("note.md") == problems
    assert time.monotonic() - started < 0.5
    calm(note_file)
    assert isinstance(notes.pdf_task("note.md"), PdfTask)  # rendered again once it changes


# A timeout may land in a gc callback (distributed's, if the Dask test ran first) and be
# dropped there, then raised again; pytest would report the dropped one.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_checking_and_the_html_are_under_the_time_limit_too(note_file: Path) -> None:
    # A limit no check can meet stands for a note whose HTML would take too long.
    notes = Notes(note_file.parent, TODAY, settings=Settings(limits=Limits(render_seconds=0.001)))
    notes.scan()
    notes.refresh("note.md")
    state = notes.views["note.md"].state
    assert [p["code"] for p in state["problems"]] == ["render.timeout"]
    assert state["status"] == "errors"


HENGTONG = ("2025-10-20-hengtong-initiation.md", "2026-01-22-hengtong-annual-preview.md")
UPGRADE = "2026-04-15-hengtong-upgrade.md"


@pytest.fixture
def company(workspace: Path) -> Notes:
    """The example company's three approved notes (with the figures and prices they show)."""
    folder = workspace / "notes"
    for name in ("figures", "data"):
        shutil.copytree(EXAMPLES / name, folder / name)
    for name in (*HENGTONG, UPGRADE):
        shutil.copy(EXAMPLES / name, folder / name)
    notes = Notes(folder, today=TODAY)
    notes.scan()
    return notes


def test_the_state_shows_the_review_the_disclosures_and_the_earlier_notes(
    company: Notes, workspace: Path
) -> None:
    assert company.refresh(UPGRADE) is True
    state = company.views[UPGRADE].state
    assert state["review"] == {
        "status": "approved",
        "by": "王书仪",
        "at": "2026-04-15T16:20:00+08:00",
    }
    assert state["disclosures"]["heading"] == "重要关系披露"
    assert len(state["disclosures"]["sentences"]) == 2
    assert [e["note"] for e in state["earlier"]] == list(reversed(HENGTONG))
    assert company.refresh("note.md") is True
    draft = company.views["note.md"].state
    assert draft["review"]["status"] == "draft"
    assert draft["disclosures"] is None  # an industry note carries none
    assert [e["note"] for e in draft["earlier"]] == []


def test_the_state_follows_the_register_the_roster_and_an_earlier_note(
    company: Notes, workspace: Path
) -> None:
    company.refresh(UPGRADE)
    house = workspace / "houses" / "example"
    # The register: the sponsor role is now another company's.
    edit(
        house / "disclosures.yaml",
        "  - ticker: 300999.SZ\n    role:",
        "  - ticker: 300111.SZ\n    role:",
    )
    assert company.refresh(UPGRADE) is True
    view = company.views[UPGRADE]
    assert len(view.state["disclosures"]["sentences"]) == 1
    assert view.page is not None and "保荐机构" not in view.page[1]
    # The roster: the reviewer's name.
    edit(house / "analysts.yaml", "zh_CN: 王书仪", "zh_CN: 王书怡")
    assert company.refresh(UPGRADE) is True
    assert view.state["review"]["by"] == "王书怡"
    # An earlier note back to a draft: no longer history, nor a related report.
    edit(workspace / "notes" / HENGTONG[1], "status: approved", "status: draft")
    assert company.refresh(UPGRADE) is True
    assert [e["note"] for e in view.state["earlier"]] == [HENGTONG[0]]
    assert view.page is not None and "annual-preview.html" not in view.page[1]
    assert company.refresh(UPGRADE) is False


def test_an_earlier_note_in_another_folder_and_its_files_refresh_the_later_one(
    workspace: Path,
) -> None:
    from render.registers.approve import approve
    from tests.render.registers.test_history import PREVIEW, UPGRADE, nested_record

    later = nested_record(workspace / "notes")
    preview = Notes(workspace / "notes", today=TODAY)
    preview.scan()
    rel = f"2026q2/{later.name}"

    def earlier() -> list[str]:
        return [e["note"] for e in preview.views[rel].state["earlier"]]

    preview.refresh(rel)
    assert earlier()[0] == f"2026q1/{UPGRADE}"
    assert preview.is_current(rel) and not preview.refresh(rel)
    # The upgrade's price file (its digest covers it) changed: its approval is stale now.
    prices = workspace / "notes" / "2026q1" / "data" / "hengtong-prices.csv"
    before = prices.read_bytes()
    edit(prices, "37.62", "30.62")
    assert not preview.is_current(rel) and preview.refresh(rel)
    assert f"2026q1/{UPGRADE}" not in earlier()
    prices.write_bytes(before)
    assert preview.refresh(rel) and earlier()[0] == f"2026q1/{UPGRADE}"
    # Its approval undone (the note itself changed) also counts.
    edit(workspace / "notes" / "2026q1" / UPGRADE, "status: approved", "status: draft")
    assert preview.refresh(rel) and f"2026q1/{UPGRADE}" not in earlier()
    # A new earlier note there, approved: the record changed.
    newer = workspace / "notes" / "2026q1" / "2026-04-20-hengtong-copy.md"
    shutil.copy(EXAMPLES / PREVIEW, newer)
    edit(newer, "date: 2026-01-22", "date: 2026-04-20")
    edit(newer, "date: 2026-01-21", "date: 2026-04-17")  # a price of its week (data.price_age)
    approve(Renderer(today=TODAY), newer, newer.name, "wang-shuyi", dt.datetime.now(dt.UTC))
    preview.scan()
    assert preview.refresh(rel) and earlier()[0] == f"2026q1/{newer.name}"
