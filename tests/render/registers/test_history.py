"""History from the notes themselves: previous rating, related reports, the rating history."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from render import renderer as renderer_module
from render.batch.build import BuildOptions, InProcess, build, plan
from render.batch.manifest import Manifest
from render.registers.approve import approve
from render.registers.history import Record, may_feed
from render.renderer import Renderer
from render.settings import Limits
from tests.conftest import EXAMPLES, TODAY, edit

INITIATION = "2025-10-20-hengtong-initiation.md"
PREVIEW = "2026-01-22-hengtong-annual-preview.md"
UPGRADE = "2026-04-15-hengtong-upgrade.md"


@pytest.fixture
def notes(company_note: Path) -> Path:
    """The example company's three approved notes (2025-10-20, 2026-01-22, 2026-04-15) in
    the workspace's notes folder, beside an industry note on another subject."""
    folder = company_note.parent
    for name in (INITIATION, PREVIEW):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def link_targets(pdf: bytes) -> list[str]:
    """Every URI a PDF's link annotations open."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


def codes(renderer: Renderer, path: Path) -> list[str]:
    return [p.code for p in renderer.check(path).problems]


def test_history_from_three_dated_notes(notes: Path, tmp_path: Path) -> None:
    renderer = Renderer(today=TODAY)
    rendered = renderer.render(notes / UPGRADE, ("pdf",))
    history = rendered.checked.history
    assert history is not None
    assert [e.path.name for e in history.earlier] == [INITIATION, PREVIEW]
    assert history.latest is not None and history.latest.rating is not None
    assert history.latest.rating.code == "outperform"
    assert rendered.problems == [] and rendered.checked.problems == []
    html = rendered.html
    # The previous rating is the record's (the note writes none): 增持 to 买入 is an upgrade.
    assert "买入（上调）" in html
    # Related reports, newest first, each linked to the HTML file a build writes it to.
    first = html.index('href="2026-01-22-hengtong-annual-preview.html"')
    assert first < html.index('href="2025-10-20-hengtong-initiation.html"')
    text = pdf_text(rendered.pdf or b"", tmp_path)
    page_one = text.split("\f")[0]
    assert "相关报告" in page_one
    assert "全年业绩预告超预期，维持增持评级" in page_one
    assert "先进封装订单饱满，新产线建设推进顺利" in page_one
    # The rating and target-price history: both earlier notes, then this one.
    assert "评级与目标价历史" in text
    rows = [line.split() for line in text.splitlines() if line.strip()[:4] in ("2025", "2026")]
    assert ["2025-10-20", "增持", "41.00"] in rows
    assert ["2026-01-22", "增持", "48.00"] in rows
    assert ["2026-04-15", "买入", "62.00"] in rows
    # The PDF names no file of the machine that built it (the links are the HTML's).
    assert not [uri for uri in link_targets(rendered.pdf or b"") if "file:" in uri]


def test_the_earlier_notes_take_their_own_history(notes: Path) -> None:
    renderer = Renderer(today=TODAY)
    second = renderer.render(notes / PREVIEW, ("html",)).html
    assert "增持（维持）" in second
    assert 'href="2025-10-20-hengtong-initiation.html"' in second
    assert "hengtong-upgrade.html" not in second  # a later note is no history
    first = renderer.render(notes / INITIATION, ("html",))
    assert "增持（首次）" in first.html
    assert first.checked.history is not None and first.checked.history.earlier == ()
    assert 'class="related"' not in first.html


def test_the_number_of_related_reports_is_the_houses(notes: Path, workspace: Path) -> None:
    edit(workspace / "houses/example/house.yaml", "\ntexts:", "\nrelated_reports: 1\ntexts:")
    html = Renderer(today=TODAY).render(notes / UPGRADE, ("html",)).html
    assert 'href="2026-01-22-hengtong-annual-preview.html"' in html
    assert "hengtong-initiation.html" not in html
    # The history table still has every earlier note.
    assert "<td>2025-10-20</td>" in html


def test_a_previous_rating_the_record_contradicts_is_a_warning(notes: Path) -> None:
    edit(notes / UPGRADE, "  value: 买入\n", "  value: 买入\n  previous: 持有\n")
    checked = Renderer(today=TODAY).check(notes / UPGRADE)
    [problem] = [p for p in checked.problems if p.code == "registers.previous_rating"]
    assert problem.severity.value == "warning"
    assert problem.line == 15
    assert f"{PREVIEW} of 2026-01-22" in problem.message
    assert "'持有'" in problem.message and "'增持'" in problem.message
    # The record's rating decides the action all the same.
    assert checked.html is not None and "买入（上调）" in checked.html


def test_a_previous_rating_that_agrees_is_no_warning(notes: Path) -> None:
    edit(notes / UPGRADE, "  value: 买入\n", "  value: 买入\n  previous: 增持\n")
    assert "registers.previous_rating" not in codes(Renderer(today=TODAY), notes / UPGRADE)


def test_a_written_action_is_judged_against_the_record(notes: Path) -> None:
    # 维持 with no previous written: the record's 增持 makes 增持 a maintained rating.
    edit(notes / PREVIEW, "  value: 增持\n", "  value: 增持\n  action: 维持\n")
    assert "schema.action_mismatch" not in codes(Renderer(today=TODAY), notes / PREVIEW)
    edit(notes / UPGRADE, "  value: 买入\n", "  value: 买入\n  action: 维持\n")
    assert "schema.action_mismatch" in codes(Renderer(today=TODAY), notes / UPGRADE)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("status: approved", "status: draft"),  # a draft is no publication
        ("维持增持评级", "维持增持评级。"),  # an approval gone stale: edited since
    ],
    ids=["draft", "stale"],
)
def test_a_draft_or_stale_earlier_note_is_ignored(notes: Path, old: str, new: str) -> None:
    edit(notes / PREVIEW, old, new)
    checked = Renderer(today=TODAY).check(notes / UPGRADE)
    assert checked.history is not None
    assert [e.path.name for e in checked.history.earlier] == [INITIATION]
    # Still a record of what feeds the note: approving it again must rebuild this one.
    assert notes / PREVIEW in checked.history.notes
    assert checked.html is not None
    assert "annual-preview.html" not in checked.html
    assert "<td>2026-01-22</td>" not in checked.html


def test_a_figure_changed_since_makes_an_earlier_approval_stale(notes: Path) -> None:
    """An earlier note's approval covers its price file, as its own check does."""
    later = notes / "2026-05-01-later.md"
    shutil.copy(notes / UPGRADE, later)
    edit(later, "date: 2026-04-15", "date: 2026-05-01")
    renderer = Renderer(today=TODAY)  # one warm renderer, as the preview keeps
    checked = renderer.check(later)
    assert checked.history is not None and len(checked.history.earlier) == 3
    prices = notes / "data" / "hengtong-prices.csv"
    assert prices in checked.history.files
    prices.write_text(prices.read_text("utf-8") + "\n", "utf-8")
    checked = renderer.check(later)
    assert checked.history is not None
    assert [e.path.name for e in checked.history.earlier] == [INITIATION, PREVIEW]


@pytest.mark.parametrize(
    "text",
    [
        "---\ndate: 2026-01-01\nsubject: {kind: company, ticker: 300999.SZ\n---\n",  # YAML error
        "---\ndate: [2026-01-01\n",  # front matter never closed
        "\xff\xfe not UTF-8",
        "---\ndate: 2026-01-01\nsubject: {kind: company, ticker: 300999.SZ}\nx: &a [*a]\n---\n",
    ],
    ids=["yaml", "unclosed", "encoding", "alias"],
)
def test_a_broken_sibling_is_not_this_notes_error(notes: Path, text: str) -> None:
    (notes / "2026-01-01-broken.md").write_bytes(text.encode("utf-8", "surrogateescape"))
    checked = Renderer(today=TODAY).check(notes / UPGRADE)
    assert checked.problems == []
    assert checked.history is not None
    assert [e.path.name for e in checked.history.earlier] == [INITIATION, PREVIEW]


def test_notes_on_other_subjects_or_later_are_no_history(notes: Path) -> None:
    later = notes / "2026-05-01-later.md"
    shutil.copy(notes / UPGRADE, later)
    edit(later, "date: 2026-04-15", "date: 2026-05-01")
    other = notes / "2026-02-01-other.md"
    shutil.copy(notes / PREVIEW, other)
    edit(other, "300999.SZ", "300998.SZ")
    checked = Renderer(today=TODAY).check(notes / UPGRADE)
    assert checked.history is not None
    assert [e.path.name for e in checked.history.earlier] == [INITIATION, PREVIEW]
    assert set(checked.history.notes) == {notes / INITIATION, notes / PREVIEW}


def test_the_record_is_also_the_notes_built_together(notes: Path, tmp_path: Path) -> None:
    """``render build FOLDER`` builds notes of several folders: each one's record is all of them."""
    elsewhere = tmp_path / "workspace-other"
    elsewhere.mkdir()
    moved = elsewhere / PREVIEW
    shutil.move(notes / PREVIEW, moved)
    renderer = Renderer(today=TODAY)
    alone = renderer.check(notes / UPGRADE)
    assert alone.history is not None and len(alone.history.earlier) == 1
    together = renderer.check(notes / UPGRADE, batch=[moved, notes / UPGRADE])
    assert together.history is not None
    assert [e.path.name for e in together.history.earlier] == [INITIATION, PREVIEW]


def test_a_glance_skips_what_cannot_be_earlier() -> None:
    day, company = dt.date(2026, 4, 1), ("company", "300999.SZ")
    path = Path("n.md")
    assert not may_feed(path, "date: 2026-04-01\nsubject: {ticker: 300999.SZ}", day, company)
    assert not may_feed(path, "date: 2026-03-01\nsubject: {ticker: 600000.SH}", day, company)
    assert may_feed(path, "date: 2026-03-01\nsubject: {ticker: 300999.sz}", day, company)
    # An escape may spell the ticker otherwise; two dates are for the parser to judge.
    assert may_feed(path, 'date: 2026-03-01\nsubject: {ticker: "\\x33"}', day, company)
    assert may_feed(path, "date: 2026-05-01\ndate: 2026-03-01\n300999.SZ", day, company)


def test_an_earlier_note_is_read_whole_once_per_content(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renderer = Renderer(today=TODAY)
    renderer.check(notes / UPGRADE)
    loaded: list[Path] = []
    original = renderer_module.load_note

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        loaded.append(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(renderer_module, "load_note", counting)
    renderer.check(notes / UPGRADE)
    assert loaded == [notes / UPGRADE]  # the note itself; its earlier notes are known
    edit(notes / PREVIEW, "维持增持评级", "维持增持评级。")
    renderer.check(notes / UPGRADE)
    assert loaded[1:] == [notes / UPGRADE, notes / PREVIEW]


def test_headers_are_read_once_per_content(notes: Path) -> None:
    reader = Record()
    first = reader.header(notes / PREVIEW, Limits())
    assert first is not None and first.subject == ("company", "300999.SZ")
    assert reader.header(notes / PREVIEW, Limits()) is first
    edit(notes / PREVIEW, "全年业绩预告超预期", "全年业绩预告大超预期")
    again = reader.header(notes / PREVIEW, Limits())
    assert again is not None and again is not first and "大超预期" in again.title


# -- the build: what feeds a note is in its fingerprint -------------------------------------------


def _reasons(notes: Path, out: Path, root: Path) -> dict[str, str | None]:
    paths = sorted(p for p in notes.glob("2*.md"))
    options = BuildOptions(output=out, formats=("html",), today=TODAY)
    steps = plan(paths, options, Manifest.load(out), root)
    return {step.job.key: step.reason for step in steps}


def test_approving_an_earlier_note_rebuilds_the_later_one(notes: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = sorted(p for p in notes.glob("2*.md"))
    options = BuildOptions(output=out, formats=("html",), today=TODAY)
    summary = build(paths, options, executor=InProcess(), root=tmp_path)
    assert summary.count("built") == 3, [o.problems for o in summary.outcomes]
    upgrade = (out / "2026-04-15-hengtong-upgrade.html").read_text("utf-8")
    assert 'href="2026-01-22-hengtong-annual-preview.html"' in upgrade
    assert set(_reasons(notes, out, tmp_path).values()) == {None}
    manifest = Manifest.load(out)
    recorded = manifest.notes["2026-04-15-hengtong-upgrade"]
    assert recorded.subject == ["company", "300999.SZ"]
    assert sorted(recorded.inputs.history.notes) == [
        f"notes/{INITIATION}",
        f"notes/{PREVIEW}",
    ]

    # The earlier note back to a draft: the later note changes, the earliest does not.
    edit(notes / PREVIEW, "status: approved", "status: draft")
    reasons = _reasons(notes, out, tmp_path)
    assert reasons["2026-04-15-hengtong-upgrade"] == "an earlier note on its subject changed"
    assert reasons["2025-10-20-hengtong-initiation"] is None
    build(paths, options, executor=InProcess(), root=tmp_path)
    upgrade = (out / "2026-04-15-hengtong-upgrade.html").read_text("utf-8")
    assert "annual-preview.html" not in upgrade
    # A draft's edits change nothing the later note prints: it is not rebuilt for them.
    edit(notes / PREVIEW, "维持增持评级", "维持增持评级。")
    assert _reasons(notes, out, tmp_path)["2026-04-15-hengtong-upgrade"] is None

    # Approved again: rebuilt again, and the link is back.
    approve(Renderer(today=TODAY), notes / PREVIEW, PREVIEW, "wang-shuyi", dt.datetime.now(dt.UTC))
    reasons = _reasons(notes, out, tmp_path)
    assert reasons["2026-04-15-hengtong-upgrade"] == "an earlier note on its subject changed"
    build(paths, options, executor=InProcess(), root=tmp_path)
    upgrade = (out / "2026-04-15-hengtong-upgrade.html").read_text("utf-8")
    assert 'href="2026-01-22-hengtong-annual-preview.html"' in upgrade
    assert set(_reasons(notes, out, tmp_path).values()) == {None}


def test_a_new_earlier_note_rebuilds_the_later_one(notes: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    paths = sorted(p for p in notes.glob("2*.md"))
    options = BuildOptions(output=out, formats=("html",), today=TODAY)
    build(paths, options, executor=InProcess(), root=tmp_path)
    newer = notes / "2026-02-01-hengtong-copy.md"
    shutil.copy(notes / PREVIEW, newer)
    edit(newer, "date: 2026-01-22", "date: 2026-02-01")
    reasons = _reasons(notes, out, tmp_path)
    assert reasons["2026-04-15-hengtong-upgrade"] == "an earlier note on its subject changed"
    assert reasons["2026-01-22-hengtong-annual-preview"] is None
    assert reasons["2026-02-01-hengtong-copy"] == "new"


def nested_record(notes: Path) -> Path:
    """The three approved company notes in ``notes/2026q1`` (the upgrade with its figure and
    price file), and in ``notes/2026q2`` a later draft on the ticker that writes a previous
    rating only the first folder contradicts. Returns the later note."""
    (notes / "note.md").unlink()
    first = notes / "2026q1"
    first.mkdir()
    shutil.copytree(EXAMPLES / "figures", first / "figures")
    # Without the other company's data files: no note here names them, so they are no data.
    shutil.copytree(EXAMPLES / "data", first / "data", ignore=shutil.ignore_patterns("lanfeng*"))
    for name in (INITIATION, PREVIEW, UPGRADE):
        shutil.copy(EXAMPLES / name, first / name)
    (notes / "2026q2").mkdir()
    later = notes / "2026q2" / "2026-05-01-hengtong-update.md"
    shutil.copy(EXAMPLES / PREVIEW, later)
    edit(later, "date: 2026-01-22", "date: 2026-05-01")
    edit(later, "date: 2026-01-21", "date: 2026-04-30")  # a price of its week (data.price_age)
    edit(later, "  value: 增持", "  value: 增持\n  previous: 增持")
    edit(later, "status: approved", "status: draft")
    return later


def test_check_build_and_preview_read_the_same_record(workspace: Path, tmp_path: Path) -> None:
    from render.preview.state import Notes
    from tests.render.batch.test_build import run

    later = nested_record(workspace / "notes")
    # The record is the folder given: its subfolders too, for check as for build.
    checked = run("check", str(workspace / "notes"))
    assert checked.exit_code == 0, checked.output
    [line] = [line for line in checked.output.splitlines() if "previous_rating" in line]
    assert line.startswith(str(later)) and UPGRADE in line
    # Given the later note's folder alone, the record is that folder: nothing contradicts it.
    assert "previous_rating" not in run("check", str(later.parent)).output
    assert "previous_rating" not in run("check", str(later)).output

    out = tmp_path / "out"
    paths = sorted((workspace / "notes").rglob("2*.md"))
    options = BuildOptions(output=out, formats=("html",), today=TODAY)
    summary = build(paths, options, executor=InProcess(), root=tmp_path)
    assert summary.count("built") == 4, [o.problems for o in summary.outcomes]
    html = (out / f"{later.stem}.html").read_text("utf-8")
    assert f'href="{UPGRADE.removesuffix(".md")}.html"' in html

    preview = Notes(workspace / "notes", today=TODAY)
    preview.scan()
    rel = f"2026q2/{later.name}"
    preview.refresh(rel)
    earlier = [e["note"] for e in preview.views[rel].state["earlier"]]
    assert earlier == [f"2026q1/{name}" for name in (UPGRADE, PREVIEW, INITIATION)]
    assert preview.views[rel].state["problems"][0]["code"] == "registers.previous_rating"


def test_the_glanced_front_matters_stay_within_their_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from render.registers import history as module

    monkeypatch.setattr(module, "_GLANCED", {})
    monkeypatch.setattr(module, "_glanced_size", 0)
    monkeypatch.setattr(module, "GLANCED_BUDGET", 10_000)
    for i in range(25):
        module._remember_glanced((Path(f"n{i}.md"), str(i)), "x" * 1_000)
        assert sum(len(t or "") for t in module._GLANCED.values()) <= 10_000
    assert len(module._GLANCED) == 5  # started afresh at the 21st, which is kept
    module._remember_glanced((Path("big.md"), "b"), "x" * 70_000)
    assert (Path("big.md"), "b") not in module._GLANCED  # a whole note of data is not kept
