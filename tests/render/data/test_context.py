"""The example company note's first page carries its computed figures, the same bytes each build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from render.data.context import data_context
from render.renderer import Rendered, Renderer
from tests.conftest import EXAMPLES, TODAY, edit
from tests.pdftools import missing_glyphs, page_texts, squash

COMPANY = EXAMPLES / "2026-04-15-hengtong-upgrade.md"


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return Renderer(today=TODAY, created=None).render(COMPANY, ("pdf", "html"))


def test_the_first_page_prints_the_computed_figures(rendered: Rendered) -> None:
    assert rendered.pdf is not None
    assert rendered.problems == []  # no render.layout message: the chart was drawn
    # In drawing order: Poppler's block reading would join the sidebar's lines with the labels
    # of the body's chart beside them ("收盘价", "8", "48.20").
    first = squash(page_texts(rendered.pdf, raw=True)[0])
    for text in (
        "市场数据",
        "收盘价48.20",
        "2026-04-14",
        "总市值395.24亿元",  # 8.2e8 shares × 48.20
        "流通市值284.38亿元",  # 5.9e8 × 48.20
        "近12个月相对表现",
        "衡通微电子",
        "沪深300指数",  # the chart's legend: text in the PDF's text layer
        "资料来源：交易所行情",
    ):
        assert text in first, text
    assert missing_glyphs(rendered.pdf) == []
    whole = squash("".join(page_texts(rendered.pdf, layout=False)))
    # Upside 62.00 / 48.20 − 1; PE 48.20 / 0.23 and / 1.40; growth 41.5 / 33.8 − 1.
    for text in ("上涨空间+28.6%", "209.6", "34.4", "+22.8%", "2024A", "2028E"):
        assert text in whole, text


def test_two_builds_give_the_same_bytes(rendered: Rendered) -> None:
    again = Renderer(today=TODAY, created=None).render(COMPANY, ("pdf",))
    assert again.pdf == rendered.pdf


def test_the_chart_follows_the_file(tmp_path: Path, rendered: Rendered) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "notes")
    note = tmp_path / "notes" / COMPANY.name
    edit(
        tmp_path / "notes" / "data" / "hengtong-prices.csv", "2026-04-14,48.20", "2026-04-14,60.00"
    )
    html = Renderer(today=TODAY, created=None).render(note, ("html",)).html
    assert html != rendered.html
    # The 12-month return from the last close a year before (39.09 on 2025-04-08): 60.00 / 39.09.
    assert "+53.5%" in html


def test_an_industry_box_and_english_labels() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from render.data.prices import Prices, Row

    rows = (Row(dt.date(2025, 4, 14), 1000.0, 4000.0), Row(dt.date(2026, 4, 14), 1200.0, 4200.0))
    note = SimpleNamespace(
        subject=SimpleNamespace(kind="industry", name="Electronics"),
        price=None,
        market_data=SimpleNamespace(
            total_shares=None, float_shares=None, constituents=1234, total_value=5.6e12
        ),
        prices="p.csv",
        forecast=None,
        target_price=None,
    )
    found = data_context(note, Prices(Path("p.csv"), rows), "en_US", "CSI 300", "sans-serif")
    assert found["market_data"] == [
        ("return", "+20.0%"),
        ("excess", "+15.0%"),  # 20 % against the benchmark's 5 %
        ("constituents", "1,234"),
        ("total_value", "CNY 5.6T"),
    ]
    assert found["valuation"] is None
    assert ">Electronics<" in found["chart"]["svg"]


def test_a_changed_price_file_rebuilds_the_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from render.batch.manifest import Manifest
    from render.cli.app import app

    shutil.copytree(EXAMPLES, tmp_path / "notes")
    shutil.copy(EXAMPLES.parent / "render.toml", tmp_path / "render.toml")
    shutil.copytree(EXAMPLES.parent / "houses", tmp_path / "houses")
    monkeypatch.chdir(tmp_path)
    note = f"notes/{COMPANY.name}"

    def build() -> str:
        result = CliRunner().invoke(app, ["build", "--today", str(TODAY), note])
        assert result.exit_code == 0, result.output
        return result.stdout

    build()
    recorded = Manifest.load(tmp_path / "dist").notes[COMPANY.stem].inputs.images
    # The price file, and the data file of the note's chart block.
    assert list(recorded) == ["notes/data/hengtong-prices.csv", "notes/data/hengtong-quarterly.csv"]
    assert "unchanged" in build()
    edit(
        tmp_path / "notes" / "data" / "hengtong-prices.csv", "2026-04-14,48.20", "2026-04-14,48.30"
    )
    assert "changed" in build()
