"""A ```chart block read: inline series or a CSV, and every mistake located in the note or the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from render.data.chart_block import Fence, chart_fences, chart_references, read_chart, read_table
from render.renderer import Renderer
from render.settings import Limits
from schemas.problems import Problem
from schemas.rules import message
from tests.pdftools import page_texts, squash
from tests.render.cli.test_app_check import after_check

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "notes"
COMPANY = EXAMPLES / "2026-04-15-hengtong-upgrade.md"
CSV = "季度,先进封装,传统封装\n2025Q1,2.1,3.9\n2025Q2,3.0,4.5\n"


def _read(text: str, folder: Path, limits: Limits | None = None) -> tuple[object, list[Problem]]:
    (fence,) = chart_fences(text)
    return read_chart(fence, ("event",), folder, "note.md", limits or Limits())


def _at(text: str, problem: Problem) -> str:
    """The note's text where a problem points (its offset into the field)."""
    assert problem.offset is not None
    return text[problem.offset : problem.offset + 12]


INLINE = """Intro.

```chart
type: column
title: 收入
source: 公司公告
categories: [2024, 2025]
series:
  - {name: 收入, values: [1.5, 2]}
```
"""


def test_inline_series(tmp_path: Path) -> None:
    chart, problems = _read(INLINE, tmp_path)
    assert problems == []
    assert chart.categories == ("2024", "2025")  # type: ignore[attr-defined]
    assert chart.series == (("收入", (1.5, 2.0)),)  # type: ignore[attr-defined]
    assert chart.alt() == "收入: 收入, 2024 – 2025"  # type: ignore[attr-defined]


def test_a_csv_in_the_notes_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "q.csv").write_text(CSV, encoding="utf-8")
    text = "```chart\ntype: line\ntitle: t\nsource: s\ndata: data/q.csv\n```\n"
    chart, problems = _read(text, tmp_path)
    assert problems == []
    assert chart.categories == ("2025Q1", "2025Q2")  # type: ignore[attr-defined]
    assert chart.series == (("先进封装", (2.1, 3.0)), ("传统封装", (3.9, 4.5)))  # type: ignore[attr-defined]
    assert chart_references(text) == [(9, "data/q.csv")]


@pytest.mark.parametrize(
    ("yaml", "where", "words"),
    [
        ("type: pie\ntitle: t\nsource: s\n", "pie", "'pie' is not allowed"),
        ("type: line\ntitle: t\nsource: s\ncolour: red\n", "colour: red", "not a chart key"),
        ("type: line\ntitle: t\n", "type: line", "'source' is missing"),
        # Where the YAML reader finds the mistake: the ':' after the key it did not expect.
        ("type: line\ntitle: t\n  source: s\n", ": s", "indentation"),
        (
            "type: bar\ntitle: t\nsource: s\ncategories: [a, b]\n"
            "series:\n  - {name: x, values: [1, 2]}\n  - {name: y, values: [1]}\n",
            "[1]}",
            "'y' has 1 values but there are 2 categories",
        ),
        (
            "type: bar\ntitle: t\nsource: s\ncategories: [a, b]\n"
            "series:\n  - {name: x, values: [1, 4O]}\n",
            "4O]}",
            "'4O' is not a number",
        ),
        (
            "type: bar\ntitle: t\nsource: s\ncategories: [a, b]\n"
            "series:\n  - {name: x, values: [1, true]}\n",
            "true]}",
            "'true' is not a number",
        ),
        ("type: bar\ntitle: t\nsource: s\n", "type: bar", "the chart has no numbers"),
        (
            "type: bar\ntitle: t\nsource: s\nseries:\n  - {name: x, values: [1]}\n",
            "series:",
            "need their categories",
        ),
        (
            "type: bar\ntitle: t\nsource: s\ncategories: [a, a]\n"
            "series:\n  - {name: x, values: [1, 2]}\n",
            "a]\nseries",
            "'a' repeats",
        ),
        (
            "type: bar\ntitle: t\nsource: s\ndata: x.csv\ncategories: [a]\n",
            "categories: ",
            "not both",
        ),
    ],
)
def test_each_mistake_in_the_block_is_at_its_place(
    tmp_path: Path, yaml: str, where: str, words: str
) -> None:
    text = f"Intro.\n\n```chart\n{yaml}```\n"
    chart, problems = _read(text, tmp_path)
    assert chart is None and len(problems) == 1, problems
    (problem,) = problems
    assert problem.code == "data.chart" and problem.loc == ("event",)
    assert _at(text, problem).startswith(where[:12]), (_at(text, problem), where)
    assert words in message(problem)


@pytest.mark.parametrize(
    ("lead", "inner"), [("- ", "  "), ("   ", "   "), ("> ", "> "), ("1. > ", "   > ")]
)
def test_a_mistake_in_an_indented_block_is_at_its_place(
    tmp_path: Path, lead: str, inner: str
) -> None:
    # Inside a list item or a quote, Markdown takes each line's indent off the block's YAML.
    block = ["```chart", "type: bar", "title: t", "source: s", "colour: red", "data: x.csv", "```"]
    body = "\n".join([lead + block[0], *(inner + line for line in block[1:])])
    text = f"Intro.\n\n{body}\n"
    chart, problems = _read(text, tmp_path)
    assert chart is None and [p.code for p in problems] == ["data.chart"], problems
    assert _at(text, problems[0]).startswith("colour: red")


def test_a_data_file_outside_the_folder_or_missing(tmp_path: Path) -> None:
    note = tmp_path / "notes"
    note.mkdir()
    (tmp_path / "q.csv").write_text(CSV, encoding="utf-8")
    for reference, words in (("../q.csv", "outside the note's folder"), ("none.csv", "")):
        text = f"```chart\ntype: line\ntitle: t\nsource: s\ndata: {reference}\n```\n"
        chart, problems = _read(text, note)
        assert chart is None and [p.code for p in problems] == ["render.resource"]
        assert _at(text, problems[0]).startswith(reference) and words in message(problems[0])
        assert message(problems[0]).startswith("the chart's data file: ")


@pytest.mark.parametrize(
    ("csv", "line", "column", "words"),
    [
        ("季度\n2025Q1\n", 1, 1, "at least one series"),
        ("季度,a,a\n2025Q1,1,2\n", 1, 6, "two series are named 'a'"),
        ("季度,a,\n2025Q1,1,2\n", 1, 6, "has no name"),
        ("季度,a,b\n2025Q1,1,2\n2025Q2,1\n", 3, 1, "2 values, not 3"),
        ("季度,a,b\n2025Q1,1,2\n2025Q2,1,4O.5\n2025Q3,1,2\n", 3, 10, "'b': '4O.5' is not a"),
        ("季度,a,b\n2025Q1,1,2\n2025Q1,3,4\n", 3, 1, "'2025Q1' repeats line 2"),
        ("季度,a,b\n,1,2\n", 2, 1, "no category"),
        ("季度,a,b\n", 1, 1, "no rows"),
        ("季度,a,b\n2025Q1,1,nan\n", 2, 10, "'nan' is not a number"),
    ],
)
def test_each_mistake_in_the_csv_is_at_its_line(
    csv: str, line: int, column: int, words: str
) -> None:
    table, problems = read_table(csv.split("\n"), "data/q.csv", Limits())
    assert table is None and len(problems) == 1, problems
    (problem,) = problems
    assert (problem.code, problem.path, problem.line, problem.column) == (
        "data.chart_csv",
        "data/q.csv",
        line,
        column,
    )
    assert words in message(problem)


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    csv = "q,a\nQ1,x\nQ2,1\nQ3,y\n"
    _, problems = read_table(csv.split("\n"), "q.csv", Limits())
    assert [p.line for p in problems] == [2, 4]


def test_limits(tmp_path: Path) -> None:
    rows = "q,a\n" + "".join(f"Q{i},{i}\n" for i in range(10))
    _, problems = read_table(rows.split("\n"), "q.csv", Limits(data_rows=5))
    assert [(p.line, "data_rows" in message(p)) for p in problems] == [(7, True)]
    seven = "q," + ",".join(f"s{i}" for i in range(7)) + "\nQ1," + ",".join("1" * 7) + "\n"
    _, problems = read_table(seven.split("\n"), "q.csv", Limits())
    assert "at most 6 series, not 7" in message(problems[0])
    (tmp_path / "big.csv").write_text(rows, encoding="utf-8")
    text = "```chart\ntype: line\ntitle: t\nsource: s\ndata: big.csv\n```\n"
    _, problems = _read(text, tmp_path, Limits(data_bytes=20))
    assert problems[0].code == "render.resource" and "data_bytes" in message(problems[0])
    # Values a chart draws: categories × series, inline or from its file, at the key.
    many = "```chart\ntype: line\ntitle: t\nsource: s\ncategories: [a, b, c]\nseries:\n"
    many += "  - {name: x, values: [1, 2, 3]}\n  - {name: y, values: [1, 2, 3]}\n```\n"
    _, problems = _read(many, tmp_path, Limits(chart_points=5))
    assert [p.code for p in problems] == ["data.chart"] and "chart_points" in message(problems[0])
    assert _at(many, problems[0]).startswith("categories:")
    assert _read(many, tmp_path, Limits(chart_points=6))[1] == []
    text = "```chart\ntype: line\ntitle: t\nsource: s\ndata: big.csv\n```\n"
    _, problems = _read(text, tmp_path, Limits(chart_points=9))
    assert _at(text, problems[0]).startswith("big.csv") and "10 values" in message(problems[0])
    (tmp_path / "latin1.csv").write_bytes("q,a\nQ1,1\nQ\xe9,2\n".encode("latin-1"))
    text = "```chart\ntype: line\ntitle: t\nsource: s\ndata: latin1.csv\n```\n"
    _, problems = _read(text, tmp_path)
    assert (problems[0].code, problems[0].line) == ("data.chart_csv", 3)


def test_other_fences_are_not_charts() -> None:
    assert chart_fences("```python\nx = 1\n```\n") == []
    assert chart_fences("no fence here") == []
    assert [f.content for f in chart_fences("~~~chart\ntype: line\n~~~\n")] == ["type: line\n"]
    assert chart_references("```chart\ntitle: t\n```\n") == []
    assert isinstance(chart_fences("```Chart\n```\n")[0], Fence)


# -- in the rendered note ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def company_pdf() -> bytes:
    rendered = Renderer().render(COMPANY, ("pdf",))
    assert rendered.pdf is not None
    return rendered.pdf


def test_the_example_chart_is_text_in_the_pdf(company_pdf: bytes) -> None:
    text = squash("".join(page_texts(company_pdf, layout=False)))
    assert "图1：公司分业务单季度营业收入" in text
    # The chart's own text: its unit, its legend, its categories and its value labels.
    assert all(word in text for word in ("亿元", "先进封装", "传统封装", "2025Q1", "2026Q1"))
    assert "资料来源：公司公告，澄川证券研究院整理（示例数据）" in text


def test_two_builds_give_the_same_bytes(company_pdf: bytes) -> None:
    again = Renderer().render(COMPANY, ("pdf",)).pdf
    assert again == company_pdf


def test_the_html_edition_carries_the_figure() -> None:
    html = Renderer().render(COMPANY, ("html",)).html
    start = html.index('<figure class="figure chart chart-column">')
    figure = html[start : html.index("</figure>", start)]
    assert "<figcaption>图1：公司分业务单季度营业收入</figcaption>" in figure
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-column"' in figure
    assert '<p class="source">资料来源：公司公告' in figure


def test_the_review_digest_and_the_archive_see_a_charts_data_file() -> None:
    from render.pdf.attachments import attachments
    from render.registers.review import data_files

    checked = Renderer().check(COMPANY)
    assert checked.source is not None and checked.note and checked.profile
    assert "data/hengtong-quarterly.csv" in data_files(checked.source, EXAMPLES)
    attached = attachments(checked.note, checked.profile, COMPANY)
    assert "data/hengtong-quarterly.csv" in [a.name for a in attached]


def test_check_imports_no_plotting_library() -> None:
    """``render check`` draws the note's charts (its HTML stage) with no plotting library."""
    plotting = ("matplotlib", "plotly", "pygal", "vl_convert", "altair", "bokeh", "PIL")
    assert after_check(COMPANY, (*plotting, "weasyprint"))["modules"] == []
