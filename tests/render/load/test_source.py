"""Source.locate and position_in: each problem placed at the key, value or character it is about."""

from __future__ import annotations

from pathlib import Path

from render.context.i18n import translator
from render.load.note import load_note
from render.load.source import Position, Source
from schemas.problems import Problem

ZH = translator("zh_CN")

YAML = """\
title: "a risk, a risk, a RISK"
subject:
  kind: industry
analysts:
  - name: Lin
    sac: S1
risks: |
    first line
    then 稳赚 and 稳赚
empty:
"""


def _source(tmp_path: Path, text: str = YAML, name: str = "n.yaml") -> Source:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_note(path)


def _at(
    source: Source, code: str, loc: tuple[str | int, ...], offset: int | None = None
) -> tuple[int, int]:
    placed = source.locate(Problem(code, {}, loc, offset=offset), "shown.yaml")
    assert placed.path == "shown.yaml"
    return placed.line, placed.column


def test_a_value_is_placed_at_its_value_and_a_mapping_at_its_key(tmp_path: Path) -> None:
    source = _source(tmp_path)
    assert _at(source, "schema.sac", ("analysts", 0, "sac")) == (6, 10)
    assert _at(source, "schema.type", ("subject",)) == (2, 1)
    assert _at(source, "schema.type", ("analysts", 0)) == (5, 5)
    # A null value has no text of its own: its key names it.
    assert _at(source, "schema.empty", ("empty",)) == (10, 1)


def test_unknown_missing_and_unrecorded_places(tmp_path: Path) -> None:
    source = _source(tmp_path)
    assert _at(source, "schema.unknown_key", ("subject", "kind")) == (3, 3)
    assert _at(source, "schema.missing", ("subject", "market")) == (2, 1)
    assert _at(source, "schema.missing", ("rating",)) == (1, 1)
    # A place deeper than any recorded one falls back to the closest container that is known.
    assert _at(source, "schema.type", ("analysts", 0, "sac", "deeper")) == (6, 5)


def test_an_offset_finds_the_nth_occurrence_of_its_text(tmp_path: Path) -> None:
    source = _source(tmp_path)
    assert _at(source, "schema.promise", ("risks",), offset=0) == (8, 5)
    second = "first line\nthen 稳赚 and ".__len__()
    assert _at(source, "schema.promise", ("risks",), offset=second) == (9, 17)
    assert _at(source, "schema.promise", ("risks",), offset=second - 8) == (9, 10)


def test_an_offset_in_a_quoted_value_counts_repeats_before_it(tmp_path: Path) -> None:
    source = _source(tmp_path)
    # "a risk, a risk, a RISK": the second 'risk' is at offset 10, column 8 + 10 + 1 in the file.
    assert _at(source, "x.rule", ("title",), offset=10) == (1, 19)


def test_position_in_skips_white_space_and_falls_back_to_the_start(tmp_path: Path) -> None:
    source = _source(tmp_path, 'a: "caf\\u00e9  z"\n')
    start = source.values[("a",)]
    assert start == Position(1, 4)
    assert source.position_in(start, "café  z", 4) == Position(1, 16)
    # Text the file does not hold as written (an escape), trailing blanks: the value's start.
    assert source.position_in(start, "café  z", 3) == start
    assert source.position_in(start, "café  z    ", 8) == start


def test_a_problem_located_while_loading_keeps_its_place_and_path(tmp_path: Path) -> None:
    source = _source(tmp_path)
    found = Problem("syntax.yaml", {}, path="house.yaml", line=4, column=2)
    assert source.locate(found, "shown.yaml") == found
    bare = Problem("syntax.yaml", {}, line=4, column=2)
    assert source.locate(bare, "shown.yaml").path == "shown.yaml"


def test_a_missing_markdown_section_says_which_heading_to_add_and_where(tmp_path: Path) -> None:
    text = "---\ntitle: t\n---\n\n## Event\n\ne\n\n## Risks\n\nr\n\n"
    source = _source(tmp_path, text, "n.md")
    source.section_titles = {"commentary": ["点评", "Commentary"]}
    placed = source.locate(Problem("schema.missing", {}, ("commentary",)), "n.md")
    assert (placed.line, placed.column) == (9, 1)  # before the heading of the section after it
    assert placed.message == "the section is missing: add a '## 点评' heading with its text"
    assert placed.message_in(ZH) == "缺少该章节：请添加“## 点评”标题及其内容"
    last = source.locate(Problem("schema.missing", {}, ("risks",)), "n.md")
    assert "'## Risks'" in last.message


def test_a_missing_last_section_points_at_the_last_written_line(tmp_path: Path) -> None:
    source = _source(tmp_path, "---\ntitle: t\n---\n\n## Event\n\ne\n\n\n", "n.md")
    placed = source.locate(Problem("schema.missing", {}, ("risks",)), "n.md")
    assert (placed.line, placed.column) == (7, 1)
    assert "'## Risks'" in placed.message
