"""Rules for a note's data: its fields, analysts, rating, risk level and words."""

from schemas.problems import Severity
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

# r-load: copied verbatim from r-schemas' work in progress (positions.py and source.py make
# these problems); at the merge, keep r-schemas' declarations and drop these.
MISSING = Rule(
    "schema.missing",
    "{what}",
    NOTE,
    "a required key or section is missing (located at the mapping that lacks it; a missing "
    "Markdown section where it belongs)",
)
CHARACTER = Rule(
    "schema.character",
    "{what}",
    NOTE,
    "an invisible control character, or a lone surrogate from a JSON escape: it cannot be printed",
)


def lone_surrogate(number: str) -> Text:
    return Text(
        "a lone surrogate ({number}, written as an escape) is not a character: delete it",
        number=number,
    )


def control_character(number: str) -> Text:
    return Text(
        "an invisible control character ({number}) cannot be printed: delete it", number=number
    )


BIDI = Rule(
    "schema.bidi",
    "a bidirectional control character ({number}) reorders the text around it as displayed: "
    "delete it unless it is intended",
    NOTE,
    "a bidirectional control character, which reorders the text around it as displayed",
    severity=Severity.WARNING,
)
