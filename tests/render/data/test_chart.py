"""The relative-performance chart: well-formed SVG, the same bytes each time, drawn by WeasyPrint."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from xml.sax import saxutils

from weasyprint import HTML

from render.data.chart import (
    axis_ticks,
    body_chart,
    escape,
    month_ticks,
    nice_ticks,
    quoteattr,
    relative_chart,
    tick_decimals,
)
from render.data.prices import Row
from render.pdf.writer import captured
from tests.pdftools import font_names, missing_glyphs, page_texts, squash

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    Row(dt.date(2025, 4, 14), 40.0, 4000.0),
    Row(dt.date(2025, 8, 14), 36.0, 4100.0),
    Row(dt.date(2026, 1, 14), 52.0, 4300.0),
    Row(dt.date(2026, 4, 14), 50.0, 4200.0),
]
FONTS = '"Noto Sans CJK SC", sans-serif'


def test_ticks() -> None:
    assert axis_ticks(-0.1, 0.25) == [-0.1, 0.0, 0.1, 0.2, 0.3]
    assert axis_ticks(0.02, 0.03) == [0.0, 0.01, 0.02, 0.03]  # 0 is always on the axis
    assert axis_ticks(-0.9, 4.1) == [-2.0, 0.0, 2.0, 4.0, 6.0]  # at most six ticks
    assert month_ticks(dt.date(2025, 4, 14), dt.date(2026, 4, 14)) == [
        dt.date(2025, 7, 1),
        dt.date(2025, 10, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
    ]


def test_the_lines_start_at_zero_and_the_labels_are_text() -> None:
    svg = relative_chart(ROWS, "衡通微电子", "沪深 300 指数", "zh_CN", FONTS)
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"衡通微电子", "沪深 300 指数", "0%", "+20%", "-10%", "+30%"} <= set(texts)
    assert {"7月", "10月", "2026年", "4月"} <= set(texts)
    zero = next(
        line.get("y1")
        for line in root.iter(f"{SVG}line")
        if line.get("stroke-width") == "0.6"  # the 0 % grid line
    )
    for polyline in root.iter(f"{SVG}polyline"):
        first_point = polyline.get("points", "").split()[0]
        assert first_point.split(",")[1] == zero
    english = relative_chart(ROWS, "Hengtong", "CSI 300", "en_US", FONTS)
    assert ">Jul<" in english and ">2026<" in english


def test_same_bytes_every_time() -> None:
    first = relative_chart(ROWS, "a", "b", "zh_CN", FONTS)
    assert all(relative_chart(ROWS, "a", "b", "zh_CN", FONTS) == first for _ in range(3))


def test_weasyprint_draws_it_as_text_in_the_house_font() -> None:
    svg = relative_chart(ROWS, "衡通微电子", "沪深 300 指数", "zh_CN", FONTS)
    with captured() as records:
        pdf = HTML(string=f"<html><body><div style='width:60mm'>{svg}</div></body></html>")
        data = pdf.write_pdf()
    assert [r.getMessage() for r in records] == []
    text = squash(page_texts(data)[0])
    assert "衡通微电子" in text and "沪深300指数" in text and "+20%" in text
    assert missing_glyphs(data) == []


# -- the body's charts ----------------------------------------------------------------------------

SERIES = [("先进封装", [2.1, 3.0, 3.9, 5.8, 8.6]), ("传统封装", [3.9, 4.5, 4.9, 5.2, 5.4])]
QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]


def test_nice_ticks_against_hand_worked_values() -> None:
    # 0..79.2 in at most six ticks: steps of 10 need nine, steps of 20 need five.
    assert nice_ticks(0, 79.2) == [0.0, 20.0, 40.0, 60.0, 80.0]
    # A line need not start at 0: 33.8..79.2 is covered by 30..80 in tens (six ticks).
    assert nice_ticks(33.8, 79.2) == [30.0, 40.0, 50.0, 60.0, 70.0, 80.0]
    # With 0 on the axis: steps of 1, 2 and 2.5 need too many ticks, steps of 5 need five.
    assert nice_ticks(-3.2, 11.5, zero=True) == [-5.0, 0.0, 5.0, 10.0, 15.0]
    # 0.23..1.40 from 0: 0.25 would take seven ticks, 0.5 takes four.
    assert nice_ticks(0.23, 1.40, zero=True) == [0.0, 0.5, 1.0, 1.5]
    # Steps of 2.5 where they fit: 0..12 in 2.5s is six ticks; and no 0.30000000000000004.
    assert nice_ticks(0, 12) == [0.0, 2.5, 5.0, 7.5, 10.0, 12.5]
    assert nice_ticks(0.1, 0.3) == [0.1, 0.15, 0.2, 0.25, 0.3]
    # From 0 up to one value: 0..5 in ones is six ticks.
    assert nice_ticks(5, 5, zero=True) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    # One value and no 0: 10 % either side (-4.4..-3.6), in steps of 0.2.
    assert nice_ticks(-4, -4) == [-4.4, -4.2, -4.0, -3.8, -3.6]
    assert tick_decimals([0.0, 2.5, 5.0]) == 1 and tick_decimals([0.0, 0.25]) == 2
    assert tick_decimals([0.0, 20.0]) == 0


def test_a_column_chart_is_text_and_shapes_the_same_each_time() -> None:
    def draw() -> str:
        return body_chart("column", QUARTERS, SERIES, "亿元", "收入", "zh_CN", FONTS)

    svg = draw()
    assert all(draw() == svg for _ in range(3))
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"亿元", "先进封装", "传统封装", "2025Q1", "2026Q1", "0", "10"} <= set(texts)
    assert root.findtext(f"{SVG}title") == "收入"
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 2 + 10  # two legend swatches, a column per value
    # The tallest column (8.6 of an axis to 10) stands 86 % of the plot's height.
    zero = float(next(r for r in rects[2:]).get("y", 0)) + float(rects[2].get("height", 0))
    tallest = max(float(r.get("height", 0)) for r in rects[2:])
    grid = [float(line.get("y1", 0)) for line in root.iter(f"{SVG}line")]  # from 0 up to 10
    assert abs(tallest / (zero - grid[-1]) - 0.86) < 0.01 and abs(zero - grid[0]) < 0.01


def test_a_line_and_a_bar_chart() -> None:
    line = ET.fromstring(body_chart("line", QUARTERS, SERIES[:1], None, "a", "en_US", FONTS))
    assert len(list(line.iter(f"{SVG}polyline"))) == 1 and len(list(line.iter(f"{SVG}circle"))) == 5
    # One series: no legend; no unit: nothing above the plot.
    assert "先进封装" not in [t.text for t in line.iter(f"{SVG}text")]
    bar = ET.fromstring(
        body_chart("bar", ["A", "B"], [("x", [-1200.0, 3400.0])], "RMB", "b", "en_US", FONTS)
    )
    texts = [t.text for t in bar.iter(f"{SVG}text")]
    assert {"A", "B", "-2,000", "0", "4,000", "RMB"} <= set(texts)
    widths = sorted(float(r.get("width", 0)) for r in bar.iter(f"{SVG}rect"))
    assert abs(widths[1] / widths[0] - 3400 / 1200) < 0.01  # bars from 0, either way


def test_many_categories_label_every_kth() -> None:
    months = [f"2025-{m:02d}" for m in range(1, 13)] * 3
    months = [f"{m}-{i}" for i, m in enumerate(months)]
    svg = body_chart("line", months, [("x", list(range(36)))], None, "a", "en_US", FONTS)
    labelled = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.text in months]
    assert 2 <= len(labelled) < len(months) and labelled[0] == months[0]


def test_weasyprint_draws_a_body_chart_as_text_in_the_house_font() -> None:
    svg = body_chart("column", QUARTERS, SERIES, "亿元", "收入", "zh_CN", FONTS)
    with captured() as records:
        data = HTML(string=f"<html><body><div style='width:110mm'>{svg}</div></body></html>")
        data = data.write_pdf()
    assert [r.getMessage() for r in records] == []
    text = squash(page_texts(data)[0])
    assert "先进封装" in text and "2025Q3" in text and "亿元" in text
    assert missing_glyphs(data) == []
    assert font_names(data) == {"Noto-Sans-CJK-SC"}  # the house sans, as pdffonts names it


def test_escaping_writes_what_saxutils_writes() -> None:
    """The chart escapes text itself (``xml.sax.saxutils`` imports HTTP and SSL at start-up):
    the same bytes as the standard library's, so the chart's SVG is unchanged."""
    for text in ["a & b < c > d", 'say "x"', "it's", 'it\'s "x"', "a\nb\rc\td", "", FONTS]:
        assert escape(text) == saxutils.escape(text)
        assert quoteattr(text) == saxutils.quoteattr(text)
