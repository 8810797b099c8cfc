"""validate: pydantic's errors as one plain problem each, in English and Chinese, with a rule code."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from render.context.i18n import translator
from render.validate.models import validate
from schemas.problems import Problem

ZH = translator("zh_CN")


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    market: str
    ticker: str | None = None


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(default=1, ge=1)
    name: str = "n"
    when: dt.date = dt.date(2026, 1, 1)
    kind: Literal["company", "industry"] = "company"
    code: str = Field(default="R1", pattern=r"^R[1-9]$")
    firm: str = Field(default="0001", pattern=r"^\d{4}$")
    tags: list[str] = Field(default=["x"], min_length=1)
    text: str | dict[str, str] = "t"
    inner: Inner | None = None


def _one(data: dict[str, object]) -> Problem:
    model, problems = validate(Sample, data)
    assert model is None
    (problem,) = problems
    return problem


@pytest.mark.parametrize(
    ("data", "code", "english", "chinese"),
    [
        ({"count": 0}, "schema.type", "must be at least 1", "应不小于 1"),
        ({"count": "many"}, "schema.type", "'many' is not a whole number", "“many”不是整数"),
        (
            {"name": 42},
            "schema.type",
            "must be text, not a number (put it in quotes)",
            "应为文本，而不是数字（请加引号）",
        ),
        ({"name": ["a"]}, "schema.type", "must be text, not a list", "应为文本，而不是列表"),
        (
            {"when": "2026-02-30"},
            "schema.date",
            "'2026-02-30' is not a real date (",
            "“2026-02-30”不是真实存在的日期",
        ),
        (
            {"kind": "sector"},
            "schema.type",
            "'sector' is not allowed: write 'company' or 'industry'",
            "“sector”不是允许的取值：应为 'company' 或 'industry'",
        ),
        (
            {"code": "R0"},
            "schema.type",
            "'R0' is not a risk level code R1 to R9",
            "“R0”不是R1 至 R9 形式的风险等级代码",
        ),
        (
            {"firm": "12"},
            "schema.type",
            "'12' is not a firm code of 4 digits (in quotes, so that leading zeros stay)",
            "“12”不是4 位数字的机构代码",
        ),
        ({"tags": []}, "schema.empty", "must not be empty", "不能为空"),
        (
            {"tags": "x"},
            "schema.type",
            "must be a list (items starting with '- '), not text",
            "应为列表（每项以“- ”开头），而不是文本",
        ),
        (
            {"inner": "A股"},
            "schema.type",
            "must be a mapping of keys to values, not text",
            "应为“键: 值”形式的映射，而不是文本",
        ),
        ({"inner": {}}, "schema.missing", "required key is missing", "缺少必填的键"),
    ],
)
def test_error_types_in_plain_words(
    data: dict[str, object], code: str, english: str, chinese: str
) -> None:
    problem = _one(data)
    assert problem.code == code
    assert problem.message.startswith(english), problem.message
    assert problem.message_in(ZH).startswith(chinese), problem.message_in(ZH)


def test_a_missing_key_is_located_at_the_key_itself() -> None:
    assert _one({"inner": {}}).loc == ("inner", "market")


def test_a_value_fitting_no_branch_of_a_text_union_is_one_problem() -> None:
    problem = _one({"text": 3})
    assert problem.loc == ("text",)
    assert (
        problem.message == "must be text, or one text per locale (zh_CN: …, en_US: …), not a number"
    )
    assert problem.message_in(ZH).endswith("而不是数字")


def test_a_per_locale_text_is_judged_by_its_mapping_branch_only() -> None:
    problem = _one({"text": {"zh_CN": "好", "en_US": 5}})
    assert problem.loc == ("text", "en_US")
    assert problem.message.startswith("must be text, not a number")


def test_an_unknown_key_suggests_the_known_key_it_misspells() -> None:
    problem = _one({"inner": {"market": "A", "tickr": "1"}})
    assert (problem.code, problem.loc) == ("schema.unknown_key", ("inner", "tickr"))
    assert problem.message == "unknown key; did you mean 'ticker'?"
    assert problem.message_in(ZH) == "未知的键；是否应为“ticker”？"
    case = _one({"Count": 2})
    assert case.message == "unknown key; did you mean 'count'?"


def test_an_unknown_key_like_no_other_lists_the_known_ones() -> None:
    problem = _one({"inner": {"market": "A", "zzz": 1}})
    assert problem.message == "unknown key (known keys: market, ticker)"
    assert problem.message_in(ZH) == "未知的键（可用的键：market, ticker）"


def test_every_error_is_reported_at_once_and_a_clean_value_is_returned() -> None:
    model, problems = validate(Sample, {"count": 0, "name": 1, "tags": []})
    assert model is None
    assert sorted(p.loc for p in problems) == [("count",), ("name",), ("tags",)]
    model, problems = validate(Sample, {"count": 3})
    assert problems == [] and model is not None and model.count == 3
