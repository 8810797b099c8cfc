"""The computed figures against hand-worked ones, and the properties every price file keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from render.data.compute import growth, last_year, pe, performance, rebase, upside, year_before
from render.data.prices import Row

positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


def weekly(closes: list[float], benchmarks: list[float], end: dt.date) -> list[Row]:
    return [
        Row(end - dt.timedelta(weeks=len(closes) - 1 - i), c, b)
        for i, (c, b) in enumerate(zip(closes, benchmarks, strict=True))
    ]


def test_hand_worked_valuation() -> None:
    # 62.00 / 48.20 = 1.28630…; 48.20 / 0.61 = 79.016…; 46.0 / 41.2 = 1.11650…
    assert upside(48.20, 62.00) == pytest.approx(0.286307, abs=1e-6)
    assert pe(48.20, [0.61, 0.0, -0.2]) == [pytest.approx(79.0164, abs=1e-4), None, None]
    assert growth([41.2, 46.0, 56.1]) == [
        None,
        pytest.approx(0.116505, abs=1e-6),
        pytest.approx(0.219565, abs=1e-6),
    ]


def test_performance_of_a_year() -> None:
    end = dt.date(2026, 4, 14)
    # Two rows before the year: only the last of them (the close a year back) is the start.
    rows = [
        Row(dt.date(2025, 3, 1), 99.0, 999.0),
        Row(dt.date(2025, 4, 14), 40.0, 4000.0),
        Row(dt.date(2025, 9, 1), 30.0, 4200.0),
        Row(dt.date(2026, 1, 5), 55.0, 4300.0),
        Row(end, 50.0, 4400.0),
    ]
    found = performance(rows)
    assert (found.start, found.end, found.close) == (dt.date(2025, 4, 14), end, 50.0)
    assert found.absolute == pytest.approx(0.25)  # 40 → 50
    assert found.benchmark == pytest.approx(0.10)  # 4000 → 4400
    assert found.excess == pytest.approx(0.15)
    # The 52-week range is of the closes after the start day: 30 to 55, not 99 or 40.
    assert (found.low, found.high) == (30.0, 55.0)


def test_year_before_a_leap_day() -> None:
    assert year_before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)


@given(st.lists(positive, min_size=1, max_size=60))
def test_rebasing_starts_at_zero_and_keeps_the_changes(values: list[float]) -> None:
    rebased = rebase(values)
    assert rebased[0] == 0.0
    for value, change in zip(values, rebased, strict=True):
        assert change == pytest.approx(value / values[0] - 1, rel=1e-9, abs=1e-9)


@given(st.lists(positive, min_size=1, max_size=30), positive)
def test_rebasing_ignores_the_unit(values: list[float], scale: float) -> None:
    # A price in yuan or in fen, an index at 1000 or at 100: the same chart.
    scaled = rebase([v * scale for v in values])
    assert scaled == pytest.approx(rebase(values), rel=1e-6, abs=1e-9)


@given(st.lists(st.tuples(positive, positive), min_size=2, max_size=80))
def test_the_year_ends_on_the_last_row_and_the_range_holds_the_close(
    pairs: list[tuple[float, float]],
) -> None:
    rows = weekly([p[0] for p in pairs], [p[1] for p in pairs], dt.date(2026, 4, 14))
    year = last_year(rows)
    assert year[-1] == rows[-1]
    assert year[0].date <= year_before(rows[-1].date) or year[0] == rows[0]
    found = performance(rows)
    assert found.low <= found.close <= found.high
    assert found.excess == pytest.approx(found.absolute - found.benchmark)
