"""The market data a note carries: price, target price, the price file, forecasts, extra figures."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from schemas.house import StrictModel
from schemas.problems import ProblemLog
from schemas.rules import Quoted, Text
from schemas.rules import data as rules

#: A forecast year: four digits and A (actual, reported) or E (estimate).
YEAR_PATTERN = re.compile(r"^(\d{4})([AE])$")

#: A price or an amount: a finite number above zero (a close of 0 or below is a typing mistake).
Positive = Annotated[float, Field(gt=0)]


def forecast_years_error(problem: Text) -> PydanticCustomError:
    """``data.forecast_years``: the forecast's years are not a run of A years then E years."""
    return rules.FORECAST_YEARS.error(problem=problem)


def forecast_length_error(row: str, given: int, years: int) -> PydanticCustomError:
    """``data.forecast_length``: a forecast row has not one value per year."""
    return rules.FORECAST_LENGTH.error(row=row, given=given, years=years)


class Price(StrictModel):
    """The close the valuation uses, and the day it was struck."""

    close: Positive = Field(description="The closing price, in currency units.")
    date: dt.date = Field(description="The trading day of the close, YYYY-MM-DD.")
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY.")


class PricesFile(StrictModel):
    """A file of closes in the note's folder, with the source line its chart prints."""

    file: str = Field(
        min_length=1, description="A CSV in the note's folder: date,close,benchmark per line."
    )
    source: str | None = Field(None, description="Where the prices come from (the source line).")


class Forecast(StrictModel):
    """One column per year (A = actual, E = estimate); each row as long as ``years``."""

    years: list[str] = Field(min_length=1, description="e.g. [2024A, 2025A, 2026E, 2027E].")
    unit: str | None = Field(None, description="The unit of revenue and net profit, e.g. 亿元.")
    revenue: list[float] | None = Field(None, description="Revenue per year.")
    net_profit: list[float] | None = Field(None, description="Net profit attributable per year.")
    eps: list[float] | None = Field(None, description="Earnings per share per year.")
    source: str | None = Field(None, description="Where the forecast comes from (source line).")

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[str]) -> list[str]:
        parsed = []
        for year in value:
            match = YEAR_PATTERN.match(str(year).strip())
            if not match:
                raise forecast_years_error(
                    Text(
                        "{year} is not a forecast year: write the year and A (actual) or E "
                        "(estimate), e.g. 2026E",
                        year=Quoted(year),
                    )
                )
            parsed.append((int(match.group(1)), match.group(2)))
        for (year, _), (following, _) in itertools.pairwise(parsed):
            if following != year + 1:
                raise forecast_years_error(
                    Text(
                        "the years must follow one another: {following} comes after {year}",
                        following=following,
                        year=year,
                    )
                )
        kinds = "".join(kind for _, kind in parsed)
        if "EA" in kinds:
            raise forecast_years_error(Text("actual years (A) must come before estimates (E)"))
        return [f"{year}{kind}" for year, kind in parsed]

    @field_validator("revenue", "net_profit", "eps")
    @classmethod
    def _one_per_year(cls, value: list[float] | None, info: ValidationInfo) -> list[float] | None:
        years = info.data.get("years")
        if value is not None and years is not None and len(value) != len(years):
            raise forecast_length_error(str(info.field_name), len(value), len(years))
        return value

    def rows(self) -> list[tuple[str, list[float]]]:
        """The given rows, by key, in the order a table prints them."""
        keys = ("revenue", "net_profit", "eps")
        return [(key, getattr(self, key)) for key in keys if getattr(self, key) is not None]


class MarketData(StrictModel):
    """Figures of the first page's market box that prices cannot give."""

    total_shares: Positive | None = Field(None, description="Shares in issue (market value).")
    float_shares: Positive | None = Field(None, description="Free-float shares.")
    constituents: Annotated[int, Field(ge=1)] | None = Field(
        None, description="An industry index's number of constituents."
    )
    total_value: Positive | None = Field(
        None, description="An industry's total market value, in currency units."
    )


#: A results period: a year and a quarter (2026Q1), a half (2026H1), the first three quarters
#: (2026Q1-Q3) or the full year (2025A).
PERIOD_PATTERN = re.compile(r"^(\d{4})(Q[1-4]|H[12]|Q1-Q3|A)$")
#: Keys a results row may not have: its change is computed.
TYPED_CHANGES = ("change", "yoy", "growth")


def results_period_error(problem: Text) -> PydanticCustomError:
    """``data.results_period``: a period label that is not one, or a prior that is not a year before."""
    return rules.RESULTS_PERIOD.error(problem=problem)


def _period(value: str) -> tuple[int, str]:
    match = PERIOD_PATTERN.match(value)
    if not match:
        raise results_period_error(
            Text(
                "{value} is not a results period: write the year and Q1–Q4, H1, H2, Q1-Q3 or "
                "A (the full year), e.g. 2026Q1",
                value=Quoted(value),
            )
        )
    return int(match.group(1)), match.group(2)


class ResultRow(StrictModel):
    """One line of a results table: this period's figure and the same period's a year before."""

    name: str = Field(min_length=1, description="What the figure is, e.g. 营业收入.")
    this: float = Field(description="This period's figure.")
    prior: float = Field(description="The same period of the year before.")
    unit: str | None = Field(
        None, description="e.g. 亿元, 元, %; a row in % changes by percentage points."
    )
    digits: Annotated[int, Field(ge=0, le=4)] | None = Field(
        None, description="Decimals to print (default: as many as the figures are written with)."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_typed_change(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key in TYPED_CHANGES:
                if key in value:
                    raise rules.RESULTS_ROW.error(
                        problem=Text(
                            "{key}: the change is computed from this and prior, never typed; "
                            "remove it",
                            key=Quoted(key),
                        )
                    )
        return value


class Results(StrictModel):
    """A results table: this period against the same period a year before; the change computed."""

    period: str = Field(description="This period, e.g. 2026Q1, 2026H1, 2026Q1-Q3, 2025A.")
    prior: str = Field(description="The same period of the year before, e.g. 2025Q1.")
    rows: list[ResultRow] = Field(min_length=1, description="One row per figure, in order.")
    source: str | None = Field(None, description="Where the results come from (source line).")

    @field_validator("period")
    @classmethod
    def _this_period(cls, value: str) -> str:
        _period(value)
        return value

    @field_validator("prior")
    @classmethod
    def _prior_period(cls, value: str, info: ValidationInfo) -> str:
        year, part = _period(value)
        period = info.data.get("period")
        if period is None:
            return value  # reported as this period's problem
        this_year, this_part = _period(period)
        if (year, part) != (this_year - 1, this_part):
            raise results_period_error(
                Text(
                    "the prior period {prior} is not the same period of the year before "
                    "{period} ({expected})",
                    prior=Quoted(value),
                    period=Quoted(period),
                    expected=f"{this_year - 1}{this_part}",
                )
            )
        return value

    @field_validator("rows")
    @classmethod
    def _distinct(cls, value: list[ResultRow]) -> list[ResultRow]:
        seen: set[str] = set()
        for row in value:
            if row.name in seen:
                raise rules.RESULTS_ROW.error(
                    problem=Text("the row {name} is given twice", name=Quoted(row.name))
                )
            seen.add(row.name)
        return value


#: The data models a report type's ``kind: data`` section may name (its ``model:``).
DATA_MODELS: dict[str, type[StrictModel]] = {"results": Results}


def data_rules(data: dict[str, Any], target: float | None, house: Any, log: ProblemLog) -> None:
    """The rules across the data's fields: a price not after the note, a rating its upside fits."""
    note_date, price = data.get("date"), data.get("price")
    if isinstance(price, Price) and isinstance(note_date, dt.date) and price.date > note_date:
        problem = Text(
            "the price's date {price} is after the note's date {note}",
            price=price.date,
            note=note_date,
        )
        log.add(rules.DATE(("price", "date"), problem=problem))
    if house is None:
        return
    limit = house.price_age_days
    if isinstance(price, Price) and isinstance(note_date, dt.date) and limit is not None:
        days = (note_date - price.date).days
        if days > limit:
            log.add(
                rules.PRICE_AGE(
                    ("price", "date"), price=price.date, note=note_date, days=days, limit=limit
                )
            )
    subject, rating = data.get("subject"), data.get("rating")
    if subject is None or rating is None or subject.kind != "company":
        return
    level = house.scale("company").find(rating.value)
    if level is None:
        return  # reported as schema.rating
    if level.requires_target_price and target is None:
        log.add(rules.TARGET_PRICE(("rating", "value"), rating=rating.value))
    if target is None or not isinstance(price, Price):
        return
    upside = target / price.close - 1
    low, high = level.min_excess_return, level.max_excess_return
    if (low is not None and upside < low) or (high is not None and upside > high):
        band = _band(low, high)
        log.add(
            rules.UPSIDE(
                ("target_price",),
                upside=upside,
                target=target,
                close=price.close,
                rating=rating.value,
                band=band,
            )
        )


def _band(low: float | None, high: float | None) -> str:
    """A rating's band of returns in words: '≥ 15%', '5% to 15%', '≤ -5%'."""
    if low is not None and high is not None:
        return f"{low:.0%} to {high:.0%}"
    return f"≥ {low:.0%}" if low is not None else f"≤ {high:.0%}"


# -- Charts in a note's body: a ```chart block's YAML (docs/charts.md) ---------------------------

#: Series one chart draws at most: one colour each, told apart in print.
MAX_SERIES = 6
#: The keys of a chart block, in the order the docs list them.
CHART_KEYS = ("type", "title", "unit", "source", "categories", "series", "data", "caption", "alt")


def _category(value: Any) -> Any:
    """A category written as a number or a date (2026, 2026-03-31) is its text."""
    if isinstance(value, bool):
        return value  # refused by the model: true is not a category
    if isinstance(value, int | float | dt.date):
        return str(value)
    return value


def _not_bool(value: Any) -> Any:
    """A value written ``yes`` or ``true`` is not a number, whatever Python says of bools."""
    if isinstance(value, bool):
        written = Quoted("true" if value else "false")  # as YAML writes it, not as Python does
        raise rules.CHART.error(problem=Text("{value} is not a number", value=written))
    return value


#: A value of a series: a finite number (``.nan`` and ``.inf`` draw nothing one can read).
ChartValue = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_not_bool)]
Category = Annotated[str, Field(min_length=1), BeforeValidator(_category)]


class ChartSeries(StrictModel):
    """One series of a chart given in the note: its name and one value per category."""

    name: str = Field(min_length=1, description="The series' name, as the legend shows it.")
    values: list[ChartValue] = Field(min_length=1, description="One number per category.")


class ChartBlock(StrictModel):
    """A ```chart block: what to draw, from which numbers, with its caption and source line."""

    type: Literal["line", "bar", "column"] = Field(
        description="line; bar (horizontal bars); column (vertical bars)."
    )
    title: str = Field(min_length=1, description="The figure's caption, after its number.")
    source: str = Field(min_length=1, description="Where the numbers come from (source line).")
    unit: str | None = Field(None, description="The values' unit, shown above the value axis.")
    categories: list[Category] | None = Field(
        None, min_length=1, description="The categories (years, quarters, names) of `series`."
    )
    series: list[ChartSeries] | None = Field(
        None, min_length=1, max_length=MAX_SERIES, description="Inline series: {name, values}."
    )
    data: str | None = Field(
        None,
        min_length=1,
        description="A CSV in the note's folder: categories, then one column per series.",
    )
    caption: str | None = Field(None, description="A note printed under the chart.")
    alt: str | None = Field(None, description="What a screen reader says of the chart.")


def chart_rules(block: ChartBlock) -> list[tuple[tuple[Any, ...], Text]]:
    """The rules across a chart's keys, each at the key it concerns: (loc, problem)."""
    found: list[tuple[tuple[Any, ...], Text]] = []
    if block.data is not None and (block.series is not None or block.categories is not None):
        key = "series" if block.series is not None else "categories"
        found.append(
            (
                (key,),
                Text(
                    "give the numbers either inline ({key}) or in a file (data), not both",
                    key=key,
                ),
            )
        )
    elif block.data is None and block.series is None:
        found.append(
            ((), Text("the chart has no numbers: give categories and series, or a data file"))
        )
    elif block.series is not None and block.categories is None:
        found.append((("series",), Text("the series need their categories: add categories")))
    elif block.series is not None and block.categories is not None:
        seen: dict[str, int] = {}
        for i, category in enumerate(block.categories):
            if category in seen:
                found.append(
                    (
                        ("categories", i),
                        Text("the category {category} repeats", category=Quoted(category)),
                    )
                )
            seen.setdefault(category, i)
        names: set[str] = set()
        for i, series in enumerate(block.series):
            if series.name in names:
                found.append(
                    (
                        ("series", i, "name"),
                        Text("two series are named {name}", name=Quoted(series.name)),
                    )
                )
            names.add(series.name)
            if len(series.values) != len(block.categories):
                found.append(
                    (
                        ("series", i, "values"),
                        Text(
                            "the series {name} has {given} values but there are {count} "
                            "categories: give one value per category",
                            name=Quoted(series.name),
                            given=len(series.values),
                            count=len(block.categories),
                        ),
                    )
                )
    return found
