"""The house model's own checks: cross-references, translations, duplicates, located in house.yaml."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from render.context.i18n import translator
from render.load.houses import HOUSE_FILE
from render.load.note import load_note
from render.renderer import Renderer
from render.validate.models import validate
from schemas.house import House
from schemas.problems import Problem
from tests.conftest import SHIPPED_HOUSES, edit

ZH = translator("zh_CN")

DATA: dict[str, Any] = load_note(SHIPPED_HOUSES / "example" / HOUSE_FILE).data


def check(change: Any) -> list[tuple[str, str]]:
    data = copy.deepcopy(DATA)
    change(data)
    house, problems = validate(House, data)
    assert (house is None) == any(p.severity == "error" for p in problems)
    return [(p.code, p.field) for p in problems]


def test_the_example_house_is_clean() -> None:
    house, problems = validate(House, DATA)
    assert house is not None and problems == []


CASES: list[tuple[str, Any, list[tuple[str, str]]]] = [
    (
        "default locale not among the locales",
        lambda d: d.update(default_locale="en_GB"),
        [("house.locale", "default_locale")],
    ),
    (
        "market floor names no risk level",
        lambda d: d["markets"][1].update(min_risk_level="R7"),
        [("house.risk_level", "markets[1].min_risk_level")],
    ),
    (
        "investor type names no risk level",
        lambda d: d["investor_types"][4].update(max_risk_level="R9"),
        [("house.risk_level", "investor_types[4].max_risk_level")],
    ),
    (
        "a text misses a locale",
        lambda d: d["texts"]["risk_table_title"].pop("en_US"),
        [("house.translation", "texts.risk_table_title")],
    ),
    (
        # A block of plain texts is a model, not a per-locale text whose keys are locales.
        "a contact block written in one language only",
        lambda d: d["contact"].update(department="Research", address="88 Riverside Avenue"),
        [],
    ),
    (
        "a footer line misses a locale",
        lambda d: d["texts"]["footer"][1].pop("zh_CN"),
        [("house.translation", "texts.footer[1]")],
    ),
    (
        "a text has a locale the house lacks",
        lambda d: d["sections"]["event"].update(zh_TW="事件"),
        [("house.locale", "sections.event.zh_TW")],
    ),
    (
        "two levels share a label",
        lambda d: d["ratings"]["industry"]["levels"][2]["label"].update(zh_CN="标配"),
        [("house.duplicate", "ratings.industry.levels[2].label")],
    ),
    (
        "a label is another level's code",
        lambda d: d["ratings"]["company"]["levels"][1]["label"].update(en_US="Buy"),
        [("house.duplicate", "ratings.company.levels[1].label")],
    ),
    (
        "two markets share a code",
        lambda d: d["markets"][3].update(code="a-share"),
        [("house.duplicate", "markets[3].code")],
    ),
    (
        "two risk levels share a name",
        lambda d: d["risk_levels"][4]["name"].update(zh_CN="中高风险"),
        [("house.duplicate", "risk_levels[4].name")],
    ),
    (
        "an empty forbidden phrase",
        lambda d: d["forbidden_phrases"].append(""),
        [("schema.empty", "forbidden_phrases[7]")],
    ),
    ("firm code as a number", lambda d: d.update(code=9901), [("schema.type", "code")]),
    ("firm code not 4 digits", lambda d: d.update(code="991"), [("schema.type", "code")]),
    (
        "a text that is neither text nor per-locale text",
        lambda d: d["markets"][0].update(name=["A股"]),
        [("schema.type", "markets[0].name")],
    ),
    (
        "a per-locale text with a non-text version",
        lambda d: d["markets"][0]["name"].update(en_US=3),
        [("schema.type", "markets[0].name.en_US")],
    ),
    (
        "misspelt key",
        lambda d: d["ratings"]["company"]["levels"][0].update(horizon_month=6),
        [("schema.unknown_key", "ratings.company.levels[0].horizon_month")],
    ),
    (
        "misspelt key in a per-template mapping",
        lambda d: d["report_types"]["event-commentary"].update(industri="x"),
        [("schema.unknown_key", "report_types.event-commentary.industri")],
    ),
    (
        # The name goes into <style>: a quote ends the CSS string, "</" the element.
        "a font name that breaks out of the stylesheet",
        lambda d: d["fonts"]["serif"].append('X"; } </style><script>alert(1)</script>'),
        [("house.font", "fonts.serif[1]")],
    ),
    (
        "a font name with a newline",
        lambda d: d["fonts"]["latin_sans"].insert(0, "Noto\nSans"),
        [("house.font", "fonts.latin_sans[0]")],
    ),
    (
        "an empty font name",
        lambda d: d["fonts"]["sans"].append(""),
        [("house.font", "fonts.sans[1]")],
    ),
    (
        "font names in any script, with hyphens, digits and a plus, are names",
        lambda d: d["fonts"].update(
            serif=["思源宋体", "Source Han Serif SC", "M+ 1p", "Font-Name_2"]
        ),
        [],
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), [(c, e) for _, c, e in CASES], ids=[name for name, _, _ in CASES]
)
def test_house_check(change: Any, expected: list[tuple[str, str]]) -> None:
    assert check(change) == expected


def test_unknown_key_in_a_per_template_mapping_suggests_the_key() -> None:
    data = copy.deepcopy(DATA)
    data["report_types"]["event-commentary"]["industri"] = "x"
    problems = validate(House, data)[1]
    assert problems[0].message == "unknown key; did you mean 'industry'?"
    assert problems[0].message_in(ZH) == "未知的键；是否应为“industry”？"


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize(
    ("old", "new", "code", "at", "column"),
    [
        ("    max_risk_level: R5", "    max_risk_level: R9", "house.risk_level", "R9", 21),
        (
            "label: {zh_CN: 低配, en_US: Underweight}",
            "label: {zh_CN: 标配, en_US: Underweight}",
            "house.duplicate",
            "{zh_CN: 标配, en_US: Underweight}",
            9,
        ),
        (
            "    en_US: Report risk levels and investor suitability\n",
            "",
            "house.translation",
            "  risk_table_title:",
            3,
        ),
        ('code: "9901"', "code: 9901", "schema.type", "code: 9901", 7),
        ("  postcode: ", "\tpostcode: ", "syntax.yaml", "\tpostcode: ", 1),
    ],
)
def test_house_problems_are_located_in_house_yaml(
    note_file: Path, old: str, new: str, code: str, at: str, column: int
) -> None:
    house = note_file.parent.parent / "houses" / "example" / HOUSE_FILE
    edit(house, old, new)
    problems: list[Problem] = Renderer(today=dt.date(2026, 11, 1)).check(note_file).problems
    assert [(p.code, p.path, p.line, p.column) for p in problems] == [
        (code, str(house), _line_of(house, at), column)
    ]
    assert problems[0].message_in(ZH) and problems[0].message_in(ZH) != problems[0].message


def test_a_house_with_errors_renders_no_note(note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example" / HOUSE_FILE
    edit(house, "default_locale: zh_CN", "default_locale: en_GB")
    checked = Renderer(today=dt.date(2026, 11, 1)).check(note_file)
    assert checked.note is None and [p.code for p in checked.errors] == ["house.locale"]
    assert checked.errors[0].line == _line_of(house, "default_locale:")
