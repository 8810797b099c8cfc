"""Rules for a note's data: its fields, analysts, rating, risk level and words."""

from schemas.rules.core import Rule, Text
from schemas.rules.sections import NOTE

SAC = Rule(
    "schema.sac",
    "{value} is not a SAC certificate number{why}",
    NOTE,
    "a SAC certificate number is not `S` followed by 13 digits with a real month",
)
SAC_FORM = Text(" (S followed by 13 digits)")


def sac_month(month: str) -> Text:
    return Text(": its registration month (digits 9–10) is {month}", month=month)


EMAIL = Rule(
    "schema.email", "{value} is not an e-mail address", NOTE, "an e-mail address is not one"
)
LOCALE = Rule(
    "schema.locale",
    "{value} is not one of the house's locales ({known})",
    NOTE,
    "the note's locale is not one of the house's",
)
