"""The check after layout: text hidden, clipped or lost, a figure not drawn, a character without
a glyph, each fails the note where the analyst wrote it; a faithful layout passes untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from weasyprint import HTML

from render.context.i18n import translator
from render.errors import UserError
from render.pdf.fidelity import FidelityCheck
from render.pdf.writer import captured
from render.renderer import Renderer
from schemas.problems import Problem
from tests.conftest import EXAMPLES, edit

#: Where the example note's risks paragraph is (line 45, its text at column 1).
RISKS_LINE = 45


def failures(renderer: Renderer, note: Path) -> list[Problem]:
    with pytest.raises(UserError) as raised:
        renderer.render(note, ("pdf",))
    return raised.value.problems


def house_style(workspace: Path, css: str) -> None:
    (workspace / "houses" / "example" / "style.css").write_text(css, encoding="utf-8")


def company_note(workspace: Path) -> Path:
    """The example company note in the workspace, with its data and the earlier approved note
    it reads its history and related reports from."""
    for name in ("2026-04-15-hengtong-upgrade.md", "2026-01-22-hengtong-annual-preview.md"):
        shutil.copy(EXAMPLES / name, workspace / "notes" / name)
    shutil.copytree(EXAMPLES / "data", workspace / "notes" / "data")
    return workspace / "notes" / "2026-04-15-hengtong-upgrade.md"


@pytest.mark.parametrize(
    "note", sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in (".md", ".yaml", ".json"))
)
def test_every_example_renders_faithfully(renderer: Renderer, note: str) -> None:
    rendered = renderer.render(EXAMPLES / note, ("pdf",))
    assert rendered.pages >= 1 and rendered.problems == []


@pytest.mark.parametrize(
    "css",
    [
        "section.risks p { display: none }",
        "section.risks p { visibility: hidden }",
        "section.risks p { opacity: 0 }",
        "section.risks p { color: transparent }",
        "section.risks p { font-size: 0 }",
        "section.risks p { text-indent: -9999px }",
        "section.risks p { position: absolute; left: -200mm }",
        "section.risks p { height: 0; overflow: hidden }",
    ],
)
def test_a_house_style_that_hides_a_paragraph_fails_it_at_its_line(
    renderer: Renderer, workspace: Path, note_file: Path, css: str
) -> None:
    house_style(workspace, css)
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line, problem.column) == (
        "render.unprinted",
        "risks",
        RISKS_LINE,
        1,
    )
    assert "paragraph is not printed as written" in problem.message
    assert problem.message_in(translator("zh")) == (
        "该段落未按原文印出：其文字不在任何页面上（被机构样式隐藏、裁切或在排版中丢失）"
    )


@pytest.mark.parametrize(
    ("css", "field", "line", "name"),
    [
        ("h1.title { font-size: 0 }", "title", 7, "title"),
        (".rating-badge { display: none }", "rating", 12, "rating"),
        (".subject { visibility: hidden }", "subject", 8, "subject box"),
        (".risk-level-line { color: transparent }", "risk_level", 15, "risk-level line"),
        # One analyst's entry fits, the second one's name and SAC number are cut off.
        (".analysts { max-height: 30mm; overflow: hidden }", "analysts[1]", 21, "analyst's entry"),
    ],
)
def test_a_field_a_template_prints_fails_at_the_field_if_hidden(
    renderer: Renderer, workspace: Path, note_file: Path, css: str, field: str, line: int, name: str
) -> None:
    """The compliance furniture printed from the note's fields (title, rating, subject, risk
    level, the analysts and their SAC numbers) is checked like its Markdown text."""
    house_style(workspace, css)
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line) == ("render.unprinted", field, line)
    assert f"the {name} is not printed as written" in problem.message


def test_the_house_text_hidden_or_cut_fails_the_note_with_its_words(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    """The disclaimer and the other blocks of the house are the note's compliance furniture:
    each must reach a page; a lost one is named by its words, since no field of the note
    holds it."""
    house_style(workspace, ".disclaimer p:first-of-type { display: none }")
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.path, problem.line) == ("render.unprinted", str(note_file), 0)
    assert problem.message == (
        "the text '澄川证券股份有限公司（以下简称“澄川证券”）经中国证券监督…' printed by the "
        "house's templates is on no page (hidden by the house style, clipped, or lost in layout)"
    )
    assert problem.message_in(translator("zh")).startswith(
        "机构模板印出的文字“澄川证券股份有限公司（以下简称“澄川证券”）经中国证券监督…”不在任何页面上"
    )

    # One line high: the paragraph is lost from its second line on, and the message says where.
    house_style(workspace, ".disclaimer p:first-of-type { max-height: 1.5em; overflow: hidden }")
    [problem] = failures(renderer, note_file)
    lost = problem.params["what"].params["snippet"].value
    assert (
        lost != ""
        and "澄川证券股份有限公司（以下简称“澄川证券”）经中国证券监督管理委员会核准，具备证券投资咨询业务资格。本报告为虚构示例，仅用于演示研究报告的排版流程。".endswith(
            lost
        )
    )
    assert len(lost) < 60

    house_style(workspace, ".masthead .logo { opacity: 0 }")
    [problem] = failures(renderer, note_file)
    assert problem.message.startswith("the house's image '澄川证券'")


def test_the_footer_must_be_on_every_page(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    house_style(workspace, "@page :first { @bottom-left { content: none } }")
    [problem] = failures(renderer, note_file)
    assert problem.code == "render.every_page"
    assert problem.message == (
        "the house's footer '本报告所用信息均来源于公开资料，本公司不保证其准确性与完整…' is missing "
        "from page 1: it must be printed on every page"
    )
    house_style(workspace, "@page :left { @bottom-left { content: none } }")
    [problem] = failures(renderer, note_file)
    assert problem.message_in(translator("zh")).startswith("机构的页脚")
    assert "missing from page 2:" in problem.message  # a three-page note: its one left page
    # Lost from every page: said once, as such (not also as text on no page).
    house_style(workspace, ".running-footer p:last-child { display: none }")
    [problem] = failures(renderer, note_file)
    assert "missing from every page:" in problem.message
    house_style(
        workspace,
        "@page :first { @bottom-left { content: none } } "
        "@page :left { @bottom-left { content: none } }",
    )
    [problem] = failures(renderer, note_file)
    assert "missing from pages 1–2:" in problem.message


def test_a_blank_page_may_go_without_the_footer(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    """A page the layout leaves blank, before a section that starts on a left-hand page."""
    house_style(
        workspace,
        ".compliance.disclaimer { break-before: left } @page :blank { @bottom-left { content: none } }",
    )
    rendered = renderer.render(note_file, ("pdf",))
    assert rendered.problems == [] and rendered.pages == 4  # page 3 left blank


@pytest.mark.parametrize(
    "css",
    [
        # Flex may reorder a block's elements; the words of each stay in order.
        ".rating-badge { display: flex; flex-direction: column-reverse }",
        ".analyst { display: flex; flex-direction: column-reverse }",
        ".market-data dl { display: flex; flex-direction: column-reverse }",
        # A first letter or line styled apart is drawn as the element's own text.
        ".disclaimer p::first-letter { font-weight: bold } h1.title::first-line { color: #c00 }",
        # The root's overflow goes to the page, which does not clip the footer in its margin.
        "html, body { overflow: hidden }",
        # Full-width letters are the same text.
        ".subject dd { text-transform: full-width }",
    ],
)
def test_a_faithful_house_style_passes(
    renderer: Renderer, workspace: Path, note_file: Path, css: str
) -> None:
    house_style(workspace, css)
    assert renderer.render(note_file, ("pdf",)).problems == []


def test_text_written_straight_into_the_body_is_its_own(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    """A house template writing text outside any element does not make the whole page one
    block: the footer drawn in the margins after the body is still whole, on every page."""
    templates = workspace / "houses" / "example" / "templates"
    templates.mkdir()
    (templates / "event-commentary.html").write_text(
        '{% extends "default:event-commentary.html" %}\n'
        "{% block body %}内部资料{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    assert renderer.render(note_file, ("pdf",)).problems == []
    house_style(workspace, "@page :first { @bottom-left { content: none } }")
    [problem] = failures(renderer, note_file)
    assert problem.code == "render.every_page"


def test_a_chart_drawn_as_svg_must_be_shown(renderer: Renderer, workspace: Path) -> None:
    note = company_note(workspace)
    house_style(workspace, ".performance-chart svg { visibility: hidden }")
    [problem] = failures(renderer, note)
    assert (problem.code, problem.field) == ("render.unprinted", "prices")
    assert "figure is not printed" in problem.message


def test_a_results_table_hidden_is_located_at_the_results(
    renderer: Renderer, workspace: Path
) -> None:
    note = workspace / "notes" / "2026-05-06-lanfeng-earnings.md"
    shutil.copy(EXAMPLES / note.name, note)
    shutil.copytree(EXAMPLES / "data", workspace / "notes" / "data")
    house_style(workspace, "table.results td { display: none }")
    [problem] = failures(renderer, note)
    assert (problem.code, problem.field) == ("render.unprinted", "results")
    assert "the results table is not printed as written" in problem.message


def test_what_the_templates_leave_off_paper_on_purpose_is_not_checked(
    renderer: Renderer, workspace: Path
) -> None:
    """The running header (not on page 1), a related report's link (printed as its title) and
    the draft banner (a mark on every page instead) are marked so; nothing else is left."""
    note = company_note(workspace)
    edit(note, "status: approved", "status: draft")  # a draft: banner and mark
    rendered = renderer.render(note, ("pdf", "html"))
    assert rendered.problems == []
    assert rendered.html is not None
    for marked in (
        'class="running-header" data-print="some-pages"',
        'class="related-link" data-print="screen"',
        'class="draft-banner" data-print="screen"',
    ):
        assert marked in rendered.html
    # A house may print no running header at all: it is not the compliance footer.
    house_style(workspace, "@page { @top-left { content: none } }")
    assert renderer.render(note, ("pdf",)).problems == []


def test_text_cut_short_is_located_where_it_stops(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    # One line high and clipped: the rest of the paragraph is lost from its second line on.
    house_style(workspace, "section.event p { max-height: 1.2em; overflow: hidden }")
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line) == ("render.unprinted", "event", 29)
    assert problem.column > 1 and "its text from" in problem.message


def test_a_box_removed_after_layout_is_found(renderer: Renderer, note_file: Path) -> None:
    """The check reads the laid-out boxes themselves: one paragraph taken out is one error."""
    checked = renderer.check(note_file)
    rendered = renderer.render_checked(checked, ("html",))
    source = HTML(string=rendered.html, base_url=str(note_file.parent))
    with captured():
        document = source.render()
    check = FidelityCheck(checked.source.text, checked.note.model_dump(), "note.md")  # type: ignore[union-attr]
    assert check(source, document, []) == []
    parents = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if any(
            getattr(child, "element", None) is not None
            and child.element.get("data-src") == "risks:0"
            for child in getattr(box, "children", ())
        )
    ]
    parent = parents[0]
    parent.children = [c for c in parent.children if c.element.get("data-src") != "risks:0"]
    [problem] = check(source, document, [])
    # It names the field and the offset into it; the note file, parsed, places it.
    assert (problem.code, problem.field, problem.line) == ("render.unprinted", "risks", 0)
    placed = checked.source.locate(problem, "note.md")  # type: ignore[union-attr]
    assert (placed.path, placed.line) == ("note.md", RISKS_LINE)


def test_a_word_longer_than_the_line_wraps_onto_the_page(
    renderer: Renderer, note_file: Path
) -> None:
    # A long address has no break opportunity; the built-in style breaks it at the margin
    # rather than letting it run off the page edge.
    address = "https://research.example.com/" + "x" * 300
    edit(note_file, "海外出口管制政策变化。", f"海外出口管制政策变化。{address}")
    rendered = renderer.render(note_file, ("pdf",))
    assert rendered.problems == []


def test_a_line_that_cannot_break_and_runs_off_the_page_fails_where_it_starts(
    renderer: Renderer, note_file: Path
) -> None:
    # One emphasis box per character leaves WeasyPrint no place to break the line, whatever the
    # style: the text beyond the margin is on no page, and the note says so.
    edit(note_file, "## 风险提示", "*_" * 400 + "\n\n## 风险提示")
    line = note_file.read_text(encoding="utf-8").splitlines().index("*_" * 400) + 1
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line) == (
        "render.unprinted",
        "recommendation",
        line,
    )


def test_hyphens_and_case_changed_by_the_house_are_not_differences(
    renderer: Renderer, workspace: Path
) -> None:
    # Words broken with a hyphen at line ends, and text upper-cased: the same text, printed.
    note = workspace / "notes" / "en.md"
    shutil.copy(EXAMPLES / "2026-03-09-chiplet-interconnect-en.md", note)
    shutil.copytree(EXAMPLES / "data", note.parent / "data")  # the note's price file
    house_style(
        workspace,
        "main p { hyphens: auto; width: 30mm } section.event p { text-transform: uppercase }",
    )
    assert renderer.render(note, ("pdf",)).problems == []


@pytest.mark.parametrize(
    ("char", "column"),
    [("\U00020000", 14), ("🚀", 14), ("\U0002a6a5", 14)],
)
def test_a_character_no_font_has_fails_at_the_character(
    renderer: Renderer, note_file: Path, char: str, column: int
) -> None:
    # No installed font (the Noto CJK ones included) has CJK Extension B or emoji.
    edit(note_file, "某国内开源社区", f"某国内开源社区{char}")
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line, problem.column) == (
        "render.glyph",
        "event",
        29,
        column,
    )
    assert f"U+{ord(char):04X}" in problem.message
    assert problem.message_in(translator("zh")) == (
        f"没有字体包含字符“{char}”（U+{ord(char):04X}）的字形，打印出来将是一个空框"
    )


def test_a_character_outside_the_markdown_is_found_in_the_file(
    renderer: Renderer, note_file: Path
) -> None:
    edit(note_file, "name: 林知远", "name: 林\U00020000远")
    problems = failures(renderer, note_file)
    assert {(p.code, p.line, p.column) for p in problems} == {("render.glyph", 17, 12)}


def test_every_place_of_a_missing_character_is_reported(
    renderer: Renderer, note_file: Path
) -> None:
    edit(note_file, "技术迭代不及预期", "技术迭代🚀不及预期🚀")
    problems = failures(renderer, note_file)
    assert [(p.line, p.column) for p in problems] == [(45, 5), (45, 10)]


PNG_BROKEN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_a_figure_that_cannot_be_loaded_fails_at_its_line(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    (note_file.parent / "broken.png").write_bytes(PNG_BROKEN)
    edit(
        note_file,
        "技术迭代不及预期；",
        "![图 1](broken.png)\n\n资料来源：测试\n\n技术迭代不及预期；",
    )
    # The check opens every figure as the layout would, so this one never reaches the layout.
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line) == ("render.image", "risks", 45)


def test_a_hidden_figure_fails_at_its_line(
    renderer: Renderer, workspace: Path, note_file: Path
) -> None:
    shutil.copy(EXAMPLES / "figures" / "2026-04-revenue.svg", note_file.parent / "f.svg")
    edit(note_file, "技术迭代不及预期；", "![图 1](f.svg)\n\n资料来源：测试\n\n技术迭代不及预期；")
    assert renderer.render(note_file, ("pdf",)).problems == []
    house_style(workspace, "figure img { width: 0 }")
    [problem] = failures(renderer, note_file)
    assert (problem.code, problem.field, problem.line) == ("render.unprinted", "risks", 45)
    assert "figure is not printed" in problem.message
