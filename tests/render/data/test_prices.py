"""A price file is read from the note's folder only, within its limits, each mistake at its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from render.context.i18n import translator
from render.data.prices import load_prices
from render.settings import Limits

GOOD = "date,close,benchmark\n2025-04-14,40.00,4000\n2025-10-14,45.5,4100\n2026-04-14,48.2,4200\n"


def read(folder: Path, text: str | bytes, limits: Limits | None = None, name: str = "p.csv"):
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return load_prices(name, "交易所", ("prices",), folder, "notes/n.md", limits or Limits())


def test_a_good_file(tmp_path: Path) -> None:
    prices, problems = read(
        tmp_path,
        GOOD.replace("date,close,benchmark", "close,date,benchmark")
        .replace("2025-04-14,40.00", "40.00,2025-04-14")
        .replace("2025-10-14,45.5", "45.5,2025-10-14")
        .replace("2026-04-14,48.2", "48.2,2026-04-14"),
    )
    assert problems == []
    assert prices is not None and prices.source == "交易所"
    assert [r.date for r in prices.rows][-1] == dt.date(2026, 4, 14)
    assert prices.rows[0].close == 40.0 and prices.rows[-1].benchmark == 4200.0


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("day,close,benchmark\n2025-01-01,1,1\n", 1, 1, "date,close,benchmark"),
        (GOOD + "2026-04-31,50,4300\n", 5, 1, "real date"),
        (GOOD + "14/04/2026,50,4300\n", 5, 1, "real date"),
        (GOOD + "2026-04-14,50,4300\n", 5, 1, "repeats"),
        (GOOD + "2026-01-02,50,4300\n", 5, 1, "is earlier than"),
        (GOOD + "2026-05-01,-3,4300\n", 5, 12, "close: '-3' is not a price"),
        (GOOD + "2026-05-01,50,n/a\n", 5, 15, "benchmark: 'n/a' is not a price"),
        (GOOD + "2026-05-01,1e999,4300\n", 5, 12, "not a price"),
        (GOOD + "2026-05-01,50\n", 5, 1, "2 values, not 3"),
        ("date,close,benchmark\n2026-05-01,50,4300\n", 2, 1, "at least two days"),
    ],
)
def test_each_mistake_at_its_line(
    tmp_path: Path, text: str, line: int, column: int, words: str
) -> None:
    prices, problems = read(tmp_path, text)
    assert prices is None
    (problem,) = problems
    assert (problem.code, problem.path, problem.line, problem.column) == (
        "data.csv",
        "notes/p.csv",
        line,
        column,
    )
    assert words in problem.message
    assert problem.message_in(translator("zh_CN")) != problem.message


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    _, problems = read(tmp_path, GOOD + "2026-05-01,x,1\n2026-05-02,1,y\n")
    assert [p.line for p in problems] == [5, 6]


def test_not_utf8(tmp_path: Path) -> None:
    _, problems = read(tmp_path, GOOD.encode() + b"2026-05-01,\xff,1\n")
    assert [(p.code, p.line) for p in problems] == [("data.csv", 5)]


def test_limits(tmp_path: Path) -> None:
    _, problems = read(tmp_path, GOOD, Limits(data_rows=2))
    assert [(p.code, p.line) for p in problems] == [("data.csv", 4)]
    assert "data_rows" in problems[0].message
    _, problems = read(tmp_path, GOOD, Limits(data_bytes=20))
    assert [(p.code, p.loc) for p in problems] == [("render.resource", ("prices",))]
    assert "data_bytes" in problems[0].message


def test_only_the_notes_folder(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (tmp_path / "outside.csv").write_text(GOOD, encoding="utf-8")
    (folder / "link.csv").symlink_to(tmp_path / "outside.csv")
    limits = Limits()
    for reference, words in (
        ("../outside.csv", "outside"),
        (str(tmp_path / "outside.csv"), "outside"),
        ("link.csv", "outside"),
        ("missing.csv", "does not exist"),
        ("https://example.com/p.csv", "network"),
    ):
        prices, problems = load_prices(reference, None, ("prices",), folder, "n.md", limits)
        assert prices is None
        assert [(p.code, p.loc) for p in problems] == [("render.resource", ("prices",))]
        assert words in problems[0].message
