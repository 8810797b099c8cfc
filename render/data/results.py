"""A results table's change, computed: percent, percentage points, or the words for a sign turned."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from render.data import compute
from render.html.filters import decimal, signed_percent
from schemas.data import ResultRow, Results

ChangeKind = Literal[
    "ratio", "points", "turned_profit", "turned_loss", "loss_narrowed", "loss_widened", "none"
]
#: The units of a row that is itself a percent (a margin): it changes by percentage points.
PERCENT_UNITS = frozenset({"%", "％", "pct", "percent"})
#: The most decimals a figure prints with, whatever it was written with.
MAX_DIGITS = 4


@dataclass(frozen=True)
class Change:
    """How a figure moved from the prior period: a ratio, percentage points, or a kind of turn."""

    kind: ChangeKind
    value: float | None = None


def change(this: float, prior: float, unit: str | None = None) -> Change:
    """The change of a results row from the prior period to this one.

    A percent row (a margin) changes by percentage points; a figure that crosses zero has no
    percent change (a loss to a profit is not +250 %): it turned to profit or to loss; two
    losses compare by size; from zero there is no change to print.

    >>> change(14.0, 6.0), change(31.0, 28.5, "%")
    (Change(kind='ratio', value=1.3333333333333335), Change(kind='points', value=2.5))
    >>> change(2.1, -0.4).kind, change(-0.3, 1.2).kind, change(-0.2, -0.5).kind
    ('turned_profit', 'turned_loss', 'loss_narrowed')
    """
    if unit is not None and unit.strip().casefold() in PERCENT_UNITS:
        return Change("points", this - prior)
    if prior > 0 and this >= 0:
        return Change("ratio", compute.change(prior, this))
    if prior > 0:
        return Change("turned_loss")
    if prior < 0 and this > 0:
        return Change("turned_profit")
    if prior < 0 and this < 0 and this != prior:
        return Change("loss_narrowed" if this > prior else "loss_widened")
    return Change("none")


def places(value: float) -> int:
    """The decimals a figure was written with (14.0 has one, 0.26 two, 3 none), at most four.

    >>> places(14.0), places(0.26), places(3), places(1e-7)
    (1, 2, 0, 4)
    """
    if isinstance(value, int):
        return 0
    written = repr(value)
    if "e" in written or "E" in written:
        return MAX_DIGITS
    return min(len(written.split(".")[1]) if "." in written else 0, MAX_DIGITS)


def results_table(results: Results, locale: str) -> dict[str, Any]:
    """The results table as the template prints it: each row's figures and change, formatted."""
    return {
        "period": results.period,
        "prior": results.prior,
        "source": results.source,
        "rows": [_row(row, locale) for row in results.rows],
    }


def _row(row: ResultRow, locale: str) -> dict[str, Any]:
    digits = row.digits if row.digits is not None else max(places(row.this), places(row.prior))
    found = change(row.this, row.prior, row.unit)
    text = None
    if found.kind == "ratio" and found.value is not None:
        text = signed_percent(found.value, locale)
    elif found.kind == "points" and found.value is not None:
        points = round(found.value, max(digits, 1))
        sign = "+" if points > 0 else ""
        text = sign + decimal(points, locale, max(digits, 1))
    return {
        "name": row.name,
        "unit": row.unit,
        "this": decimal(row.this, locale, digits),
        "prior": decimal(row.prior, locale, digits),
        "change": {"kind": found.kind, "text": text},
    }


#: How a template gets each data model's content: formatted for the note's locale.
DATA_VIEWS = {"results": results_table}
