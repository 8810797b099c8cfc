"""The figures computed from a note's data: returns, ranges, upside, growth and PE, never typed."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from render.data.prices import Row


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for a 29 February).

    >>> year_before(dt.date(2026, 4, 14)), year_before(dt.date(2024, 2, 29))
    (datetime.date(2025, 4, 14), datetime.date(2023, 2, 28))
    """
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def last_year(rows: Sequence[Row]) -> list[Row]:
    """The rows of the twelve months up to the last one, starting from the last close before them.

    The 12-month return is measured from the close a year before the last day: the latest row
    on or before that day is the start (or the first row, when the file begins later).
    """
    if not rows:
        return []
    start = year_before(rows[-1].date)
    first = 0
    for i, row in enumerate(rows):
        if row.date <= start:
            first = i
    return list(rows[first:])


def change(start: float, end: float) -> float:
    """The change from one value to another, as a ratio: 10 to 12 is 0.2.

    >>> round(change(10, 12), 6), round(change(50, 40), 6)
    (0.2, -0.2)
    """
    return end / start - 1


def rebase(values: Sequence[float]) -> list[float]:
    """A series as its change from its first value: it starts at 0 (0 %).

    >>> rebase([10, 11, 9])
    [0.0, 0.1, -0.1]
    """
    return [round(change(values[0], value), 12) for value in values]


@dataclass(frozen=True)
class Performance:
    """A subject's year against its benchmark, from its price file."""

    start: dt.date
    end: dt.date
    close: float
    low: float
    high: float
    #: The subject's and the benchmark's change over the twelve months, and the difference.
    absolute: float
    benchmark: float

    @property
    def excess(self) -> float:
        return self.absolute - self.benchmark


def performance(rows: Sequence[Row]) -> Performance:
    """The 52-week range and the 12-month absolute and excess returns of the last twelve months."""
    year = last_year(rows)
    first, last = year[0], year[-1]
    # The range is of the closes within the 52 weeks, not of the close before them.
    inside = [row.close for row in year if row.date > year_before(last.date)] or [last.close]
    return Performance(
        start=first.date,
        end=last.date,
        close=last.close,
        low=min(inside),
        high=max(inside),
        absolute=change(first.close, last.close),
        benchmark=change(first.benchmark, last.benchmark),
    )


def upside(close: float, target: float) -> float:
    """The upside from the close to the target price: 48.20 to 62.00 is 28.6 %.

    >>> round(upside(48.20, 62.00), 4)
    0.2863
    """
    return change(close, target)


def growth(values: Sequence[float]) -> list[float | None]:
    """Each year's change on the year before; none for the first year or the year after a loss.

    A change from a loss (a value of zero or below) has no meaningful sign: it is left blank.

    >>> [None if g is None else round(g, 4) for g in growth([41.2, 46.0, -1.0, 2.0])]
    [None, 0.1165, -1.0217, None]
    """
    found: list[float | None] = [None]
    for before, now in itertools.pairwise(values):
        found.append(change(before, now) if before > 0 else None)
    return found


def pe(close: float, eps: Sequence[float]) -> list[float | None]:
    """Price over earnings per share, each year; none where earnings are not positive.

    >>> [None if x is None else round(x, 2) for x in pe(48.20, [0.44, 0.61, -0.1])]
    [109.55, 79.02, None]
    """
    return [close / value if value > 0 else None for value in eps]
