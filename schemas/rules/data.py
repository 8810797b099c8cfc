"""Rules for a note's market data: its price file, forecast, and the figures computed from them."""

from schemas.problems import Severity
from schemas.rules.core import Rule
from schemas.rules.sections import DATA

# A price file's mistakes are different sentences: each is a Text of its own.
CSV = Rule(
    "data.csv",
    "{problem}",
    DATA,
    "the `prices:` file cannot be read as prices: its first line does not name the columns "
    "`date,close,benchmark`; a line without three values; a date that is not a real "
    "`YYYY-MM-DD` date, or one that repeats or comes before the line above (one line per day, "
    "in date order); a close or benchmark that is not a number above zero; not UTF-8; fewer "
    "than two days; more rows than `Limits.data_rows` (20,000). Every bad line is reported",
)
DATE = Rule(
    "data.date",
    "{problem}",
    DATA,
    "the price's date (`price.date`) or the price file's last day is after the note's date: "
    "the note would print data from after it was written",
)
FORECAST_YEARS = Rule(
    "data.forecast_years",
    "{problem}",
    DATA,
    "the forecast's `years` are not years followed by A (actual) or E (estimate), do not follow "
    "one another (2024A, 2025A, 2026E…), or put an estimate before an actual year",
)
FORECAST_LENGTH = Rule(
    "data.forecast_length",
    "{row} has {given} values but the forecast has {years} years: give one value per year",
    DATA,
    "a forecast row (`revenue`, `net_profit`, `eps`) has not one value per year",
)
RESULTS_PERIOD = Rule(
    "data.results_period",
    "{problem}",
    DATA,
    "a results table's `period` or `prior` is not a period label (a year and Q1–Q4, H1, H2, "
    "Q1-Q3 or A for the full year: 2026Q1, 2025A), or `prior` is not the same period of the "
    "year before `period` (the table's change is year on year)",
)
RESULTS_ROW = Rule(
    "data.results_row",
    "{problem}",
    DATA,
    "a results table gives a row's name twice, or types a change (`change`, `yoy`): the change "
    "is computed from `this` and `prior`, never typed",
)
DATA_FILE = Rule(
    "data.file",
    "{problem}",
    DATA,
    "a data key given as a file (`forecast:`, `market_data:`, a report type's data section such "
    "as `results:`, or `data:` for the whole block) names a file that is not `.yaml`, `.yml` or "
    "`.json`; a `data:` file holds a key that is not a data key, "
    "or one the note gives too. A missing file, or one outside the note's folder, is "
    "`render.resource`; a mistake inside the file is located in it",
)
PRICE_AGE = Rule(
    "data.price_age",
    "the price's date {price} is {days} days before the note's date {note}; the house takes a "
    "price at most {limit} days old: give a newer close",
    DATA,
    "the price the valuation uses (`price.date`) is older than the house allows before the "
    "note's date (`price_age_days` in house.yaml, 14 days unless the house says otherwise)",
)
TARGET_PRICE = Rule(
    "data.target_price",
    "the house gives the rating {rating} only with a target price: add target_price (and the "
    "price it is measured from)",
    DATA,
    "a company note's rating is one the house gives only with a target price "
    "(`requires_target_price` on the rating's level in house.yaml), and the note has no "
    "`target_price`",
)
UPSIDE = Rule(
    "data.upside",
    "the upside to the target price is {upside:+.1%} (target {target:g}, close {close:g}), "
    "outside the band of the rating {rating} ({band})",
    DATA,
    "the upside to the target price (computed: target ÷ close − 1) is outside the band of "
    "returns the house's scale gives the company rating (`min_excess_return`, "
    "`max_excess_return`); the message names both",
    severity=Severity.WARNING,
)
# A ```chart block's mistakes (in the note) and its data file's (at the file's line).
CHART = Rule(
    "data.chart",
    "{problem}",
    DATA,
    "a ```` ```chart ```` block in the body is not a chart: not YAML, a key it does not know or "
    "lacks (`type`, `title`, `source`, and `series` with `categories` or `data`), a `type` other "
    "than line, bar or column, a value that is not a number, a series not as long as the "
    "categories, more series or points than a chart draws",
)
CHART_CSV = Rule(
    "data.chart_csv",
    "{problem}",
    DATA,
    "a chart's `data:` file cannot be read: its first line does not name the category column "
    "and at least one series, a name is empty or repeats, a line has not one value per column, "
    "a category is empty or repeats, a value is not a number; not UTF-8; no rows, or more rows "
    "than `Limits.data_rows` (20,000). Every bad line is reported",
)
