"""The HTML a note renders to: its structure, escaping of analyst text, and house overrides."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from render.errors import UserError
from render.renderer import Renderer
from tests.conftest import edit


class _Outline(HTMLParser):
    """Collects element classes and the text of the document, as a structural check reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "class" and value:
                self.classes += value.split()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def _house_template(note: Path, name: str, text: str) -> None:
    """Give the note's house its own template ``name`` (the house's ``templates/`` folder)."""
    templates = note.parent.parent / "houses" / "example" / "templates"
    templates.mkdir(exist_ok=True)
    (templates / name).write_text(text, encoding="utf-8")


def test_every_partial_is_in_the_page(renderer: Renderer, note_file: Path) -> None:
    outline = _outline(renderer.render(note_file, ("html",)).html)
    for block in (
        "running-header",
        "running-footer",
        "masthead",
        "rating-badge",
        "subject",
        "analysts",
        "risk-level-line",
        "rating-system",
        "risk-levels",
        "suitability-table",
        "certification",
        "disclaimer",
        "contact",
    ):
        assert block in outline.classes, block
    assert outline.classes.count("point") == 3
    assert outline.classes.count("lead") == 3


def test_html_is_self_contained(renderer: Renderer, note_file: Path) -> None:
    html = renderer.render(note_file, ("html",)).html
    assert "<style>" in html and "@page" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the logo travels with the page
    assert "file:" not in html and "http://" not in html


def test_analyst_markup_is_text_not_html(renderer: Renderer, note_file: Path) -> None:
    edit(note_file, "title: 新一代", "title: <b>bold</b><script>alert(1)</script>新一代")
    edit(note_file, "技术迭代不及预期", '<img src=x onerror="alert(1)">技术迭代不及预期')
    html = renderer.render(note_file, ("html",)).html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x" in html


def test_house_template_overrides_one_block(note_file: Path) -> None:
    _house_template(
        note_file,
        "event-commentary.html",
        '{% extends "default:event-commentary.html" %}\n'
        '{% block sections %}<p class="house-only">HOUSE LAYOUT</p>{{ super() }}{% endblock %}',
    )
    html = Renderer().render(note_file, ("html",)).html
    assert "HOUSE LAYOUT" in html
    assert "certification" in _outline(html).classes  # the rest of the original is kept


def test_house_stylesheet_comes_after_the_builtin(note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example"
    (house / "style.css").write_text(".rating-value { color: #123456; }", encoding="utf-8")
    html = Renderer().render(note_file, ("html",)).html
    assert html.index("#123456") > html.index(".rating-value {")


def test_misspelt_house_template_variable_is_a_located_error(note_file: Path) -> None:
    _house_template(note_file, "_contact.html", "<p>\n{{ house.contcat.phone }}</p>")
    with pytest.raises(UserError) as caught:
        Renderer().render(note_file, ("html",))
    [problem] = caught.value.problems
    assert problem.code == "render.template" and problem.line == 2
    assert problem.path.endswith("templates/_contact.html") and "contcat" in problem.message


def test_house_template_syntax_error_is_a_located_error(note_file: Path) -> None:
    _house_template(note_file, "_footer.html", "<div>\n{% if %}\n</div>")
    with pytest.raises(UserError) as caught:
        Renderer().render(note_file, ("html",))
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("render.template", 2)


def test_builtin_template_failure_is_a_bug_not_a_user_error(
    note_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A built-in template that fails is render's own bug: it must not pass for a user mistake.
    from jinja2 import UndefinedError

    import render.context

    real = render.context.build_context

    def without_rating(*args: object, **kwargs: object) -> dict[str, object]:
        context = real(*args, **kwargs)  # type: ignore[arg-type]
        del context["rating"]
        return context

    monkeypatch.setattr("render.renderer.build_context", without_rating)
    with pytest.raises(UndefinedError):
        Renderer().render(note_file, ("html",))


def test_a_house_override_added_later_is_picked_up(note_file: Path) -> None:
    renderer = Renderer()
    assert "HOUSE FOOTER" not in renderer.render(note_file, ("html",)).html
    _house_template(note_file, "_footer.html", "<div>HOUSE FOOTER</div>")
    assert "HOUSE FOOTER" in renderer.render(note_file, ("html",)).html


@pytest.mark.parametrize(
    ("previous", "expected"),
    [("超配", "超配（维持）"), ("标配", "超配（上调）"), (None, "超配（首次）")],
)
def test_rating_prints_with_derived_action(
    renderer: Renderer, note_file: Path, previous: str | None, expected: str
) -> None:
    if previous is None:
        edit(note_file, "  previous: 超配\n", "")
    else:
        edit(note_file, "previous: 超配", f"previous: {previous}")
    html = renderer.render(note_file, ("html",)).html
    assert f'<div class="rating-value">{expected}</div>' in html


def test_house_template_calling_a_filter_wrongly_is_a_located_error(note_file: Path) -> None:
    _house_template(note_file, "_contact.html", '<p>{{ "x"|percent }}</p>')
    with pytest.raises(UserError) as caught:
        Renderer().render(note_file, ("html",))
    [problem] = caught.value.problems
    assert (problem.code, problem.line) == ("render.template", 1)
    assert problem.path.endswith("templates/_contact.html")


@pytest.mark.browser
def test_html_output_reads_as_one_sheet_in_a_browser(renderer: Renderer, note_file: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    page_file = note_file.with_suffix(".html")
    page_file.write_text(renderer.render(note_file, ("html",)).html, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            assert not page.locator(".running-header").is_visible()
            footer = page.locator(".running-footer").bounding_box()
            contact = page.locator(".contact").bounding_box()
            masthead = page.locator(".masthead").bounding_box()
            assert footer and contact and masthead
            # The footer lines close the document instead of opening it, as on paper.
            assert footer["y"] > contact["y"] > masthead["y"]
        finally:
            browser.close()
