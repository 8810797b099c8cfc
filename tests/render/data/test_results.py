"""A results table's change is computed (percent, points, a sign turned) and printed in both examples."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from render.data.results import Change, change, places, results_table
from render.renderer import Rendered, Renderer
from schemas.data import Results
from tests.conftest import EXAMPLES, TODAY
from tests.pdftools import missing_glyphs, page_texts, squash

ZH = EXAMPLES / "2026-05-06-lanfeng-earnings.md"
EN = EXAMPLES / "2026-05-06-lanfeng-earnings-en.md"


@pytest.mark.parametrize(
    ("this", "prior", "unit", "kind", "value"),
    [
        (9.60, 7.10, "亿元", "ratio", 0.352113),  # 9.60 / 7.10 − 1
        (0.86, 0.64, "亿元", "ratio", 0.34375),  # 0.86 / 0.64 − 1
        (5.0, 8.0, None, "ratio", -0.375),  # a fall: 5 / 8 − 1
        (0.0, 2.0, None, "ratio", -1.0),  # to nothing: −100 %
        (32.4, 29.8, "%", "points", 2.6),  # a margin changes by percentage points
        (28.1, 29.8, "%", "points", -1.7),
        (1.25, -0.18, "亿元", "turned_profit", None),  # a loss to a profit: no percent
        (-0.30, 1.20, "亿元", "turned_loss", None),
        (-0.20, -0.50, None, "loss_narrowed", None),
        (-0.50, -0.20, None, "loss_widened", None),
        (3.0, 0.0, None, "none", None),  # from zero there is no change to print
        (0.0, -1.0, None, "none", None),
        (-0.4, -0.4, None, "none", None),
    ],
)
def test_change_against_hand_worked_values(
    this: float, prior: float, unit: str | None, kind: str, value: float | None
) -> None:
    found = change(this, prior, unit)
    assert found.kind == kind
    if value is None:
        assert found.value is None
    else:
        assert found.value == pytest.approx(value, abs=1e-6)


def test_a_sign_change_is_words_not_a_percent() -> None:
    # (1.25 − (−0.18)) / −0.18 would print −794 %: the reason a turn is not a percent.
    assert change(1.25, -0.18) == Change("turned_profit")
    assert change(-0.03, 0.21) == Change("turned_loss")


def test_figures_print_with_the_decimals_they_were_written_with() -> None:
    assert [places(v) for v in (9.6, 0.21, 3, 1.125, 1e-9)] == [1, 2, 0, 3, 4]
    results = Results.model_validate(
        {
            "period": "2026Q1",
            "prior": "2025Q1",
            "rows": [
                {"name": "营业收入", "this": 9.6, "prior": 7.1, "unit": "亿元"},
                {"name": "毛利率", "this": 32.4, "prior": 29.8, "unit": "%"},
                {"name": "每股收益", "this": 0.21, "prior": -0.03, "unit": "元"},
                {"name": "Net profit", "this": 12345.5, "prior": 10000, "unit": None},
                {"name": "营业成本", "this": 6.5, "prior": 5, "digits": 2},
            ],
        }
    )
    zh = results_table(results, "zh_CN")
    assert [(r["this"], r["prior"], r["change"]) for r in zh["rows"]] == [
        ("9.6", "7.1", {"kind": "ratio", "text": "+35.2%"}),
        ("32.4", "29.8", {"kind": "points", "text": "+2.6"}),
        ("0.21", "-0.03", {"kind": "turned_profit", "text": None}),
        ("12,345.5", "10,000.0", {"kind": "ratio", "text": "+23.5%"}),
        ("6.50", "5.00", {"kind": "ratio", "text": "+30.0%"}),  # digits: 2
    ]
    assert (zh["period"], zh["prior"]) == ("2026Q1", "2025Q1")


@pytest.fixture(scope="module")
def rendered() -> dict[str, Rendered]:
    renderer = Renderer(today=TODAY, created=None)
    return {"zh": renderer.render(ZH, ("pdf",)), "en": renderer.render(EN, ("pdf",))}


def test_both_examples_print_the_results_table_on_the_first_page(
    rendered: dict[str, Rendered],
) -> None:
    expected = {
        # The change of each row: 9.60 / 7.10 − 1; 32.4 − 29.8 points; a loss to a profit;
        # 0.86 / 0.64 − 1. The forecast and target come from files (data/lanfeng-*).
        "zh": [
            "业绩概览",
            "营业收入（亿元）9.607.10+35.2%",
            "毛利率（%）32.429.8+2.6pct",
            "扭亏为盈",
            "+34.4%",
        ],
        "en": ["Resultsoverview", "Revenue(CNY100m)9.607.10+35.2%", "+2.6pp", "Turnedtoprofit"],
    }
    rest = {
        "zh": ["盈利预测与投资建议", "目标价32.00", "上涨空间+30.1%", "34.2"],  # 24.60 / 0.72
        "en": ["Forecastandrecommendation", "Targetprice32.00", "Upside+30.1%", "34.2"],
    }
    for locale, result in rendered.items():
        assert result.pdf is not None
        assert result.problems == []
        pages = [squash(page) for page in page_texts(result.pdf, layout=False)]
        for text in expected[locale]:
            assert text in pages[0], (locale, text)
        whole = "".join(pages)
        for text in rest[locale]:
            assert text in whole, (locale, text)
        assert missing_glyphs(result.pdf) == []


def _words(pdf: bytes, page: int) -> list[tuple[str, float, float]]:
    """The words of a page with their left edge and top, as Poppler places them (points)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        html = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    return [(word, float(x), float(y)) for x, y, word in found]


def _at(words: list[tuple[str, float, float]], text: str) -> tuple[float, float]:
    return next((x, y) for word, x, y in words if word.startswith(text))


def test_the_first_page_tables_sit_beside_the_sidebar(rendered: dict[str, Rendered]) -> None:
    """No white gap: a table on the first page starts beside the sidebar, not below it."""
    company = Renderer(today=TODAY, created=None).render(
        EXAMPLES / "2026-04-15-hengtong-upgrade.md", ("pdf",)
    )
    cases = [
        # The company note's valuation (its commentary's table now falls on page 2, after the
        # chart block: a table that does not fit leaves no gap either).
        (company.pdf, "近12个月相对表现", ["营业收入"]),
        (rendered["zh"].pdf, "近12个月相对表现", ["每股收益"]),  # the results table's last row
        (rendered["en"].pdf, "Relative", ["EPS"]),
    ]
    for pdf, caption, tables in cases:
        assert pdf is not None
        words = _words(pdf, 1)
        left = _at(words, caption)[0]
        # The sidebar's last line: the chart's source line (the footer's page number aside).
        sources = ("资料来源", "Source")
        bottom = max(y for word, x, y in words if x >= left - 1 and word.startswith(sources))
        for text in tables:
            x, y = _at(words, text)
            assert x < left and y < bottom, (text, (x, y), (left, bottom))
