"""The registers' verdict on one note: ids resolved before validation, then every register rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from render.load.source import Source
from render.registers.disclosures import Applied, applicable, blackouts
from render.registers.load import Registers
from render.registers.review import ReviewState, check_approver, review_state, stale, unapproved
from render.registers.roster import Resolved, check_analysts, resolve_ids
from schemas.house import House
from schemas.note import NoteBase
from schemas.problems import Problem


@dataclass(frozen=True)
class Verdict:
    """What the registers say of a valid note: its review state and the disclosures it carries."""

    review: ReviewState
    disclosures: Applied | None
    #: The roster ids of the note's signers (by id, or a full record by SAC number).
    signers: frozenset[str] = frozenset()


def prepare(source: Source, house: House, registers: Registers) -> Resolved:
    """The note's data for validation, its analysts named by id resolved from the roster."""
    locale = source.data.get("locale")
    if not isinstance(locale, str) or locale not in house.locales:
        locale = house.default_locale
    return resolve_ids(source.data, registers.roster, locale)


def judge(
    note: NoteBase,
    source: Source,
    resolved: Resolved,
    house: House,
    registers: Registers,
    release: bool,
) -> tuple[Verdict, list[Problem]]:
    """Every register rule on a validated note; under ``release`` what may not go out is an error."""
    locale = note.locale or house.default_locale
    roster = registers.roster
    problems: list[Problem] = []
    if roster is not None:
        problems += check_analysts(note.analysts, resolved, roster, note.date)
    state = review_state(note, source, source.path.parent, roster, locale)
    signers = {p.id for p in resolved.people if p is not None}
    if roster is not None:
        sacs = {a.sac for a in note.analysts if a.sac}
        signers |= {p.id for p in roster.analysts if p.sac in sacs}
    if note.review is not None and note.review.by:
        problems += check_approver(note.review.by, roster, signers, ("review", "by"))
    if state.status == "stale" and not release:
        problems.append(stale(state))
    if release and not state.releasable:
        problems.append(unapproved(state))
    applied = None
    register = registers.disclosures
    ticker = note.subject.ticker
    if register is not None and note.subject.kind == "company" and ticker:
        applied = applicable(
            register, ticker, note.subject.name, note.date, locale, house.default_locale
        )
        problems += blackouts(register, ticker, note.date, release, locale)
    return Verdict(state, applied, frozenset(signers)), problems


def context(verdict: Verdict | None, mark: str) -> dict[str, Any]:
    """What the templates print of the verdict: the draft mark, the disclosures."""
    if verdict is None:
        return {"review": None, "register_disclosures": None}
    review = verdict.review
    return {
        "review": {
            "status": review.status,
            "draft": not review.releasable,
            "mark": mark,
            "by": review.by_name,
            "at": review.at.isoformat() if review.at else None,
        },
        "register_disclosures": verdict.disclosures,
    }


__all__ = ["Verdict", "context", "judge", "prepare"]
