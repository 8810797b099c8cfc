"""The RIXML sidecar: a note's metadata as RIXML 2.5 (Level One), for research aggregators."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from render.context.resolve import resolve
from schemas.house import Action, House, localize
from schemas.note import NoteBase

#: RIXML 2.5's namespace, and the schema file aggregators validate against (its name as the
#: RIXML organisation publishes it; render never fetches it).
NAMESPACE = "http://www.rixml.org/2017/9/RIXML"
SCHEMA_LOCATION = f"{NAMESPACE} RIXML-2_5.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

#: Where every ID render derives lives: UUIDv5 names under this one, so a firm's IDs never
#: collide with another generator's and the same note always gets the same IDs.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:research-notes:rixml")

#: The RIXML rating action for each derived action (首次, 维持, 上调, 下调).
RATING_ACTIONS: dict[Action, str] = {
    Action.INITIATE: "Initiate",
    Action.MAINTAIN: "Reiterate",
    Action.UPGRADE: "Upgrade",
    Action.DOWNGRADE: "Downgrade",
}

#: RIXML writes languages as ISO 639-2/T codes (the terminology ones: ``zho``, not the
#: bibliographic ``chi``); a locale's language part maps to one here.
LANGUAGES = {"zh": "zho", "en": "eng", "ja": "jpn", "ko": "kor", "fr": "fra", "de": "deu"}

#: The telephone country code of a number written without one: the houses are Chinese
#: securities firms (their analysts hold SAC certificates). RIXML requires the element.
COUNTRY_CODE = "86"
_DIALLED = re.compile(r"^\+(\d{1,3})[\s-]*(.+)$")

#: Chinese surnames of two characters; any other Chinese name's surname is its first character.
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "令狐",
        "夏侯",
        "轩辕",
        "端木",
        "西门",
        "南宫",
        "独孤",
        "百里",
        "呼延",
        "澹台",
        "万俟",
        "闻人",
        "申屠",
        "太史",
        "钟离",
        "司空",
        "第五",
    ]
)

MIME_TYPES = {".pdf": "application/pdf", ".html": "text/html"}


def research_id(house_code: str, date: dt.date, key: str) -> uuid.UUID:
    """A note's stable ID: its firm, date and file name (which names its outputs) — not the
    folder it was built from, so a build elsewhere gives the same ID.

    >>> research_id("9901", dt.date(2026, 4, 15), "x").version
    5
    """
    return uuid.uuid5(ID_NAMESPACE, f"{house_code}/{date.isoformat()}/{key}")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _language(locale: str) -> str:
    part = locale.split("_")[0]
    return LANGUAGES.get(part, part)


def split_name(name: str) -> tuple[str, str | None]:
    """A person's family and given names, which RIXML's Person requires (the family name).

    >>> split_name("周若溪"), split_name("欧阳明"), split_name("Anna Berg"), split_name("Li")
    (('周', '若溪'), ('欧阳', '明'), ('Berg', 'Anna'), ('Li', None))
    """
    name = name.strip()
    if name and unicodedata.east_asian_width(name[0]) == "W" and " " not in name:
        # A Chinese name is written surname first, with no space.
        surname = name[:2] if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else name[:1]
        return surname, name[len(surname) :] or None
    given, _, family = name.rpartition(" ")
    return family, given or None


def _phone(contact: ET.Element, number: str) -> None:
    """A business voice number, with its country code (written ``+852 …``, else China's)."""
    dialled = _DIALLED.match(number.strip())
    code, rest = dialled.groups() if dialled else (COUNTRY_CODE, number)
    phone = _add(contact, "Phone", type="Voice")
    _add(phone, "CountryCode", code)
    _add(phone, "Number", rest)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def document(
    note: NoteBase,
    house: House,
    key: str,
    resources: Sequence[str],
    pages: int,
    created: dt.datetime | None = None,
) -> bytes:
    """The RIXML of one note whose outputs are ``resources`` (file names in the output
    folder, the PDF first); byte-reproducible: the same note and settings give the same bytes.

    ``created`` is the build's creation time (``SOURCE_DATE_EPOCH``); without it the note's
    date stands in, as it does in the PDF's metadata.
    """
    found = resolve(note, house)
    locale = found.locale

    def text(value: object) -> str:
        return localize(value, locale, house.default_locale)  # type: ignore[arg-type]

    published = dt.datetime.combine(note.date, dt.time(), dt.UTC)
    created = created or published
    language = _language(locale)
    research = research_id(house.code, note.date, key)

    # Names are written unqualified under a default namespace declared here by hand:
    # ElementTree's own default_namespace refuses unqualified attributes, which RIXML's are.
    root = ET.Element(
        "Research",
        {
            "xmlns": NAMESPACE,
            "xmlns:xsi": XSI,
            "xsi:schemaLocation": SCHEMA_LOCATION,
            "researchID": str(research),
            "createDateTime": _stamp(created),
            "language": language,
        },
    )
    product = _add(root, "Product", productID=str(uuid.uuid5(research, "product")))
    _add(
        product,
        "StatusInfo",
        currentStatusIndicator="Yes",
        statusDateTime=_stamp(created),
        statusType="Published",
    )

    source = _add(product, "Source")
    organization = _add(source, "Organization", type="SellSideFirm", primaryIndicator="Yes")
    # The house's firm code (the SAC firm code in its analysts' certificate numbers).
    _add(organization, "OrganizationID", house.code, idType="PublisherDefined")
    _add(organization, "OrganizationName", text(house.name), nameType="Legal")
    _add(organization, "OrganizationName", text(house.short_name), nameType="Display")
    group = _add(organization, "PersonGroup")
    for sequence, analyst in enumerate(note.analysts, start=1):
        # The note's signing analysts come first in its list; an assistant never leads.
        primary = "Yes" if sequence == 1 and analyst.role == "analyst" else "No"
        member = _add(group, "PersonGroupMember", primaryIndicator=primary, sequence=str(sequence))
        # A certificate number names one person for good; a name alone is the fallback.
        who = analyst.sac or analyst.name
        person = _add(
            member, "Person", personID=str(uuid.uuid5(ID_NAMESPACE, f"{house.code}/{who}"))
        )
        family, given = split_name(analyst.name)
        _add(person, "FamilyName", family)
        if given:
            _add(person, "GivenName", given)
        _add(person, "DisplayName", analyst.name)
        # The SAC certificate number is what a Chinese reader checks an analyst by.
        title = "Research Assistant" if analyst.role == "assistant" else "Analyst"
        _add(person, "JobTitle", f"{title} (SAC {analyst.sac})" if analyst.sac else title)
        if analyst.email or analyst.phone:
            contact = _add(person, "ContactInfo", nature="Business")
            if analyst.email:
                _add(contact, "Email", analyst.email)
            if analyst.phone:
                _phone(contact, analyst.phone)

    content = _add(product, "Content")
    _add(content, "Title", note.title)
    for index, name in enumerate(resources):
        suffix = name[name.rfind(".") :]
        resource = _add(
            content,
            "Resource",
            language=language,
            primaryIndicator="Yes" if index == 0 else "No",
            resourceID=str(uuid.uuid5(research, f"resource/{name}")),
        )
        # The schema's order: Length before MIMEType.
        if suffix == ".pdf":
            _add(resource, "Length", str(pages), lengthUnit="Pages")
        _add(resource, "MIMEType", MIME_TYPES.get(suffix, "application/octet-stream"))
        _add(resource, "Name", name)

    context = _add(product, "Context", external="Yes")
    rating = _rating(found.rating, found.action, locale, house, published)
    subject = note.subject
    if subject.kind == "company":
        issuers = _add(context, "IssuerDetails")
        issuer = _add(issuers, "Issuer", issuerType="Corporate", primaryIndicator="Yes")
        # The schema's order: the securities before the issuer's names.
        securities = _add(issuer, "SecurityDetails")
        security = _add(securities, "Security", primaryIndicator="Yes")
        if subject.ticker:
            _add(security, "SecurityID", idType="ExchangeTicker", idValue=subject.ticker)
        _add(security, "AssetClass", assetClass="Equity")
        _add(security, "AssetType", assetType="Stock")
        security.append(rating)
        name = _add(issuer, "IssuerName", nameType="Display")
        _add(name, "NameValue", subject.name)
    details = _add(
        context, "ProductDetails", periodicalIndicator="No", publicationDateTime=_stamp(published)
    )
    _add(details, "ProductCategory", productCategory="Report")
    # RIXML's focus for a company is its issuer; for an industry, its sector.
    focus = "Issuer" if subject.kind == "company" else "SectorIndustry"
    _add(details, "ProductFocus", focus=focus, primaryIndicator="Yes")
    if subject.kind == "industry":
        classifications = _add(context, "ProductClassifications")
        # An industry note rates its sector: the rating goes with the publisher's sector.
        sector = _add(
            classifications,
            "SectorIndustry",
            classificationType="PublisherDefined",
            code=subject.name,
            focusLevel="Yes",
            level="1",
            primaryIndicator="Yes",
        )
        sector.append(rating)  # the schema's order: ratings before the name
        _add(sector, "Name", subject.name)

    ET.indent(root)
    # Attributes keep the order they were set in, and nothing depends on the clock or the
    # machine: the same note gives the same bytes.
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _rating(
    level: object, action: Action | None, locale: str, house: House, published: dt.datetime
) -> ET.Element:
    """The rating as a publisher-defined value (the house's label), with RIXML's action."""
    attributes = {"rating": "PublisherDefined", "ratingDateTime": _stamp(published)}
    if action is not None:
        attributes["ratingAction"] = RATING_ACTIONS[action]
    element = ET.Element("Rating", attributes)
    label = localize(level.label, locale, house.default_locale)  # type: ignore[attr-defined]
    _add(element, "PublisherDefinedValue", label)
    # Who gives the rating: the publisher itself, not an agency.
    _add(element, "RatingEntity", ratingEntity="Publisher")
    return element
