"""What the templates print of a note's data: the market box, the chart and the valuation table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from render.data import compute
from render.data.chart import relative_chart
from render.data.prices import Prices, data_path, load_prices
from render.html.filters import decimal, large_number, signed_percent
from render.settings import Limits
from schemas.data import PricesFile
from schemas.problems import Loc, Problem
from schemas.rules import Text
from schemas.rules import data as rules

#: Decimals of each forecast row, as the house prints them: amounts to one, EPS to two.
DIGITS = {"revenue": 1, "net_profit": 1, "eps": 2}
#: The rows the forecast table computes after a given one.
GROWTH_OF = ("revenue", "net_profit")


@dataclass(frozen=True)
class PricesRef:
    """Where a note's ``prices:`` points, whichever form it is written in."""

    file: str
    source: str | None
    loc: Loc


def prices_reference(data: dict[str, Any]) -> PricesRef | None:
    """The price file a note's raw data names (``prices: file.csv`` or ``{file, source}``)."""
    value = data.get("prices")
    if isinstance(value, str) and value.strip():
        return PricesRef(value.strip(), None, ("prices",))
    if isinstance(value, dict) and isinstance(value.get("file"), str):
        source = value.get("source")
        return PricesRef(
            value["file"].strip(), source if isinstance(source, str) else None, ("prices", "file")
        )
    return None


def note_prices(
    data: dict[str, Any], folder: Path, display: str, limits: Limits
) -> tuple[Prices | None, list[Problem]]:
    """The note's price file, read and judged, with the problems found (the note's date rule)."""
    ref = prices_reference(data)
    if ref is None:
        return None, []
    prices, problems = load_prices(ref.file, ref.source, ref.loc, folder, display, limits)
    if prices is None:
        return None, problems
    note_date = data.get("date")
    if isinstance(note_date, str):
        try:
            note_date = dt.date.fromisoformat(note_date.strip())
        except ValueError:
            note_date = None  # reported as schema.date
    last = prices.rows[-1]
    if isinstance(note_date, dt.date) and last.date > note_date:
        shown = data_path(display, ref.file)
        line = _line_of(prices, last.date)
        problems.append(date_problem(last.date, note_date, shown, line))
    return prices, problems


def date_problem(last: Any, note_date: Any, path: str, line: int) -> Problem:
    """``data.date``: the price file runs past the note's date (data from after it was written)."""
    problem = Text(
        "the prices run to {last}, after the note's date {note}", last=last, note=note_date
    )
    return rules.DATE(problem=problem, path=path, line=line, column=1)


def _line_of(prices: Prices, day: Any) -> int:
    """The line of a day's row in the file (the header is line 1; blank lines count)."""
    text = prices.path.read_text(encoding="utf-8-sig")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(str(day)) or f",{day}" in line:
            return number
    return 1


def data_context(
    note: Any, prices: Prices | None, locale: str, benchmark: str, fonts: str
) -> dict[str, Any]:
    """The market box, the relative-performance chart and the valuation, formatted for the locale.

    Each is None when the note gives nothing to draw it from.
    """
    company = note.subject.kind == "company"
    perf = compute.performance(prices.rows) if prices else None
    close = note.price.close if note.price else (perf.close if perf else None)
    close_date = note.price.date if note.price else (perf.end if perf else None)
    currency = note.price.currency if note.price else "CNY"
    extra = note.market_data

    def money(value: float) -> str:
        # 395.24亿元 in Chinese; CNY 39.52B in English.
        if locale.startswith("zh") and currency == "CNY":
            return large_number(value, locale) + "元"
        return f"{currency} {large_number(value, locale)}"

    box: list[tuple[str, str]] = []
    if company and close is not None:
        box.append(("close", decimal(close, locale)))
        box.append(("close_date", close_date.isoformat() if close_date else ""))
    if company and perf:
        box.append(("range", f"{decimal(perf.low, locale)}–{decimal(perf.high, locale)}"))
        box.append(("return", signed_percent(perf.absolute, locale)))
    if not company and perf:
        box.append(("return", signed_percent(perf.absolute, locale)))
        box.append(("excess", signed_percent(perf.excess, locale)))
    if extra and extra.total_shares and close is not None:
        box.append(("total_value", money(extra.total_shares * close)))
    if extra and extra.float_shares and close is not None:
        box.append(("float_value", money(extra.float_shares * close)))
    if extra and extra.constituents:
        box.append(("constituents", decimal(extra.constituents, locale, 0)))
    if extra and extra.total_value:
        box.append(("total_value", money(extra.total_value)))

    chart = None
    if prices:
        rows = compute.last_year(prices.rows)
        source = prices.source
        if source is None and isinstance(note.prices, PricesFile):
            source = note.prices.source
        chart = {
            "svg": Markup(relative_chart(rows, note.subject.name, benchmark, locale, fonts)),
            "source": source,
            "start": rows[0].date.isoformat(),
            "end": rows[-1].date.isoformat(),
        }
    return {
        "market_data": box or None,
        "chart": chart,
        "valuation": _valuation(note, close, locale) if company else None,
    }


def _valuation(note: Any, close: float | None, locale: str) -> dict[str, Any] | None:
    """Price, target, upside and the forecast table with its computed rows (growth, PE)."""
    forecast = note.forecast
    if forecast is None and note.target_price is None:
        return None
    upside = None
    if note.target_price is not None and close is not None:
        upside = signed_percent(compute.upside(close, note.target_price), locale)
    rows: list[dict[str, Any]] = []
    if forecast is not None:
        for key, values in forecast.rows():
            rows.append({"key": key, "cells": [decimal(v, locale, DIGITS[key]) for v in values]})
            if key in GROWTH_OF:
                rows.append(
                    {
                        "key": f"{key}_growth",
                        "cells": _blank(
                            [
                                None if g is None else signed_percent(g, locale)
                                for g in compute.growth(values)
                            ]
                        ),
                    }
                )
            if key == "eps" and close is not None:
                rows.append(
                    {
                        "key": "pe",
                        "cells": _blank(
                            [
                                None if p is None else decimal(p, locale, 1)
                                for p in compute.pe(close, values)
                            ]
                        ),
                    }
                )
    return {
        "close": decimal(close, locale) if close is not None else None,
        "target": decimal(note.target_price, locale) if note.target_price is not None else None,
        "upside": upside,
        "years": forecast.years if forecast else [],
        "unit": forecast.unit if forecast else None,
        "rows": rows,
        "source": forecast.source if forecast else None,
    }


def _blank(values: list[str | None]) -> list[str]:
    """A cell with nothing to show (no year before, a loss): a dash, as tables print it."""
    return ["–" if value is None else value for value in values]
