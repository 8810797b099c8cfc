"""The relative-performance chart: well-formed SVG, the same bytes each time, drawn by WeasyPrint."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from xml.sax import saxutils

from weasyprint import HTML

from render.data.chart import axis_ticks, escape, month_ticks, quoteattr, relative_chart
from render.data.prices import Row
from render.pdf.writer import captured
from tests.pdftools import missing_glyphs, page_texts, squash

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
    assert axis_ticks(0.02, 0.03) == [0.0, 0.02, 0.04]  # 0 is always on the axis
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


def test_escaping_writes_what_saxutils_writes() -> None:
    """The chart escapes text itself (``xml.sax.saxutils`` imports HTTP and SSL at start-up):
    the same bytes as the standard library's, so the chart's SVG is unchanged."""
    for text in ["a & b < c > d", 'say "x"', "it's", 'it\'s "x"', "a\nb\rc\td", "", FONTS]:
        assert escape(text) == saxutils.escape(text)
        assert quoteattr(text) == saxutils.quoteattr(text)
