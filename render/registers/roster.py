"""The analyst roster: analysts named by id become full records; every signer is checked."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from schemas.house import localize, spellings
from schemas.note import Analyst
from schemas.problems import Problem
from schemas.registers import Person, Roster
from schemas.rules import Quoted, Text
from schemas.rules import registers as rules


@dataclass
class Resolved:
    """The note's data with its analysts resolved, and who each listed analyst is."""

    data: dict[str, Any]
    #: The roster's person for each item of ``analysts`` (None: a full record not yet matched).
    people: list[Person | None] = field(default_factory=list)
    #: Items that named an id the roster does not have (their problems are reported once).
    unknown: set[int] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def resolve_ids(data: dict[str, Any], roster: Roster | None, locale: str) -> Resolved:
    """Replace each analyst given by id with the roster's record, in the note's locale.

    Positions stay the note's: a problem with a resolved record is located at its id.
    """
    analysts = data.get("analysts")
    resolved = Resolved(data)
    if not isinstance(analysts, list):
        return resolved
    items: list[Any] = []
    for i, item in enumerate(analysts):
        if not isinstance(item, str):
            items.append(item)
            resolved.people.append(None)
            continue
        person = roster.find(item.strip()) if roster else None
        if person is None or person.role == "reviewer":
            resolved.unknown.add(i)
            resolved.problems.append(_unknown(i, item, roster, person))
            # A stand-in that passes the model, so the id's one problem is all that is said.
            items.append({"name": item, "role": "assistant"})
            resolved.people.append(None)
            continue
        items.append(_record(person, locale))
        resolved.people.append(person)
    resolved.data = {**data, "analysts": items}
    return resolved


def _record(person: Person, locale: str) -> dict[str, Any]:
    record: dict[str, Any] = {"name": localize(person.name, locale), "role": person.role}
    for key in ("sac", "phone", "email"):
        if getattr(person, key) is not None:
            record[key] = getattr(person, key)
    return record


def _unknown(index: int, given: str, roster: Roster | None, person: Person | None) -> Problem:
    """An id the roster does not have (with the closest one), or a reviewer's, who cannot sign."""
    if roster is None:
        return analyst_unknown(
            index,
            Text(
                "{id} names an analyst by id, but the house has no roster (analysts.yaml): "
                "give the analyst's name, sac, phone and email",
                id=Quoted(given),
            ),
        )
    if person is not None:
        return analyst_unknown(
            index,
            Text(
                "{id} is a reviewer in the roster: a reviewer approves notes, not signs them",
                id=Quoted(given),
            ),
        )
    ids = [p.id for p in roster.analysts if p.role != "reviewer"]
    guess = difflib.get_close_matches(given.strip(), ids, n=1, cutoff=0.5)
    hint = Text("; did you mean {guess}?", guess=Quoted(guess[0])) if guess else ""
    return analyst_unknown(
        index,
        Text(
            "{id} is not an analyst or assistant in the house's roster{hint}",
            id=Quoted(given),
            hint=hint,
        ),
    )


def analyst_unknown(index: int, problem: Text) -> Problem:
    """``registers.analyst_unknown``: a note names by id someone the roster has not got."""
    return rules.ANALYST_UNKNOWN(("analysts", index), problem=problem)


def analyst_unlisted(index: int, name: str) -> Problem:
    """``registers.analyst_unlisted``: a full record that matches nobody in the roster."""
    return rules.ANALYST_UNLISTED(("analysts", index), name=name)


def analyst_inactive(index: int, problem: Text) -> Problem:
    """``registers.analyst_inactive``: listed on a date they were not (or no longer) registered."""
    return rules.ANALYST_INACTIVE(("analysts", index), problem=problem)


def analyst_mismatch(index: int, key: str, given: str, recorded: str, person: Person) -> Problem:
    """``registers.analyst_mismatch``: a SAC number or contact that is not the roster's."""
    return rules.ANALYST_MISMATCH(
        ("analysts", index, key),
        value=Quoted(given),
        id=person.id,
        key=key,
        recorded=Quoted(recorded),
    )


def check_analysts(
    analysts: list[Analyst], resolved: Resolved, roster: Roster, date: dt.date
) -> list[Problem]:
    """Each listed person against the roster: known, registered on the note's date, same numbers."""
    problems = []
    for i, analyst in enumerate(analysts):
        if i in resolved.unknown:
            continue
        by_id = i < len(resolved.people) and resolved.people[i] is not None
        person = resolved.people[i] if by_id else _match(analyst, roster)
        if person is None:
            problems.append(analyst_unlisted(i, analyst.name))
            continue
        if not by_id:
            for key in ("sac", "phone", "email"):
                given, recorded = getattr(analyst, key), getattr(person, key)
                if given is not None and recorded is not None and given != recorded:
                    problems.append(analyst_mismatch(i, key, given, recorded, person))
        if person.left is not None and date >= person.left:
            problems.append(
                analyst_inactive(
                    i,
                    Text(
                        "{id} left the firm on {left}, before the note's date {date}",
                        id=person.id,
                        left=str(person.left),
                        date=str(date),
                    ),
                )
            )
        if analyst.role == "analyst" and person.registered and date < person.registered:
            problems.append(
                analyst_inactive(
                    i,
                    Text(
                        "{id} was registered on {registered}, after the note's date {date}: "
                        "not yet a registered analyst",
                        id=person.id,
                        registered=str(person.registered),
                        date=str(date),
                    ),
                )
            )
    return problems


def _match(analyst: Analyst, roster: Roster) -> Person | None:
    """The roster's person a full record is: by SAC number, else by name in any locale."""
    if analyst.sac:
        found = next((p for p in roster.analysts if p.sac == analyst.sac), None)
        if found is not None:
            return found
    name = analyst.name.strip().casefold()
    return next((p for p in roster.analysts if name in spellings(p.name)), None)
