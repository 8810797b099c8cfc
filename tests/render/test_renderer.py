"""The rendered example note, read back from its PDF and HTML as a reader and a tool would."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from render.pdf.writer import captured
from render.renderer import Rendered, Renderer
from tests.conftest import EXAMPLE_NOTE, TODAY, edit
from tests.pdftools import font_names, missing_glyphs, page_texts, squash

# Each compliance block, identified by text the example house prints in it.
COMPLIANCE_BLOCKS = {
    "rating with derived action": "超配（维持）",
    "report type and subject": "电子行业事件点评",
    "risk level sentence": "本报告的风险等级为中风险。",
    "rating system title": "澄川证券研究报告评级体系",
    "company scale": "预期未来6个月内，股价相对基准指数的超额收益在15%以上",
    "industry scale": "行业指数相对基准指数的超额收益在10%以上",
    "benchmark per market": "新三板—三板成指",
    "risk table": "研究报告风险等级与投资者适当性匹配",
    "risk level coverage": "期货、期权等衍生品研究报告",
    "suitability": "“保守型”投资者适合接收风险等级不高于“低风险”的研究报告",
    "certification": "分析师声明",
    "disclaimer": "免责条款",
    "disclaimer text": "本报告版权归澄川证券所有",
    "contact block": "澄川市滨江大道88号澄川金融中心18层",
    "postcode": "999000",
    "analyst registration": "SAC执业证书编号：S9901524060001",
    "second analyst": "S9901523090002",
}


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return Renderer().render(EXAMPLE_NOTE, ("pdf", "html"))


@pytest.fixture(scope="module")
def pages(rendered: Rendered) -> list[str]:
    assert rendered.pdf is not None
    return page_texts(rendered.pdf)


def test_page_count_matches_pdf(rendered: Rendered, pages: list[str]) -> None:
    assert rendered.pages == len(pages) >= 2


@pytest.mark.parametrize("block", COMPLIANCE_BLOCKS)
def test_every_compliance_block_is_printed(pages: list[str], block: str) -> None:
    assert squash(COMPLIANCE_BLOCKS[block]) in squash("".join(pages))


def test_body_sections_in_reading_order(pages: list[str]) -> None:
    text = squash("".join(pages))
    order = [
        "2月26日，某国内开源社区",  # event
        "训练效率显著提升",  # first commentary point
        "本报告的风险等级为中风险",
        "训练与推理成本的持续下降",  # recommendation
        "技术迭代不及预期",  # risks
        "澄川证券研究报告评级体系",
        "研究报告风险等级与投资者适当性匹配",
        "署名分析师具备",  # certification
        "经中国证券监督管理委员会核准",  # disclaimer
        "澄川证券研究院",  # contact
    ]
    positions = [text.find(squash(word)) for word in order]
    assert -1 not in positions and positions == sorted(positions)


def test_rating_and_analysts_on_first_page(pages: list[str]) -> None:
    first = squash(pages[0])
    for expected in ("超配（维持）", "林知远", "周若溪", "S9901524060001", "2026年3月2日"):
        assert expected in first


def test_footer_and_page_numbers_on_every_page(pages: list[str]) -> None:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        text = squash(page)
        assert squash("请阅读正文之后的免责条款。") in text, f"footer missing on page {number}"
        assert squash("本报告所用信息均来源于公开资料") in text
        assert f"第{number}页共{total}页" in text, f"page number missing on page {number}"


def test_running_header_after_first_page(pages: list[str]) -> None:
    assert "证券研究报告·电子行业事件点评" not in squash(pages[0])
    for page in pages[1:]:
        assert "澄川证券" in page and "证券研究报告·电子行业事件点评" in squash(page)


def test_no_glyph_is_missing(rendered: Rendered) -> None:
    assert rendered.pdf is not None
    assert missing_glyphs(rendered.pdf) == []


def test_missing_glyph_check_can_fail(renderer: Renderer, note_file: Path) -> None:
    # A private-use character no installed font has: the check must see the tofu box. render
    # refuses such a note (tests/render/pdf/test_fidelity.py), so its HTML is laid out here alone.
    edit(note_file, "技术迭代不及预期", "技术迭代\ue000不及预期")
    html = renderer.render_checked(renderer.check(note_file), ("html",)).html
    with captured():  # WeasyPrint's warning about the box, kept off the test's output
        pdf = HTML(string=html).write_pdf(font_config=FontConfiguration())
    assert missing_glyphs(pdf)


def test_chinese_fonts_are_simplified_chinese_and_subset(rendered: Rendered) -> None:
    assert rendered.pdf is not None
    fonts = font_names(rendered.pdf)
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= fonts
    assert not any("JP" in name or "KR" in name for name in fonts)
    # Subset fonts keep the PDF small: the full CJK fonts are over 20 MB each.
    assert len(rendered.pdf) < 1_000_000


def test_html_declares_its_language(rendered: Rendered) -> None:
    assert re.search(r'<html lang="zh-CN">', rendered.html)


def test_pdf_metadata(rendered: Rendered) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    assert rendered.pdf is not None
    info = PdfReader(BytesIO(rendered.pdf)).metadata
    assert info is not None
    assert info.title == "新一代训练框架大幅降低大模型训练成本，有望加快应用落地"
    assert "林知远" in (info.author or "")
    assert (info.get("/CreationDate") or "").startswith("D:20260302")


def test_the_notes_render_toml_sets_its_limits(note_file: Path) -> None:
    """Limits come from the note's own project configuration, in the check and in the render."""
    config = note_file.parent.parent / "render.toml"
    assert Renderer(today=TODAY).check(note_file).errors == []
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n[limits]\nnote_bytes = 1000\n")
    [problem] = Renderer(today=TODAY).check(note_file).errors
    assert problem.code == "file.too_large"


def test_compiled_templates_are_kept_between_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold check compiles the house's templates once; the next process loads them compiled
    (a quarter of a check's own work), with the same HTML. A garbled cache file is compiled
    again; a folder that cannot be written is no cache, never an error."""
    import functools
    import shutil
    import tempfile

    from jinja2 import Environment, FileSystemBytecodeCache

    from render import renderer

    # A cache of its own, so that the process's own is left as it was.
    compiled_templates = functools.cache(renderer._compiled_templates.__wrapped__)
    monkeypatch.setattr(renderer, "_compiled_templates", compiled_templates)

    def check_html() -> str:
        compiled_templates.cache_clear()  # as a new process finds it
        checked = Renderer(today=TODAY).check(EXAMPLE_NOTE)
        assert checked.html is not None, checked.problems
        return checked.html

    compiled: list[str] = []
    compile_ = Environment.compile

    def counted(self: Environment, source: str, name: str | None = None, *args: object) -> object:
        compiled.append(name or "")
        return compile_(self, source, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", counted)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = check_html()
    assert len(compiled) >= 10, "every template compiled once"
    folder = tmp_path / f"_jinja2-cache-{os.getuid()}"
    files = sorted(folder.iterdir())
    assert len(files) == len(compiled) and all(f.name.startswith("__render_") for f in files)

    compiled.clear()
    assert check_html() == first
    assert compiled == [], "loaded compiled, not compiled again"

    files[0].write_bytes(files[0].read_bytes()[:40])  # cut short
    assert check_html() == first
    assert len(compiled) == 1

    def full(self: object, bucket: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemBytecodeCache, "dump_bytecode", full)
    files[1].unlink()
    assert check_html() == first  # compiled, and not kept

    shutil.rmtree(folder)
    folder.write_text("not a folder")  # no safe folder: no cache
    compiled.clear()
    assert check_html() == first
    assert len(compiled) == len(files)
