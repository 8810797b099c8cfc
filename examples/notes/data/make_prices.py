"""Write the fictional weekly closes of the example notes (python make_prices.py): same file each run."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path


def series(weeks: int, start: float, drift: float, wiggle: float, phase: float) -> list[float]:
    """A smooth made-up path: a drift and two slow waves, no randomness (the file never changes)."""
    return [
        round(
            start
            * (
                1
                + drift * i / weeks
                + wiggle * math.sin(i / 5.3 + phase)
                + wiggle / 2 * math.sin(i / 1.9 + 2 * phase)
            ),
            2,
        )
        for i in range(weeks)
    ]


def write(name: str, end: dt.date, close: list[float], benchmark: list[float]) -> None:
    days = [end - dt.timedelta(weeks=len(close) - 1 - i) for i in range(len(close))]
    lines = ["date,close,benchmark"]
    lines += [f"{d},{c:.2f},{b:.2f}" for d, c, b in zip(days, close, benchmark, strict=True)]
    Path(__file__).with_name(name).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    weeks = 57  # a little over a year of Friday closes, so the 12-month return has its start
    write(
        "hengtong-prices.csv",
        dt.date(2026, 4, 14),
        [*series(weeks, 36.0, 0.3, 0.06, 0.4)[:-1], 48.2],
        series(weeks, 3820.0, 0.08, 0.025, 1.1),
    )
    write(
        "electronics-index.csv",
        dt.date(2026, 3, 6),
        series(weeks, 4410.0, 0.21, 0.045, 2.0),
        series(weeks, 3790.0, 0.07, 0.025, 0.9),
    )
    write(
        "lanfeng-prices.csv",
        dt.date(2026, 4, 30),
        [*series(weeks, 19.5, 0.22, 0.07, 2.6)[:-1], 24.6],
        series(weeks, 3845.0, 0.07, 0.025, 1.4),
    )
