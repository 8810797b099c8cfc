"""The note model's compliance rules, each with its own code, against the example house."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from render.context.i18n import translator
from render.load.houses import load_house
from render.validate.models import validate
from schemas.house import Action, House
from schemas.note import Note
from schemas.problems import Problem, Severity
from tests.conftest import EXAMPLE_HOUSE

ZH = translator("zh_CN")

HOUSE: House = load_house(EXAMPLE_HOUSE).house
TODAY = dt.date(2026, 11, 1)

NOTE: dict[str, Any] = {
    "date": "2026-03-02",
    "title": "新一代训练框架降低大模型训练成本",
    "subject": {"kind": "industry", "name": "电子", "market": "A股"},
    "rating": {"value": "超配", "previous": "超配"},
    "risk_level": "中风险",
    "analysts": [
        {
            "name": "林知远",
            "sac": "S9901524060001",
            "phone": "000-0000 1201",
            "email": "lin@research.example.com",
        },
        {"name": "顾明川", "role": "assistant"},
    ],
    "event": "2月26日，某开源社区发布新一代训练框架。",
    "commentary": [{"lead": "训练效率显著提升。", "body": "有效算力利用率提升至 52%。"}],
    "recommendation": "维持“超配”评级。",
    "risks": "技术迭代不及预期。",
}

#: The example house's scales, most negative first, as the house's ranks order them.
COMPANY = ["underperform", "neutral", "outperform", "buy"]
INDUSTRY = ["underweight", "market-weight", "overweight"]
ACTIONS_ZH = {
    Action.INITIATE: "首次",
    Action.MAINTAIN: "维持",
    Action.UPGRADE: "上调",
    Action.DOWNGRADE: "下调",
}


def check(data: dict[str, Any], house: House | None = HOUSE) -> list[Problem]:
    context = {"house": house, "today": TODAY} if house else {"today": TODAY}
    return validate(Note, data, context)[1]


def changed(**edits: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(NOTE)
    for edit in edits.values():
        edit(data)
    return data


def with_(path: str, value: Any) -> dict[str, Any]:
    """The example note with one field (``analysts.0.sac``) set, or removed when value is ...."""
    data = copy.deepcopy(NOTE)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target: Any = data
    for part in parents:
        target = target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return data


def codes(problems: list[Problem]) -> list[tuple[str, str, Severity]]:
    return [(p.code, p.field, p.severity) for p in problems]


def test_the_example_data_is_clean() -> None:
    assert check(NOTE) == []
    note, problems = validate(Note, NOTE, {"house": HOUSE, "today": TODAY})
    assert note is not None and problems == []


E, W = Severity.ERROR, Severity.WARNING

RULES: list[tuple[str, dict[str, Any], list[tuple[str, str, Severity]]]] = [
    ("sac format", with_("analysts.0.sac", "S03405"), [("schema.sac", "analysts[0].sac", E)]),
    (
        "sac month",
        with_("analysts.0.sac", "S9901524130001"),
        [("schema.sac", "analysts[0].sac", E)],
    ),
    (
        "sac firm code",
        with_("analysts.0.sac", "S1234524060001"),
        [("schema.sac_firm", "analysts[0].sac", W)],
    ),
    (
        "sac registered after the note",
        with_("analysts.0.sac", "S9901526040001"),
        [("schema.sac_date", "analysts[0].sac", W)],
    ),
    (
        "analyst without sac",
        with_("analysts.0.sac", None),
        [("schema.signer", "analysts", E), ("schema.sac_missing", "analysts[0].sac", E)],
    ),
    (
        "assistant signs alone",
        with_("analysts", [{"name": "顾明川", "role": "assistant", "sac": "S9901524060009"}]),
        [("schema.signer", "analysts", E)],
    ),
    (
        "phone required",
        with_("analysts.0.phone", ...),
        [("schema.contact", "analysts[0].phone", E)],
    ),
    (
        "email required",
        with_("analysts.0.email", ...),
        [("schema.contact", "analysts[0].email", E)],
    ),
    (
        "email form",
        with_("analysts.0.email", "lin at example"),
        [("schema.email", "analysts[0].email", E)],
    ),
    (
        "company rating on an industry",
        with_("rating.value", "买入"),
        [("schema.rating", "rating.value", E)],
    ),
    (
        "unknown previous",
        with_("rating.previous", "强推"),
        [("schema.rating", "rating.previous", E)],
    ),
    ("unknown action", with_("rating.action", "上涨"), [("schema.action", "rating.action", E)]),
    (
        "contradicting action",
        with_("rating.action", "上调"),
        [("schema.action_mismatch", "rating.action", E)],
    ),
    ("not a real date", with_("date", "2026-02-30"), [("schema.date", "date", E)]),
    ("not written YYYY-MM-DD", with_("date", "2026/03/02"), [("schema.date", "date", E)]),
    ("a number is no date", with_("date", 20260302), [("schema.date", "date", E)]),
    ("after today", with_("date", "2026-11-02"), [("schema.date_future", "date", E)]),
    ("unknown risk level", with_("risk_level", "R7"), [("schema.risk_level", "risk_level", E)]),
    (
        "below the market's floor",
        changed(
            subject=lambda d: d["subject"].update(kind="company", market="growth-board"),
            rating=lambda d: d.update(rating={"value": "buy"}),
        ),
        [("schema.risk_floor", "risk_level", E)],
    ),
    ("unknown market", with_("subject.market", "美股"), [("schema.market", "subject.market", E)]),
    ("unknown locale", with_("locale", "fr_FR"), [("schema.locale", "locale", E)]),
    ("empty section", with_("risks", "  "), [("schema.empty", "risks", E)]),
    ("missing section", with_("event", ...), [("schema.missing", "event", E)]),
    ("no commentary", with_("commentary", []), [("schema.empty", "commentary", E)]),
    (
        "point without lead",
        with_("commentary.0.lead", ""),
        [("schema.empty", "commentary[0].lead", E)],
    ),
    (
        "point without body",
        with_("commentary.0.body", ""),
        [("schema.empty", "commentary[0].body", E)],
    ),
    (
        "table without source",
        with_("event", "收入如下：\n\n| 年 | 收入 |\n| --- | --- |\n| 2025 | 1 |\n"),
        [("schema.source", "event", E)],
    ),
    (
        "figure without source",
        with_("commentary.0.body", "见下图。\n\n![图 1：收入](chart.png)\n"),
        [("schema.source", "commentary[0].body", E)],
    ),
    ("promise in a section", with_("risks", "本行业必涨。"), [("schema.promise", "risks", W)]),
    (
        "promise in English",
        with_("title", "A guaranteed return"),
        [("schema.promise", "title", W)],
    ),
    ("unknown key", with_("ratting", "超配"), [("schema.unknown_key", "ratting", E)]),
    ("missing key", with_("rating.value", ...), [("schema.missing", "rating.value", E)]),
    ("wrong type", with_("title", ["a", "b"]), [("schema.type", "title", E)]),
    ("wrong kind", with_("subject.kind", "sector"), [("schema.type", "subject.kind", E)]),
]


@pytest.mark.parametrize(
    ("data", "expected"), [(d, e) for _, d, e in RULES], ids=[name for name, _, _ in RULES]
)
def test_rule(data: dict[str, Any], expected: list[tuple[str, str, Severity]]) -> None:
    problems = check(data)
    assert codes(problems) == expected
    for problem in problems:
        assert (
            problem.message and problem.message_in(ZH) and problem.message != problem.message_in(ZH)
        )


def test_sourced_exhibits_pass() -> None:
    table = "| 年 | 收入 |\n| --- | --- |\n| 2025 | 1 |\n\n资料来源：公司公告"
    figure = "![图 1：收入](chart.png)\n\nSource: company filings"
    assert check(with_("event", table)) == []
    assert check(with_("event", figure)) == []


def test_every_rule_runs_even_when_other_fields_are_wrong() -> None:
    data = changed(
        sac=lambda d: d["analysts"][0].update(sac="S1234524060001"),
        title=lambda d: d.update(title=["not", "text"]),
        risks=lambda d: d.update(risks="稳赚"),
        market=lambda d: d["subject"].update(market="美股"),
        date=lambda d: d.update(date="2026-12-01"),
    )
    assert sorted(p.code for p in check(data)) == [
        "schema.date_future",
        "schema.market",
        "schema.promise",
        "schema.sac_firm",
        "schema.type",
    ]


def test_promise_offsets_point_at_each_phrase() -> None:
    problems = check(with_("recommendation", "稳赚。又稳赚"))
    assert [(p.code, p.offset) for p in problems] == [("schema.promise", 0), ("schema.promise", 4)]


def test_house_rules_are_skipped_without_a_house() -> None:
    data = changed(market=lambda d: d["subject"].update(market="美股"))
    assert check(data, house=None) == []
    assert codes(check(with_("analysts.0.sac", "S03405"), house=None)) == [
        ("schema.sac", "analysts[0].sac", E)
    ]


def test_without_a_log_rule_errors_are_raised() -> None:
    from pydantic import ValidationError

    data = with_("subject.market", "美股")
    with pytest.raises(ValidationError, match=r"schema\.market"):
        Note.model_validate(data, context={"house": HOUSE, "today": TODAY})


def test_json_schema_key_is_accepted() -> None:
    assert check({"$schema": "../../schemas/note.schema.json", **NOTE}) == []


def _expected_action(order: list[str], value: str, previous: str | None) -> Action | None:
    """The action the compliance rules call for, from the order of the scale's levels."""
    if value not in order:
        return None  # not rated: no action prints
    if previous is None or previous not in order:
        return Action.INITIATE
    step = order.index(value) - order.index(previous)
    return Action.UPGRADE if step > 0 else Action.DOWNGRADE if step < 0 else Action.MAINTAIN


PAIRS = [
    (kind, value.code, previous.code if previous else None)
    for kind in ("company", "industry")
    for value in HOUSE.scale(kind).levels
    for previous in [None, *HOUSE.scale(kind).levels]
]


@pytest.mark.parametrize(("kind", "value", "previous"), PAIRS)
def test_action_is_derived_for_every_pair_of_ratings(
    kind: str, value: str, previous: str | None
) -> None:
    order = COMPANY if kind == "company" else INDUSTRY
    expected = _expected_action(order, value, previous)
    scale = HOUSE.scale(kind)
    level = scale.find(value)
    assert level is not None
    assert scale.derive_action(level, scale.find(previous) if previous else None) == expected

    subject = {"kind": kind, "name": "x", "market": "A股"}
    for action, written in ACTIONS_ZH.items():
        rating = {"value": value, "action": written}
        if previous:
            rating["previous"] = previous
        found = codes(check({**NOTE, "subject": subject, "rating": rating}))
        if action == expected:
            assert found == [], (written, found)
        else:
            assert found == [("schema.action_mismatch", "rating.action", E)], written


def test_not_rated_is_unranked_and_initiate_follows_it() -> None:
    scale = HOUSE.scale("company")
    not_rated = scale.find("无评级")
    assert not_rated is not None and not_rated.rank is None
    assert scale.derive_action(scale.find("buy"), not_rated) is Action.INITIATE  # type: ignore[arg-type]
    assert scale.derive_action(not_rated, scale.find("buy")) is None


def test_rating_may_be_written_in_any_language_or_by_code() -> None:
    for written in ("超配", "Overweight", "overweight", " OVERWEIGHT "):
        assert check(with_("rating.value", written)) == [], written


def test_english_action_spellings_are_accepted() -> None:
    assert check(with_("rating.action", "maintained")) == []
    assert check(with_("rating.action", "Maintain")) == []


#: Text that prints nothing: zero-width space, non-joiner, joiner, word joiner, byte-order mark,
#: soft hyphen, an ideographic space, a Hangul filler, a variation selector.
INVISIBLE_TEXTS = [
    "\u200b",
    "\u200c\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u3000\u200b",
    "\u3164",
    "\ufe0f",
]


@pytest.mark.parametrize("text", INVISIBLE_TEXTS, ids=lambda text: f"U+{ord(text[0]):04X}")
@pytest.mark.parametrize(
    "where",
    [
        "title",
        "subject.name",
        "analysts.0.name",
        "event",
        "risks",
        "commentary.0.lead",
        "commentary.0.body",
    ],
)
def test_text_of_invisible_characters_is_empty(where: str, text: str) -> None:
    field = where.replace(".0.", "[0].")
    assert codes(check(with_(where, text))) == [("schema.empty", field, E)]


def test_a_text_with_one_visible_character_is_not_empty() -> None:
    assert check(with_("title", "\u200b涨\u200b")) == []


def test_a_note_dated_today_is_not_after_today() -> None:
    # The boundary: a note is published on its date, so today is the latest valid date.
    assert check({**NOTE, "date": TODAY.isoformat()}) == []
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert [p.code for p in check({**NOTE, "date": tomorrow})] == ["schema.date_future"]
