"""The relative-performance chart as inline SVG: text stays text, and the same data gives the same bytes.

Written by hand rather than with a charting library: the chart is one kind (two rebased lines),
every coordinate is rounded to a fixed number of decimals, nothing depends on the time, a random
seed or an installed font's metrics, and the text is ``<text>`` in the house's fonts, so the PDF's
text layer holds it and the fidelity check's glyph test covers it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from babel.dates import format_skeleton
from babel.numbers import format_percent

from render.data.compute import rebase
from render.data.prices import Row


def escape(text: str) -> str:
    """Text as XML character data, as ``xml.sax.saxutils.escape`` writes it.

    Written here because ``xml.sax.saxutils`` imports ``urllib.request`` (HTTP, SSL, email):
    20 ms of ``render check``'s start for three replacements.
    """
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, as ``xml.sax.saxutils.quoteattr`` writes it."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


#: The house blue (the masthead's) for the subject, a grey for the benchmark.
SUBJECT_COLOUR = "#0b3d6b"
BENCHMARK_COLOUR = "#c0392b"
GRID_COLOUR = "#c9d1db"
TEXT_COLOUR = "#4a5563"

#: The drawing's size in user units; the page shows it at the sidebar's width.
WIDTH, HEIGHT = 160.0, 118.0
LEFT, RIGHT, TOP, BOTTOM = 26.0, 4.0, 18.0, 12.0
FONT_SIZE = 7.5

#: Steps a percent axis may take, as ratios.
STEPS = (0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0)


def _n(value: float) -> str:
    """A coordinate with two decimals and no negative zero: the same text on every machine."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def axis_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round percent ticks covering low..high (ratios), 0 among them, at most ``most`` of them.

    >>> axis_ticks(-0.08, 0.31)
    [-0.1, 0.0, 0.1, 0.2, 0.3, 0.4]
    """
    low, high = min(low, 0.0), max(high, 0.0)
    for step in STEPS:
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        if last - first + 1 <= most:
            return [round(i * step, 6) for i in range(first, last + 1)]
    return [low, high]


def month_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each quarter's months (Jan, Apr, Jul, Oct) inside start..end."""
    ticks = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day > end:
            return ticks
        if month in (1, 4, 7, 10):
            ticks.append(day)


def _tick_label(day: dt.date, locale: str) -> str:
    # January shows its year; other months their short name (5月, May).
    return format_skeleton("y" if day.month == 1 else "MMM", day, locale=locale)


def _percent(value: float, locale: str) -> str:
    if abs(value) < 1e-9:
        return format_percent(0, "0%", locale=locale)
    return format_percent(value, "+#,##0%;-#,##0%", locale=locale)


def relative_chart(
    rows: Sequence[Row], subject: str, benchmark: str, locale: str, fonts: str
) -> str:
    """The subject's and the benchmark's change since the first row, as an SVG element.

    ``fonts`` is a CSS font-family value (the house's sans-serif families).
    """
    subject_line = rebase([row.close for row in rows])
    benchmark_line = rebase([row.benchmark for row in rows])
    values = subject_line + benchmark_line
    ticks = axis_ticks(min(values), max(values))
    start, end = rows[0].date, rows[-1].date
    days = max((end - start).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    low, high = ticks[0], ticks[-1]

    def x(day: dt.date) -> float:
        return LEFT + plot_w * (day - start).days / days

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    family = quoteattr(fonts)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_n(WIDTH)} '
        f'{_n(HEIGHT)}" width="{_n(WIDTH)}" height="{_n(HEIGHT)}" font-family={family} '
        f'font-size="{_n(FONT_SIZE)}" fill="{TEXT_COLOUR}">',
        # What a screen reader says of the chart (the tagged PDF's /Alt): the two lines' ends.
        f"<title>{escape(subject)} {escape(_percent(subject_line[-1], locale))}, "
        f"{escape(benchmark)} {escape(_percent(benchmark_line[-1], locale))} "
        f"({start.isoformat()} – {end.isoformat()})</title>",
    ]
    for tick in ticks:
        width = "0.6" if abs(tick) < 1e-9 else "0.3"
        out.append(
            f'<line x1="{_n(LEFT)}" x2="{_n(WIDTH - RIGHT)}" y1="{_n(y(tick))}" '
            f'y2="{_n(y(tick))}" stroke="{GRID_COLOUR}" stroke-width="{width}"/>'
        )
        out.append(
            f'<text x="{_n(LEFT - 2)}" y="{_n(y(tick) + FONT_SIZE * 0.35)}" '
            f'text-anchor="end">{escape(_percent(tick, locale))}</text>'
        )
    for day in month_ticks(start, end):
        out.append(
            f'<text x="{_n(x(day))}" y="{_n(HEIGHT - 2)}" text-anchor="middle">'
            f"{escape(_tick_label(day, locale))}</text>"
        )
    for line, colour in ((benchmark_line, BENCHMARK_COLOUR), (subject_line, SUBJECT_COLOUR)):
        points = " ".join(
            f"{_n(x(row.date))},{_n(y(value))}" for row, value in zip(rows, line, strict=True)
        )
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1" '
            'stroke-linejoin="round"/>'
        )
    # The legend, above the plot: a short line in each series' colour, then its name.
    legend_x = LEFT
    for name, colour in ((subject, SUBJECT_COLOUR), (benchmark, BENCHMARK_COLOUR)):
        out.append(
            f'<line x1="{_n(legend_x)}" x2="{_n(legend_x + 8)}" y1="7" y2="7" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
        out.append(f'<text x="{_n(legend_x + 10)}" y="9.5">{escape(name)}</text>')
        legend_x += 10 + _width(name) + 6
    out.append("</svg>")
    return "".join(out)


def _width(text: str) -> float:
    """The text's width estimated from its characters (CJK full width, others about half).

    Only where the legend's second entry starts depends on it, so an estimate serves and
    keeps the drawing independent of the installed fonts.
    """
    return sum(FONT_SIZE if ord(char) > 0x2E80 else FONT_SIZE * 0.55 for char in text)
