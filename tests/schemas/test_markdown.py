"""The notes' Markdown dialect: the rules, the body reader and the renderer all read it alike."""

from __future__ import annotations

from schemas.markdown import PARSER, note_markdown


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
