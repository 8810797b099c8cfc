"""The RIXML sidecar, parsed and checked element by element against RIXML 2.5 Level One."""

from __future__ import annotations

import datetime as dt
import json
import re
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
    assert root.get("language") == "zho"  # ISO 639-2/T, as the schema asks
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
    assert (_one(lead, "r:FamilyName").text, _one(lead, "r:GivenName").text) == ("周", "若溪")
    phone = _one(lead, "r:ContactInfo/r:Phone")
    assert phone.get("type") == "Voice"
    assert [(e.tag.split("}")[1], e.text) for e in phone] == [
        ("CountryCode", "86"),
        ("Number", "000-0000 1202"),
    ]
    assert _one(assistant, "r:JobTitle").text == "Research Assistant"
    assert lead.get("personID") != assistant.get("personID")


def test_the_title_and_the_pdf_as_primary_resource(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, COMPANY))
    content = _one(root, "r:Product/r:Content")
    assert _one(content, "r:Title").text == "一季度营收同比增长逾一倍，先进封装产能释放超预期"
    pdf, html = content.findall("r:Resource", NS)
    assert pdf.get("primaryIndicator") == "Yes" and html.get("primaryIndicator") == "No"
    assert pdf.get("language") == "zho"
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
    assert _one(details, "r:ProductFocus").attrib == {"focus": "Issuer", "primaryIndicator": "Yes"}
    assert context.find("r:ProductClassifications", NS) is None


def test_an_industry_note_rates_its_sector_not_an_issuer(renderer: Renderer) -> None:
    root = _parse(_rixml(renderer, INDUSTRY))
    context = _one(root, "r:Product/r:Context")
    assert context.find("r:IssuerDetails", NS) is None
    sector = _one(context, "r:ProductClassifications/r:SectorIndustry")
    assert _one(sector, "r:Name").text == "电子"
    assert _one(sector, "r:Rating/r:PublisherDefinedValue").text == "超配"
    assert _one(context, "r:ProductDetails/r:ProductFocus").get("focus") == "SectorIndustry"


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


# -- the schema's structure --------------------------------------------------------------------
#
# The official RIXML 2.5 schema is not vendored: its files say "Not for distribution unless
# authorized by RIXML.org". What it requires of each element render writes is copied here, by
# hand, from RIXML-2_5.xsd, RIXML-Common-2_5.xsd and RIXML-datatypes-2_5.xsd: the children in
# the order of the type's xs:sequence (required ones marked "!"), the required attributes, and
# the enumerated values of the attributes render sets.
SCHEMA: dict[str, tuple[list[str], set[str]]] = {
    "Research": (["Product!"], {"researchID", "createDateTime", "language"}),
    "Product": (
        ["StatusInfo!", "RelatedProduct", "Source!", "Content!", "Context!", "Legal"],
        {"productID"},
    ),
    "StatusInfo": (["Version"], {"statusType", "statusDateTime", "currentStatusIndicator"}),
    "Source": (["Organization!"], set()),
    "Organization": (
        [
            "LogoURL",
            "PublisherDefinedValue",
            "OrganizationID",
            "OrganizationName!",
            "PersonGroup",
            "ContactInfo",
            "Description",
            "Expertise",
        ],
        {"primaryIndicator", "type"},
    ),
    "OrganizationID": ([], {"idType"}),
    "OrganizationName": ([], {"nameType"}),
    "PersonGroup": (["Name", "PublisherDefinedValue", "PersonGroupMember", "ContactInfo"], set()),
    "PersonGroupMember": (["PublisherDefinedValue", "Person!"], set()),
    "Person": (
        [
            "JobRole",
            "FamilyName!",
            "GivenName",
            "MiddleName",
            "DisplayName",
            "JobTitle",
            "Division",
            "FamilyNameSuffix",
            "Credentials",
            "Biography",
            "BiographyFormatted",
            "PhotoResourceIdRef",
            "ContactInfo",
            "PersonLabel",
        ],
        {"personID"},
    ),
    "ContactInfo": (
        ["InstantMessenger", "Email", "Phone", "Website", "Address", "Description"],
        {"nature"},
    ),
    "Phone": (["CountryCode!", "Number!", "ExtensionPIN"], {"type"}),
    "Content": (
        [
            "Description",
            "Title!",
            "TitleFormatted",
            "SubTitle",
            "SubTitleFormatted",
            "Abstract",
            "AbstractFormatted",
            "Synopsis",
            "SynopsisFormatted",
            "Resource",
        ],
        set(),
    ),
    "Resource": (
        [
            "Protocol",
            "Length",
            "StatusInfo",
            "Price",
            "MIMEType!",
            "Name",
            "Comments",
            "URL",
            "Data",
            "XMLData",
        ],
        {"resourceID", "primaryIndicator"},
    ),
    "Length": ([], {"lengthUnit"}),
    "Context": (
        ["EventDetails", "IssuerDetails", "ProductDetails", "ProductClassifications"],
        {"external"},
    ),
    "IssuerDetails": (["Issuer!"], set()),
    "Issuer": (
        [
            "LogoURL",
            "FinancialDates",
            "IssuerFinancials",
            "SectorIndustry",
            "SecurityDetails",
            "Weighting",
            "IssuerID",
            "IssuerName!",
            "Description",
            "Rating",
            "ResourceLink",
        ],
        {"issuerType", "primaryIndicator"},
    ),
    "IssuerName": (["PublisherDefinedValue", "NameValue!"], {"nameType"}),
    "SecurityDetails": (["Security!"], set()),
    "Security": (
        [
            "SecurityID!",
            "FinancialDates",
            "SecurityFinancials",
            "SectorIndustry",
            "Weighting",
            "SecurityName",
            "SecurityShortName",
            "AssetClass!",
            "AssetType!",
            "SecurityType",
            "Rating",
        ],
        {"primaryIndicator"},
    ),
    "SecurityID": (["TradingExchange"], {"idType", "idValue"}),
    "AssetClass": (["Rating", "Weighting"], {"assetClass"}),
    "AssetType": (["Rating", "Weighting"], {"assetType"}),
    "Rating": (["PublisherDefinedValue", "RatingEntity!", "Description"], {"rating"}),
    "RatingEntity": (["PublisherDefinedValue"], {"ratingEntity"}),
    "ProductDetails": (
        ["ProductCategory!", "ProductFocus", "ProductSeries", "EntitlementGroup", "ProductName"],
        {"publicationDateTime"},
    ),
    "ProductCategory": ([], {"productCategory"}),
    "ProductFocus": ([], {"focus", "primaryIndicator"}),
    "ProductClassifications": (
        [
            "KeywordClassifications",
            "Discipline",
            "Subject",
            "Index",
            "Country",
            "Region",
            "AssetClass",
            "AssetType",
            "SecurityType",
            "SectorIndustry",
            "Currency",
            "Specialty",
        ],
        set(),
    ),
    "SectorIndustry": (
        ["Rating", "Weighting", "SectorIndustry", "ShortName", "Name!", "Description"],
        {"code", "level", "classificationType", "focusLevel", "primaryIndicator"},
    ),
}
#: Elements of simple content (a string, no children of their own).
TEXT = {
    "DisplayName",
    "FamilyName",
    "GivenName",
    "JobTitle",
    "Email",
    "CountryCode",
    "Number",
    "Title",
    "MIMEType",
    "Name",
    "NameValue",
    "PublisherDefinedValue",
}
YES_NO = {"Yes", "No"}
#: The enumerations (datatypes) of the attributes render sets.
VALUES: dict[str, set[str]] = {
    "primaryIndicator": YES_NO,
    "currentStatusIndicator": YES_NO,
    "external": YES_NO,
    "focusLevel": YES_NO,
    "periodicalIndicator": YES_NO,
    "statusType": {
        "Pending",
        "Revised",
        "Recalled",
        "Deleted",
        "Published",
        "Rebroadcast",
        "Released",
        "BackFilled",
        "TagsUpdated",
        "RevisedMaterialChange",
        "RevisedNoMaterialChange",
    },
    "type": {"SellSideFirm", "Voice"},  # Organization's OrganizationTypeEnum, Phone's PhoneTypeEnum
    "nameType": {"Legal", "Local", "Display", "Parent", "Trading"},
    "nature": {"Personal", "Business"},
    "lengthUnit": {"Pages", "TimeUnit"},
    "issuerType": {
        "Agency",
        "Municipality",
        "Sovereign",
        "Corporate",
        "MutualFund",
        "REIT",
        "Exchange",
        "SupranationalOrganizations",
    },
    "idType": {"ExchangeTicker", "PublisherDefined"},  # SecurityID's enumeration has both
    "assetClass": {"Equity", "FixedIncome", "Currency", "Commodity", "RealEstate"},
    "assetType": {"Stock", "Convertible", "PublisherDefined"},
    "rating": {"PublisherDefined", "NoRating"},
    "ratingAction": {
        "Upgrade",
        "Reiterate",
        "Downgrade",
        "Initiate",
        "Drop",
        "Revise",
        "NewRating",
        "Affirmed",
    },
    "ratingEntity": {
        "Moodys",
        "SandP",
        "Fitch",
        "AMBestCompanyUSA",
        "Publisher",
        "PublisherDefined",
    },
    "productCategory": {
        "Comment",
        "Report",
        "Model",
        "Charts",
        "Compilation",
        "Presentation",
        "Event",
        "Primer",
        "Directory",
        "Glossary",
        "Overview",
        "PublisherDefined",
    },
    "focus": {
        "SectorIndustry",
        "Discipline",
        "Issuer",
        "Region",
        "Country",
        "AssetClass",
        "AssetType",
        "SecurityType",
        "Index",
        "Exchange",
        "Market",
        "Unfocused",
    },
    "classificationType": {"GICS", "ICB", "TRBC", "FactSet", "PublisherDefined"},
}
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
LANGUAGE = re.compile(r"^[a-z]{3}$")


def _schema_errors(element: ET.Element, path: str = "") -> list[str]:
    """What RIXML 2.5 would reject in an element and its descendants (the subset render writes)."""
    tag = element.tag.removeprefix(f"{{{NAMESPACE}}}")
    here = f"{path}/{tag}"
    if tag in TEXT:
        return [] if len(element) == 0 else [f"{here}: has children"]
    if tag not in SCHEMA:
        return [f"{here}: not an element render is checked for"]
    order, required = SCHEMA[tag]
    names = [o.rstrip("!") for o in order]
    errors = [f"{here}: no @{a}" for a in sorted(required - set(element.attrib))]
    for name, value in element.attrib.items():
        if name in VALUES and value not in VALUES[name]:
            errors.append(f"{here}/@{name}: {value!r} is not in the schema's enumeration")
        if name.endswith("DateTime") and not DATE_TIME.match(value):
            errors.append(f"{here}/@{name}: {value!r} is not a Zulu xs:dateTime")
        if name == "language" and not LANGUAGE.match(value):
            errors.append(f"{here}/@language: {value!r} is not ISO 639-2")
    children = [c.tag.removeprefix(f"{{{NAMESPACE}}}") for c in element]
    unknown = [c for c in children if c not in names]
    errors += [f"{here}: {c} is not a child the schema allows" for c in unknown]
    known = [names.index(c) for c in children if c in names]
    if known != sorted(known):
        errors.append(f"{here}: children {children} are not in the schema's order")
    errors += [f"{here}: no {o[:-1]}" for o in order if o.endswith("!") and o[:-1] not in children]
    for child in element:
        errors += _schema_errors(child, here)
    return errors


@pytest.mark.parametrize("path", [COMPANY, INDUSTRY, ENGLISH], ids=lambda p: p.stem)
def test_each_element_is_as_the_schema_requires(renderer: Renderer, path: Path) -> None:
    assert _schema_errors(_parse(_rixml(renderer, path))) == []


def test_the_structural_check_finds_what_the_schema_rejects() -> None:
    """The check above is itself checked: each mistake the schema rejects is reported."""
    bad = ET.fromstring(
        f'<Research xmlns="{NAMESPACE}" researchID="x" createDateTime="2026-04-15" '
        'language="zh"><Product productID="p"><Source/><Content><Resource resourceID="r" '
        'primaryIndicator="Yes"><MIMEType>application/pdf</MIMEType><Length lengthUnit="Pages">'
        '1</Length></Resource></Content><Context external="Yes"><ProductDetails '
        'publicationDateTime="2026-04-15T00:00:00Z"><ProductCategory productCategory="Report"/>'
        '<ProductFocus focus="Company"/></ProductDetails></Context></Product></Research>'
    )
    errors = "\n".join(_schema_errors(bad))
    for expected in (
        "@createDateTime: '2026-04-15' is not a Zulu xs:dateTime",
        "@language: 'zh' is not ISO 639-2",
        "/Product: no StatusInfo",
        "/Source: no Organization",
        "/Resource: children ['MIMEType', 'Length'] are not in the schema's order",
        "/ProductFocus: no @primaryIndicator",
        "/ProductFocus/@focus: 'Company' is not in the schema's enumeration",
    ):
        assert expected in errors
