"""The disclosures register applied to a note: what the firm must disclose, and when it may not publish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schemas.house import Text as Localized
from schemas.house import localize
from schemas.problems import Problem, Severity
from schemas.registers import Disclosures, Holding
from schemas.rules import Localized as PerLocale
from schemas.rules import Text
from schemas.rules import registers as rules

#: A banking role is disclosed for this long after it ended (the past twelve months).
BANKING_DAYS_AFTER = 365


@dataclass(frozen=True)
class Applied:
    """The disclosures printed in a note, in its locale: a heading and its sentences."""

    heading: str
    sentences: tuple[str, ...]
    none: bool


def _ticker(value: str | None) -> str:
    return (value or "").strip().upper()


def applicable(
    register: Disclosures, ticker: str, company: str, day: dt.date, locale: str, fallback: str
) -> Applied:
    """Every entry that applies to a company on a date, worded in the note's locale.

    A holding applies from its ``as_of`` date (the latest one per business line); a banking
    role from its start until twelve months after its end.
    """
    texts = register.texts

    def text(value: Localized) -> str:
        return localize(value, locale, fallback)

    sentences: list[str] = []
    latest: dict[str, Holding] = {}
    for holding in register.holdings:
        if _ticker(holding.ticker) == _ticker(ticker) and holding.as_of <= day:
            line = text(holding.business_line)
            current = latest.get(line)
            if current is None or current.as_of < holding.as_of:
                latest[line] = holding
    for holding in latest.values():
        fill = {
            "company": company,
            "ticker": ticker,
            "percentage": f"{holding.percentage:g}",
            "business_line": text(holding.business_line),
            "amount": text(holding.amount),
            "as_of": holding.as_of.isoformat(),
            "lock_up": holding.lock_up.isoformat() if holding.lock_up else "",
        }
        sentence = text(texts.holding).format(**fill)
        if holding.lock_up:
            sentence += text(texts.lock_up).format(**fill)
        sentences.append(sentence)
    for role in register.banking:
        if _ticker(role.ticker) == _ticker(ticker) and role.period.covers(day, BANKING_DAYS_AFTER):
            words = text(texts.roles.get(role.role, role.role))
            end = role.period.end.isoformat() if role.period.end else ""
            sentences.append(
                text(texts.banking).format(
                    company=company,
                    ticker=ticker,
                    role=words,
                    start=role.period.start.isoformat(),
                    end=end,
                )
            )
    none = not sentences
    return Applied(text(texts.heading), tuple(sentences or [text(texts.none)]), none)


def blackouts(
    register: Disclosures, ticker: str, day: dt.date, release: bool, locale: str
) -> list[Problem]:
    """A note inside a quiet period or on the restricted list: named, a warning unless released."""
    severity = Severity.ERROR if release else Severity.WARNING
    problems = []
    for i, quiet in enumerate(register.quiet_periods):
        if _ticker(quiet.ticker) == _ticker(ticker) and quiet.start <= day <= quiet.end:
            # The register's own words, printed in the reader's language where it gives it.
            reason = PerLocale(quiet.reason) if isinstance(quiet.reason, dict) else quiet.reason
            problems.append(
                rules.QUIET_PERIOD(
                    ("subject", "ticker"),
                    severity=severity,
                    ticker=ticker,
                    day=str(day),
                    index=i,
                    reason=reason,
                    start=str(quiet.start),
                    end=str(quiet.end),
                )
            )
    for i, entry in enumerate(register.restricted):
        end = entry.end or dt.date.max
        if _ticker(entry.ticker) == _ticker(ticker) and entry.start <= day <= end:
            if entry.end:
                problem = Text(
                    "{ticker} is on the restricted list on {day} (restricted[{index}], from "
                    "{start} to {end}): no note on it may be released",
                    ticker=ticker,
                    day=str(day),
                    index=i,
                    start=str(entry.start),
                    end=str(entry.end),
                )
            else:
                problem = Text(
                    "{ticker} is on the restricted list on {day} (restricted[{index}], from "
                    "{start}): no note on it may be released",
                    ticker=ticker,
                    day=str(day),
                    index=i,
                    start=str(entry.start),
                )
            problems.append(
                rules.RESTRICTED(("subject", "ticker"), severity=severity, problem=problem)
            )
    return problems
