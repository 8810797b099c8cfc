"""The registers' models: a roster and a disclosures register, and what each refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ruamel.yaml import YAML

from render.validate.models import validate
from schemas.registers import Disclosures, Period, Roster
from tests.conftest import EXAMPLE_HOUSE


def load(name: str) -> dict[str, Any]:
    return YAML(typ="safe").load((EXAMPLE_HOUSE / name).read_text(encoding="utf-8"))


def person(**changes: Any) -> dict[str, Any]:
    return {
        "id": "lin-zhiyuan",
        "name": "林知远",
        "role": "analyst",
        "sac": "S9901524060001",
        "registered": "2024-06-17",
        **changes,
    }


def test_the_example_registers_are_valid() -> None:
    roster, problems = validate(Roster, load("analysts.yaml"))
    assert problems == [] and roster is not None
    assert {p.role for p in roster.analysts} == {"analyst", "assistant", "reviewer"}
    register, problems = validate(Disclosures, load("disclosures.yaml"))
    assert problems == [] and register is not None
    assert register.holdings and register.banking and register.quiet_periods


@pytest.mark.parametrize(
    ("changes", "code", "loc"),
    [
        ({"sac": "S99"}, "schema.sac", ("analysts", 0, "sac")),
        ({"email": "nobody"}, "schema.email", ("analysts", 0, "email")),
        ({"sac": None}, "schema.missing", ("analysts", 0)),
        ({"role": "editor"}, "schema.type", ("analysts", 0, "role")),
        ({"id": "Lin Zhiyuan"}, "schema.type", ("analysts", 0, "id")),
    ],
)
def test_a_roster_entry_that_is_wrong_is_named(
    changes: dict[str, Any], code: str, loc: tuple[Any, ...]
) -> None:
    _, problems = validate(Roster, {"analysts": [person(**changes)]})
    assert [(p.code, p.loc) for p in problems] == [(code, loc)]


def test_two_people_may_not_share_an_id() -> None:
    _, problems = validate(Roster, {"analysts": [person(), person(name="另一人")]})
    assert [p.code for p in problems] == ["house.duplicate"]


def test_a_disclosure_text_with_an_unknown_placeholder_is_refused() -> None:
    data = load("disclosures.yaml")
    data["texts"]["banking"] = {"zh_CN": "{company}的{job}", "en_US": "{role}"}
    _, problems = validate(Disclosures, data)
    assert [p.code for p in problems] == ["schema.type"]
    assert "{job}" in problems[0].message


def test_a_period_covers_its_days_and_an_open_one_runs_on() -> None:
    period = Period.model_validate({"from": "2026-01-01", "to": "2026-01-31"})
    assert period.covers(dt.date(2026, 1, 31)) and not period.covers(dt.date(2026, 2, 1))
    assert period.covers(dt.date(2026, 2, 1), after_days=365)
    assert not period.covers(dt.date(2025, 12, 31), after_days=365)
    assert Period.model_validate({"from": "2026-01-01"}).covers(dt.date(2099, 1, 1))
