"""Context stage: a validated note and its house, resolved into what the templates print."""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from render import __version__
from render.context.markdown import BodyRenderer
from render.data.results import DATA_VIEWS
from render.html.filters import font_families
from render.load.houses import HouseProfile
from render.pdf.confine import Confinement
from render.registers.history import History
from render.registers.history import context as history_context
from render.settings import Limits
from schemas.house import Action, House, Text, in_locale, localize
from schemas.note import NoteBase as Note

#: Fonts that stand in for any family a house names, so no character is ever left without a glyph.
FALLBACK_FONTS = ("Noto Sans CJK SC", "sans-serif")


@dataclass(frozen=True)
class Resolved:
    """The house entries a note refers to, looked up once for validation and printing alike."""

    locale: str
    market: Any
    rating: Any
    previous: Any
    action: Action | None
    risk: Any


def resolve(note: Note, house: House) -> Resolved:
    """Look up the note's market, ratings and risk level in its (already validated) house.

    The previous rating is the note's, which the check has made the record's (the latest
    earlier approved note on the subject) when there is one.
    """
    scale = house.scale(note.subject.kind)
    rating = scale.find(note.rating.value)
    previous = scale.find(note.rating.previous) if note.rating.previous else None
    return Resolved(
        locale=note.locale or house.default_locale,
        market=house.find_market(note.subject.market),
        rating=rating,
        previous=previous,
        action=scale.derive_action(rating, previous) if rating else None,
        risk=house.find_risk_level(note.risk_level),
    )


def _families(names: list[str]) -> Markup:
    return font_families([*names, *(f for f in FALLBACK_FONTS if f not in names)])


def build_context(
    note: Note,
    profile: HouseProfile,
    note_folder: Path,
    translations: gettext.NullTranslations,
    created: dt.datetime | None = None,
    limits: Limits | None = None,
    history: History | None = None,
) -> dict[str, Any]:
    """Everything a template may print, each text already in the note's locale."""
    house = profile.house
    found = resolve(note, house)
    locale = found.locale
    _ = translations.gettext

    def text(value: Text) -> str:
        return localize(value, locale, house.default_locale)

    latin = locale.split("_")[0] != "zh"
    fonts = house.fonts
    sans = _families((fonts.latin_sans if latin else []) + fonts.sans)
    confinement = Confinement(note_folder, profile.folder)
    # The body's charts are drawn in the house's sans-serif fonts, their labels in the locale's.
    body = BodyRenderer(
        confinement,
        note_folder,
        limits,
        lang=locale.replace("_", "-"),
        locale=locale,
        gettext=_,
        fonts=str(sans),
    )
    localized = in_locale(house, locale, house.default_locale)
    localized["logo"] = confinement.data_uri(house.logo, profile.folder) if house.logo else None
    declared = note.report_type
    # Each section's title: the house's if it gives one, else the report type's.
    titles = {s.key: text(house.sections.get(s.key, s.title)) for s in declared.sections}
    localized["sections"] = {**localized["sections"], **titles}

    rating_label = text(found.rating.label)
    action_labels = {
        Action.INITIATE: _("Initiated"),
        Action.MAINTAIN: _("Maintained"),
        Action.UPGRADE: _("Upgraded"),
        Action.DOWNGRADE: _("Downgraded"),
    }
    rating_text = (
        _("%(rating)s (%(action)s)")
        % {"rating": rating_label, "action": action_labels[found.action]}
        if found.action
        else rating_label
    )
    kind = note.subject.kind
    names = house.report_types.get(note.template) or declared.name
    report_type = text(getattr(names, kind)) if names else note.template
    risk_name = text(found.risk.name)
    orders = {level.code: level.order for level in house.risk_levels}
    names = {level.code: text(level.name) for level in house.risk_levels}
    created = created or dt.datetime.combine(note.date, dt.time(), dt.UTC)
    sections: dict[str, Any] = {}
    for section in declared.sections:
        value = getattr(note, section.key)
        if value is not None and section.model:
            # A data model's figures are computed and formatted here, in the note's locale.
            sections[section.key] = DATA_VIEWS[section.model](value, locale)
        elif value is None or section.kind == "data":
            sections[section.key] = value  # drawn by the template from the data itself
        elif section.kind == "points":
            sections[section.key] = [
                body.point(p.lead, p.body, (section.key, i)) for i, p in enumerate(value)
            ]
        else:
            sections[section.key] = body.block(value, (section.key,))

    return {
        "note": note,
        "locale": locale,
        "lang": locale.replace("_", "-"),
        "generator": f"research-notes {__version__}",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "house": localized,
        # TRANSLATORS: subject and report type in one line; Chinese runs them together (电子行业事件点评).
        "report_type": _("%(subject)s — %(report_type)s")
        % {"subject": note.subject.name, "report_type": report_type},
        "rating": {
            "label": rating_label,
            "text": rating_text,
            "action": found.action.value if found.action else None,
            "caption": (_("Company rating") if kind == "company" else _("Industry rating")),
            "definition": text(found.rating.definition),
        },
        "market": {"name": text(found.market.name), "benchmark": text(found.market.benchmark)},
        "risk": {
            "code": found.risk.code,
            "name": risk_name,
            "sentence": text(house.texts.risk_level_sentence).replace("{level}", risk_name),
        },
        "scales": [
            {
                "title": text(scale.title),
                "levels": [
                    {"label": text(level.label), "definition": text(level.definition)}
                    for level in scale.levels
                ],
            }
            for scale in (house.ratings.company, house.ratings.industry)
        ],
        "markets": [{"name": text(m.name), "benchmark": text(m.benchmark)} for m in house.markets],
        "risk_levels": [
            {"code": r.code, "name": text(r.name), "covers": text(r.covers), "order": r.order}
            for r in house.risk_levels
        ],
        "investor_types": [
            {
                "name": text(i.name),
                "max_order": orders[i.max_risk_level],
                "max_name": names[i.max_risk_level],
            }
            for i in house.investor_types
        ],
        "body": sections,
        # The sections in order, for a template that draws them all alike.
        "sections": [
            {"key": s.key, "kind": s.kind, "title": titles[s.key], "content": sections[s.key]}
            for s in declared.sections
        ],
        "fonts": {
            "serif": _families((fonts.latin_serif if latin else []) + fonts.serif),
            "sans": sans,
        },
        # Related reports and the rating history, from the earlier approved notes.
        **history_context(
            history,
            kind,
            house,
            locale,
            found.rating,
            getattr(note, "target_price", None),
            note.date,
        ),
    }
