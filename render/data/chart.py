"""The notes' charts as inline SVG (relative performance; line, bar and column charts of the body).

One small engine draws them all: "nice number" axis ticks, lines, horizontal bars, vertical
columns and a legend. It is written by hand rather than with a plotting library (docs/charts.md):

- the same data gives the same bytes: every coordinate is rounded to a fixed number of decimals,
  and nothing depends on the time, a random seed, a hash salt or an installed font's metrics;
- the text is ``<text>`` in the house's fonts, laid out and shaped (CJK too) by WeasyPrint, not
  measured with a plotting library's own font metrics, so the PDF's text layer holds it and the
  fidelity check's glyph test covers it;
- it costs a few milliseconds and no memory to speak of per worker, and ``render check`` (which
  renders the HTML) never imports a plotting library: matplotlib's import alone takes about a
  second and tens of megabytes (benchmarks/README.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent

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


def _n(value: float) -> str:
    """A coordinate with two decimals and no negative zero: the same text on every machine."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def axis_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round percent ticks covering low..high (ratios), 0 among them: the body charts' ticks.

    >>> axis_ticks(-0.08, 0.31)
    [-0.1, 0.0, 0.1, 0.2, 0.3, 0.4]
    """
    return nice_ticks(low, high, most, zero=True)


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

    out = [
        _svg_open(WIDTH, HEIGHT, fonts, "performance", FONT_SIZE),
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
    colours = (SUBJECT_COLOUR, BENCHMARK_COLOUR)
    out += _legend((subject, benchmark), colours, LEFT, 9.5, WIDTH, FONT_SIZE, lines=True)[0]
    out.append("</svg>")
    return "".join(out)


def _width(text: str, size: float = FONT_SIZE) -> float:
    """The text's width estimated from its characters (CJK full width, others about half).

    Only margins and where legend entries start depend on it, so an estimate serves and keeps
    the drawing independent of the installed fonts (WeasyPrint lays out the text itself).
    """
    return sum(size if ord(char) > 0x2E80 else size * 0.55 for char in text)


# -- the body's charts: line, bar (horizontal) and column (vertical) ----------------------------

#: The series' colours in order: the house blue, the red, then muted hues that print apart in grey.
PALETTE = ("#0b3d6b", "#c0392b", "#8a96a3", "#d4a017", "#2e7d5b", "#6c4f9e")
#: The multiples of a power of ten a "nice" step may be.
NICE = (1.0, 2.0, 2.5, 5.0)
#: A body chart's size in user units (it is shown at the text column's width) and its text size.
BODY_WIDTH, BODY_HEIGHT, BODY_FONT = 360.0, 190.0, 9.0


def nice_ticks(low: float, high: float, most: int = 6, zero: bool = False) -> list[float]:
    """Round ticks covering low..high, steps of 1, 2, 2.5 or 5 times a power of ten, at most ``most``.

    ``zero`` puts 0 on the axis (bars and columns start there).

    >>> nice_ticks(0, 79.2)
    [0.0, 20.0, 40.0, 60.0, 80.0]
    >>> nice_ticks(-3.2, 11.5, zero=True)
    [-5.0, 0.0, 5.0, 10.0, 15.0]
    """
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1e-12:
        # One value: an axis around it (or from 0 to it when 0 is on the axis).
        pad = abs(high) * 0.1 or 1.0
        low, high = low - (0.0 if zero and low == 0 else pad), high + pad
    exponent = math.floor(math.log10((high - low) / max(most - 1, 1)))
    for power in range(exponent, exponent + 3):
        for multiple in NICE:
            step = multiple * 10.0**power
            first = math.floor(low / step + 1e-9)
            last = math.ceil(high / step - 1e-9)
            if last - first + 1 <= most:
                return [_clean(i * step) for i in range(first, last + 1)]
    return [low, high]  # not reached: a step of ten times the span fits


def _clean(value: float) -> float:
    """A tick rounded to its step's decimals, without a negative zero: 0.30000000000000004 → 0.3."""
    value = round(value, 10)
    return 0.0 if value == 0 else value


def tick_decimals(ticks: Sequence[float]) -> int:
    """The decimals the ticks need to be told apart as written: 2.5 → 1, 0.25 → 2, 20 → 0."""
    for decimals in range(7):
        if all(abs(round(t, decimals) - t) < 1e-9 for t in ticks):
            return decimals
    return 6


def _number(value: float, decimals: int, locale: str) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(0 if abs(value) < 1e-12 else value, pattern, locale=locale)


def _svg_open(width: float, height: float, fonts: str, kind: str, font_size: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 '
        f'{_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'font-family={quoteattr(fonts)} font-size="{_n(font_size)}" fill="{TEXT_COLOUR}">'
    )


def _legend(
    names: Sequence[str],
    colours: Sequence[str],
    x: float,
    y: float,
    width: float,
    size: float,
    lines: bool = False,
) -> tuple[list[str], float]:
    """A swatch and a name per series from (x, y) (the text's baseline), wrapping at ``width``;
    and the baseline of its last row. ``lines``: a short line for a line chart, else a block."""
    out, start = [], x
    for name, colour in zip(names, colours, strict=False):
        needed = 10 + _width(name, size)
        if x > start and x + needed > width:
            x, y = start, y + size * 1.5
        if lines:
            middle = _n(y - size * 0.33)
            out.append(
                f'<line x1="{_n(x)}" x2="{_n(x + 8)}" y1="{middle}" y2="{middle}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
        else:
            out.append(
                f'<rect x="{_n(x)}" y="{_n(y - size * 0.7)}" width="7" '
                f'height="{_n(size * 0.7)}" fill="{colour}"/>'
            )
        out.append(f'<text x="{_n(x + 10)}" y="{_n(y)}">{escape(name)}</text>')
        x += needed + 6
    return out, y


def body_chart(
    kind: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str | None,
    alt: str,
    locale: str,
    fonts: str,
) -> str:
    """A line, bar (horizontal) or column (vertical) chart of a note's body, as an SVG element.

    ``series`` are (name, values), one value per category; ``alt`` is what a screen reader says
    of the chart (the tagged PDF's ``/Alt``); ``fonts`` a CSS font-family value.
    """
    size = BODY_FONT
    values = [v for _, line in series for v in line]
    ticks = nice_ticks(min(values), max(values), zero=kind != "line")
    decimals = tick_decimals(ticks)
    labels = [_number(t, decimals, locale) for t in ticks]
    colours = PALETTE[: len(series)]
    names = [name for name, _ in series]
    width = BODY_WIDTH
    # The top band: the unit at the left, then the legend when there is more than one series.
    top_parts: list[str] = []
    y_top = size + 1
    x_legend = 0.0
    if unit:
        top_parts.append(f'<text x="0" y="{_n(y_top)}">{escape(unit)}</text>')
        x_legend = _width(unit, size) + 12
    if len(series) > 1:
        legend, y_top = _legend(names, colours, x_legend, y_top, width, size, lines=kind == "line")
        top_parts += legend
    top = y_top + size if top_parts else size * 0.6
    if kind == "bar":
        band_height = max(size * 1.8, len(series) * size * 0.9 + size)
        height = top + band_height * len(categories) + size * 2.2
        left = max(_width(c, size) for c in categories) + 6
    else:
        height = BODY_HEIGHT
        left = max(_width(label, size) for label in labels) + 6
    right = max(_width(labels[-1], size) / 2, 4.0) if kind == "bar" else 4.0
    bottom = height - size * 2.2  # where the plot ends; the category or value labels below
    plot_w, plot_h = width - left - right, bottom - top
    low, high = ticks[0], ticks[-1]

    def scale(value: float) -> float:
        """A value's place along the value axis, from 0 (at ``low``) to 1 (at ``high``)."""
        return (value - low) / (high - low)

    out = [_svg_open(width, height, fonts, kind, size), f"<title>{escape(alt)}</title>"]
    out += top_parts
    # Grid lines and value labels; the zero line darker.
    for tick, label in zip(ticks, labels, strict=True):
        stroke = "0.6" if abs(tick) < 1e-12 else "0.3"
        colour = TEXT_COLOUR if abs(tick) < 1e-12 and kind != "line" else GRID_COLOUR
        if kind == "bar":
            x = left + plot_w * scale(tick)
            out.append(
                f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(top)}" y2="{_n(bottom)}" '
                f'stroke="{colour}" stroke-width="{stroke}"/>'
            )
            out.append(
                f'<text x="{_n(x)}" y="{_n(height - 2)}" text-anchor="middle">{escape(label)}</text>'
            )
        else:
            y = bottom - plot_h * scale(tick)
            out.append(
                f'<line x1="{_n(left)}" x2="{_n(width - right)}" y1="{_n(y)}" y2="{_n(y)}" '
                f'stroke="{colour}" stroke-width="{stroke}"/>'
            )
            out.append(
                f'<text x="{_n(left - 3)}" y="{_n(y + size * 0.35)}" text-anchor="end">'
                f"{escape(label)}</text>"
            )
    count = len(categories)
    if kind == "bar":
        band = plot_h / count
        thickness = band * 0.7 / len(series)
        zero = left + plot_w * scale(max(low, min(0.0, high)))
        for i, category in enumerate(categories):
            y0 = top + band * i + band * 0.15
            out.append(
                f'<text x="{_n(left - 3)}" y="{_n(top + band * (i + 0.5) + size * 0.35)}" '
                f'text-anchor="end">{escape(category)}</text>'
            )
            for j, (_, line) in enumerate(series):
                x = left + plot_w * scale(line[i])
                out.append(
                    f'<rect x="{_n(min(x, zero))}" y="{_n(y0 + thickness * j)}" '
                    f'width="{_n(abs(x - zero))}" height="{_n(thickness)}" fill="{colours[j]}"/>'
                )
    else:
        band = plot_w / count
        # Every k-th category is labelled, so that labels never run into each other.
        widest = max(_width(c, size) for c in categories) + size * 0.8
        every = max(1, math.ceil(widest / band))
        for i, category in enumerate(categories):
            if i % every:
                continue
            out.append(
                f'<text x="{_n(left + band * (i + 0.5))}" y="{_n(height - 2)}" '
                f'text-anchor="middle">{escape(category)}</text>'
            )
        if kind == "column":
            thickness = band * 0.7 / len(series)
            zero = bottom - plot_h * scale(max(low, min(0.0, high)))
            for j, (_, line) in enumerate(series):
                for i, value in enumerate(line):
                    y = bottom - plot_h * scale(value)
                    out.append(
                        f'<rect x="{_n(left + band * i + band * 0.15 + thickness * j)}" '
                        f'y="{_n(min(y, zero))}" width="{_n(thickness)}" '
                        f'height="{_n(abs(y - zero))}" fill="{colours[j]}"/>'
                    )
        else:
            for j, (_, line) in enumerate(series):
                points = [
                    (left + band * (i + 0.5), bottom - plot_h * scale(value))
                    for i, value in enumerate(line)
                ]
                out.append(
                    '<polyline points="'
                    + " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
                    + f'" fill="none" stroke="{colours[j]}" stroke-width="1.4" '
                    'stroke-linejoin="round"/>'
                )
                if count <= 24:  # a marker at each point, where they stand apart
                    out += [
                        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="1.6" fill="{colours[j]}"/>'
                        for x, y in points
                    ]
    out.append("</svg>")
    return "".join(out)
