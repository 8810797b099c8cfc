"""Reading note files with positions: every problem points at the place the analyst must edit."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

import pytest

from render.context.i18n import translator
from render.errors import UserError
from render.load.houses import load_house
from render.load.note import load_note
from render.load.positions import JSON_MESSAGES, YAML_MESSAGES
from render.load.source import Position, Source
from render.renderer import Renderer
from render.settings import Limits, Settings
from schemas.problems import Problem
from schemas.report_type import default_type
from tests.conftest import EXAMPLE_NOTE, EXAMPLES, SHIPPED_HOUSES, edit

ZH = translator("zh_CN")

TITLES = default_type().titles(load_house(SHIPPED_HOUSES / "example").house.sections)
RENDERER = Renderer(today=dt.date(2026, 11, 1))


def load(path: Path) -> Source:
    return load_note(path, lambda source: TITLES)


def where(path: Path, text: str, occurrence: int = 0) -> tuple[int, int]:
    """The 1-based line and column of a text in a file, counted by hand."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found = [
        (n, m.start() + 1)
        for n, line in enumerate(lines, 1)
        for m in re.finditer(re.escape(text), line)
    ]
    return found[occurrence]


def problems(path: Path) -> list[tuple[str, str, int, int]]:
    return [(p.code, p.field, p.line, p.column) for p in RENDERER.check(path, path.name).problems]


def test_front_matter_positions_start_at_line_2() -> None:
    source = load(EXAMPLE_NOTE)
    assert source.kind == "markdown"
    assert source.keys[("template",)] == Position(3, 1)
    assert source.values[("template",)] == Position(3, 11)
    assert source.keys[("analysts", 1, "sac")] == Position(*where(EXAMPLE_NOTE, "sac:", 1))
    assert source.values[("analysts", 1, "sac")] == Position(*where(EXAMPLE_NOTE, "S9901523090002"))


def test_body_sections_and_commentary_points_have_positions() -> None:
    source = load(EXAMPLE_NOTE)
    assert source.keys[("event",)] == Position(*where(EXAMPLE_NOTE, "## 事件"))
    assert source.values[("event",)] == Position(*where(EXAMPLE_NOTE, "2月26日"))
    lead = where(EXAMPLE_NOTE, "训练效率显著提升")
    assert source.values[("commentary", 0, "lead")] == Position(*lead)
    assert source.values[("commentary", 0, "body")] == Position(*where(EXAMPLE_NOTE, "据官方"))
    assert source.data["commentary"][1]["lead"] == "算法优化替代部分硬件堆叠，国产算力有望受益。"


def test_offsets_into_a_section_point_at_the_phrase(note_file: Path) -> None:
    edit(note_file, "海外出口管制政策变化。", "海外出口管制政策变化。\n\n第二段：本行业必涨。")
    assert problems(note_file) == [
        ("schema.promise", "risks", *where(note_file, "必涨")),
    ]


def test_offsets_into_a_commentary_body_on_a_later_line(note_file: Path) -> None:
    edit(note_file, "存储与高速互联环节同样受益。", "存储与高速互联环节同样受益。\n该环节稳赚。")
    assert problems(note_file) == [
        ("schema.promise", "commentary[2].body", *where(note_file, "稳赚"))
    ]


def test_offsets_in_yaml_block_and_quoted_scalars(tmp_path: Path) -> None:
    note = tmp_path / "note.yaml"
    text = (EXAMPLES / "2026-03-05-ai-training-cost.yaml").read_text(encoding="utf-8")
    text = text.replace("house: ../houses/example", "house: example")
    # A double-quoted title with an escape before the phrase: its text is not the file's.
    text = text.replace("title: 训练成本下降推动", 'title: "训练\\t成本稳赚，推动')
    text = text.replace("国产算力链有望受益\n", '国产算力链有望受益"\n', 1)
    text = text.replace("存储与高速互联环节同样受益。", "存储与高速互联环节同样受益。必涨")
    note.write_text(text, encoding="utf-8")
    assert problems(note) == [
        ("schema.promise", "title", *where(note, "稳赚")),
        ("schema.promise", "commentary[2].body", *where(note, "必涨")),
    ]


def test_json_positions(tmp_path: Path) -> None:
    note = tmp_path / "note.json"
    data = json.loads((EXAMPLES / "2026-03-06-ai-training-cost.json").read_text(encoding="utf-8"))
    data["house"] = "example"
    data["analysts"][1]["sac"] = "S99"
    data["rating"]["previos"] = data["rating"].pop("previous")
    note.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    assert problems(note) == [
        ("schema.unknown_key", "rating.previos", *where(note, '"previos"')),
        ("schema.sac", "analysts[1].sac", *where(note, '"S99"')),
    ]


def test_a_json_note_on_one_line(tmp_path: Path) -> None:
    note = tmp_path / "note.json"
    data = json.loads((EXAMPLES / "2026-03-06-ai-training-cost.json").read_text(encoding="utf-8"))
    data["house"] = "example"
    data["risk_level"] = "R9"
    note.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert problems(note) == [("schema.risk_level", "risk_level", *where(note, '"R9"'))]


def test_a_json_key_too_long_for_positions_is_still_reported(tmp_path: Path) -> None:
    note = tmp_path / "note.json"
    data = json.loads((EXAMPLES / "2026-03-06-ai-training-cost.json").read_text(encoding="utf-8"))
    data["house"] = "example"
    data["k" * 2000] = 1
    note.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    found = RENDERER.check(note, "note.json").problems
    assert [(p.code, p.line, p.column) for p in found] == [("schema.unknown_key", 1, 1)]


def test_missing_keys_point_at_the_mapping_that_lacks_them(note_file: Path) -> None:
    edit(note_file, "  previous: 超配\n", "")
    edit(note_file, "  value: 超配\n", "")
    edit(note_file, "title: 新一代训练框架大幅降低大模型训练成本，有望加快应用落地\n", "")
    assert problems(note_file) == [
        ("schema.missing", "title", 1, 1),
        ("schema.type", "rating", *where(note_file, "rating:")),
    ]


def test_missing_nested_key_points_at_its_parent(note_file: Path) -> None:
    edit(note_file, "  previous: 超配\n", "")
    edit(note_file, "  value: 超配\n", "  previous: 超配\n")
    assert problems(note_file) == [("schema.missing", "rating.value", *where(note_file, "rating:"))]


def test_missing_section_points_where_it_belongs(note_file: Path) -> None:
    text = note_file.read_text(encoding="utf-8")
    start, end = text.index("## 投资建议"), text.index("## 风险提示")
    note_file.write_text(text[:start] + text[end:], encoding="utf-8")
    found = RENDERER.check(note_file, "note.md").problems
    assert [(p.code, p.field, p.line, p.column) for p in found] == [
        ("schema.missing", "recommendation", *where(note_file, "## 风险提示"))
    ]
    assert "'## 投资建议'" in found[0].message and "“## 投资建议”" in found[0].message_in(ZH)


def test_unknown_and_duplicate_headings(note_file: Path) -> None:
    edit(note_file, "## 风险提示", "## 风险\n\n文字。\n\n## 事件\n\n又一段。\n\n## 风险提示")
    found = RENDERER.check(note_file, "note.md").problems
    assert [(p.code, p.line) for p in found] == [
        ("body.heading", where(note_file, "## 风险")[0]),
        ("body.duplicate", where(note_file, "## 事件", 1)[0]),
    ]
    assert "did you mean '风险提示'?" in found[0].message
    for title in ("事件", "Event", "点评", "投资建议", "风险提示", "Risks"):
        assert title in found[0].message and title in found[0].message_in(ZH)


def test_deeper_headings_are_part_of_a_section(note_file: Path) -> None:
    edit(note_file, "## 投资建议\n", "### 小结\n\n小结文字。\n\n## 投资建议\n")
    assert problems(note_file) == []
    assert "### 小结" in load(note_file).data["commentary"][2]["body"]


def test_a_section_heading_in_front_matter_and_body_is_a_duplicate(note_file: Path) -> None:
    edit(note_file, "locale: zh_CN\n", "locale: zh_CN\nrisks: 另写的风险。\n")
    assert problems(note_file) == [("body.duplicate", "", *where(note_file, "## 风险提示"))]


def test_crlf_line_ends_keep_positions(note_file: Path) -> None:
    edit(note_file, "sac: S9901524060001", "sac: S99")
    expected = problems(note_file)
    note_file.write_bytes(note_file.read_bytes().replace(b"\n", b"\r\n"))
    assert (
        problems(note_file)
        == expected
        == [("schema.sac", "analysts[0].sac", *where(note_file, "S99"))]
    )


@pytest.mark.parametrize(
    ("old", "new", "at", "english"),
    [
        (
            "title: 新一代",
            "title: 点评: 新一代",
            ": 新一代",
            "put a value that contains ': ' in quotes",
        ),
        ("risk_level: 中风险", "risk_level 中风险", "risk_level", "has no ':' after its key"),
        ("title: 新一代", 'title: "新一代', '"', "quoted text is not closed"),
        ("    phone: 000-0000 1201", "\tphone: 000-0000 1201", "\t", "indent with spaces"),
        (
            "risk_level: 中风险",
            "risk_level: 中风险\nrisk_level: R3",
            "risk_level: R3",
            "given twice",
        ),
        ("  market: A股", "  market: [A股", "[", "not closed with ']'"),
        ("risk_level: 中风险", "risk_level: '@中风险", "'", "quoted text is not closed"),
        ("risk_level: 中风险", "risk_level: @中风险", "@", "cannot start with '@'"),
        ("risk_level: 中风险", "risk_level: *level", "*", "'*level' refers to an anchor"),
        ("risk_level: 中风险", "risk_level: 中风险\x00", "\x00", "control character (U+0000)"),
    ],
)
def test_yaml_syntax_errors_are_located_in_plain_words(
    note_file: Path, old: str, new: str, at: str, english: str
) -> None:
    edit(note_file, old, new)
    with pytest.raises(UserError) as raised:
        load(note_file)
    [problem] = raised.value.problems
    assert (problem.code, problem.line, problem.column) == ("syntax.yaml", *where(note_file, at))
    assert english in problem.message
    # Chinese words throughout; English only inside quotes (the note's own text).
    unquoted = re.sub(r"“[^”]*”", "", problem.message_in(ZH))
    assert re.search(r"[\u4e00-\u9fff]", unquoted)
    assert not re.search(r"[A-Za-z]{4,}", unquoted.replace("YAML", ""))


def test_every_syntax_message_has_chinese_words() -> None:
    words = [entry[1] for entry in YAML_MESSAGES] + [entry[1] for entry in JSON_MESSAGES]
    for text in words:
        assert re.search(r"[\u4e00-\u9fff]", ZH(text.msgid)), text.msgid


@pytest.mark.parametrize(
    ("text", "line", "column", "english"),
    [
        ('{"a": 1,}', 1, 9, "comma too many"),
        ('{"a": 1 "b": 2}', 1, 9, "',' is missing"),
        ('{"a" 1}', 1, 6, "':' is missing"),
        ('{"a": "x', 1, 7, "not closed"),
        ('{"a": 1}\n{}', 2, 1, "more text after the end"),
        ('{"a": [1, 2,]}', 1, 13, "value was expected"),
        ('{"a": "\\q"}', 1, 8, "unknown escape"),
        ('{\n  "a": 1,\n  "a": 2\n}', 3, 3, "key 'a' is given twice"),
    ],
)
def test_json_syntax_errors_are_located(
    tmp_path: Path, text: str, line: int, column: int, english: str
) -> None:
    note = tmp_path / "note.json"
    note.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        load(note)
    [problem] = raised.value.problems
    assert (problem.code, problem.line, problem.column) == ("syntax.json", line, column)
    assert english in problem.message
    assert re.search(r"[\u4e00-\u9fff]", problem.message_in(ZH))
    assert not re.search(r"[A-Za-z]{5,}", problem.message_in(ZH))


def test_yaml_merge_keys_load(tmp_path: Path) -> None:
    note = tmp_path / "note.yaml"
    text = (EXAMPLES / "2026-03-05-ai-training-cost.yaml").read_text(encoding="utf-8")
    text = text.replace("house: ../houses/example", "house: example")
    text = text.replace(
        "analysts:\n  - name: 林知远\n",
        "contact: &contact\n  phone: 000-0000 1201\nanalysts:\n  - <<: *contact\n    name: 林知远\n",
    )
    text = text.replace("    phone: 000-0000 1201\n", "", 1)
    note.write_text(text, encoding="utf-8")
    assert problems(note) == [("schema.unknown_key", "contact", *where(note, "contact:"))]


def test_invalid_utf8_is_located(note_file: Path) -> None:
    line, column = where(note_file, "维持电子")
    note_file.write_bytes(note_file.read_bytes().replace("维持电子".encode(), b"\xff\xfe"))
    [problem] = RENDERER.check(note_file, "note.md").problems
    assert (problem.code, problem.path, problem.line, problem.column) == (
        "file.encoding",
        "note.md",
        line,
        column,
    )


def test_control_and_bidi_characters(note_file: Path) -> None:
    edit(note_file, "技术迭代不及预期", "技术\u202e迭代\u0007不及预期")
    found = problems(note_file)
    assert found == [
        ("schema.bidi", "risks", *where(note_file, "\u202e")),
        ("schema.character", "risks", *where(note_file, "\u0007")),
    ]


def test_located_problem_keeps_its_own_position() -> None:
    source = load(EXAMPLE_NOTE)
    problem = Problem("body.preamble", {}, line=7, column=3)
    assert source.locate(problem, "n.md").line == 7


def test_an_unreadable_file_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "note.md"
    path.write_text("---\n", encoding="utf-8")

    opened = os.open

    def refuse(name: str | Path, flags: int, *args: int) -> int:
        if Path(name) == path:  # running as root, a chmod would not stop the read
            raise PermissionError(13, "Permission denied", str(name))
        return opened(name, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    checked = RENDERER.check(path, "note.md")
    assert [p.text() for p in checked.problems] == [
        "note.md: error: cannot be read: Permission denied [file.missing]"
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [("deep.json", "[" * 1500 + "]" * 1500), ("deep.yaml", "a: " + "[" * 400 + "]" * 400)],
)
def test_data_nested_too_deeply_is_a_located_problem(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_note(path)
    [problem] = caught.value.problems
    assert problem.code.startswith("syntax.") and problem.line == 1
    assert "nested too deeply" in problem.message


def _refusal(path: Path, **limits: int) -> Problem:
    """The one problem loading a file gives, which must come within a second."""
    started = time.perf_counter()
    with pytest.raises(UserError) as caught:
        load_note(path, limits=Limits(**limits))
    assert time.perf_counter() - started < 1
    [problem] = caught.value.problems
    return problem


def test_a_pipe_or_a_device_named_as_a_note_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)  # reading it would wait forever for a writer
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")  # reading it would never end
    for path in (fifo, link, Path("/dev/null")):
        problem = _refusal(path)
        assert problem.code == "file.missing" and "not a regular file" in problem.message


def test_a_note_larger_than_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"---\ntitle: x\n---\n" + b"x" * 100)
    problem = _refusal(path, note_bytes=116)
    assert (problem.code, problem.line, problem.column) == ("file.too_large", 1, 1)
    assert problem.message == "the file is larger than the 116 bytes a note may have"
    assert load_note(path, limits=Limits(note_bytes=117)).data == {"title": "x"}


def test_a_note_that_grows_after_it_was_measured_is_read_no_further(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "note.yaml"
    path.write_text("title: x\n", encoding="utf-8")
    measured = path.stat()
    path.write_text("title: x\n" * 1000, encoding="utf-8")
    monkeypatch.setattr(Path, "stat", lambda self, **kwargs: measured)  # as if it grew since
    assert _refusal(path, note_bytes=100).code == "file.too_large"


def test_the_renderer_reads_notes_within_its_settings_limits(tmp_path: Path) -> None:
    path = tmp_path / "note.yaml"
    path.write_text("title: x\nlist: &a [1, 2, 3]\nagain: [*a, *a]\n", encoding="utf-8")
    tight = Renderer(settings=Settings(limits=Limits(yaml_nodes=12)))
    [problem] = tight.check(path, "note.yaml").problems
    assert (problem.code, problem.line, problem.column) == ("syntax.too_large", 3, 9)
    assert not any(p.code == "syntax.too_large" for p in RENDERER.check(path).problems)


@pytest.mark.parametrize("name", ["note.md", "note.yaml"])
def test_a_yaml_alias_bomb_is_located_in_any_kind_of_note(tmp_path: Path, name: str) -> None:
    bomb = "".join(
        f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else "lol"] * 10) + "]\n"
        for i in range(12)
    )
    text = f"title: x\nextra:\n{bomb}"
    path = tmp_path / name
    path.write_text(f"---\n{text}---\n" if name == "note.md" else text, encoding="utf-8")
    problem = _refusal(path)
    assert problem.code == "syntax.too_large"
    line = path.read_text(encoding="utf-8").split("\n")[problem.line - 1]
    assert line.startswith("  l4:") and line[problem.column - 1 :].startswith("*l3")
