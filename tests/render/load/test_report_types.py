"""A house's own report type: found, judged, rendered with its sections; its mistakes located."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from render.errors import UserError
from render.load.report_types import find_report_type, report_type_names
from render.renderer import Rendered, Renderer
from schemas.report_type import default_type
from tests.conftest import TODAY, edit
from tests.pdftools import page_texts, squash

HOUSES = Path(__file__).resolve().parents[1] / "houses"
STRATEGY = HOUSES / "strategy"
NOTE = HOUSES / "notes" / "strategy-flash.md"

#: Every compliance block, as the house prints it whatever the report type.
COMPLIANCE = (
    "本报告的风险等级为中风险。",
    "澄川证券研究报告评级体系",
    "研究报告风险等级与投资者适当性匹配",
    "分析师声明",
    "免责条款",
    "本报告版权归澄川证券所有",
    "澄川市滨江大道88号澄川金融中心18层",
    "SAC执业证书编号：S9901524060001",
)


@pytest.fixture
def houses(tmp_path: Path) -> Path:
    """A copy of the test houses and their note, to break."""
    return Path(shutil.copytree(HOUSES, tmp_path / "houses"))


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return Renderer(today=TODAY).render(NOTE, ("pdf", "html"))


def test_the_house_declaration_comes_first_then_the_shipped_ones() -> None:
    found = find_report_type("strategy-flash", STRATEGY)
    assert found.body_keys == ("key_points", "market_review", "allocation", "risks")
    assert report_type_names(STRATEGY) == ["earnings-review", "event-commentary", "strategy-flash"]
    assert find_report_type("event-commentary", STRATEGY) is default_type()
    # A template with no declaration keeps the usual sections; so does a name that is no file's.
    assert find_report_type("house-page", STRATEGY) is default_type()
    assert find_report_type("../strategy-flash", STRATEGY) is default_type()


def test_the_strategy_flash_prints_its_sections_in_order_and_every_compliance_block(
    rendered: Rendered,
) -> None:
    assert rendered.checked.problems == []
    text = squash("".join(page_texts(rendered.pdf or b"")))
    # key_points prints under the house's title for it; the others under the type's.
    headings = ["核心观点", "市场回顾", "配置建议", "风险提示"]
    places = [text.find(h) for h in headings]
    assert -1 not in places and places == sorted(places), places
    for block in COMPLIANCE:
        assert squash(block) in text, block
    assert squash("A 股市场—策略快评") in text or "A股市场策略快评" in text
    assert "盈利端：一季度全部A股归母净利润同比转正。" in text
    assert '<strong class="lead"' in rendered.html and "2026 年二季度" in rendered.html


def test_a_section_of_another_type_is_located_and_the_type_sections_listed(houses: Path) -> None:
    note = edit(houses / "notes" / "strategy-flash.md", "## 市场回顾", "## 点评")
    problems = Renderer(today=TODAY).check(note).errors
    assert [(p.code, p.line) for p in problems] == [("body.heading", 29), ("schema.missing", 33)]
    assert problems[0].message.endswith(
        "(sections: 核心观点, Our view, 市场回顾, Market review, 配置建议, Allocation, "
        "风险提示, Risks, Key points)"
    )
    assert "add a '## 市场回顾' heading" in problems[1].message


def test_a_yaml_note_of_the_type_with_an_event_commentary_key(houses: Path) -> None:
    note = houses / "notes" / "strategy-flash.yaml"
    note.write_text(
        "template: strategy-flash\nhouse: strategy\ndate: 2026-05-06\ntitle: 策略快评\n"
        "subject: {kind: industry, name: A 股市场, market: a-share}\n"
        "rating: {value: 超配}\nrisk_level: R3\n"
        "analysts: [{name: 林知远, sac: S9901524060001, phone: '1', email: a@b.cn}]\n"
        "key_points: [{lead: 观点。, body: 理由。}]\nmarket_review: 回顾。\nallocation: 建议。\n"
        "risks: 风险。\nevent: 事件。\n",
        encoding="utf-8",
    )
    problems = Renderer(today=TODAY).check(note).errors
    assert [(p.code, p.loc, p.line) for p in problems] == [("schema.unknown_key", ("event",), 13)]


def test_a_declaration_with_a_mistake_is_located_in_its_file(houses: Path) -> None:
    edit(
        houses / "strategy" / "report_types" / "strategy-flash.yaml",
        "  - key: allocation",
        "  - key: market_review",
    )
    problems = Renderer(today=TODAY).check(houses / "notes" / "strategy-flash.md").errors
    assert [(p.code, Path(p.path).name, p.line) for p in problems] == [
        ("schema.report_type", "strategy-flash.yaml", 5)
    ]
    with pytest.raises(UserError):
        find_report_type("strategy-flash", houses / "strategy")


def test_a_declared_type_without_its_template(houses: Path) -> None:
    (houses / "strategy" / "templates" / "strategy-flash.html").unlink()
    problems = Renderer(today=TODAY).check(houses / "notes" / "strategy-flash.md").errors
    assert [(p.code, p.loc) for p in problems] == [("render.template", ("template",))]
