"""Rules for what the house's registers say of a note: its analyst roster, the review before
release, and the disclosures register's quiet periods and restricted list (docs/compliance.md)."""

from schemas.problems import Severity
from schemas.rules.core import Rule
from schemas.rules.sections import REGISTERS

# Why an id names nobody who may sign: each reason is a Text of its own.
ANALYST_UNKNOWN = Rule(
    "registers.analyst_unknown",
    "{problem}",
    REGISTERS,
    "an analyst named by an id the roster does not have (the closest id is suggested), a "
    "reviewer's id, or an id in a house without a roster",
)
ANALYST_UNLISTED = Rule(
    "registers.analyst_unlisted",
    "{name} is not in the house's roster (analysts.yaml) by name or SAC number",
    REGISTERS,
    "a full analyst record that matches nobody in the roster (by SAC number or name)",
    severity=Severity.WARNING,
)
ANALYST_INACTIVE = Rule(
    "registers.analyst_inactive",
    "{problem}",
    REGISTERS,
    "a listed person had left on the note's date, or an analyst's registration took effect "
    "after it",
)
ANALYST_MISMATCH = Rule(
    "registers.analyst_mismatch",
    "{value} is not {id}'s {key} in the roster ({recorded})",
    REGISTERS,
    "a full record's SAC number, phone or e-mail disagrees with the roster",
)
APPROVER = Rule(
    "registers.approver",
    "{problem}",
    REGISTERS,
    "the approver is not a reviewer of the roster, or signs the note",
)
STALE = Rule(
    "registers.stale",
    "the note changed after {by} approved it on {at}: it prints as a draft until approved again "
    "(render approve)",
    REGISTERS,
    "the note, a figure or its price file changed after its approval: it prints as a draft",
    severity=Severity.WARNING,
)
UNAPPROVED = Rule(
    "registers.unapproved",
    "{problem}",
    REGISTERS,
    "with `--release`: the note is a draft or its approval is stale",
)
QUIET_PERIOD = Rule(
    "registers.quiet_period",
    "{ticker} is in a quiet period on {day} (quiet_periods[{index}]: {reason}, {start} to "
    "{end}): no note on it may be released",
    REGISTERS,
    "the note's ticker is in a quiet period on its date",
    severity=Severity.WARNING,
    severity_text="warning, error with --release",
)
RESTRICTED = Rule(
    "registers.restricted",
    "{problem}",
    REGISTERS,
    "the note's ticker is on the restricted list on its date",
    severity=Severity.WARNING,
    severity_text="warning, error with --release",
)
PREVIOUS_RATING = Rule(
    "registers.previous_rating",
    "previous rating {value} contradicts the record: the latest earlier approved note on the "
    "subject, {file} of {date}, rated it {rating}; the action is derived from that (leave "
    "rating.previous out: it is taken from the record)",
    REGISTERS,
    "a written previous rating differs from the rating of the latest earlier approved note on "
    "the same subject in the folder (the record's rating is used)",
    severity=Severity.WARNING,
)
