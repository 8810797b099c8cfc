"""Bilingual output: every template label in every catalog, and one note printed in each locale."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from ruamel.yaml import YAML

from render.context.i18n import (
    PROBLEMS,
    available_locales,
    problem_locale,
    translations,
    translator,
)
from render.html.filters import date_long
from render.load.houses import load_house
from render.renderer import Rendered, Renderer
from render.settings import Settings
from schemas.house import House, localize
from schemas.rules import RULES
from tests.conftest import EXAMPLE_HOUSE, EXAMPLES, ROOT, TODAY, edit
from tests.pdftools import font_names, missing_glyphs, page_texts

CATALOGS = Settings().catalogs
EN_NOTE = EXAMPLES / "2026-03-09-chiplet-interconnect-en.md"
LOCALES = ("zh_CN", "en_US")

#: Han characters, kana, Hangul and CJK punctuation, full-width forms included ("：", "（"), so a
#: Chinese colon left in an English label is caught as surely as a Chinese word.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


# -- catalogs -------------------------------------------------------------------------------------


def extracted_messages() -> dict[str, list[str]]:
    """Every message the templates and render/*.py use, extracted as ``make messages`` does, with
    the places that use it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def catalog_gaps(messages: dict[str, list[str]], catalog: Catalog) -> list[str]:
    """What a catalog lacks: messages missing, left empty or fuzzy, or whose placeholders differ."""
    gaps = []
    for msgid, places in sorted(messages.items()):
        entry = catalog.get(msgid)
        where = f"{msgid!r} (used at {', '.join(places)})"
        if entry is None:
            gaps.append(f"missing: {where}")
        elif not entry.string:
            gaps.append(f"empty: {where}")
        elif entry.fuzzy:
            gaps.append(f"fuzzy: {where}")
    for entry, errors in catalog.check():
        gaps += [f"placeholders: {entry.id!r}: {error}" for error in errors]
    return gaps


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    return extracted_messages()


def test_extraction_reads_templates_and_python(messages: dict[str, list[str]]) -> None:
    # Without this, a broken babel.cfg would extract nothing and every catalog would pass.
    assert any(p.startswith("templates/_analysts.html") for p in messages["Analysts"])
    assert any(p.startswith("render/context/resolve.py") for p in messages["Maintained"])
    assert "Page {page} of {pages}" in messages


def test_both_languages_have_a_catalog() -> None:
    assert set(LOCALES) <= set(available_locales())


@pytest.mark.parametrize("locale", available_locales())
def test_catalog_translates_every_message(locale: str, messages: dict[str, list[str]]) -> None:
    catalog = read_catalog(CATALOGS / locale / "LC_MESSAGES" / "messages.po", locale)
    gaps = catalog_gaps(messages, catalog)
    assert not gaps, f"{locale} catalog (run `make messages`, then translate):\n" + "\n".join(gaps)


@pytest.mark.parametrize("locale", available_locales())
def test_catalog_has_no_stale_messages(locale: str, messages: dict[str, list[str]]) -> None:
    catalog = read_catalog(CATALOGS / locale / "LC_MESSAGES" / "messages.po", locale)
    stale = sorted(m.id for m in catalog if m.id and m.id not in messages)
    assert not stale, f"{locale} catalog has messages no template uses (run `make messages`)"


def test_committed_template_is_current(messages: dict[str, list[str]]) -> None:
    template = read_catalog(CATALOGS / "messages.pot")
    assert sorted(m.id for m in template if m.id) == sorted(messages), "run `make messages`"


def test_catalog_gaps_names_each_kind_of_gap() -> None:
    catalog = Catalog(locale="zh_CN")
    catalog.add("Analysts", "分析师")
    catalog.add("Market", "")
    catalog.add("Benchmark", "基准", flags=["fuzzy"])
    catalog.add("%(name)s (%(code)s)", "%(name)s（%(kode)s）", flags=["python-format"])
    used = {
        msgid: ["templates/x.html:1"]
        for msgid in ("Analysts", "Market", "Benchmark", "Tel", "%(name)s (%(code)s)")
    }
    gaps = catalog_gaps(used, catalog)
    assert [g.split(":")[0] for g in gaps] == [
        "fuzzy",
        "empty",
        "missing",
        "placeholders",
    ], gaps
    assert "'Tel' (used at templates/x.html:1)" in gaps[2]


# -- one note, both locales -----------------------------------------------------------------------


def squash(text: str) -> str:
    """Text without whitespace, and without the hyphens WeasyPrint adds where it breaks a word
    (U+2010; a hyphen the text itself has is U+002D)."""
    return "".join(re.sub("\u2010\\s+", "", text).split())


def place(tmp: Path, locale: str, changes: Iterable[tuple[str, str]] = ()) -> Path:
    """The English example note beside a copy of the example house, in ``locale``."""
    if not (tmp / "houses" / "example").exists():
        shutil.copytree(EXAMPLE_HOUSE, tmp / "houses" / "example")
    (tmp / "notes").mkdir(exist_ok=True)
    # The note's price file, which it names relative to its folder.
    shutil.copytree(EN_NOTE.parent / "data", tmp / "notes" / "data", dirs_exist_ok=True)
    path = tmp / "notes" / f"note-{locale}-{len(list((tmp / 'notes').glob('*.md')))}.md"
    shutil.copy(EN_NOTE, path)
    edit(path, "locale: en_US", f"locale: {locale}")
    for old, new in changes:
        edit(path, old, new)
    return path


@pytest.fixture(scope="module")
def house() -> House:
    return load_house(EXAMPLE_HOUSE).house


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, renderer: Renderer) -> dict[str, Rendered]:
    tmp = tmp_path_factory.mktemp("bilingual")
    return {locale: renderer.render(place(tmp, locale), ("pdf", "html")) for locale in LOCALES}


@pytest.fixture(scope="module")
def pages(rendered: dict[str, Rendered]) -> dict[str, list[str]]:
    # Block by block, so a label that wraps in the sidebar reads as one string.
    return {locale: page_texts(r.pdf or b"", layout=False) for locale, r in rendered.items()}


#: What each locale prints where the other prints its own: catalog labels and derived texts.
LABELS: dict[str, dict[str, str]] = {
    "zh_CN": {
        "kind": "证券研究报告",
        "date": "2026年3月9日",
        "report type": "Electronics行业事件点评",
        "rating caption": "行业评级",
        "rating": "超配（维持）",
        "subject": "行业Electronics",
        "market": "市场A股",
        "benchmark": "基准指数沪深 300 指数",
        "risk level": "报告风险等级中风险（R3）",
        "analysts": "分析师",
        "registration": "SAC 执业证书编号：S9901524060001",
        "phone": "电话：000-0000 1201",
        "email": "邮箱：",
    },
    "en_US": {
        "kind": "Securities research report",
        "date": "March 9, 2026",
        "report type": "Electronics — Industry Event Commentary",
        "rating caption": "Industry rating",
        "rating": "Overweight (Maintained)",
        "subject": "Industry Electronics",
        "market": "Market China A-shares",
        "benchmark": "Benchmark CSI 300 Index",
        "risk level": "Report risk level Medium risk (R3)",
        "analysts": "Analysts",
        "registration": "SAC registration no.: S9901524060001",
        "phone": "Tel: 000-0000 1201",
        "email": "Email:",
    },
}

#: Labels of the closing blocks, after the note's body.
CLOSING: dict[str, dict[str, str]] = {
    "zh_CN": {
        "risk sentence": "本报告的风险等级为中风险。",
        "benchmarks": "评级基准指数：A股 — 沪深 300 指数；",
        "risk table": "风险等级适用的研究报告",
        "risk row": "中风险（R3）主板股票与基金",
        "suitability table": "投资者类型低风险中低风险",
        "suitable": "保守型适合",
        "suitability": "“保守型”投资者适合接收风险等级不高于“低风险”的研究报告；",
        "certification": "分析师声明",
        "disclaimer": "免责条款",
        "address": "地址：澄川市滨江大道 88 号",
        "postcode": "邮政编码：999000",
        "website": "网址：research.example.com",
    },
    "en_US": {
        "risk sentence": "This report is classified as Medium risk.",
        "benchmarks": "Benchmarks: China A-shares — CSI 300 Index;",
        "risk table": "Risk level Reports covered",
        "risk row": "Medium risk (R3) Research on main-board stocks",
        "suitability table": "Investor type Low risk Medium-low risk",
        "suitable": "Conservative Suitable",
        "suitability": "Conservative investors may receive reports up to Low risk;",
        "certification": "Analyst certification",
        "disclaimer": "Disclaimer",
        "address": "Address: 18/F Chengchuan Financial Centre",
        "postcode": "Postcode: 999000",
        "website": "Website: research.example.com",
    },
}


def running(house: House, locale: str, page: int, count: int) -> dict[str, str]:
    """The furniture every page carries: the footer lines and the page number."""
    number = {"zh_CN": f"第 {page} 页 共 {count} 页", "en_US": f"Page {page} of {count}"}[locale]
    lines = {f"footer {i}": localize(line, locale) for i, line in enumerate(house.texts.footer)}
    return {"page number": number, **lines}


def header(locale: str) -> dict[str, str]:
    """The running header's two parts, checked apart: text extraction may read a table heading
    that sits level with the header in between them."""
    return {
        "zh_CN": {
            "header firm": "澄川证券",
            "header kind": "证券研究报告 · Electronics行业事件点评",
        },
        "en_US": {
            "header firm": "Chengchuan Securities",
            "header kind": "Securities research report · Electronics — Industry Event Commentary",
        },
    }[locale]


def body_of(house: House, locale: str, pages: list[str]) -> str:
    """The document's text with each page's running header and footer checked and cut out, so a
    paragraph that a page break splits reads whole again."""
    text = []
    for number, page in enumerate(pages, 1):
        flat = squash(page)
        furniture = running(house, locale, number, len(pages))
        if number > 1:
            furniture |= header(locale)
        for what, expected in furniture.items():
            assert squash(expected) in flat, f"page {number} lacks the {what} {expected!r}"
            flat = flat.replace(squash(expected), "", 1)
        text.append(flat)
    return "".join(text)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_has_its_footer_and_number_in_the_locale(
    locale: str, pages: dict[str, list[str]], house: House
) -> None:
    assert len(pages[locale]) >= 3
    body_of(house, locale, pages[locale])


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("label", LABELS["en_US"])
def test_first_page_labels_are_in_the_locale(
    locale: str, label: str, pages: dict[str, list[str]]
) -> None:
    first = squash(pages[locale][0])
    assert squash(LABELS[locale][label]) in first
    other = next(loc for loc in LOCALES if loc != locale)
    assert squash(LABELS[other][label]) not in first


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("label", CLOSING["en_US"])
def test_closing_blocks_are_in_the_locale(
    locale: str, label: str, pages: dict[str, list[str]], house: House
) -> None:
    text = body_of(house, locale, pages[locale])
    assert squash(CLOSING[locale][label]) in text
    other = next(loc for loc in LOCALES if loc != locale)
    assert squash(CLOSING[other][label]) not in text


def printed_texts(house: House) -> list[tuple[str, dict[str, str]]]:
    """Every per-locale text of the house that a note prints, with where it is in house.yaml.

    Report types are left out: a note prints only its own template's, for its subject's kind;
    so are the footer lines, which every page's test reads, and the risk-level sentence, which
    prints with the level filled in.
    """
    found: list[tuple[str, dict[str, str]]] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict) and value and all(k in LOCALES for k in value):
            found.append((where, value))
        elif isinstance(value, dict):
            for key, sub in value.items():
                walk(sub, f"{where}.{key}" if where else key)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(sub, f"{where}[{i}]")

    dumped = house.model_dump(
        exclude={"report_types": True, "texts": {"footer", "risk_level_sentence"}}
    )
    walk(dumped, "")
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_house_text_prints_in_the_note_locale_only(
    locale: str, pages: dict[str, list[str]], house: House
) -> None:
    text = body_of(house, locale, pages[locale])
    source = squash(EN_NOTE.read_text(encoding="utf-8"))
    texts = printed_texts(house)
    assert len(texts) > 50  # names, sections, scales, markets, risk levels, investors, texts
    missing = [where for where, t in texts if squash(t[locale]) not in text]
    assert not missing, f"house texts not printed in {locale}: {missing}"
    leaked = [
        f"{where}: {t[other]!r}"
        for where, t in texts
        for other in LOCALES
        if other != locale
        and t[other] != t[locale]
        # What the note itself wrote (the department name in a source line) may print as written.
        and squash(t[other]) not in source
        and squash(t[other]) in text
    ]
    assert not leaked, f"{locale} note prints other locales' house texts: {leaked}"


def chinese_in_names(path: Path) -> list[str]:
    """The runs of CJK characters a note's front matter wrote in names (analysts, subject), and
    the English names of the roster's people it names by id."""
    front = path.read_text(encoding="utf-8").split("---")[1]
    names = re.findall(r"^\s*(?:- )?name:\s*(.+)$", front, flags=re.MULTILINE)
    ids = re.search(r"^analysts: \[(.*)\]", front, flags=re.MULTILINE)
    if ids:
        roster = YAML(typ="safe").load((EXAMPLE_HOUSE / "analysts.yaml").read_text("utf-8"))
        people = {p["id"]: p["name"]["en_US"] for p in roster["analysts"]}
        names += [people[i.strip()] for i in ids.group(1).split(",")]
    return sorted({run for name in names for run in re.findall(f"{CJK.pattern}+", name)})


def test_english_note_has_no_chinese_beyond_the_names_it_wrote(
    rendered: dict[str, Rendered], pages: dict[str, list[str]]
) -> None:
    names = chinese_in_names(EN_NOTE)
    assert names == ["周若溪", "林知远"]
    html = re.sub(r"<style>.*?</style>", "", rendered["en_US"].html, flags=re.DOTALL)
    for what, text in [
        *((f"page {i}", p) for i, p in enumerate(pages["en_US"], 1)),
        ("HTML", html),
    ]:
        for name in names:
            text = text.replace(name, "")
        leftovers = [text[max(0, m.start() - 30) : m.end() + 30] for m in CJK.finditer(text)]
        assert not leftovers, f"Chinese in the English note's {what}: {leftovers}"


def test_chinese_note_is_chinese(pages: dict[str, list[str]]) -> None:
    # The check above, turned round, so that it is known to find Chinese where there is some.
    assert len(CJK.findall("".join(pages["zh_CN"]))) > 1000


def _font_family(name: str) -> str:
    return re.sub(r"[-_ ]", "", name).casefold()


def test_english_note_sets_latin_fonts_and_keeps_cjk_for_names(
    rendered: dict[str, Rendered], house: House
) -> None:
    fonts = {_font_family(n) for n in font_names(rendered["en_US"].pdf or b"")}
    for family in (house.fonts.latin_serif[0], house.fonts.latin_sans[0]):
        assert any(f.startswith(_font_family(family)) and "cjk" not in f for f in fonts), fonts
    assert any("cjk" in f for f in fonts), fonts


def test_chinese_note_sets_cjk_body_font(rendered: dict[str, Rendered], house: House) -> None:
    fonts = {_font_family(n) for n in font_names(rendered["zh_CN"].pdf or b"")}
    assert any(f.startswith(_font_family(house.fonts.serif[0])) for f in fonts), fonts
    assert not any(
        f.startswith(_font_family(house.fonts.latin_serif[0])) for f in fonts if "cjk" not in f
    ), fonts


@pytest.mark.parametrize("locale", LOCALES)
def test_no_missing_glyphs(locale: str, rendered: dict[str, Rendered]) -> None:
    assert missing_glyphs(rendered[locale].pdf or b"") == []


@pytest.mark.parametrize("locale", LOCALES)
def test_html_declares_its_language(locale: str, rendered: dict[str, Rendered]) -> None:
    # Hyphenation and the CJK font's choice of glyph forms both follow the lang attribute.
    assert f'<html lang="{locale.replace("_", "-")}">' in rendered[locale].html


# -- every supported locale -----------------------------------------------------------------------


@pytest.mark.parametrize("locale", available_locales())
def test_smoke_every_supported_locale(locale: str, tmp_path: Path, house: House) -> None:
    assert locale in house.locales, f"add {locale} to the example house's locales and texts"
    result = Renderer(today=TODAY).render(place(tmp_path, locale), ("pdf", "html"))
    texts = [squash(p) for p in page_texts(result.pdf or b"", layout=False)]
    assert result.pages == len(texts) >= 2
    label = translations(locale).gettext("Page {page} of {pages}")
    for number, text in enumerate(texts, 1):
        assert squash(label.format(page=number, pages=len(texts))) in text
    assert squash(date_long(dt.date(2026, 3, 9), locale)) in texts[0]
    assert squash(localize(house.texts.disclaimer_title, locale)) in "".join(texts)
    assert missing_glyphs(result.pdf or b"") == []


def test_a_warm_renderer_reloads_a_catalog_that_changed(tmp_path: Path) -> None:
    # A long-lived worker or preview must print the labels that are on disk now, which are the
    # ones the build's manifest records, not the ones it loaded at its first note.
    locale_dir = tmp_path / "locale"
    shutil.copytree(CATALOGS, locale_dir)
    note = place(tmp_path, "en_US")
    renderer = Renderer(today=TODAY, settings=Settings(catalogs=locale_dir))
    assert ">Analysts<" in renderer.render(note, ("html",)).html
    po = locale_dir / "en_US" / "LC_MESSAGES" / "messages.po"
    edit(po, 'msgstr "Analysts"', 'msgstr "Research team"')
    assert translations("en_US", locale_dir).gettext("Analysts") == "Research team"
    html = renderer.render(note, ("html",)).html
    assert ">Research team<" in html and ">Analysts<" not in html


# -- ratings, risk levels and markets, however they are written -----------------------------------

SPELLINGS = {
    "codes": ("overweight", "overweight", "R3", "a-share"),
    "Chinese labels": ("超配", "超配", "中风险", "A股"),
    "English labels": ("Overweight", "Overweight", "Medium risk", "China A-shares"),
    "mixed, any case": ("OVERWEIGHT", "超配", "medium RISK", "a股"),
}


def spelled(rating: str, previous: str, risk: str, market: str) -> list[tuple[str, str]]:
    return [
        ("  value: Overweight\n  previous: 超配", f"  value: {rating}\n  previous: {previous}"),
        ("risk_level: Medium risk", f"risk_level: {risk}"),
        ("  market: China A-shares", f"  market: {market}"),
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_codes_and_labels_in_either_language_print_alike(
    locale: str, tmp_path: Path, renderer: Renderer
) -> None:
    htmls = {
        how: renderer.render(place(tmp_path, locale, spelled(*spelling)), ("html",)).html
        for how, spelling in SPELLINGS.items()
    }
    expected = LABELS[locale]["rating"]
    assert expected in htmls["codes"]
    for how, html in htmls.items():
        assert html == htmls["codes"], f"written as {how}, the {locale} note prints differently"


@pytest.mark.parametrize(
    ("kind", "previous", "printed"),
    [("industry", "Overweight", "标配（下调）"), ("company", "Buy", "持有（下调）")],
)
def test_neutral_is_looked_up_on_the_subjects_scale(
    kind: str, previous: str, printed: str, tmp_path: Path, renderer: Renderer
) -> None:
    # Both scales call their middle level "Neutral" in English: the subject's kind picks which.
    changes = [
        ("  kind: industry", f"  kind: {kind}"),
        ("  value: Overweight\n  previous: 超配", f"  value: Neutral\n  previous: {previous}"),
    ]
    html = renderer.render(place(tmp_path, "zh_CN", changes), ("html",)).html
    assert f'<div class="rating-value">{printed}</div>' in html


# -- the problems catalogs: the rules' messages -----------------------------------------------------


def _problem_messages() -> set[str]:
    """The message ids `make messages` extracts for problems: rules, phrases and marked words."""
    with (ROOT / "babel-problems.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"Rule": (2,), "Text": None, "phrase": None}
    return {
        message
        for _, _, message, _, _ in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords
        )
    }


def test_committed_problems_template_is_current() -> None:
    template = read_catalog(CATALOGS / "problems.pot")
    assert {m.id for m in template if m.id} == _problem_messages(), "run `make messages`"


@pytest.mark.parametrize("locale", available_locales(domain=PROBLEMS))
def test_problems_catalog_translates_every_message_cleanly(locale: str) -> None:
    catalog = read_catalog(CATALOGS / locale / "LC_MESSAGES" / "problems.po", locale)
    ids = {m.id for m in catalog if m.id}
    assert ids == _problem_messages(), f"{locale}: run `make messages`, then translate"
    assert not [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    # What `pybabel compile` refuses (placeholders a translation lacks), the tests refuse first.
    assert not [(m.id, errors) for m, errors in catalog.check()]
    # A translation may leave a parameter out (an English-only detail), never name one the
    # message is not given: that would print the English instead. Two parameters are given
    # for translations only: ``chinese``, beside the English (a label the house has in both),
    # and ``type``, the name of a pydantic error whose English sentence no catalog has.
    names = re.compile(r"{(\w+)[^{}]*}")
    invented = [
        (m.id, m.string)
        for m in catalog
        if m.id and set(names.findall(m.string)) - set(names.findall(m.id)) - {"chinese", "type"}
    ]
    assert not invented


def test_every_rule_message_is_in_the_catalogs() -> None:
    assert {rule.message for rule in RULES.values()} <= _problem_messages()


def test_a_language_for_problems_is_one_catalog_file(tmp_path: Path) -> None:
    """Adding a locale is a `problems.po`, no code: `--lang` finds it, untranslated words stay
    English rather than being lost."""
    from schemas.rules import Quoted, note

    catalogs = tmp_path / "locale"
    shutil.copytree(CATALOGS, catalogs)
    folder = catalogs / "fr_FR" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="fr_FR")
    catalog.add("{value} is not an e-mail address", "{value} n'est pas une adresse électronique")
    catalog.add("'{text}'", "« {text} »")
    with (folder / "problems.po").open("wb") as handle:
        write_po(handle, catalog)
    assert problem_locale("fr", catalogs) == "fr_FR" and problem_locale("ja", catalogs) is None
    problem = note.EMAIL(("email",), value=Quoted("lin@"))
    assert (
        problem.message_in(translator("fr", catalogs))
        == "« lin@ » n'est pas une adresse électronique"
    )
    other = note.LOCALE(("locale",), value=Quoted("de"), known="zh_CN")
    assert other.message_in(translator("fr", catalogs)) == (
        "« de » is not one of the house's locales (zh_CN)"
    )
