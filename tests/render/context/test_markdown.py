"""Analyst Markdown: no raw HTML, captioned figures, source lines, leads joined to their body."""

from __future__ import annotations

from pathlib import Path

from render.context.markdown import BodyRenderer, image_references
from render.pdf.confine import Confinement
from tests.render.pdf.test_confine import PNG


def _renderer(tmp_path: Path) -> BodyRenderer:
    (tmp_path / "chart.png").write_bytes(PNG)
    return BodyRenderer(Confinement(tmp_path), tmp_path)


def test_raw_html_prints_as_text(tmp_path: Path) -> None:
    html = _renderer(tmp_path).block("<script>x()</script> and <b>bold</b>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html


def test_image_alone_becomes_a_captioned_figure(tmp_path: Path) -> None:
    html = _renderer(tmp_path).block("![图 1：收入 <增长>](chart.png)\n\n资料来源：公司公告")
    html = html[html.index("</style>\n") + 9 :]  # the image's definition comes first
    assert html.startswith(
        '<figure class="figure"><figcaption>图 1：收入 &lt;增长&gt;</figcaption>'
    )
    assert 'alt="图 1：收入 &lt;增长&gt;" class="figure-' in html
    assert '<p class="source">资料来源：公司公告</p>' in html


def test_image_inside_text_stays_inline(tmp_path: Path) -> None:
    html = _renderer(tmp_path).block("See ![icon](chart.png) here")
    assert "<figure" not in html and "<figcaption>" not in html


def test_each_image_is_defined_once_before_the_field_that_first_shows_it(tmp_path: Path) -> None:
    body = _renderer(tmp_path)
    first = body.block("![a](chart.png) ![b](chart.png)")
    again = body.point("Lead.", "![c](chart.png)")
    assert first.startswith("<style>\nimg.figure-") and first.count("background:url(") == 1
    assert "<style>" not in again and 'alt="c" class="figure-' in again


def test_lead_opens_the_first_paragraph(tmp_path: Path) -> None:
    html = _renderer(tmp_path).point("Lead *sentence*.", "Body one.\n\nBody two.")
    assert html == (
        '<p><strong class="lead">Lead <em>sentence</em>.</strong> Body one.</p>\n<p>Body two.</p>\n'
    )


def test_a_chinese_lead_runs_on_into_its_body(tmp_path: Path) -> None:
    html = _renderer(tmp_path).point("成本快速下降。", "据官方报告。")
    assert html == '<p><strong class="lead">成本快速下降。</strong>据官方报告。</p>\n'


def test_image_references_report_the_line_offset() -> None:
    text = "first line\n\n![a](one.png)\n\ntext ![b](two.png)\n"
    assert list(image_references(text)) == [(12, "one.png"), (27, "two.png")]


def test_an_image_without_alternative_text_is_a_warning_at_its_line() -> None:
    from render.context.i18n import translator
    from render.context.markdown import figure_alt_problems, images
    from schemas.problems import Severity

    text = "Lead.\n\n![Figure 1: revenue](a.svg)\n\n![](b.svg)\n\nSee ![ ](c.svg) inline.\n"
    problems = figure_alt_problems(images(text), ("commentary", 0, "body"))
    assert [(p.code, p.severity, p.offset) for p in problems] == [
        ("render.figure_alt", Severity.WARNING, text.index("![](b.svg)")),
        ("render.figure_alt", Severity.WARNING, text.index("See")),
    ]
    assert "'b.svg'" in problems[0].message
    assert "图片“b.svg”没有替代文字" in problems[0].message_in(translator("zh_CN"))


def test_latin_words_in_a_chinese_note_are_marked_english(tmp_path: Path) -> None:
    renderer = BodyRenderer(Confinement(tmp_path), tmp_path, lang="zh-CN")
    html = renderer.block("加快 **AI 应用**落地，采用 Open Chiplet Link 1.0 标准；A股与 `GPU` 不变")
    assert '<strong><span lang="en">AI</span> 应用</strong>' in html
    assert '<span lang="en">Open Chiplet Link 1.0</span> 标准' in html
    # A lone letter (A股) and code are left as they are.
    assert "A股" in html and "<code>GPU</code>" in html
    assert html.count("<span") == 2
    lead = renderer.point("AI 成本", "持续下降")
    assert '<strong class="lead"><span lang="en">AI</span> 成本</strong>' in lead


def test_han_in_an_english_note_is_marked_chinese(tmp_path: Path) -> None:
    renderer = BodyRenderer(Confinement(tmp_path), tmp_path, lang="en-US")
    html = renderer.block("The term 先进封装（CoWoS 类） means AI packaging.")
    assert '<span lang="zh-CN">先进封装</span>（CoWoS <span lang="zh-CN">类</span>）' in html


def test_without_a_language_nothing_is_marked(tmp_path: Path) -> None:
    assert "<span" not in _renderer(tmp_path).block("加快 AI 应用落地")


CHART = """```chart
type: line
title: 毛利率
unit: "%"
source: 公司公告
caption: 注：2025Q4 含一次性费用
categories: [2025Q1, 2025Q2]
series:
  - {name: 先进封装, values: [28.5, 31.0]}
```"""


def test_a_chart_block_becomes_a_numbered_figure_with_its_source(tmp_path: Path) -> None:
    body = BodyRenderer(
        Confinement(tmp_path),
        tmp_path,
        locale="zh_CN",
        gettext=lambda m: {
            "Figure %(number)s: %(title)s": "图%(number)s：%(title)s",
            "Source: %(source)s": "资料来源：%(source)s",
        }.get(m, m),
    )
    html = body.block(f"正文。\n\n{CHART}\n\n后文。", ("event",))
    assert '<figure class="figure chart chart-line">\n<figcaption>图1：毛利率</figcaption>' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-line"' in html
    assert '<p class="chart-note">注：2025Q4 含一次性费用</p>' in html
    assert '<p class="source">资料来源：公司公告</p>\n</figure>' in html
    # The YAML is not printed, and the figure has no source mark (its text is not the note's).
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert "type: line" not in html and "data-src" not in figure
    assert '<p data-src="event:0">正文。</p>' in html and "后文。" in html


def test_charts_and_image_figures_share_one_numbering(tmp_path: Path) -> None:
    body = _renderer(tmp_path)
    body.block("![图 1：收入](chart.png)\n\n资料来源：公司公告")
    assert "Figure 2: 毛利率" in body.block(CHART)
    assert "Figure 3: 毛利率" in body.point("Lead.", CHART)
    # An image inside text is not a figure and takes no number.
    body.block("See ![icon](chart.png) here")
    assert "Figure 4: 毛利率" in body.block(CHART)


def test_other_code_blocks_print_as_code(tmp_path: Path) -> None:
    html = _renderer(tmp_path).block("```yaml\ntype: line\n```")
    assert "<pre><code" in html and "type: line" in html and "<figure" not in html
