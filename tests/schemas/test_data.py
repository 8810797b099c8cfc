"""The data models of a note: forecast years and rows, prices, and the rules across them."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from render.load.houses import load_house
from schemas.data import Forecast, Price, data_rules
from schemas.note import Rating, Subject
from schemas.problems import ProblemLog, Severity
from tests.conftest import EXAMPLE_HOUSE


def codes(error: ValidationError) -> list[tuple[tuple[object, ...], str]]:
    return [(tuple(e["loc"]), e["type"]) for e in error.errors()]


def test_a_forecast() -> None:
    forecast = Forecast(
        years=[" 2024A", "2025A", "2026E"], eps=[0.38, 0.44, 0.61], revenue=[1, 2, 3]
    )
    assert forecast.years == ["2024A", "2025A", "2026E"]
    assert [key for key, _ in forecast.rows()] == ["revenue", "eps"]  # table order, given rows


@pytest.mark.parametrize(
    ("years", "words"),
    [
        (["2024", "2025E"], "not a forecast year"),
        (["2024A", "2024E"], "follow one another"),
        (["2024A", "2026E"], "follow one another"),
        (["2026E", "2025A"], "follow one another"),
        (["2024A", "2025E", "2026A"], "actual years (A) must come before"),
    ],
)
def test_years_in_order(years: list[str], words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Forecast(years=years)
    assert codes(caught.value) == [(("years",), "data.forecast_years")]
    assert words in str(caught.value)


def test_every_row_one_value_per_year() -> None:
    with pytest.raises(ValidationError) as caught:
        Forecast(years=["2025A", "2026E"], revenue=[1.0], net_profit=[1.0, 2.0], eps=[1, 2, 3])
    assert codes(caught.value) == [
        (("revenue",), "data.forecast_length"),
        (("eps",), "data.forecast_length"),
    ]


def test_a_price_is_above_zero() -> None:
    for close in (0, -48.2):
        with pytest.raises(ValidationError):
            Price(close=close, date=dt.date(2026, 4, 14))
    assert Price(close=48.2, date=dt.date(2026, 4, 14)).currency == "CNY"


def _rules(target: float, close: float, rating: str, price_day: int = 14) -> ProblemLog:
    house = load_house(EXAMPLE_HOUSE).house
    data = {
        "date": dt.date(2026, 4, 15),
        "subject": Subject(kind="company", name="衡通", market="创业板与科创板"),
        "rating": Rating(value=rating),
        "price": Price(close=close, date=dt.date(2026, 4, price_day)),
    }
    log = ProblemLog()
    data_rules(data, target, house, log)
    return log


def test_the_rating_agrees_with_the_upside() -> None:
    assert _rules(62.0, 48.2, "买入").problems == []  # +28.6 %, a buy is 15 % or more
    assert _rules(52.0, 48.2, "增持").problems == []  # +7.9 %, within 5 % to 15 %
    (problem,) = _rules(50.0, 48.2, "买入").problems  # +3.7 %
    assert (problem.code, problem.severity, problem.loc) == (
        "data.upside",
        Severity.WARNING,
        ("target_price",),
    )
    assert "+3.7%" in problem.message and "买入" in problem.message and "15%" in problem.message
    (problem,) = _rules(70.0, 48.2, "增持").problems  # +45.2 %: too much for an overweight
    assert "5% to 15%" in problem.message


def test_the_price_is_not_after_the_note() -> None:
    (problem,) = _rules(62.0, 48.2, "买入", price_day=16).problems
    assert (problem.code, problem.loc, problem.severity) == (
        "data.date",
        ("price", "date"),
        "error",
    )
