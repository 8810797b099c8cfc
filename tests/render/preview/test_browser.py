"""End to end in Chromium: edit a note's file and watch the open page follow, errors and all."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from render.preview.server import running
from tests.chromium import chromium
from tests.conftest import EXAMPLES, TODAY, edit

pytestmark = pytest.mark.browser

WAIT = 15_000  # ms; generous for a busy two-core machine
UPGRADE = "2026-04-15-hengtong-upgrade.md"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as started:
        yield started


@pytest.fixture
def url(workspace: Path) -> Iterator[str]:
    with running(workspace / "notes", today=TODAY) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A note's markup that ran would open a dialog; none may ever open.
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    yield page
    context.close()
    assert errors == [], "the page script failed, or a note's markup ran"


def viewer(page: Page, src: str) -> Frame:
    """Chromium's PDF viewer showing the PDF at ``src`` (it is a frame inside our frame)."""
    for _ in range(WAIT // 100):
        for frame in page.frames:
            parent = frame.parent_frame
            if frame.url.startswith("chrome-extension://") and parent and parent.url == src:
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no PDF viewer for {src}: {[f.url for f in page.frames]}")


def test_an_edit_shows_without_reloading_by_hand(page: Page, url: str, note_file: Path) -> None:
    page.goto(f"{url}note/note.md")
    heading = page.locator("h1").first
    expect(heading).to_contain_text("新一代训练框架", timeout=WAIT)
    expect(page.locator("#render-preview .status")).to_have_text("valid", timeout=WAIT)

    edit(note_file, "title: 新一代训练框架", "title: 再一代训练框架")
    expect(heading).to_contain_text("再一代训练框架", timeout=WAIT)
    edit(note_file, "技术迭代不及预期", "技术路线变化")
    expect(page.get_by_text("技术路线变化")).to_be_visible(timeout=WAIT)


def test_a_broken_save_shows_its_errors_over_the_last_good_render(
    page: Page, url: str, note_file: Path
) -> None:
    page.goto(f"{url}note/note.md")
    panel = page.locator("#render-preview .panel")
    expect(page.locator("h1").first).to_contain_text("新一代训练框架", timeout=WAIT)
    expect(panel).to_be_hidden()

    markup = "<img src=x onerror=alert(1)>"
    edit(note_file, "value: 超配", f'value: "{markup}"')
    expect(panel).to_be_visible(timeout=WAIT)
    expect(panel.locator(".title")).to_have_text(
        "1 error — the page shows the last good render", timeout=WAIT
    )
    problem = panel.locator("li.error")
    expect(problem).to_have_count(1)
    # The location and the message exactly as `render check` prints them; the markup as text.
    expect(problem).to_contain_text(f"{note_file}:13:10: error: rating.value: ")
    expect(problem).to_contain_text(f"'{markup}' is not on the house's industry rating scale")
    expect(page.locator("img[src=x]")).to_have_count(0)
    # The last good render is still there beneath the errors.
    expect(page.locator("h1").first).to_contain_text("新一代训练框架")
    expect(page.locator("#render-preview .status")).to_have_text("1 error")

    edit(note_file, f'value: "{markup}"', "value: 超配")
    expect(panel).to_be_hidden(timeout=WAIT)
    expect(page.locator("#render-preview .status")).to_have_text("valid", timeout=WAIT)


def test_the_pdf_view_shows_the_real_pdf_and_follows_saves(
    page: Page, url: str, note_file: Path
) -> None:
    page.goto(url)
    with page.expect_response(re.compile(r"/pdf-file/note\.md\?v=")) as first:
        page.locator("tr[data-note='note.md'] a.rp-pdf-link").click()
    expect(page).to_have_url(f"{url}pdf/note.md")
    response = first.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    status = page.locator("#render-preview .status")
    expect(status).to_have_text(re.compile(r"^valid · \d+ pages$"), timeout=WAIT)
    pages = re.sub(r"\D", "", status.inner_text())
    assert int(pages) >= 2
    # Chromium's own viewer shows the real PDF: its title and its number of pages.
    shown = viewer(page, response.url)
    expect(shown.locator("viewer-toolbar #title")).to_have_text(
        re.compile("^新一代训练框架"), timeout=WAIT
    )
    expect(shown.locator("viewer-page-selector #pagelength")).to_have_text(pages, timeout=WAIT)

    with page.expect_response(
        lambda r: "/pdf-file/note.md?v=" in r.url and r.url != response.url, timeout=WAIT
    ) as second:
        edit(note_file, "title: 新一代训练框架", "title: 再一代训练框架")
    assert second.value.status == 200
    shown = viewer(page, second.value.url)
    expect(shown.locator("viewer-toolbar #title")).to_have_text(
        re.compile("^再一代训练框架"), timeout=WAIT
    )

    edit(note_file, "value: 超配", "value: 超超配")
    expect(status).to_have_text("1 error", timeout=WAIT)
    expect(page.locator("#render-preview .panel li.error")).to_contain_text(":13:10: error:")


def test_the_index_follows_the_folder(
    page: Page, url: str, workspace: Path, note_file: Path
) -> None:
    page.goto(url)
    expect(page.locator("#rp-live")).to_have_text("live", timeout=WAIT)
    rows = page.locator("tr[data-note]")
    expect(rows).to_have_count(1)

    second = workspace / "notes" / "second.md"
    text = note_file.read_text(encoding="utf-8").replace("title: 新一代", "title: <b>第二篇</b>")
    second.write_text(text, encoding="utf-8")
    row = page.locator("tr[data-note='second.md']")
    expect(row.locator(".rp-title")).to_have_text(re.compile(r"^<b>第二篇</b>"), timeout=WAIT)
    expect(row.locator("b")).to_have_count(0)  # the title's markup shows as text
    expect(row.locator(".rp-status")).to_have_text("valid", timeout=WAIT)

    edit(second, "value: 超配", "value: 超超配")
    expect(row.locator(".rp-status")).to_have_text("1 error", timeout=WAIT)
    second.unlink()
    expect(rows).to_have_count(1, timeout=WAIT)


def test_the_review_and_disclosures_show_and_follow_the_registers(
    page: Page, url: str, workspace: Path, note_file: Path
) -> None:
    folder = workspace / "notes"
    for name in ("figures", "data"):
        shutil.copytree(EXAMPLES / name, folder / name)
    earlier = folder / "2026-01-22-hengtong-annual-preview.md"
    for name in ("2025-10-20-hengtong-initiation.md", earlier.name, UPGRADE):
        shutil.copy(EXAMPLES / name, folder / name)
    page.goto(f"{url}note/{UPGRADE}")
    review = page.locator("#render-preview .review")
    expect(review).to_have_text("approved", timeout=WAIT)
    info = page.locator("#render-preview .info")
    expect(info).to_be_hidden()
    review.click()
    expect(info.locator(".review-status")).to_have_text(
        "approved by 王书仪 at 2026-04-15T16:20:00+08:00"
    )
    expect(info.locator(".disclosures li")).to_have_count(3)  # the heading and two entries
    expect(info.locator(".disclosures")).to_contain_text("保荐机构")
    expect(info.locator(".earlier li")).to_have_count(2)
    expect(page.locator(".related li")).to_have_count(2)

    # The register changes: the page follows, the details stay open.
    house = workspace / "houses" / "example"
    edit(
        house / "disclosures.yaml",
        "  - ticker: 300999.SZ\n    role:",
        "  - ticker: 300111.SZ\n    role:",
    )
    expect(page.locator("#render-preview .info .disclosures li")).to_have_count(2, timeout=WAIT)
    # An earlier note goes back to a draft: it leaves the related reports.
    edit(earlier, "status: approved", "status: draft")
    expect(page.locator(".related li")).to_have_count(1, timeout=WAIT)
    # The note itself edited: its approval is stale.
    edit(folder / UPGRADE, "同比增长 133%", "同比增长 134%")
    expect(page.locator("#render-preview .review")).to_have_text("stale", timeout=WAIT)

    # The index says who approved what.
    page.goto(url)
    row = page.locator(f"tr[data-note='{UPGRADE}']")
    expect(row.locator(".rp-review")).to_have_text(
        "stale: changed after 王书仪 approved it", timeout=WAIT
    )
    expect(page.locator("tr[data-note='note.md'] .rp-review")).to_have_text("draft")
