"""The rules of schemas/rules/data.py: declared in their section, with a message to print."""

from __future__ import annotations

from render.context.i18n import translator
from schemas.rules import data
from schemas.rules.core import Rule
from schemas.rules.sections import DATA


def test_each_rule_here_is_in_its_section() -> None:
    declared = [value for value in vars(data).values() if isinstance(value, Rule)]
    assert declared and all(rule.section is DATA and rule.about for rule in declared)


def test_the_upside_prints_its_figures_by_the_format_the_message_gives() -> None:
    problem = data.UPSIDE(upside=0.037, target=50.0, close=48.2, rating="买入", band="≥ 15%")
    assert problem.message == (
        "the upside to the target price is +3.7% (target 50, close 48.2), outside the band of "
        "the rating 买入 (≥ 15%)"
    )
    assert problem.message_in(translator("zh_CN")) == (
        "目标价对应的上涨空间为 +3.7%（目标价 50，收盘价 48.2），不在评级“买入”的区间内（≥ 15%）"
    )
