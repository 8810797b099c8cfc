"""The notes' Markdown dialect: the rules, the body reader and the renderer all read it alike."""

from __future__ import annotations

from schemas.markdown import PARSER, note_markdown, too_deep


def test_tables_are_on_and_raw_html_is_text() -> None:
    tokens = PARSER.parse("| a | b |\n| - | - |\n| 1 | 2 |\n\n<script>x</script>\n")
    types = [t.type for t in tokens]
    assert "table_open" in types and "html_block" not in types


def test_file_images_reach_the_confinement_check() -> None:
    # Left to CommonMark, a file: image would print as text and escape the located refusal.
    [paragraph] = [t for t in PARSER.parse("![x](file:///etc/passwd)") if t.type == "inline"]
    assert [c.type for c in paragraph.children or []] == ["image"]


def test_links_to_scripts_stay_refused() -> None:
    html = note_markdown().render("[x](javascript:alert(1))")
    assert "href" not in html


def test_each_call_makes_a_parser_of_its_own() -> None:
    assert note_markdown() is not note_markdown()


def test_text_dropped_for_nesting_too_deeply_is_found_where_it_starts() -> None:
    deep = "".join("  " * i + f"- level {i}\n" for i in range(10)) + "\nafter\n"
    [offset] = too_deep(deep)
    assert deep[offset:].startswith("level 9")
    # The parser does drop it: this is the loss the rule reports.
    texts = [t.content for t in PARSER.parse(deep) if t.type == "inline"]
    assert "level 9" not in texts and "after" not in texts


def test_nesting_within_the_limit_is_not_reported() -> None:
    assert too_deep("".join("  " * i + f"- level {i}\n" for i in range(9))) == []
    assert too_deep("> " * 19 + "nineteen quotes") == []
    assert too_deep("> " * 21 + "twenty-one quotes") == [40]


def test_the_renderer_drops_nothing_the_rule_passes() -> None:
    text = "".join("  " * i + f"- level {i}\n" for i in range(9))
    assert "level 8" in note_markdown().render(text)
