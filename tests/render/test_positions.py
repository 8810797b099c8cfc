"""YAML and JSON read with the place of every key and value; odd characters found and located."""

from __future__ import annotations

from pathlib import Path

import pytest

from render.errors import UserError
from render.positions import check_characters, load_json, load_yaml_into
from render.source import Position, Source
from schemas.problems import Severity


def _yaml(text: str, line_offset: int = 0) -> Source:
    source = Source(Path("n.yaml"), text, {}, "yaml")
    load_yaml_into(source, text, line_offset)
    return source


def _json(text: str) -> Source:
    source = Source(Path("n.json"), text, {}, "json")
    load_json(source)
    return source


def test_nested_yaml_keys_and_values_and_list_items() -> None:
    source = _yaml(
        "subject:\n  kind: industry\nanalysts:\n  - name: Lin\n    sac: S1\n  - {name: Zhou}\n"
    )
    assert source.keys[("subject", "kind")] == Position(2, 3)
    assert source.values[("subject", "kind")] == Position(2, 9)
    assert source.values[("analysts", 0)] == Position(4, 5)
    assert source.keys[("analysts", 0, "sac")] == Position(5, 5)
    assert source.values[("analysts", 0, "sac")] == Position(5, 10)
    assert source.values[("analysts", 1, "name")] == Position(6, 12)


def test_line_offset_shifts_lines_not_columns() -> None:
    source = _yaml("a:\n  b: 1\n", line_offset=1)
    assert source.keys[("a",)] == Position(2, 1) and source.values[("a", "b")] == Position(3, 6)


def test_values_come_out_plain_and_dates_stay_text() -> None:
    source = _yaml(
        "date: 2026-03-02\n1: one\nflag: yes\nok: true\nn: 1.5\ntagged: !x 3\nlist: [a, 2]\n"
    )
    assert source.data == {
        "date": "2026-03-02",
        "1": "one",
        "flag": "yes",
        "ok": True,
        "n": 1.5,
        "tagged": "3",
        "list": ["a", 2],
    }
    assert type(source.data["ok"]) is bool and type(source.data["list"]) is list


def test_an_empty_yaml_file_is_an_empty_mapping_but_a_list_is_refused() -> None:
    assert _yaml("# only a comment\n").data == {}
    with pytest.raises(UserError) as raised:
        _yaml("- a\n- b\n", line_offset=1)
    (problem,) = raised.value.problems
    assert (problem.code, problem.line, problem.column) == ("syntax.yaml", 2, 1)
    assert problem.message == "the data must be a mapping of keys to values (key: value)"


def test_nested_json_positions() -> None:
    source = _json(
        '{\n  "rating": {"value": "超配",\n    "previous": null},\n  "tags": [\n    "a"\n  ]\n}'
    )
    assert source.keys[("rating", "value")] == Position(2, 14)
    assert source.values[("rating", "value")] == Position(2, 23)
    assert source.keys[("rating", "previous")] == Position(3, 5)
    assert source.values[("tags", 0)] == Position(5, 5)
    assert source.data == {"rating": {"value": "超配", "previous": None}, "tags": ["a"]}


def test_json_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(UserError) as raised:
        _json("[1, 2]")
    assert raised.value.problems[0].code == "syntax.json"
    assert "must be a mapping" in raised.value.problems[0].message


def test_only_the_first_control_and_first_bidi_character_of_a_text_are_reported() -> None:
    text = 'a: "x\\u0007y\\u0008z\\u202ew\\u202cv\\u0085\\ttab"\n'
    source = _yaml(text)
    check_characters(source, source.data, ())
    assert [(p.code, p.severity, p.offset, p.line) for p in source.problems] == [
        ("schema.character", Severity.ERROR, 1, 1),
        ("schema.bidi", Severity.WARNING, 5, 1),
    ]
    assert "U+0007" in source.problems[0].message and "U+202E" in source.problems[1].message


def test_a_c1_control_is_an_error_and_tabs_and_newlines_are_fine() -> None:
    source = _yaml('a: "tab\\there\\nnext"\nb: "c1 \\u0085"\n')
    check_characters(source, source.data, ())
    assert [(p.loc, p.code) for p in source.problems] == [(("b",), "schema.character")]
    assert "U+0085" in source.problems[0].message_zh


def test_a_lone_surrogate_is_reported_and_replaced() -> None:
    source = _json('{"items": ["ok", "bad \\ud800 here"]}')
    data = check_characters(source, source.data, ())
    assert data["items"][1] == "bad \ufffd here"
    (problem,) = source.problems
    assert problem.loc == ("items", 1) and problem.offset == 4
    assert problem.message.startswith("a lone surrogate (U+D800, written as an escape)")
    assert (problem.line, problem.column) == (1, 18)
