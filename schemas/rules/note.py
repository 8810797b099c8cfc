"""Rules for a note's data: its fields, analysts, rating, risk level and words."""

from schemas.problems import Severity
from schemas.rules.core import Rule, Text
from schemas.rules.sections import NOTE

UNKNOWN_KEY = Rule(
    "schema.unknown_key",
    "unknown key{hint}",
    NOTE,
    "a key the note (or house) does not have; suggests the closest known key",
)


def did_you_mean(key: str) -> Text:
    return Text("; did you mean '{key}'?", key=key)


def known_keys(listed: str) -> Text:
    return Text(" (known keys: {listed})", listed=listed)


# The rules pydantic's own errors become: the sentence, a phrase of its own, says what is wrong.
MISSING = Rule(
    "schema.missing",
    "{what}",
    NOTE,
    "a required key or section is missing (located at the mapping that lacks it; a missing "
    "Markdown section where it belongs)",
)
TYPE = Rule(
    "schema.type",
    "{what}",
    NOTE,
    "a value of the wrong kind (text, number, list, mapping), or not one of the allowed values",
)
EMPTY = Rule(
    "schema.empty",
    "{what}",
    NOTE,
    "a required text or list is empty: the title, the subject's or an analyst's name, a "
    "section, the commentary, a point's lead or body. Text of only invisible characters is "
    "empty too: white space, zero-width spaces and joiners (U+200B–U+200D, U+2060), a "
    "byte-order mark (U+FEFF), soft hyphens, and any other format (Cf), control or separator "
    "character",
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
DATE = Rule("schema.date", "{what}", NOTE, "the date is not a real date written YYYY-MM-DD")
DATE_FUTURE = Rule(
    "schema.date_future",
    "{value} is after today ({today})",
    NOTE,
    "the date is after today (`--today` sets today)",
)
LOCALE = Rule(
    "schema.locale",
    "{value} is not one of the house's locales ({known})",
    NOTE,
    "the note's locale is not one of the house's",
)
SAC = Rule(
    "schema.sac",
    "{value} is not a SAC certificate number{why}",
    NOTE,
    "a SAC certificate number is not `S` followed by 13 digits with a real month",
)
SAC_FORM = Text(" (S followed by 13 digits)")


def sac_month(month: str) -> Text:
    return Text(": its registration month (digits 9–10) is {month}", month=month)


SAC_FIRM = Rule(
    "schema.sac_firm",
    "{value} carries firm code {firm} (digits 2–5), not the house's {code}",
    NOTE,
    "its firm code (digits 2–5) is not the house's `code`",
    severity=Severity.WARNING,
)
SAC_DATE = Rule(
    "schema.sac_date",
    "{value} was registered in {registered:%Y-%m}, after the note's date {date}",
    NOTE,
    "its registration year and month (digits 7–10) are after the note's date",
    severity=Severity.WARNING,
)
SAC_MISSING = Rule(
    "schema.sac_missing",
    "analyst {name} has no SAC number (list a research assistant with role: assistant)",
    NOTE,
    "an analyst (`role: analyst`, the default) has no SAC number",
)
SIGNER = Rule(
    "schema.signer",
    "no registered analyst signs this note: at least one analyst with a SAC number is "
    "required (research assistants cannot sign alone)",
    NOTE,
    "no registered analyst with a SAC number signs; research assistants cannot sign alone",
)
CONTACT = Rule(
    "schema.contact",
    "analyst {name} needs a {key} (the house requires it)",
    NOTE,
    "a signing analyst lacks the phone or e-mail the house requires",
)
#: The contacts a house may require, by their key.
CONTACTS = {"phone": Text("phone"), "email": Text("email")}

EMAIL = Rule(
    "schema.email", "{value} is not an e-mail address", NOTE, "an e-mail address is not one"
)
RATING = Rule(
    "schema.rating",
    "{value} is not on the house's {kind} rating scale ({labels}){hint}",
    NOTE,
    "the rating (or the previous rating) is not on the house's scale for the subject's kind: "
    "company scale for companies, industry scale for industries",
)
#: A subject's kind, in words.
KINDS = {"company": Text("company"), "industry": Text("industry")}


def on_other_scale(value: object, other: Text) -> Text:
    return Text("; {value} is on the {other} scale", value=value, other=other)


ACTION = Rule(
    "schema.action",
    "{value} is not a rating action (首次/维持/上调/下调 or initiate/maintain/upgrade/downgrade)",
    NOTE,
    "a written action is not 首次/维持/上调/下调 (or initiate/maintain/upgrade/downgrade)",
)
ACTION_MISMATCH = Rule(
    "schema.action_mismatch",
    "action {value} contradicts the ratings: from {previous} to {rating} is {should} "
    "(leave action out: it is derived)",
    NOTE,
    "a written action contradicts the one derived from the ratings' ranks: 首次 without a "
    "previous rating (or after an unranked one), 维持 same rank, 上调 higher, 下调 lower, none "
    "for an unranked (not-rated) level",
)
NO_PREVIOUS = Text("none")
NO_ACTION = Text("no action, as it is unrated")


def should_be(action: str, chinese: str) -> Text:
    """The derived action, as the English and the Chinese spell it."""
    return Text("'{action}' ({chinese})", action=action, chinese=chinese)


RISK_LEVEL = Rule(
    "schema.risk_level",
    "{value} is not a risk level of the house (known: {known})",
    NOTE,
    "the risk level is not one the house defines (by code, R3, or name, 中风险)",
)
RISK_FLOOR = Rule(
    "schema.risk_floor",
    "notes on {market} must be at least {floor} (this note: {given})",
    NOTE,
    "the risk level is below the minimum the house sets for the subject's market or board",
)
MARKET = Rule(
    "schema.market",
    "{value} is not a market of the house (known: {known})",
    NOTE,
    "the subject's market is not one the house defines (it picks the benchmark)",
)
SOURCE = Rule(
    "schema.source",
    "this {what} does not name its source: follow it with a line starting '资料来源：' or "
    "'Source:'",
    NOTE,
    "a table or figure is not followed by a line naming its source (`资料来源：…` or `Source: …`)",
)
#: The exhibits that name their sources, in words.
EXHIBITS = {"table": Text("table"), "figure": Text("figure")}

NESTING = Rule(
    "schema.nesting",
    "lists or quotes are nested too deeply here: the Markdown reader would drop the text from "
    "here on; nest them less deeply",
    NOTE,
    "lists or block quotes nested so deeply that the Markdown reader would drop the text from "
    "there on (a list ten levels deep, a long run of `>`); located where the dropped text starts",
)
PROMISE = Rule(
    "schema.promise",
    "{value} is a promissory phrase the house forbids",
    NOTE,
    "a promissory phrase the house forbids (`forbidden_phrases`), at its position",
    severity=Severity.WARNING,
)
