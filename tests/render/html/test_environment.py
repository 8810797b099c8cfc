"""The HTML a note renders to: its structure, escaping of analyst text, and house overrides."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

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
    # Latin words in a Chinese note are marked as English (<span lang="en">): read without them.
    text = re.sub(r'<span lang="en">|</span>', "", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x" in text


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


def _fill_colours(pdf: bytes) -> set[tuple[int, int, int]]:
    """Every RGB fill colour the PDF's pages paint with (text and shapes), as 0-255 triples."""
    reader = PdfReader(BytesIO(pdf))
    found = set()
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"rg":
                red, green, blue = (round(float(value) * 255) for value in operands)
                found.add((red, green, blue))
    return found


def test_house_stylesheet_comes_after_the_builtin(note_file: Path) -> None:
    # The same selector as the built-in rule (.rating-value is #b3261e there): of two rules of
    # equal weight the later wins, so the reader sees the house's colour only if it comes last.
    house = note_file.parent.parent / "houses" / "example"
    (house / "style.css").write_text(".rating-value { color: #123456; }", encoding="utf-8")
    colours = _fill_colours(Renderer().render(note_file, ("pdf",)).pdf or b"")
    assert (0x12, 0x34, 0x56) in colours


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

    import render.context.resolve

    real = render.context.resolve.build_context

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


# -- the sandbox ------------------------------------------------------------------------------

#: Template escapes as a hostile house would write them, each trying to touch MARKER; the code
#: it must get: render.sandbox where the sandbox stops it, render.template where there is
#: nothing to reach (Jinja's cycler or lipsum, Flask's config or request, a file elsewhere).
ESCAPES = [
    (
        "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch MARKER') }}",
        "render.sandbox",
    ),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "render.sandbox"),
    ("{{ cycler.__init__.__globals__.os.system('touch MARKER') }}", "render.sandbox"),
    ("{{ joiner.__init__.__globals__.os.system('touch MARKER') }}", "render.sandbox"),
    ("{{ lipsum.__globals__['os'].system('touch MARKER') }}", "render.template"),
    ("{{ namespace.__init__.__globals__.os.system('touch MARKER') }}", "render.sandbox"),
    # Jinja's globals no template uses are gone.
    ("{{ cycler(1, 2).next() }}", "render.template"),
    ("{{ lipsum() }}", "render.template"),
    ("{% set ns = namespace(a=1) %}{{ ns.a }}", "render.template"),
    ("{{ dict(a=1) }}", "render.template"),
    ("{{ config.items() }}", "render.template"),
    ("{{ request.application.__globals__ }}", "render.template"),
    ("{{ _.__globals__ }}", "render.sandbox"),
    ("{{ gettext.__closure__ }}", "render.sandbox"),
    ("{% set x = note.__dict__ %}", "render.sandbox"),
    ("{{ house|attr('__class__') }}", "render.sandbox"),
    ("{{ note.date.__class__.__subclasses__() }}", "render.sandbox"),
    # A pydantic model's methods read files (parse_file) and make new objects: fields only.
    ("{{ note.parse_file('/etc/passwd') }}", "render.sandbox"),
    ("{{ note.subject.model_dump_json() }}", "render.sandbox"),
    ("{{ note.analysts.append(1) }}", "render.sandbox"),
    ("{{ house.update({'name': 'x'}) }}", "render.sandbox"),
    # One operation that would make a gigabyte, or loop a billion times.
    ("{% for i in range(10**9) %}{% endfor %}", "render.sandbox"),
    ("{{ 'x' * 10**9 }}", "render.sandbox"),
    ("{{ [1] * 10**9 }}", "render.sandbox"),
    ("{{ 2 ** 999999999 }}", "render.sandbox"),
    ("{{ '%999999999d' % 1 }}", "render.sandbox"),
    ("{{ '%*d' % (999999999, 1) }}", "render.sandbox"),
    ("{{ 'x'.center(10**9) }}", "render.sandbox"),
    ("{{ '{:>999999999}'.format(1) }}", "render.sandbox"),
    ("{{ 'x'|center(10**9) }}", "render.template"),  # not a filter a template has
    ("{{ house|pprint }}", "render.template"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "render.template"),
    # Loaders reach the house's and the built-in templates only.
    ('{% include "/etc/passwd" %}', "render.template"),
    ('{% include "../../../../../../etc/passwd" %}', "render.template"),
    ('{% extends "../../x" %}', "render.template"),
    ('{% include "default:../render/html/environment.py" %}', "render.template"),
]


@pytest.mark.parametrize(("escape", "code"), ESCAPES, ids=[e for e, _ in ESCAPES])
def test_a_house_template_cannot_leave_the_sandbox(note_file: Path, escape: str, code: str) -> None:
    marker = note_file.parent / "escaped"
    _house_template(
        note_file, "_contact.html", "<p>\n" + escape.replace("MARKER", str(marker)) + "\n</p>"
    )
    renderer = Renderer()
    # The check finds it as the build does: it renders the HTML stage.
    [problem] = renderer.check(note_file).errors
    assert (problem.code, problem.line) == (code, 2), problem.text()
    assert problem.path.endswith("templates/_contact.html")
    with pytest.raises(UserError) as caught:
        renderer.render(note_file, ("html",))
    assert [p.code for p in caught.value.problems] == [code]
    assert not marker.exists()


def test_the_sandbox_leaves_templates_their_plain_jinja(note_file: Path) -> None:
    _house_template(
        note_file,
        "_contact.html",
        "<p>{% for i in range(3) %}{{ loop.index }}{% endfor %}|{{ 'ab' * 2 }}|{{ 2 ** 10 }}"
        "|{{ '%05.1f' % 3.14159 }}|{{ note.analysts|map(attribute='name')|join('/') }}"
        "|{{ note.subject.name|upper|truncate(40) }}|{{ house.contact.phone|default('-') }}</p>",
    )
    html = Renderer().render(note_file, ("html",)).html
    assert "<p>123|abab|1024|003.1|" in html


def test_a_house_template_cannot_follow_a_symlink_out_of_its_folder(note_file: Path) -> None:
    secret = note_file.parent.parent / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    _house_template(note_file, "_footer.html", '<div>{% include "leak.html" %}</div>')
    templates = note_file.parent.parent / "houses" / "example" / "templates"
    (templates / "leak.html").symlink_to(secret)
    [problem] = Renderer().check(note_file).errors
    assert (problem.code, problem.line) == ("render.sandbox", 1)
    assert problem.path.endswith("templates/_footer.html") and "outside" in problem.message


def test_a_page_template_that_is_a_symlink_out_of_the_house_is_refused(note_file: Path) -> None:
    outside = note_file.parent.parent / "page.html"
    outside.write_text("SECRET", encoding="utf-8")
    templates = note_file.parent.parent / "houses" / "example" / "templates"
    templates.mkdir()
    (templates / "event-commentary.html").symlink_to(outside)
    [problem] = Renderer().check(note_file).errors
    assert problem.code == "render.sandbox"
    assert problem.path.endswith("templates/event-commentary.html")


# -- escaping: what a house supplies, in each context it lands in -------------------------------


def test_house_font_names_cannot_leave_their_css_string(note_file: Path) -> None:
    # The house check refuses such a name (house.font); past it, the name is still a CSS string.
    from render.context.i18n import translations
    from render.context.resolve import build_context

    renderer = Renderer()
    checked = renderer.check(note_file)
    assert checked.note is not None and checked.profile is not None
    fonts = checked.profile.house.fonts
    hostile = 'X"; } </style><script>alert(1)</script><style> a { b: "'
    object.__setattr__(fonts, "serif", [hostile, "serif"])
    context = build_context(checked.note, checked.profile, note_file.parent, translations("zh_CN"))
    context["stylesheet"] = ""
    html = renderer.env(checked.profile, "zh_CN").get_template("base.html").render(context)
    # Two style elements: the stylesheet's, and base.html's for printing from a browser.
    assert "<script>" not in html and html.count("</style>") == 2
    assert '--serif: "X\\"; } \\3c /style>\\3c script>' in html
    assert ', serif, "Noto Sans CJK SC", sans-serif;' in html  # keywords stay keywords


def test_a_hostile_font_name_in_house_yaml_is_a_located_error(note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example" / "house.yaml"
    edit(house, "serif: [Noto Serif CJK SC]", "serif: ['X</style><script>alert(1)</script>']")
    [problem] = Renderer().check(note_file).errors
    assert (problem.code, problem.field) == ("house.font", "fonts.serif[0]")
    assert problem.path.endswith("house.yaml") and problem.line > 0


def test_house_texts_are_escaped_in_html_text_and_attributes(note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example" / "house.yaml"
    # YAML's single quotes: '' is one quote.
    edit(house, "  zh_CN: 澄川证券\n", """  zh_CN: '''"><img src=x onerror=alert(1)>&amp;'\n""")
    html = Renderer().render(note_file, ("html",)).html
    assert "<img src=x" not in html and '"><img' not in html
    # In the logo's alt attribute and in the running header's text alike.
    assert html.count("&#39;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;") >= 2


def test_the_logo_is_a_file_of_the_house_never_a_url(note_file: Path) -> None:
    house = note_file.parent.parent / "houses" / "example" / "house.yaml"
    edit(house, "logo: logo.svg", "logo: 'javascript:alert(1)'")
    [problem] = Renderer().check(note_file).errors
    assert (problem.code, problem.field) == ("render.resource", "logo")


# -- house assets resolve against the house ----------------------------------------------------


def _png(path: Path, size: tuple[int, int]) -> None:
    from PIL import Image

    Image.new("RGB", size, (200, 30, 30)).save(path)


def test_house_template_images_and_stylesheet_urls_come_from_the_house(note_file: Path) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    house = note_file.parent.parent / "houses" / "example"
    (house / "img").mkdir()
    _png(house / "img" / "seal.png", (13, 11))
    _png(house / "bg.png", (17, 19))
    # Files of the same names in the note's folder, which a relative URL used to reach instead.
    (note_file.parent / "img").mkdir()
    _png(note_file.parent / "img" / "seal.png", (5, 5))
    _png(note_file.parent / "bg.png", (7, 7))
    _house_template(
        note_file,
        "event-commentary.html",
        '{% extends "default:event-commentary.html" %}\n'
        '{% block sections %}<img class="seal" src="img/seal.png">{{ super() }}{% endblock %}',
    )
    (house / "style.css").write_text(
        ".masthead { background: url(bg.png) no-repeat; }", encoding="utf-8"
    )
    rendered = Renderer().render(note_file, ("html", "pdf"))
    assert "file:" not in rendered.html  # inlined: the HTML output stands alone
    assert rendered.pdf is not None
    sizes = {
        image.image.size
        for page in PdfReader(BytesIO(rendered.pdf)).pages
        for image in page.images
        if image.image is not None
    }
    assert {(13, 11), (17, 19)} <= sizes and not {(5, 5), (7, 7)} & sizes


@pytest.mark.parametrize(
    ("css", "line", "column"),
    [
        ("a {}\n.masthead { background: url(../../outside.png); }", 2, 25),
        ('.masthead {\n  background: url("/etc/passwd");\n}', 2, 15),
        (".x { background: url(https://example.com/x.png); }", 1, 18),
        (".x { background: url(missing.png); }", 1, 18),
        ('@import "other.css";', 1, 9),
    ],
)
def test_a_house_stylesheet_url_outside_the_house_is_a_located_error(
    note_file: Path, css: str, line: int, column: int
) -> None:
    workspace = note_file.parent.parent
    _png(workspace / "outside.png", (3, 3))
    (workspace / "houses" / "example" / "style.css").write_text(css, encoding="utf-8")
    [problem] = Renderer().check(note_file).errors
    assert (problem.code, problem.line, problem.column) == ("render.resource", line, column)
    assert problem.path.endswith("style.css")


@pytest.mark.parametrize(
    "reference",
    [
        '<img src="../../outside.png">',
        "<img src='/etc/passwd'>",
        "<img src=\"{{ asset('../outside.png') }}\">",
        '<div style="background: url(https://example.com/x.png)"></div>',
        "<img src=\"{{ asset('javascript:alert(1)') }}\">",
    ],
)
def test_a_house_template_reference_outside_the_house_is_a_located_error(
    note_file: Path, reference: str
) -> None:
    _png(note_file.parent.parent / "outside.png", (3, 3))
    _house_template(note_file, "_footer.html", f"<div>\n{reference}\n</div>")
    [problem] = Renderer().check(note_file).errors
    assert (problem.code, problem.line) == ("render.resource", 2)
    assert problem.path.endswith("templates/_footer.html")
