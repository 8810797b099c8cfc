"""YAML and JSON read with the place of every key and value; odd characters found and located."""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from render.context.i18n import translator
from render.errors import UserError
from render.load.positions import check_characters, load_json, load_yaml_into
from render.load.source import Position, Source
from render.settings import Limits
from schemas.problems import Problem, Severity

ZH = translator("zh_CN")


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
    assert "U+0085" in source.problems[0].message_in(ZH)


def test_a_lone_surrogate_is_reported_and_replaced() -> None:
    source = _json('{"items": ["ok", "bad \\ud800 here"]}')
    data = check_characters(source, source.data, ())
    assert data["items"][1] == "bad \ufffd here"
    (problem,) = source.problems
    assert problem.loc == ("items", 1) and problem.offset == 4
    assert problem.message.startswith("a lone surrogate (U+D800, written as an escape)")
    assert (problem.line, problem.column) == (1, 18)


# -- what a document may make render read --------------------------------------------------------


def _laughs(levels: int, key: str = "lol") -> str:
    """A "billion laughs": each level a list of ten aliases of the level before (10^levels)."""
    lines = [f"{key}:", "  l0: &l0 [ha, ha, ha, ha, ha, ha, ha, ha, ha, ha]"]
    for i in range(1, levels):
        lines.append(f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _refused(load: Callable[[], object]) -> tuple[Problem, float, int]:
    """The one problem a load raises, the seconds it took and its peak of memory, in bytes."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UserError) as raised:
            load()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    (problem,) = raised.value.problems
    return problem, seconds, peak


@pytest.mark.parametrize("key", ["title", "no_such_key"])
def test_an_alias_bomb_stops_at_the_alias_that_crosses_the_limit(key: str) -> None:
    text = "date: 2026-03-02\n" + _laughs(10, key)  # ten billion values in 700 bytes
    problem, seconds, peak = _refused(lambda: _yaml(text))
    assert problem.code == "syntax.too_large"
    # 10^5 values fit: the fifth level is the first one past them, at the alias of the fourth
    # (11,111 values each) that crosses 100,000 with the 12,355 values before it: the eighth.
    assert "'*l3' repeats '&l3' (11,111 values" in problem.message
    line = text.split("\n")[problem.line - 1]
    assert line.startswith("  l4: &l4 [") and line[problem.column - 1 :].startswith("*l3")
    assert line[: problem.column - 1].count("*l3") == 7
    assert seconds < 1 and peak < 20 * 2**20, (seconds, peak)


def test_an_alias_bomb_in_front_matter_is_located_in_the_file() -> None:
    text = "title: x\n" + _laughs(9)
    problem, _, _ = _refused(lambda: _yaml(text, line_offset=1))
    assert problem.code == "syntax.too_large" and problem.line == 8 and problem.column == 47


def test_merge_keys_count_as_the_aliases_they_are() -> None:
    lines = ["m0: &m0 {a: 1, b: 2}"]
    for i in range(1, 30):
        lines.append(f"m{i}: &m{i} {{<<: *m{i - 1}, x: *m{i - 1}, y: [*m{i - 1}]}}")
    problem, seconds, _ = _refused(lambda: _yaml("\n".join(lines) + "\n"))
    assert problem.code == "syntax.too_large" and problem.message.startswith("'*m8' repeats")
    # m_i holds 5 + 3 m_(i-1) values: m8 49,205, which m9's merge crosses.
    assert (problem.line, problem.column) == (10, 14)
    assert seconds < 1
    # A merge of a list of anchors too.
    listed = "a: &a {x: 1}\nb: &b {y: *a}\n" + "".join(
        f"c{i}: &c{i} {{<<: [*{'a' if i == 0 else f'c{i - 1}'}, *b], z: *{'a' if i == 0 else f'c{i - 1}'}}}\n"
        for i in range(40)
    )
    problem, seconds, _ = _refused(lambda: _yaml(listed))
    assert problem.code == "syntax.too_large" and seconds < 1


def test_repeating_a_long_text_is_bounded_by_the_note_size() -> None:
    # Few values, but each alias repeats half a megabyte of text: the walks would copy it
    # each time. The fourth copy passes 2 MiB, the most text a note file may have.
    text = f"a: &a {'x' * 2**19}\nb: [*a]\nc: [*a, *a]\n"
    problem, _, _ = _refused(lambda: _yaml(text))
    assert problem.code == "syntax.too_large" and (problem.line, problem.column) == (3, 9)
    assert "2,097,152 characters of text" in problem.message


def test_an_alias_inside_its_own_anchor_is_refused_where_it_is() -> None:
    problem, _, _ = _refused(lambda: _yaml("title: x\na: &a\n  - 1\n  - {b: *a}\n"))
    assert (problem.code, problem.line, problem.column) == ("syntax.alias_loop", 4, 9)


def test_aliases_within_the_limits_read_as_copies() -> None:
    source = _yaml(
        "base: &b {x: 1, y: [a, b]}\nmerged: {<<: *b, z: 2}\nlist: [*b, *b]\nduplicate: &b 3\n"
        "later: *b\n"
    )
    assert source.data["merged"] == {"x": 1, "y": ["a", "b"], "z": 2}
    assert source.data["list"] == [{"x": 1, "y": ["a", "b"]}] * 2
    assert source.data["later"] == 3  # a second '&b' is valid YAML: later aliases name it
    # Exactly at the limit is fine; one value more is not.
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"  # 1 + 2 keys + 4 + (1 + 4) + 4 + 4 = 16 values
    source = Source(Path("n.yaml"), text, {}, "yaml")
    load_yaml_into(source, text, 0, Limits(yaml_nodes=16))
    with pytest.raises(UserError) as raised:
        load_yaml_into(source, text, 0, Limits(yaml_nodes=15))
    assert raised.value.problems[0].column == 9  # the second alias


def test_the_value_count_bounds_json_too() -> None:
    text = '{"a": [' + ", ".join(["1"] * 20) + "]}"
    source = Source(Path("n.json"), text, {}, "json")
    with pytest.raises(UserError) as raised:
        load_json(source, Limits(yaml_nodes=10))
    (problem,) = raised.value.problems
    assert (problem.code, problem.line, problem.column) == (
        "syntax.too_large",
        1,
        29,
    )  # the eighth item
    assert "more than 10 values" in problem.message


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("9" * 5000, "a number of 5,000 digits"),
        ("-" + "1" * 101, "a number of 101 digits"),
        ("1." + "0" * 200, "a number of 201 digits"),
        ("1e999999", "1e999999 is not"),
        ("-1E+999999", "-1E+999999 is not"),
        ("NaN", "NaN is not"),
        ("Infinity", "Infinity is not"),
        ("-Infinity", "-Infinity is not"),
    ],
)
def test_a_json_number_no_note_needs_is_located_at_the_number(number: str, message: str) -> None:
    # The same digits in a key and a text before it are not the number.
    text = f'{{"{number}": "{number} 1e999999",\n  "n": [1, 2.5, 1e-999999,\n  {number}]}}'
    problem, seconds, _ = _refused(lambda: _json(text))
    assert (problem.code, problem.line, problem.column) == ("syntax.number", 3, 3)
    assert message in problem.message and seconds < 1


def test_numbers_up_to_the_limit_are_read() -> None:
    assert _json('{"n": ' + "9" * 100 + "}").data["n"] == int("9" * 100)
    assert _yaml("n: " + "9" * 100 + "\n").data["n"] == int("9" * 100)
    assert _json('{"n": 1e-999999}').data["n"] == 0.0


@pytest.mark.parametrize(
    "number", ["9" * 5000, "1_000" * 30, "0x" + "f" * 120, "1e999999", ".inf", "-.Inf", ".NaN"]
)
def test_a_yaml_number_no_note_needs_is_located_at_the_number(number: str) -> None:
    text = f"title: x\nrating:\n  upside: [1, {number}]\n  quoted: '{number}'\n"
    problem, seconds, _ = _refused(lambda: _yaml(text, line_offset=1))
    assert (problem.code, problem.line, problem.column) == ("syntax.number", 4, 15)
    assert seconds < 1
    # Quoted, it is text.
    assert _yaml(f"a: '{number}'\n").data["a"] == number


def test_what_was_read_is_kept_between_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same text is read once; what is taken from the cache is what reading gives; an
    edit, other limits or an error is read again (and an error reported the same each time)."""
    import tempfile

    from render.load import kept, positions

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read: list[str] = []
    read_yaml = positions._read_yaml

    def counted(source: Source, text: str, line_offset: int, limits: Limits) -> None:
        read.append(text)
        read_yaml(source, text, line_offset, limits)

    monkeypatch.setattr(positions, "_read_yaml", counted)
    text = "title: 标题\nsubject: {kind: industry, name: 电子}\nlist:\n  - 1\n  - 2.5\n  - true\n"
    first = _yaml(text, 3)
    again = _yaml(text, 3)
    assert len(read) == 1 and list((tmp_path / f"render-cache-{os.getuid()}").iterdir())
    assert (again.data, again.keys, again.values) == (first.data, first.keys, first.values)
    assert list(again.data) == list(first.data) and list(again.values) == list(first.values)
    assert [type(v) for v in again.data["list"]] == [int, float, bool]
    source = Source(Path("n.yaml"), text, {}, "yaml")
    with pytest.raises(UserError):
        load_yaml_into(source, text, 3, Limits(yaml_nodes=3))  # the same text, lower limits
    assert len(read) == 2
    assert _yaml(text, 0).values[("title",)] == Position(1, 8)  # another place in the file
    _yaml(text.replace("电子", "通信"), 3)
    assert len(read) == 4
    broken = "title: [open\n"
    problems = []
    for _ in range(2):
        with pytest.raises(UserError) as error:
            _yaml(broken)
        problems.append(error.value.problems)
    assert problems[0] == problems[1] and len(read) == 6
    assert kept.read("yaml", ("n.yaml", 0), (broken, 0, repr(Limits()))) is None
