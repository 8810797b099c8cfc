"""Locale filters as templates call them, with the locale bound by the Jinja environment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from jinja2 import Environment

from render.context.i18n import translations
from render.html.environment import environment
from render.html.filters import css_counters, decimal, large_number, percent
from render.load.houses import load_house
from tests.conftest import EXAMPLE_HOUSE


def env_for(locale: str) -> Environment:
    return environment(load_house(EXAMPLE_HOUSE), locale, translations(locale))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_CN", "2025年2月4日|1,234.50|15.3%|¥1,234.50|1.23亿|5576万"),
        ("en_US", "February 4, 2025|1,234.50|15.3%|CN¥1,234.50|123.46M|55.76M"),
    ],
)
def test_filters_follow_the_environments_locale(locale: str, expected: str) -> None:
    template = env_for(locale).from_string(
        "{{ d|date_long }}|{{ 1234.5|decimal }}|{{ 0.153|percent }}|{{ 1234.5|currency }}"
        "|{{ 123456789|large_number }}|{{ 55760000|large_number }}"
    )
    assert template.render(d=dt.date(2025, 2, 4)) == expected


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(0.125, 2, "0.13"), (2.5, 0, "3"), (-2.5, 0, "-3"), (Decimal("1.005"), 2, "1.01")],
)
def test_halves_round_up_as_financial_tables_do(value: float, digits: int, expected: str) -> None:
    # Babel rounds halves to even (0.125 -> 0.12); a reader adding up a table expects 0.13.
    assert decimal(value, "en_US", digits=digits) == expected


def test_percent_rounds_halves_up() -> None:
    assert percent(0.0125, "zh_CN") == "1.3%"


@pytest.mark.parametrize(
    ("locale", "small", "large"),
    [
        ("zh_CN", "9,999", "1.5万"),
        ("ja_JP", "9,999", "1.5万"),
        ("en_US", "999,999", "1.5M"),
        ("de_DE", "999.999", "1,5 Mio."),
    ],
)
def test_units_start_where_the_language_counts_in_them(locale: str, small: str, large: str) -> None:
    # Myriad languages count from 万 (10^4); the others from a million, never in thousands ("K").
    start = 10_000 if locale[:2] in ("zh", "ja") else 1_000_000
    assert large_number(start - 1, locale) == small
    assert large_number(start * 1.5, locale).replace("\xa0", " ") == large


def test_page_label_survives_quotes_and_backslashes() -> None:
    # A translation is free text; it must not end the CSS string it is put in.
    assert css_counters('p. {page} "of" \\ {pages}') == (
        '"p. " counter(page) " \\"of\\" \\\\ " counter(pages)'
    )
