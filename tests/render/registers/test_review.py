"""Review before release: the digest, a stale approval, and the draft mark on every page."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from render.registers.approve import approve
from render.renderer import Renderer
from tests.conftest import EXAMPLES, TODAY, assert_stale_until_restored, edit

WORD = re.compile(r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>')


def big_marks(pdf: bytes) -> list[set[str]]:
    """Per page, the characters of 草稿 / DRAFT printed large (the mark, not the text)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        xml = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        found = set()
        for y_min, y_max, word in WORD.findall(page):
            if float(y_max) - float(y_min) > 40:
                found.add(word)
        pages.append(found)
    return pages


def test_an_approved_note_is_approved_and_unmarked(renderer: Renderer) -> None:
    rendered = renderer.render(EXAMPLES / "2026-04-15-hengtong-upgrade.md", ("pdf",))
    assert rendered.checked.verdict is not None
    review = rendered.checked.verdict.review
    assert (review.status, review.by, review.by_name) == ("approved", "wang-shuyi", "王书仪")
    assert all(not marks for marks in big_marks(rendered.pdf or b""))
    assert 'class="draft-banner"' not in rendered.html


def test_a_draft_has_the_mark_on_every_page_and_a_banner(renderer: Renderer) -> None:
    rendered = renderer.render(EXAMPLES / "2026-03-02-ai-training-cost.md", ("pdf",))
    assert rendered.checked.verdict is not None
    assert rendered.checked.verdict.review.status == "draft"
    pages = big_marks(rendered.pdf or b"")
    assert len(pages) == rendered.pages >= 2
    assert all({"草", "稿"} <= marks for marks in pages), pages
    assert (
        '<div class="draft-banner" data-print="screen" role="status">草稿：尚未审批，不得发布</div>'
        in rendered.html
    )


def test_an_english_draft_is_marked_in_english(note_file: Path) -> None:
    english = note_file.with_name("en.md")
    shutil.copytree(EXAMPLES / "data", english.parent / "data", dirs_exist_ok=True)
    english.write_text(
        (EXAMPLES / "2026-03-09-chiplet-interconnect-en.md").read_text("utf-8"), "utf-8"
    )
    edit(english, "status: approved", "status: draft")
    rendered = Renderer(today=TODAY).render(english, ("pdf",))
    pages = big_marks(rendered.pdf or b"")
    assert all(set("DRAFT") <= marks for marks in pages), pages
    assert "Draft: not approved for release" in rendered.html


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("同比增长 133%", "同比增长 134%"),  # one character of the body
        ("value: 买入", "value: 增持"),  # one field of the front matter
    ],
)
def test_one_edited_character_makes_the_approval_stale(
    company_note: Path, old: str, new: str
) -> None:
    renderer = Renderer(today=TODAY)
    assert renderer.check(company_note).verdict.review.status == "approved"  # type: ignore[union-attr]
    edit(company_note, old, new)
    checked = renderer.check(company_note)
    assert checked.verdict is not None and checked.verdict.review.status == "stale"
    stale = [p for p in checked.warnings if p.code == "registers.stale"]
    assert len(stale) == 1 and stale[0].field == "review"
    # Another rating may put the target price's upside outside its band: that is all.
    assert {p.code for p in checked.warnings} - {"registers.stale"} <= {"data.upside"}


def test_an_edited_figure_makes_the_approval_stale(company_note: Path) -> None:
    # The example shows no figure since its chart is drawn from its prices: show one, approve.
    edit(
        company_note,
        "## 点评\n",
        "![图 1：公司单季度营业收入（亿元）](figures/2026-04-revenue.svg)\n\n"
        "资料来源：公司公告（示例数据）\n\n## 点评\n",
    )
    renderer = Renderer(today=TODAY)
    at = dt.datetime(2026, 4, 15, 16, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    approve(renderer, company_note, company_note.name, "wang-shuyi", at)
    figure = company_note.parent / "figures" / "2026-04-revenue.svg"
    assert_stale_until_restored(renderer, company_note, figure, "14.0", "14.1")


def test_an_edited_price_file_makes_the_approval_stale(company_note: Path) -> None:
    renderer = Renderer(today=TODAY)
    prices = company_note.parent / "data" / "hengtong-prices.csv"
    assert_stale_until_restored(
        renderer, company_note, prices, "2025-03-18,37.62,", "2025-03-18,37.63,"
    )


def test_a_comment_changes_nothing_printed_and_keeps_the_approval(company_note: Path) -> None:
    edit(
        company_note, "template: event-commentary\n", "template: event-commentary  # house style\n"
    )
    checked = Renderer(today=TODAY).check(company_note)
    assert checked.verdict is not None and checked.verdict.review.status == "approved"
