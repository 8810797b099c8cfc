"""split_body: headings to fields (aliases, colons, bold, code fences), commentary points, places."""

from __future__ import annotations

from pathlib import Path

from render.context.i18n import translator
from render.load.body import split_body
from render.load.source import Position, Source

ZH = translator("zh_CN")

TITLES = {
    "event": ["事件", "Event"],
    "commentary": ["点评", "Commentary"],
    "recommendation": ["投资建议", "Recommendation"],
    "risks": ["风险提示", "Risks"],
}


def _split(body: str, first_line: int = 0, titles: dict[str, list[str]] | None = None) -> Source:
    # The file's text: ``first_line`` lines of front matter, then the body.
    text = "\n" * first_line + body
    source = Source(
        Path("n.md"), text, {}, "markdown", section_titles=TITLES if titles is None else titles
    )
    split_body(source, body.split("\n"), first_line)
    return source


def test_headings_may_carry_colons_bold_and_english_aliases() -> None:
    source = _split("# **事件：**\n\ne\n\n## Investment view:\n\nv\n\n## risk\n\nr\n")
    assert source.data == {"event": "e", "recommendation": "v", "risks": "r"}
    assert source.headings == {
        "事件": "event",
        "Investment view": "recommendation",
        "risk": "risks",
    }
    assert source.problems == []


def test_positions_count_from_the_first_body_line() -> None:
    source = _split("\n## Event\n\n\ntext\nmore\n\n\n## Risks\n## Commentary\n", first_line=10)
    assert source.keys[("event",)] == Position(12, 1)
    assert source.values[("event",)] == Position(15, 1)
    assert source.data["event"] == "text\nmore"
    # A section with no text: its value is placed at its heading.
    assert source.data["risks"] == "" and source.values[("risks",)] == Position(19, 1)
    assert source.data["commentary"] == []


def test_a_heading_inside_a_code_block_is_text() -> None:
    source = _split("## Event\n\n```\n## Risks\n```\n")
    assert source.data == {"event": "```\n## Risks\n```"}


def test_text_before_the_first_heading_is_a_preamble_problem() -> None:
    (problem,) = _split("\n\nstray words\n\n## Event\n\ne\n", first_line=4).problems
    assert (problem.code, problem.line, problem.column) == ("body.preamble", 7, 1)
    (problem,) = _split("only words, no heading\n").problems
    assert problem.code == "body.preamble" and problem.line == 1


def test_an_unknown_top_heading_suggests_the_closest_title_in_both_languages() -> None:
    (problem,) = _split("## Event\n\ne\n\n## Recomendation\n\nr\n").problems
    assert problem.code == "body.heading" and problem.line == 5
    assert "'Recomendation' is not a section of this note; did you mean 'Recommendation'?" in (
        problem.message
    )
    assert "“Recomendation”不是本报告的章节；是否应为“Recommendation”？" in problem.message_in(ZH)
    (far,) = _split("# Appendix\n").problems
    assert "did you mean" not in far.message
    assert far.message.endswith(
        "(sections: 事件, Event, 点评, Commentary, 投资建议, Recommendation, 风险提示, Risks)"
    )


def test_without_house_titles_english_names_still_work() -> None:
    source = _split("## Commentary\n\n**Lead.** body\n\n## 事件\n\ne\n", titles={})
    assert source.data == {"commentary": [{"lead": "Lead.", "body": "body"}]}
    assert [p.code for p in source.problems] == ["body.heading"]


def test_commentary_points_open_with_bold_and_other_blocks_continue_them() -> None:
    body = (
        "## 点评\n\nIntro without a lead.\n\n**First.** one\n\n- a list\n- continues it\n\n"
        "__Second__ two\n\n> quoted, still the second\n"
    )
    points = _split(body).data["commentary"]
    assert points == [
        {"lead": "", "body": "Intro without a lead."},
        {"lead": "First.", "body": "one\n\n- a list\n- continues it"},
        {"lead": "Second", "body": "two\n\n> quoted, still the second"},
    ]


def test_commentary_lead_and_body_positions() -> None:
    body = (
        "## 点评\n\n  **Lead one.** body one\n\n**Lead\ntwo** body two\n\n**Three**\nbody three\n"
    )
    source = _split(body, first_line=3)
    assert source.values[("commentary",)] == Position(6, 1)
    assert source.values[("commentary", 0)] == Position(6, 3)
    assert source.values[("commentary", 0, "lead")] == Position(6, 5)
    assert source.values[("commentary", 0, "body")] == Position(6, 17)
    # A lead over two lines: the body starts on the lead's last line, after it.
    assert source.values[("commentary", 1, "lead")] == Position(8, 3)
    assert source.values[("commentary", 1, "body")] == Position(9, 7)
    assert source.data["commentary"][1] == {"lead": "Lead\ntwo", "body": "body two"}
    # A body on the line after its lead starts there, at its first character.
    start = source.values[("commentary", 2, "body")]
    assert start == Position(12, 1)
    assert source.position_in(start, "body three", 0) == Position(12, 1)


def test_a_section_named_twice_keeps_the_first() -> None:
    source = _split("## Risks\n\nfirst\n\n## 风险提示\n\nsecond\n")
    assert source.data == {"risks": "first"}
    (problem,) = source.problems
    assert problem.code == "body.duplicate" and "also at line 1" in problem.message
    assert "另见第 1 行" in problem.message_in(ZH)


def test_bold_heading_with_a_colon_outside_the_bold_names_its_section() -> None:
    source = _split("## **事件**：\n\ntext\n")
    assert source.data == {"event": "text"} and source.problems == []
