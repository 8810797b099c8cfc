"""Report type declarations: the shipped event-commentary, and what a declaration may not say."""

from __future__ import annotations

from typing import Any

import pytest

from render.validate.models import validate
from schemas.report_type import ReportType, builtin_type, builtin_types, default_type


def declaration(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sections": [
            {"key": "key_points", "title": {"zh_CN": "核心观点", "en_US": "Key points"}},
            {"key": "risks", "title": "Risks", "kind": "prose"},
        ]
    }
    data.update(changes)
    return data


def test_event_commentary_is_shipped_as_the_default_with_its_four_sections() -> None:
    found = default_type()
    assert builtin_types() == ["earnings-review", "event-commentary"]
    assert builtin_type("event-commentary") is found
    assert [(s.key, s.kind, s.required) for s in found.sections] == [
        ("event", "prose", True),
        ("commentary", "points", True),
        ("recommendation", "prose", True),
        ("risks", "prose", True),
    ]
    assert found.section("recommendation").names() == ("Recommendation", "投资建议")  # type: ignore[union-attr]
    assert builtin_type("no-such-type") is None


def test_headings_that_always_name_a_section_and_the_house_titles() -> None:
    found = default_type()
    names = found.english_names()
    assert names["investment view"] == names["recommendation"] == "recommendation"
    assert names["risk"] == names["risks"] == "risks"
    titles = found.titles({"event": {"zh_CN": "事件概述", "en_US": "What happened"}})
    assert titles["event"] == ["事件概述", "What happened"]
    assert titles["commentary"] == ["点评", "Commentary"]  # the type's, where the house is silent


def test_the_earnings_review_validates_its_results_and_requires_a_forecast() -> None:
    from schemas.data import Results
    from schemas.note import note_model

    review = builtin_type("earnings-review")
    assert review is not None and review.requires == ["forecast"]
    assert [(s.key, s.kind, s.model) for s in review.sections] == [
        ("results", "data", "results"),
        ("commentary", "points", None),
        ("forecast_recommendation", "prose", None),
        ("risks", "prose", None),
    ]
    model = note_model(review)
    assert model.model_fields["results"].annotation is Results
    assert model.model_fields["forecast"].is_required()
    assert not note_model(default_type()).model_fields["forecast"].is_required()


def test_a_valid_declaration() -> None:
    found, problems = validate(ReportType, declaration())
    assert problems == [] and found is not None
    assert found.body_keys == ("key_points", "risks")
    assert found.section("risks").names() == ("Risks", "Risks")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (
            declaration(sections=[{"key": "a", "title": "A"}, {"key": "a", "title": "B"}]),
            "schema.report_type",
            "'a' is given twice",
        ),
        (
            declaration(fields=[{"key": "risks"}]),
            "schema.report_type",
            "'risks' is given twice",
        ),
        (
            declaration(sections=[{"key": "title", "title": "Title"}]),
            "schema.report_type",
            "'title' is a key every note has",
        ),
        (declaration(sections=[]), "schema.empty", ""),
        (declaration(sections=[{"key": "Key Points", "title": "x"}]), "schema.type", ""),
        (declaration(sections=[{"key": "a", "title": "A", "kind": "table"}]), "schema.type", ""),
        (
            declaration(sections=[{"key": "a", "title": "A", "kind": "data", "model": "chart"}]),
            "schema.report_type",
            "no data model 'chart' (models: results)",
        ),
        (
            declaration(sections=[{"key": "a", "title": "A", "model": "results"}]),
            "schema.report_type",
            "only a section of kind data has a model",
        ),
        (
            declaration(requires=["title"]),
            "schema.report_type",
            "'title' cannot be required (a type may require: ",
        ),
        (declaration(requires=["horizon"]), "schema.report_type", "'horizon' cannot be"),
    ],
)
def test_a_declaration_with_a_mistake(data: dict[str, Any], code: str, words: str) -> None:
    found, problems = validate(ReportType, data)
    assert found is None
    assert [p.code for p in problems] == [code], problems
    assert words in problems[0].message
