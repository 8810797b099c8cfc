"""Archival PDFs read back with real tools: qpdf, pikepdf (XMP, tags, attachments), Poppler."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from render.registers.approve import approve
from render.renderer import Renderer
from render.settings import Settings
from tests.pdftools import page_texts

NOTES = Path(__file__).parents[3] / "examples" / "notes"
#: A Chinese company note with a figure and a table, and an English note that hyphenates.
FIGURE_NOTE = NOTES / "2026-04-15-hengtong-upgrade.md"
ENGLISH_NOTE = NOTES / "2026-03-09-chiplet-interconnect-en.md"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(created=None)


@pytest.fixture(scope="module")
def figure_note(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The company note (a table, a price file) with a figure of its own added."""
    folder = tmp_path_factory.mktemp("notes")
    for name in ("figures", "data"):
        shutil.copytree(NOTES / name, folder / name)
    note = folder / FIGURE_NOTE.name
    text = FIGURE_NOTE.read_text(encoding="utf-8")
    figure = "![图 1：公司单季度营业收入（亿元）](figures/2026-04-revenue.svg)\n\n资料来源：公司公告（示例数据）\n\n"
    note.write_text(text.replace("## 投资建议", figure + "## 投资建议", 1), encoding="utf-8")
    # Approved again after the edit, as a released note is: no draft mark in its tag tree.
    at = dt.datetime(2026, 4, 15, 16, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    approve(Renderer(created=None), note, note.name, "wang-shuyi", at)
    return note


@pytest.fixture(scope="module")
def figure_pdf(renderer: Renderer, figure_note: Path) -> bytes:
    data = renderer.render(figure_note).pdf
    assert data is not None
    return data


@pytest.fixture(scope="module")
def english_pdf(renderer: Renderer) -> bytes:
    data = renderer.render(ENGLISH_NOTE).pdf
    assert data is not None
    return data


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _elements(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """Every structure element under one, in reading order (the tree's order)."""
    found = [element]
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found += _elements(kid)
    return found


def test_qpdf_finds_no_error(figure_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "note.pdf"
    path.write_bytes(figure_pdf)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_xmp_claims_pdfa_3u_and_pdfua_1(figure_pdf: bytes) -> None:
    with _open(figure_pdf) as pdf, pdf.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "3"
        assert xmp["pdfaid:conformance"] == "U"
        assert xmp["pdfuaid:part"] == "1"
        assert xmp["dc:title"] == "一季度营收同比增长逾一倍，先进封装产能释放超预期"
        assert xmp["dc:language"] == {"zh-CN"}
        assert xmp["dc:creator"] == ["周若溪", "顾明川"]
        assert xmp["xmp:CreateDate"] == "2026-04-15T00:00:00Z"  # the note's date
        assert xmp["dc:description"]  # subject and report type
        assert xmp["pdf:Keywords"]


def test_output_intent_id_language_and_marking(figure_pdf: bytes) -> None:
    with _open(figure_pdf) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intent
        assert len(pdf.trailer.ID) == 2
        assert str(pdf.Root.Lang) == "zh-CN"
        assert pdf.Root.MarkInfo.Marked is True


def test_every_font_is_embedded(figure_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "note.pdf"
    path.write_bytes(figure_pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        # Columns: name, type, encoding, emb, sub, uni, object id; emb is the fourth from last.
        assert row.split()[-5] == "yes", row


def test_tag_tree_has_headings_header_cells_and_figure_text(figure_pdf: bytes) -> None:
    with _open(figure_pdf) as pdf:
        elements = _elements(pdf.Root.StructTreeRoot.K[0])
        kinds = [str(e.S) for e in elements]
        assert kinds.count("/H1") == 1
        assert kinds.count("/H2") >= 4
        assert "/TH" in kinds and "/TD" in kinds
        alts = [str(e.Alt) for e in elements if e.S == "/Figure" and "/Alt" in e]
        figures = [e for e in elements if e.S == "/Figure"]
        # The logo, the note's figure and the relative-performance chart drawn from its prices.
        assert len(alts) == len(figures) >= 3
        assert any(alt.startswith("图 1") for alt in alts)
        assert any(alt.startswith("衡通微电子 +") and "沪深 300" in alt for alt in alts), alts


def test_reading_order_puts_sidebar_after_the_text(figure_pdf: bytes) -> None:
    with _open(figure_pdf) as pdf:
        top = [str(e.S) for e in pdf.Root.StructTreeRoot.K[0].K]
    # Masthead, the note's text (one Part per page), then the sidebar, then the disclosures.
    last_part = len(top) - 1 - top[::-1].index("/Part")
    assert top[0] == "/NonStruct" and top[1] == "/Part"
    assert top[last_part + 1] == "/NonStruct"
    assert all(kind == "/Part" for kind in top[1 : last_part + 1])


def test_text_layer_reads_title_then_sections_then_sidebar(english_pdf: bytes) -> None:
    first = page_texts(english_pdf, layout=False, raw=True)[0]
    title = first.index("An open chiplet interconnect")
    event = first.index("On March 6, an alliance")
    analysts = first.index("Analysts")
    rating = first.index("Industry rating")
    assert title < event < rating < analysts


def test_outline_starts_with_the_title(english_pdf: bytes) -> None:
    with _open(english_pdf) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert (
        titles[0] == "An open chiplet interconnect standard lowers the cost of advanced packaging"
    )
    assert "Analysts" not in titles


def test_hyphenated_words_carry_no_unicode_hyphen(english_pdf: bytes) -> None:
    text = "\n".join(page_texts(english_pdf, layout=False))
    assert "\u2010" not in text
    # The note does hyphenate: its line ends are hyphen-minus, which extractors know to join.
    assert "cata-\n" in text and "logue purchase" in text


def test_attachments_are_associated_files(figure_pdf: bytes, figure_note: Path) -> None:
    with _open(figure_pdf) as pdf:
        attached = {name: spec for name, spec in pdf.attachments.items()}
        assert set(attached) == {
            "2026-04-15-hengtong-upgrade.md",
            "figures/2026-04-revenue.svg",
            "data/hengtong-prices.csv",
            "data/hengtong-quarterly.csv",  # the data of the note's chart block
            "note.json",
        }
        relationships = {name: str(spec.obj.AFRelationship) for name, spec in attached.items()}
        assert relationships == {
            "2026-04-15-hengtong-upgrade.md": "/Source",
            "figures/2026-04-revenue.svg": "/Data",
            "data/hengtong-prices.csv": "/Data",
            "data/hengtong-quarterly.csv": "/Data",
            "note.json": "/Data",
        }
        assert attached["2026-04-15-hengtong-upgrade.md"].get_file().read_bytes() == (
            figure_note.read_bytes()
        )
        assert attached["data/hengtong-prices.csv"].get_file().read_bytes() == (
            (NOTES / "data" / "hengtong-prices.csv").read_bytes()
        )
        types = {name: str(spec.obj.EF.F.Subtype) for name, spec in attached.items()}
        assert types["note.json"] == "/application/json"
        # Each file is listed once in the document's associated files.
        assert len(pdf.Root.AF) == 5
        assert {str(af.UF) for af in pdf.Root.AF} == set(attached)
        facts = json.loads(attached["note.json"].get_file().read_bytes())
    assert facts["rating"]["action"] == "upgrade"
    assert facts["risk_level"]["code"]
    assert facts["subject"]["kind"] == "company" and facts["subject"]["ticker"]
    assert all(a["sac"] for a in facts["analysts"] if a["role"] == "analyst")


def test_same_inputs_same_bytes(figure_pdf: bytes, figure_note: Path) -> None:
    again = Renderer(created=None).render(figure_note).pdf
    assert again == figure_pdf


def test_variant_none_is_a_plain_pdf(tmp_path: Path) -> None:
    data = Renderer(created=None, settings=Settings(pdf_variant="none")).render(ENGLISH_NOTE).pdf
    assert data is not None
    with _open(data) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert "/Metadata" not in pdf.Root
        assert not pdf.attachments
