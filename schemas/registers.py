"""The firm's registers kept in a house folder: the analyst roster and the disclosures register."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from schemas.house import StrictModel
from schemas.house import Text as Localized
from schemas.note import EMAIL_PATTERN, SAC_PATTERN
from schemas.rules import Quoted, Text
from schemas.rules import house as house_rules
from schemas.rules import note as rules

#: A person's id in the roster: lower-case words joined by hyphens (``lin-zhiyuan``).
PERSON_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Person(StrictModel):
    """One member of the research department, as compliance registered them."""

    id: str = Field(pattern=PERSON_ID, description="How notes name the person: lin-zhiyuan.")
    name: Localized = Field(description="The name as printed, once or per locale.")
    role: Literal["analyst", "assistant", "reviewer"]
    sac: str | None = Field(None, description="SAC 执业证书编号: S followed by 13 digits.")
    registered: dt.date | None = Field(
        None, description="The date the SAC registration took effect (analysts)."
    )
    phone: str | None = None
    email: str | None = None
    left: dt.date | None = Field(None, description="The date the person left the firm.")

    @field_validator("sac")
    @classmethod
    def _sac(cls, value: str | None) -> str | None:
        if value is not None and not SAC_PATTERN.match(value):
            raise rules.SAC.error(value=Quoted(value), why=rules.SAC_FORM)
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_PATTERN.match(value):
            raise rules.EMAIL.error(value=Quoted(value))
        return value

    @model_validator(mode="after")
    def _analyst_registered(self) -> Person:
        if self.role == "analyst" and (self.sac is None or self.registered is None):
            raise rules.MISSING.error(
                what=Text(
                    "{id} is an analyst: give the sac number and the registered date", id=self.id
                )
            )
        return self


class Roster(StrictModel):
    """``analysts.yaml``: everyone who may sign or approve a note."""

    analysts: list[Person] = Field(min_length=1)

    @field_validator("analysts")
    @classmethod
    def _unique(cls, value: list[Person]) -> list[Person]:
        seen: set[str] = set()
        for person in value:
            if person.id in seen:
                first = next(i for i, p in enumerate(value) if p.id == person.id)
                raise house_rules.DUPLICATE.error(
                    value=Quoted(person.id), first=f"analysts[{first}]"
                )
            seen.add(person.id)
        return value

    def find(self, person_id: str) -> Person | None:
        return next((p for p in self.analysts if p.id == person_id), None)


class Holding(StrictModel):
    """A position of 1 % or more the firm (one of its business lines) holds in a listed company."""

    ticker: str
    percentage: float = Field(gt=0, le=100, description="Of the company's shares, e.g. 1.2.")
    business_line: Localized = Field(description="Who holds it: 自营业务 / proprietary trading…")
    amount: Localized = Field(description="The amount held, as printed: 1,250 万股 / 12.5m shares.")
    as_of: dt.date
    lock_up: dt.date | None = Field(None, description="The end of its lock-up, if any.")


class Period(StrictModel):
    """From one date to another (inclusive); an open end runs on."""

    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(None, alias="to")

    def covers(self, day: dt.date, after_days: int = 0) -> bool:
        return self.start <= day and (
            self.end is None or day <= self.end + dt.timedelta(after_days)
        )


class Banking(StrictModel):
    """An investment-banking role for the company: sponsor, lead underwriter, adviser."""

    ticker: str
    role: Literal["sponsor", "lead_underwriter", "co_underwriter", "financial_adviser"]
    period: Period


class QuietPeriod(StrictModel):
    """Days around an offering the firm works on, when no note on the company may be published."""

    ticker: str
    reason: Localized
    start: dt.date
    end: dt.date


class Restricted(StrictModel):
    """The company is on the firm's restricted list for a time."""

    ticker: str
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(None, alias="to")
    reason: Localized | None = None


class DisclosureTexts(StrictModel):
    """How the register's entries read in a note, per locale.

    Placeholders: ``{company}``, ``{ticker}``, ``{percentage}``, ``{business_line}``,
    ``{amount}``, ``{as_of}``, ``{lock_up}`` (holdings); ``{role}``, ``{start}``, ``{end}``
    (banking).
    """

    heading: Localized
    none: Localized = Field(description="The sentence printed when no entry applies.")
    holding: Localized
    lock_up: Localized = Field(description="Appended to a holding that has one: {lock_up}.")
    banking: Localized
    roles: dict[str, Localized] = Field(description="Each banking role's words, by role.")


class Disclosures(StrictModel):
    """``disclosures.yaml``: the firm's relationships with the companies it writes on."""

    texts: DisclosureTexts
    holdings: list[Holding] = Field(default_factory=list)
    banking: list[Banking] = Field(default_factory=list)
    quiet_periods: list[QuietPeriod] = Field(default_factory=list)
    restricted: list[Restricted] = Field(default_factory=list)

    @field_validator("texts")
    @classmethod
    def _placeholders(cls, value: DisclosureTexts) -> DisclosureTexts:
        known = {"company", "ticker", "percentage", "business_line", "amount", "as_of"}
        known |= {"lock_up", "role", "start", "end"}
        for name in ("holding", "lock_up", "banking"):
            text = getattr(value, name)
            for version in [text] if isinstance(text, str) else text.values():
                for placeholder in re.findall(r"\{([^{}]*)\}", version):
                    if placeholder not in known:
                        listed = ", ".join(sorted(known))
                        raise rules.TYPE.error(
                            what=Text(
                                "{name}: {placeholder} is not a placeholder (known: {listed})",
                                name=name,
                                placeholder="{" + placeholder + "}",
                                listed=listed,
                            )
                        )
        return value


__all__ = [
    "Banking",
    "DisclosureTexts",
    "Disclosures",
    "Holding",
    "Person",
    "QuietPeriod",
    "Restricted",
    "Roster",
]
