"""Locale-aware Jinja filters built on Babel: dates, numbers, percents, money, 万/亿 units."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent
from markupsafe import Markup

#: Languages that count large numbers in myriads (万, 亿; 万 = 10⁴): a unit is worth writing from
#: 10⁴ on. Other languages start at a million, since "12.35K" is not how a note writes 12,345.
MYRIAD_LANGUAGES = frozenset({"zh", "ja", "ko"})


def _half_up() -> AbstractContextManager[Context]:
    """Round halves up, as financial tables do (四舍五入), not to even as Babel does by default."""
    return localcontext(rounding=ROUND_HALF_UP)


def date_long(value: dt.date, locale: str) -> str:
    """A date as a reader of the locale writes it.

    >>> date_long(dt.date(2025, 2, 4), "zh_CN")
    '2025年2月4日'
    >>> date_long(dt.date(2025, 2, 4), "en_US")
    'February 4, 2025'
    """
    return format_date(value, "long", locale=locale)


def decimal(value: float | Decimal, locale: str, digits: int = 2) -> str:
    """A number with the locale's grouping and a fixed number of decimals.

    >>> decimal(1234567.891, "en_US")
    '1,234,567.89'
    >>> decimal(0.5, "zh_CN", digits=1)
    '0.5'
    >>> decimal(2.675, "zh_CN")  # half up, as a reader checking the sum expects
    '2.68'
    >>> decimal(1234.5, "de_DE", digits=0)
    '1.235'
    """
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    with _half_up():
        return format_decimal(value, pattern, locale=locale)


def percent(value: float | Decimal, locale: str, digits: int = 1) -> str:
    """A ratio as a percent: 0.153 is 15.3%.

    >>> percent(0.153, "zh_CN")
    '15.3%'
    >>> percent(-0.05, "en_US", digits=0)
    '-5%'
    >>> percent(0.1525, "zh_CN")
    '15.3%'
    """
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    with _half_up():
        return format_percent(value, pattern, locale=locale)


def signed_percent(value: float | Decimal, locale: str, digits: int = 1) -> str:
    """A change as a percent with its sign, as returns and upsides are written.

    >>> signed_percent(0.2863, "zh_CN"), signed_percent(-0.05, "en_US", 0), signed_percent(0, "en_US")
    ('+28.6%', '-5%', '0.0%')
    """
    decimals = "." + "0" * digits if digits else ""
    with _half_up():
        # A change that rounds to nothing has no sign: "+0.0%" would claim a rise.
        if round(abs(float(value)) * 100, digits) == 0:
            return format_percent(0, f"0{decimals}%", locale=locale)
        return format_percent(value, f"+#,##0{decimals}%;-#,##0{decimals}%", locale=locale)


def currency(value: float | Decimal, locale: str, code: str = "CNY") -> str:
    """An amount of money in the locale's form.

    >>> currency(1234.5, "zh_CN")
    '¥1,234.50'
    >>> currency(1234.5, "en_US", "USD")
    '$1,234.50'
    >>> currency(1234.5, "en_US")  # the yuan, marked as such for readers abroad
    'CN¥1,234.50'
    """
    with _half_up():
        return format_currency(value, code, locale=locale)


def large_number(value: float | Decimal, locale: str, digits: int = 2) -> str:
    """A large number in the units its readers count in: 万 and 亿 in Chinese, M and B in English.

    >>> large_number(123_456_789, "zh_CN")
    '1.23亿'
    >>> large_number(55_760_000, "zh_CN")
    '5576万'
    >>> large_number(1_200_000_000_000, "zh_CN")
    '1.2万亿'
    >>> large_number(123_456_789, "en_US")
    '123.46M'
    >>> large_number(-2_345_000_000, "en_US")
    '-2.35B'

    Below the first unit the number is written out, grouped:

    >>> large_number(9876.543, "zh_CN")
    '9,876.54'
    >>> large_number(12_345, "en_US")
    '12,345'
    """
    start = 10_000 if Locale.parse(locale).language in MYRIAD_LANGUAGES else 1_000_000
    with _half_up():
        if abs(value) < start:
            return format_decimal(
                value, "#,##0" + ("." + "#" * digits if digits else ""), locale=locale
            )
        return format_compact_decimal(value, locale=locale, fraction_digits=digits)


#: Font families CSS names by keyword; quoted, each would be a font that happens to be called so.
GENERIC_FAMILIES = frozenset(
    {
        *("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math"),
        *("emoji", "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded"),
    }
)


def css_string(text: str) -> str:
    """A text as a CSS string, safe inside ``<style>``: it cannot end the string or the element.

    >>> print(css_string('Noto "Serif" </style>'))
    "Noto \\"Serif\\" \\3c /style>"
    """
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "<" or ord(char) < 0x20 or ord(char) == 0x7F:
            # A hex escape ends at its space; "<" is escaped so no "</style" can appear.
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def font_families(names: list[str]) -> Markup:
    """A ``font-family`` value: each name a CSS string, the generic keywords as keywords.

    >>> font_families(["Noto Serif CJK SC", "serif"])
    Markup('"Noto Serif CJK SC", serif')
    >>> font_families(['X"; } body { color: red'])
    Markup('"X\\\\"; } body { color: red"')
    """
    return Markup(", ".join(n if n in GENERIC_FAMILIES else css_string(n) for n in names))


def css_counters(text: str) -> Markup:
    """A translated "Page {page} of {pages}" as a CSS ``content`` value with page counters.

    >>> css_counters("第 {page} 页 共 {pages} 页")
    Markup('"第 " counter(page) " 页 共 " counter(pages) " 页"')
    """
    parts = re.split(r"(\{pages?\})", text)
    out = []
    for part in parts:
        if part == "{page}":
            out.append("counter(page)")
        elif part == "{pages}":
            out.append("counter(pages)")
        elif part:
            out.append(css_string(part))
    return Markup(" ".join(out))


def locale_filters(locale: str) -> dict[str, Callable[..., Any]]:
    """The filters above with the locale bound, as templates call them: ``{{ x|percent }}``."""

    def bind(function: Callable[..., str]) -> Callable[..., str]:
        return lambda value, *args, **kwargs: function(value, locale, *args, **kwargs)

    bound: dict[str, Callable[..., Any]] = {
        name: bind(function)
        for name, function in {
            "date_long": date_long,
            "decimal": decimal,
            "percent": percent,
            "signed_percent": signed_percent,
            "currency": currency,
            "large_number": large_number,
        }.items()
    }
    bound["css_counters"] = css_counters
    return bound
