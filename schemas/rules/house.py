"""Rules for a house's own files: house.yaml and its report types."""

from schemas.rules.core import Rule, Text
from schemas.rules.sections import HOUSE

LOCALE = Rule(
    "house.locale",
    "{value} is not one of the house's locales ({known})",
    HOUSE,
    "`default_locale` is not among `locales`, or a text has a version for a locale the house "
    "does not list",
)
TRANSLATION = Rule(
    "house.translation",
    "text has no version for locale {locales}",
    HOUSE,
    "a text has no version for one of the house's locales",
)
RISK_LEVEL = Rule(
    "house.risk_level",
    "{value} is not a risk level defined in risk_levels ({known})",
    HOUSE,
    "a market's `min_risk_level` or an investor type's `max_risk_level` names no defined risk "
    "level",
)
FONT = Rule(
    "house.font",
    "{value} is not a font family name: {why}",
    HOUSE,
    "a font family name in `fonts` is empty or has a character no font name has "
    '(`" \\ ; { } < >` or a control character), which could break out of the stylesheet',
)
FONT_EMPTY = Text("it is empty")


def font_characters(shown: str) -> Text:
    return Text(
        "it has {characters} (a name has letters, digits, spaces, hyphens)", characters=shown
    )


DUPLICATE = Rule(
    "house.duplicate",
    "{value} already names {first}: a code or label must name one entry only",
    HOUSE,
    "two rating levels, markets, risk levels or investor types share a code or label, so a note "
    "could not say which it means",
)
REPORT_TYPE = Rule(
    "schema.report_type",
    "{what}",
    HOUSE,
    "a report type declaration (a house's `report_types/<name>.yaml`, see "
    "[report-types.md](report-types.md)) gives two sections or fields the same key, or one a key "
    "every note has already (`title`, `date`, `analysts`…); located in that file. `schema.*` "
    "problems apply to declarations too",
)


def reserved_key(key: object, reserved: str) -> Text:
    return Text("{key} is a key every note has already ({reserved})", key=key, reserved=reserved)


def key_twice(key: object) -> Text:
    return Text("{key} is given twice (each section and field needs a key of its own)", key=key)
