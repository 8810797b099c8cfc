"""The RIXML sidecar, parsed and checked element by element against RIXML 2.5 Level One."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.errors import EXIT_OK, EXIT_USER_ERROR
from render.publish.rixml import NAMESPACE, SCHEMA_LOCATION, XSI, document
from render.renderer import Renderer
from schemas.note import Rating
from tests.conftest import EXAMPLES, TODAY

NS = {"r": NAMESPACE}
COMPANY = EXAMPLES / "2026-04-15-hengtong-upgrade.md"
INDUSTRY = EXAMPLES / "2026-03-02-ai-training-cost.md"
ENGLISH = EXAMPLES / "2026-03-09-chiplet-interconnect-en.md"
CREATED = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC)


def _checked(renderer: Renderer, path: Path):  # type: ignore[no-untyped-def]
    checked = renderer.check(path)
    assert checked.note is not None and checked.profile is not None, checked.problems
    return checked


def _rixml(renderer: Renderer, path: Path, **changes: object) -> bytes:
    checked = _checked(renderer, path)
    note = checked.note.model_copy(update=changes) if changes else checked.note
    key = path.stem
    resources = [f"{key}.pdf", f"{key}.html"]
    return document(note, checked.profile.house, key, resources, 3, CREATED)


def _parse(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == f"{{{NAMESPACE}}}Research"
    return root


def _one(root: ET.Element, path: str) -> ET.Element:
    found = root.findall(path, NS)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(today=TODAY, created=None)


def test_the_research_element_has_its_required_attributes(renderer: Renderer) -> None:
    data = _rixml(renderer, COMPANY)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<Research xmlns=")
    root = _parse(data)
    assert uuid.UUID(root.get("researchID", "")).version == 5
    assert root.get("createDateTime") == "2026-05-01T08:30:00Z"
    assert root.get("language") == "chi"
    assert root.get(f"{{{XSI}}}schemaLocation") == SCHEMA_LOCATION
    product = _one(root, "r:Product")
    assert uuid.UUID(product.get("productID", "")).version == 5
    status = _one(product, "r:StatusInfo")
    assert status.attrib == {
        "currentStatusIndicator": "Yes",
        "statusDateTime": "2026-05-01T08:30:00Z",
        "statusType": "Published",
    }
    # Level One's four blocks, in the schema's order.
    assert [child.tag.split("}")[1] for child in product] == [
        "StatusInfo",
        "Source",
        "Content",
        "Context",
    ]


def test_the_publisher_and_its_analysts(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, COMPANY))
    org = _one(root, "r:Product/r:Source/r:Organization")
    assert org.attrib == {"type": "SellSideFirm", "primaryIndicator": "Yes"}
    assert _one(org, "r:OrganizationID").text == "9901"
    assert _one(org, "r:OrganizationID").get("idType") == "PublisherDefined"
    names = {n.get("nameType"): n.text for n in org.findall("r:OrganizationName", NS)}
    assert names == {"Legal": "澄川证券股份有限公司", "Display": "澄川证券"}
    members = org.findall("r:PersonGroup/r:PersonGroupMember", NS)
    assert [(m.get("sequence"), m.get("primaryIndicator")) for m in members] == [
        ("1", "Yes"),
        ("2", "No"),
    ]
    lead, assistant = (_one(m, "r:Person") for m in members)
    assert _one(lead, "r:DisplayName").text == "周若溪"
    assert _one(lead, "r:JobTitle").text == "Analyst (SAC S9901523090002)"
    assert _one(lead, "r:ContactInfo/r:Email").text == "zhou.ruoxi@research.example.com"
    assert _one(lead, "r:ContactInfo/r:Phone/r:Number").text == "000-0000 1202"
    assert _one(assistant, "r:JobTitle").text == "Research Assistant"
    assert lead.get("personID") != assistant.get("personID")


def test_the_title_and_the_pdf_as_primary_resource(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, COMPANY))
    content = _one(root, "r:Product/r:Content")
    assert _one(content, "r:Title").text == "一季度营收同比增长逾一倍，先进封装产能释放超预期"
    pdf, html = content.findall("r:Resource", NS)
    assert pdf.get("primaryIndicator") == "Yes" and html.get("primaryIndicator") == "No"
    assert pdf.get("language") == "chi"
    assert _one(pdf, "r:MIMEType").text == "application/pdf"
    assert _one(pdf, "r:Name").text == "2026-04-15-hengtong-upgrade.pdf"
    assert _one(pdf, "r:Length").text == "3" and _one(pdf, "r:Length").get("lengthUnit") == "Pages"
    assert _one(html, "r:MIMEType").text == "text/html"
    assert len({pdf.get("resourceID"), html.get("resourceID")}) == 2


def test_a_company_note_names_its_issuer_security_and_rating(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, COMPANY))
    context = _one(root, "r:Product/r:Context")
    issuer = _one(context, "r:IssuerDetails/r:Issuer")
    assert issuer.attrib == {"issuerType": "Corporate", "primaryIndicator": "Yes"}
    assert _one(issuer, "r:IssuerName/r:NameValue").text == "衡通微电子"
    security = _one(issuer, "r:SecurityDetails/r:Security")
    assert _one(security, "r:SecurityID").attrib == {
        "idType": "ExchangeTicker",
        "idValue": "300999.SZ",
    }
    assert _one(security, "r:AssetClass").get("assetClass") == "Equity"
    rating = _one(security, "r:Rating")
    assert rating.get("rating") == "PublisherDefined"
    assert rating.get("ratingAction") == "Upgrade"  # 增持 → 买入 is 上调
    assert _one(rating, "r:PublisherDefinedValue").text == "买入"
    details = _one(context, "r:ProductDetails")
    assert details.get("publicationDateTime") == "2026-04-15T00:00:00Z"
    assert _one(details, "r:ProductCategory").get("productCategory") == "Report"
    assert _one(details, "r:ProductFocus").get("focus") == "Company"
    assert context.find("r:ProductClassifications", NS) is None


def test_an_industry_note_rates_its_sector_not_an_issuer(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, INDUSTRY))
    context = _one(root, "r:Product/r:Context")
    assert context.find("r:IssuerDetails", NS) is None
    sector = _one(context, "r:ProductClassifications/r:SectorIndustry")
    assert _one(sector, "r:Name").text == "电子"
    assert _one(sector, "r:Rating/r:PublisherDefinedValue").text == "超配"
    assert _one(context, "r:ProductDetails/r:ProductFocus").get("focus") == "Industry"


@pytest.mark.parametrize(
    ("previous", "action"),
    [(None, "Initiate"), ("买入", "Reiterate"), ("增持", "Upgrade"), ("无评级", "Initiate")],
)
def test_the_derived_action_maps_to_rixmls(
    renderer: Renderer, previous: str | None, action: str
) -> None:
    data = _rixml(renderer, COMPANY, rating=Rating(value="买入", previous=previous))
    rating = _one(_parse(data), ".//r:Security/r:Rating")
    assert rating.get("ratingAction") == action


def test_a_downgrade_and_an_unrated_note(renderer: Renderer) -> None:
    down = _rixml(renderer, COMPANY, rating=Rating(value="持有", previous="买入"))
    assert _one(_parse(down), ".//r:Rating").get("ratingAction") == "Downgrade"
    # Not rated has no rank, so no action: the attribute is left out, not invented.
    unrated = _rixml(renderer, COMPANY, rating=Rating(value="无评级", previous="买入"))
    assert "ratingAction" not in _one(_parse(unrated), ".//r:Rating").attrib


def test_an_english_note_is_in_english(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, ENGLISH))
    assert root.get("language") == "eng"
    org = _one(root, "r:Product/r:Source/r:Organization")
    assert _one(org, "r:OrganizationName[@nameType='Display']").text == "Chengchuan Securities"


def test_ids_are_stable_and_the_bytes_reproducible(renderer: Renderer) -> None:
    one, two = _rixml(renderer, COMPANY), _rixml(renderer, COMPANY)
    assert one == two
    other = _parse(_rixml(renderer, INDUSTRY))
    assert _parse(one).get("researchID") != other.get("researchID")
    # Another title is the same note revised: its ID does not move.
    retitled = _parse(_rixml(renderer, COMPANY, title="新标题"))
    assert retitled.get("researchID") == _parse(one).get("researchID")
    # Another date is another note.
    redated = _parse(_rixml(renderer, COMPANY, date=dt.date(2026, 4, 16)))
    assert redated.get("researchID") != _parse(one).get("researchID")


def test_markup_in_a_title_is_escaped_not_parsed(renderer: Renderer) -> None:
    title = '<b>A & B</b> "quoted"'
    root = _parse(_rixml(renderer, COMPANY, title=title))
    assert _one(root, "r:Product/r:Content/r:Title").text == title


def test_the_build_writes_lists_and_verifies_the_sidecar(workspace: Path) -> None:
    notes, dist = workspace / "notes", workspace / "dist"
    result = CliRunner().invoke(
        app, ["build", str(notes), "-o", str(dist), "--today", TODAY.isoformat(), "-j", "1"]
    )
    assert result.exit_code == EXIT_OK, result.output
    assert sorted(p.name for p in dist.iterdir()) == ["manifest.json", "note.pdf", "note.rixml"]
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["notes"]["note"]["outputs"]) == ["note.pdf", "note.rixml"]
    root = _parse((dist / "note.rixml").read_bytes())
    assert _one(root, ".//r:Resource/r:Name").text == "note.pdf"
    # render verify re-hashes it like the PDF: a changed sidecar is caught.
    (dist / "note.rixml").write_bytes((dist / "note.rixml").read_bytes().replace(b"Yes", b"No"))
    verified = CliRunner().invoke(app, ["verify", str(dist)])
    assert verified.exit_code == EXIT_USER_ERROR and "note.rixml" in verified.output
    # A build with the sidecar missing or changed rebuilds the note, as for a PDF.
    rebuilt = CliRunner().invoke(
        app, ["build", str(notes), "-o", str(dist), "--today", TODAY.isoformat(), "-j", "1"]
    )
    assert "1 built" in rebuilt.output, rebuilt.output
    assert CliRunner().invoke(app, ["verify", str(dist)]).exit_code == EXIT_OK
    # --no-rixml leaves it out; a rebuild removes the one the note no longer has.
    args = ["build", str(notes), "-o", str(dist), "--today", TODAY.isoformat(), "-j", "1"]
    again = CliRunner().invoke(app, [*args, "--no-rixml", "--force"])
    assert again.exit_code == EXIT_OK, again.output
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["notes"]["note"]["outputs"]) == ["note.pdf"]
    assert not (dist / "note.rixml").exists()
