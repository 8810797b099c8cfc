"""The house profile: everything firm-specific (scales, risk levels, texts), as data."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from schemas.problems import Loc, ProblemLog, format_loc, log_for, settle
from schemas.rules import Quoted
from schemas.rules import house as rules

#: A text given once for every locale, or per locale: ``{zh_CN: 超配, en_US: Overweight}``.
Text = str | dict[str, str]

LOCALE_PATTERN = r"^[a-z]{2}_[A-Z]{2}$"
Locale = Annotated[str, Field(pattern=LOCALE_PATTERN, examples=["zh_CN", "en_US"])]


def localize(text: Text, locale: str, fallback: str | None = None) -> str:
    """Pick a text's version for a locale (a plain string serves every locale).

    >>> localize({"zh_CN": "超配", "en_US": "Overweight"}, "en_US")
    'Overweight'
    >>> localize("Research", "zh_CN")
    'Research'
    """
    if isinstance(text, str):
        return text
    if locale in text:
        return text[locale]
    if fallback and fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


def spellings(text: Text) -> set[str]:
    """Every way a text may be written in a note: each locale's version, case-folded."""
    values = [text] if isinstance(text, str) else list(text.values())
    return {value.strip().casefold() for value in values}


#: The PDF a house publishes: an archival PDF/A (tagged, PDF/A-3 with the note's files attached),
#: a tagged PDF/UA-1 file, or ``none``, a plain untagged PDF (see docs/archival.md).
PdfVariant = Literal["none", "pdf/a-2b", "pdf/a-2u", "pdf/a-3b", "pdf/a-3u", "pdf/a-3a", "pdf/ua-1"]


class StrictModel(BaseModel):
    """A model that refuses unknown keys, so that a misspelt key is reported, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Action(StrEnum):
    """What a rating did since the previous note, derived from the scale's ranks."""

    INITIATE = "initiate"
    MAINTAIN = "maintain"
    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"


class RatingLevel(StrictModel):
    """One level of a rating scale, with the performance band that defines it."""

    code: str = Field(description="Stable identifier, e.g. 'buy' or 'overweight'.")
    label: Text
    definition: Text
    rank: int | None = Field(
        description="Higher is more positive; null for a level outside the scale (not rated)."
    )
    min_excess_return: float | None = Field(
        None, description="Lower bound of performance against the benchmark, e.g. 0.15 for 15%."
    )
    max_excess_return: float | None = None
    horizon_months: int = Field(6, ge=1, le=60)
    requires_target_price: bool = Field(
        False,
        description="A company note with this rating must give a target price (and a price, "
        "for its upside): data.target_price.",
    )


class RatingScale(StrictModel):
    """A company or industry rating scale."""

    title: Text
    levels: list[RatingLevel] = Field(min_length=1)

    def find(self, written: str) -> RatingLevel | None:
        """The level written as its code or as its label in any locale."""
        key = written.strip().casefold()
        for level in self.levels:
            if key == level.code.casefold() or key in spellings(level.label):
                return level
        return None

    def derive_action(self, value: RatingLevel, previous: RatingLevel | None) -> Action | None:
        """The action a rating change prints with: none for an unranked (not-rated) level.

        A first rating, or one after an unranked level, is an initiation.
        """
        if value.rank is None:
            return None
        if previous is None or previous.rank is None:
            return Action.INITIATE
        if value.rank > previous.rank:
            return Action.UPGRADE
        if value.rank < previous.rank:
            return Action.DOWNGRADE
        return Action.MAINTAIN


class Ratings(StrictModel):
    company: RatingScale
    industry: RatingScale


class RiskLevel(StrictModel):
    """A report risk level (R1 lowest to R5 highest) and the reports it covers."""

    code: str = Field(pattern=r"^R[1-9]$")
    name: Text
    covers: Text

    @property
    def order(self) -> int:
        return int(self.code[1:])


class InvestorType(StrictModel):
    """A kind of investor and the highest report risk level it may receive."""

    code: str
    name: Text
    max_risk_level: str = Field(pattern=r"^R[1-9]$")


class Market(StrictModel):
    """A market or board a subject trades on: it picks the benchmark index and a risk floor."""

    code: str
    name: Text
    benchmark: Text
    min_risk_level: str | None = Field(None, pattern=r"^R[1-9]$")


#: Characters no font family's name has, and which mean something in CSS or HTML around it.
FONT_NAME_FORBIDDEN = frozenset('"\\;{}<>')


class Fonts(StrictModel):
    """Font families, first choice first; CJK families also draw Chinese names in English notes."""

    serif: list[str] = ["Noto Serif CJK SC"]
    sans: list[str] = ["Noto Sans CJK SC"]
    latin_serif: list[str] = ["Noto Serif"]
    latin_sans: list[str] = ["Noto Sans"]


class ReportType(StrictModel):
    """What a template's report is called, for an industry and for a company subject."""

    industry: Text
    company: Text


class Requirements(StrictModel):
    """What the house requires of every signing analyst."""

    analyst_phone: bool = True
    analyst_email: bool = True


class Texts(StrictModel):
    """The house's compliance wording."""

    rating_system_title: Text
    risk_level_sentence: Text = Field(
        description="The sentence stating a report's risk level; '{level}' is replaced."
    )
    risk_table_title: Text
    footer: list[Text] = Field(min_length=1, description="Lines printed at the foot of every page.")
    certification_title: Text
    certification: list[Text] = Field(min_length=1)
    disclaimer_title: Text
    disclaimer: list[Text] = Field(min_length=1)


class Contact(StrictModel):
    """The research department's contact block."""

    department: Text
    address: Text
    postcode: str
    phone: str
    website: str


class House(StrictModel):
    """A firm's house profile, read from ``house.yaml`` in a house folder."""

    json_schema: str | None = Field(
        None, alias="$schema", description="The JSON Schema of the file, for editors; ignored."
    )
    code: str = Field(
        pattern=r"^\d{4}$", description="The firm's code in SAC certificate numbers (4 digits)."
    )
    name: Text
    short_name: Text
    locales: list[Locale] = Field(min_length=1)
    default_locale: Locale
    logo: str | None = Field(None, description="An image file inside the house folder.")
    fonts: Fonts = Fonts()
    contact: Contact
    sections: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], Text] = Field(
        {},
        description="Body section titles, by section key (event, commentary, …), as they print "
        "and as a note's headings may name them; a section not given keeps its report type's.",
    )
    report_types: dict[str, ReportType] = Field(
        description="Per template name, what its report is called."
    )
    ratings: Ratings
    markets: list[Market] = Field(min_length=1)
    risk_levels: list[RiskLevel] = Field(min_length=1)
    investor_types: list[InvestorType] = Field(min_length=1)
    requirements: Requirements = Requirements()
    forbidden_phrases: list[Annotated[str, Field(min_length=1)]] = Field(
        [], description="Promissory phrases that draw a warning wherever a note uses them."
    )
    texts: Texts
    price_age_days: int | None = Field(
        14,
        ge=0,
        le=366,
        description="How many days before the note's date its price (`price.date`) may be; "
        "older is data.price_age. Null: no limit.",
    )
    related_reports: int = Field(
        3,
        ge=0,
        le=20,
        description="How many earlier notes on the same subject a note lists as related reports "
        "on its first page (newest first; 0 lists none).",
    )
    pdf_variant: PdfVariant = Field(
        "pdf/a-3u",
        description="The PDF written: pdf/a-3u (archival, tagged, the note's files attached), "
        "another PDF/A variant, pdf/ua-1, or none (plain, untagged); --pdf-variant overrides it.",
    )

    def scale(self, kind: str) -> RatingScale:
        return self.ratings.company if kind == "company" else self.ratings.industry

    def find_market(self, written: str) -> Market | None:
        key = written.strip().casefold()
        for market in self.markets:
            if key == market.code.casefold() or key in spellings(market.name):
                return market
        return None

    def find_risk_level(self, written: str) -> RiskLevel | None:
        key = written.strip().casefold()
        for level in self.risk_levels:
            if key == level.code.casefold() or key in spellings(level.name):
                return level
        return None

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> House:
        log = log_for(info.context)
        if self.default_locale not in self.locales:
            log.add(
                rules.LOCALE(
                    ("default_locale",),
                    value=Quoted(self.default_locale),
                    known=", ".join(self.locales),
                )
            )
        self._check_risk_references(log)
        self._check_duplicates(log)
        self._check_translations(log)
        self._check_fonts(log)
        settle(info.context, log)
        return self

    def _check_risk_references(self, log: ProblemLog) -> None:
        codes = {level.code for level in self.risk_levels}
        known = ", ".join(level.code for level in self.risk_levels)
        references: list[tuple[Loc, str | None]] = [
            (("markets", i, "min_risk_level"), market.min_risk_level)
            for i, market in enumerate(self.markets)
        ]
        references += [
            (("investor_types", i, "max_risk_level"), investor.max_risk_level)
            for i, investor in enumerate(self.investor_types)
        ]
        for loc, code in references:
            if code is not None and code not in codes:
                log.add(rules.RISK_LEVEL(loc, value=Quoted(code), known=known))

    def _check_duplicates(self, log: ProblemLog) -> None:
        """Codes and labels a note may write must each name one entry only."""
        groups: list[tuple[Loc, str, list[tuple[str, Text]]]] = [
            (
                ("ratings", kind, "levels"),
                "label",
                [(level.code, level.label) for level in self.scale(kind).levels],
            )
            for kind in ("company", "industry")
        ]
        groups += [
            (("markets",), "name", [(m.code, m.name) for m in self.markets]),
            (("risk_levels",), "name", [(r.code, r.name) for r in self.risk_levels]),
            (("investor_types",), "name", [(t.code, t.name) for t in self.investor_types]),
        ]
        for loc, label_field, entries in groups:
            seen: dict[str, int] = {}
            for i, (code, label) in enumerate(entries):
                for key, names in (
                    ("code", {code.strip().casefold()}),
                    (label_field, spellings(label)),
                ):
                    clash = next((n for n in sorted(names) if seen.get(n, i) != i), None)
                    if clash is not None:
                        first = format_loc((*loc, seen[clash]))
                        log.add(rules.DUPLICATE((*loc, i, key), value=Quoted(clash), first=first))
                    for name in names:
                        seen.setdefault(name, i)

    def _check_fonts(self, log: ProblemLog) -> None:
        """Font names go into the stylesheet: one that could end its string or rule is refused."""
        for kind in type(self.fonts).model_fields:
            for i, name in enumerate(getattr(self.fonts, kind)):
                bad = sorted({c for c in name if c in FONT_NAME_FORBIDDEN or not c.isprintable()})
                if not bad and name:
                    continue
                shown = " ".join(repr(c) for c in bad)
                why = rules.font_characters(shown) if bad else rules.FONT_EMPTY
                log.add(rules.FONT(("fonts", kind, i), value=Quoted(name), why=why))

    def _check_translations(self, log: ProblemLog) -> None:
        """Every per-locale text has a version for each of the house's locales, and no others."""
        for loc, text in localized_texts(self):
            missing = [locale for locale in self.locales if locale not in text]
            extra = [key for key in text if key not in self.locales]
            if missing:
                log.add(rules.TRANSLATION(loc, locales=", ".join(missing)))
            for key in extra:
                log.add(rules.LOCALE((*loc, key), value=Quoted(key), known=", ".join(self.locales)))


def localized_texts(value: Any, loc: Loc = ()) -> list[tuple[Loc, dict[str, str]]]:
    """Every per-locale text in a house (or part of one), with its location.

    The walk goes over the model objects, not a dump of them: a sub-model whose fields are all
    plain text (a contact block written in one language) is a model, never mistaken for a
    per-locale text; a mapping of text to text inside a house is always a :data:`Text`.
    """
    if isinstance(value, BaseModel):
        return [
            item
            for name in type(value).model_fields
            for item in localized_texts(getattr(value, name), (*loc, name))
        ]
    if _is_text(value):
        return [(loc, value)]
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in localized_texts(sub, (*loc, key))]
    if isinstance(value, list):
        return [item for i, sub in enumerate(value) for item in localized_texts(sub, (*loc, i))]
    return []


def in_locale(value: Any, locale: str, fallback: str | None = None) -> Any:
    """A house (or part of one) as plain data, every per-locale text picked for one locale.

    >>> in_locale({"a": {"zh_CN": "超配", "en_US": "Overweight"}, "b": [1]}, "en_US")
    {'a': 'Overweight', 'b': [1]}
    """
    if isinstance(value, BaseModel):
        return {
            name: in_locale(getattr(value, name), locale, fallback)
            for name in type(value).model_fields
        }
    if _is_text(value):
        return localize(value, locale, fallback)
    if isinstance(value, dict):
        return {key: in_locale(sub, locale, fallback) for key, sub in value.items()}
    if isinstance(value, list):
        return [in_locale(sub, locale, fallback) for sub in value]
    return value


def _is_text(value: Any) -> bool:
    """A mapping of text to text met while walking a house's models: a per-locale :data:`Text`."""
    return (
        isinstance(value, dict) and bool(value) and all(isinstance(v, str) for v in value.values())
    )
