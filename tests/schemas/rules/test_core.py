"""A rule makes problems that carry parameters, not text; text is made, translated, when printed."""

from __future__ import annotations

import pickle

import pytest

from render.context.i18n import translator
from render.validate.models import validate
from schemas.note import Analyst
from schemas.problems import Severity
from schemas.rules import RULES, Quoted, Rule, Text, fill, message, note
from schemas.rules.sections import NOTE


def test_a_problem_carries_the_code_and_parameters_and_no_text() -> None:
    problem = note.EMAIL(("analysts", 0, "email"), value=Quoted("lin@"), line=3)
    assert problem.code == "schema.email" and problem.severity is Severity.ERROR
    assert problem.params == {"value": Quoted("lin@")}
    assert not any(isinstance(v, str) and "e-mail" in v for v in vars(problem).values())
    # Text is made from the registry when asked for, in the language asked for.
    assert problem.message == "'lin@' is not an e-mail address"
    assert problem.message_in(translator("zh_CN")) == "“lin@”不是有效的电子邮箱"


def test_phrases_and_quotes_inside_a_message_are_translated_too() -> None:
    problem = note.SAC(("sac",), value=Quoted("S1"), why=note.sac_month("13"))
    assert (
        problem.message
        == "'S1' is not a SAC certificate number: its registration month (digits 9–10) is 13"
    )
    assert problem.message_in(translator("zh")) == (
        "“S1”不是有效的执业证书编号：其中的登记月份（第 9–10 位）为 13"
    )


def test_a_quoted_value_is_escaped_and_shortened() -> None:
    assert Quoted("a\tb\u202e" + "x" * 50, limit=8).render() == "'a\\tb\\u202exxx…'"


def test_a_translation_that_does_not_fit_its_parameters_falls_back_to_english() -> None:
    broken = {"{value} is not an e-mail address": "{valeur}不是电子邮箱"}.get
    assert fill("{value} is not an e-mail address", {"value": "x"}, lambda m: broken(m, m)) == (
        "x is not an e-mail address"
    )


def test_a_problem_travels_between_processes_and_stays_the_same() -> None:
    problem = note.SAC(("sac",), value=Quoted("S1"), why=note.SAC_FORM)
    assert pickle.loads(pickle.dumps(problem)) == problem


def test_a_code_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Rule("schema.email", "again", NOTE, "a second declaration")
    assert RULES["schema.email"] is note.EMAIL


def test_a_validator_raises_the_rule_and_validation_gives_back_its_parameters() -> None:
    _, [problem] = validate(Analyst, {"name": "林", "sac": "S99"})
    assert problem.code == "schema.sac" and problem.loc == ("sac",)
    assert problem.params["value"] == Quoted("S99")
    assert problem.message == "'S99' is not a SAC certificate number (S followed by 13 digits)"


def test_a_problem_of_an_unknown_code_still_prints_what_it_carries() -> None:
    from schemas.problems import Problem

    assert message(Problem("x.unknown", {"message": "as given"})) == "as given"


def test_text_is_translated_by_its_own_message_id() -> None:
    seen: list[str] = []

    def record(msgid: str) -> str:
        seen.append(msgid)
        return msgid

    Text("outer {inner}", inner=Text("inner {v}", v=Quoted(1))).render(record)
    assert sorted(seen) == ["'{text}'", "inner {v}", "outer {inner}"]


def test_words_a_house_gives_per_locale_print_in_the_readers_language() -> None:
    from schemas.rules import Localized

    reason = Localized({"zh_CN": "首次公开发行", "en_US": "initial public offering"})
    text = Text("in a quiet period ({reason})", reason=reason)
    assert text.render(translator("en")) == "in a quiet period (initial public offering)"
    assert text.render(translator("zh")) == "in a quiet period (首次公开发行)"  # no catalog entry
    assert Localized({"zh_CN": "仅中文"}).render(translator("en")) == "仅中文"  # what there is
