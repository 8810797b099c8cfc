"""History from the notes themselves: a note's earlier approved notes on its subject.

The approved notes are the publication record; no other state is kept. The record is the
same for every front end: the notes given (found in the folders named on the command line, or
the folder the preview shows) and the note's own folder (:func:`record_of`). A note's previous rating, its related reports and its rating and target-price history
all come from the earlier notes on the same subject (a company by its ticker, an industry by
its name) that are approved and unchanged since (docs/compliance.md).

Reading the record must stay cheap: of each other note only its front matter (or its data) is
read, with the limits of a note, and memoized by the file's hash. Only a note on the subject,
dated earlier and saying it is approved is read whole, to check that its approval still holds.
A note that cannot be read is skipped: it is not this note's error, it fails on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.errors import UserError
from render.fingerprints import Fingerprints
from render.html.filters import decimal
from render.load.houses import HOUSE_FILE
from render.load.note import FRONT_MATTER, NOTE_SUFFIXES, read_text
from render.load.positions import load_json, load_yaml_into
from render.load.source import Source
from render.settings import Limits
from schemas.house import House, RatingLevel, localize
from schemas.problems import Problem, Severity
from schemas.rules import Quoted
from schemas.rules import registers as rules

#: How a note's subject is known in the record: ("company", ticker) or ("industry", name).
Subject = tuple[str, str]


@dataclass(frozen=True)
class Header:
    """What the record needs of a note, from its front matter (or data) alone."""

    path: Path
    date: dt.date
    subject: Subject
    title: str
    rating: str | None
    target_price: float | None
    #: The note says it is approved (whether the approval still holds is checked apart).
    approved: bool


@dataclass(frozen=True)
class Earlier:
    """An earlier approved note on the subject, as the note prints it."""

    path: Path
    date: dt.date
    title: str
    rating: RatingLevel | None
    #: The rating as written, for a level the house's scale does not have.
    written: str | None
    target_price: float | None


@dataclass(frozen=True)
class History:
    """A note's place in the record: the earlier approved notes on its subject, oldest first,
    and every file that decided it (for the build's fingerprint)."""

    earlier: tuple[Earlier, ...] = ()
    #: The record's notes on the subject dated before the note, by path: hashed if they say
    #: they are approved, None if not (editing a draft changes nothing here; approving it does).
    notes: dict[Path, str | None] = field(default_factory=dict)
    #: The figures and price files of those that say they are approved: a change to one
    #: undoes its approval.
    files: dict[Path, str | None] = field(default_factory=dict)

    @property
    def latest(self) -> Earlier | None:
        """The latest earlier approved note rated on the house's scale: the previous rating."""
        rated = [e for e in self.earlier if e.rating is not None]
        return rated[-1] if rated else None


def is_note_file(path: Path) -> bool:
    """Whether a file in a folder is a note (as ``render build FOLDER`` finds them)."""
    return (
        path.suffix.lower() in NOTE_SUFFIXES
        and not path.name.startswith((".", "_"))
        and not path.name.upper().startswith("README")
        and path.name != HOUSE_FILE
    )


def folder_notes(folder: Path) -> list[Path]:
    """The note files directly in a folder, sorted (resolved paths)."""
    try:
        entries = sorted(folder.resolve().iterdir())
    except (OSError, RuntimeError):
        return []
    return [path for path in entries if is_note_file(path) and path.is_file()]


def record_of(
    note: Path, batch: Iterable[Path] = (), siblings: list[Path] | None = None
) -> list[Path]:
    """The notes a note's history is read from: the notes given with it (``batch``: those
    ``render build`` and ``render check`` found on their command line, the preview's whole
    folder) and the notes of its own folder (``siblings``, listed if not given), itself aside.

    Every path is taken as resolved (the callers resolve each once, not once per note: with a
    folder of hundreds of notes that was most of ``render check``'s time); only the note's own
    path is resolved here.

    >>> record_of(Path("/nowhere/note.md"), [Path("/elsewhere/a.md")])
    [PosixPath('/elsewhere/a.md')]
    """
    found = dict.fromkeys([*batch, *(folder_notes(note.parent) if siblings is None else siblings)])
    found.pop(_resolved(note), None)
    return list(found)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return path.absolute()


def subject_of(data: dict[str, Any]) -> Subject | None:
    """A note's subject as the record knows it; None for one it cannot place.

    >>> subject_of({"subject": {"kind": "company", "ticker": " 300999.sz "}})
    ('company', '300999.SZ')
    >>> subject_of({"subject": {"kind": "industry", "name": "电子"}})
    ('industry', '电子')
    """
    subject = data.get("subject")
    if not isinstance(subject, dict):
        return None
    kind = subject.get("kind")
    key = subject.get("ticker") if kind == "company" else subject.get("name")
    if kind not in ("company", "industry") or not isinstance(key, str) or not key.strip():
        return None
    key = key.strip()
    return (kind, key.upper() if kind == "company" else key)


def date_of(data: dict[str, Any]) -> dt.date | None:
    """The note's date as written (YAML reads a date, JSON a string)."""
    value = data.get("date")
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


def header_of(path: Path, data: dict[str, Any]) -> Header | None:
    """A note's header from its data; None when its date or subject cannot be read."""
    date, subject = date_of(data), subject_of(data)
    if date is None or subject is None:
        return None
    title = data.get("title")
    rating = data.get("rating")
    value = rating.get("value") if isinstance(rating, dict) else None
    target = data.get("target_price")
    review = data.get("review")
    status = review.get("status") if isinstance(review, dict) else None
    return Header(
        path=path,
        date=date,
        subject=subject,
        title=title.strip() if isinstance(title, str) else "",
        rating=value.strip() if isinstance(value, str) and value.strip() else None,
        target_price=float(target)
        if isinstance(target, int | float) and not isinstance(target, bool)
        else None,
        approved=status == "approved",
    )


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    return "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "markdown"


def front_text(path: Path, limits: Limits) -> str | None:
    """A note's front matter (Markdown) or whole text (YAML, JSON), read with a note's limits;
    None for a file that cannot be read or a Markdown file without front matter."""
    try:
        text = read_text(path, limits.note_bytes)
    except (UserError, OSError):
        return None
    if _kind(path) != "markdown":
        return text
    match = FRONT_MATTER.match(text)
    return match.group(1) if match else None


def parse_front(path: Path, text: str, limits: Limits) -> dict[str, Any] | None:
    """The data of a front matter (or a YAML or JSON note) as a note's reader reads it (its
    limits: aliases, digits); None for one with an error in it."""
    kind = _kind(path)
    source = Source(path, text, {}, "json" if kind == "json" else "yaml")
    try:
        if kind == "json":
            load_json(source, limits)
        else:
            load_yaml_into(source, text, 0, limits)
    except (UserError, RecursionError):
        return None
    if any(p.severity is Severity.ERROR for p in source.problems):
        return None
    return source.data if isinstance(source.data, dict) else None


#: A top-level ``date:`` line of YAML front matter, written plainly.
_DATE_LINE = re.compile(
    r"^date[ \t]*:[ \t]*(['\"]?)(\d{4}-\d{2}-\d{2})\1[ \t]*(?:#.*)?$", re.MULTILINE
)


def may_feed(path: Path, text: str, before: dt.date, subject: Subject) -> bool:
    """False when a glance at a YAML front matter shows the note cannot be an earlier note on
    the subject: its one top-level date is not before ``before``, or the subject's ticker or
    name appears nowhere in it. Parsing YAML is what costs (milliseconds a file); this only
    skips, and never when an escape (a backslash) could hide the subject's spelling.

    >>> day, electronics = dt.date(2026, 4, 1), ("industry", "电子")
    >>> may_feed(Path("a.md"), "date: 2026-05-01", day, electronics)
    False
    >>> may_feed(Path("a.md"), "subject: {name: 电子}", day, electronics)
    True
    """
    if _kind(path) == "json":
        return True  # JSON is read fast enough
    dates = _DATE_LINE.findall(text)
    if len(dates) == 1:
        try:
            if dt.date.fromisoformat(dates[0][1]) >= before:
                return False
        except ValueError:
            pass
    return "\\" in text or subject[1].casefold() in text.casefold()


#: Headers already read, by file and content hash: the same bytes give the same header, so the
#: memo holds across renderers of one process (a preview, a worker, a test session).
_HEADERS: dict[tuple[Path, str], Header | None] = {}
_HEADERS_MAX = 20_000
#: Front matters glanced at and not parsed (see :func:`may_feed`), by file and content hash: a
#: record of hundreds of notes is glanced at once per note checked, and reading is what costs.
_GLANCED: dict[tuple[Path, str], str | None] = {}
#: How many characters of glanced front matter the memo holds at most: a long-lived preview
#: sees every edit as new content, and a count alone would let 64 KB entries add up to gigabytes.
GLANCED_BUDGET = 8 * 1024 * 1024
_glanced_size = 0


def _remember_glanced(key: tuple[Path, str], text: str) -> None:
    """Keep a glanced front matter, starting the memo afresh when it would pass its budget."""
    global _glanced_size
    if len(text) >= 65_536:
        return  # a front matter, not a whole note of data
    if _glanced_size + len(text) > GLANCED_BUDGET or len(_GLANCED) >= _HEADERS_MAX:
        _GLANCED.clear()
        _glanced_size = 0
    _GLANCED[key] = text
    _glanced_size += len(text)


class Record:
    """Reads the record's headers, each once per content (memoized by the file's hash)."""

    def __init__(self, fingerprints: Fingerprints | None = None) -> None:
        self.fingerprints = fingerprints or Fingerprints()
        #: Dates and subjects known without reading (a build's manifest), by file and hash.
        self._known: dict[tuple[Path, str], Header] = {}

    def know(self, header: Header, digest: str) -> None:
        """Take a note's date and subject as known for these bytes (from a build's manifest)."""
        self._known[(header.path, digest)] = header

    def header(
        self,
        path: Path,
        limits: Limits,
        before: dt.date | None = None,
        subject: Subject | None = None,
    ) -> Header | None:
        """The header of a note of the record; None for one that cannot be read or placed.

        With ``before`` and ``subject``, also None for a note that a glance shows is not an
        earlier one on that subject (see :func:`may_feed`), read no further.
        """
        digest = self.fingerprints.file(path)
        if digest is None:
            return None
        key = (path, digest)
        if key in self._known:
            return self._known[key]
        if key in _HEADERS:
            return _HEADERS[key]
        text = _GLANCED[key] if key in _GLANCED else front_text(path, limits)
        if text is None:
            header = None
        elif (
            before is not None and subject is not None and not may_feed(path, text, before, subject)
        ):
            _remember_glanced(key, text)  # not parsed, so no header to remember
            return None
        else:
            data = parse_front(path, text, limits)
            header = header_of(path, data) if data is not None else None
        if len(_HEADERS) >= _HEADERS_MAX:
            _HEADERS.clear()
        _HEADERS[key] = header
        return header

    def feeding(
        self, date: dt.date, subject: Subject, record: Iterable[Path], limits: Limits
    ) -> list[Header]:
        """The record's notes on a subject dated before ``date`` (any review), oldest first."""
        found = []
        for path in record:
            header = self.header(path, limits, date, subject)
            if header is not None and header.subject == subject and header.date < date:
                found.append(header)
        return sorted(found, key=lambda h: (h.date, h.path.name))


#: Whether an earlier note's approval holds (its digest is its content's), and the files its
#: digest covers (its figures and price file), hashed; the renderer reads it as a note.
Approval = Callable[[Path], tuple[bool, dict[Path, str | None]]]


def history(
    data: dict[str, Any],
    path: Path,
    house: House,
    record: Iterable[Path],
    reader: Record,
    approval: Approval,
    limits: Limits,
) -> History:
    """A note's history from the record: its earlier approved notes on its subject.

    ``data`` is the note's, as read (its history is needed before it is validated: a
    previous rating left out is taken from it).
    """
    own = header_of(path, data)
    if own is None:
        return History()
    scale = house.scale(own.subject[0])
    earlier: list[Earlier] = []
    notes: dict[Path, str | None] = {}
    files: dict[Path, str | None] = {}
    for header in reader.feeding(own.date, own.subject, record, limits):
        notes[header.path] = reader.fingerprints.file(header.path) if header.approved else None
        if not header.approved:
            continue
        holds, covered = approval(header.path)
        files.update(covered)
        if not holds:
            continue
        level = scale.find(header.rating) if header.rating else None
        earlier.append(
            Earlier(
                header.path, header.date, header.title, level, header.rating, header.target_price
            )
        )
    return History(tuple(earlier), notes, files)


def contradiction(history: History, written: str | None, house: House, kind: str) -> Problem | None:
    """``registers.previous_rating``: a written previous rating the record contradicts."""
    latest = history.latest
    if latest is None or not written or latest.rating is None:
        return None
    scale = house.scale(kind)
    level = scale.find(written)
    if level is None or level.code == latest.rating.code:
        return None  # a rating off the scale is the note's own error already
    return rules.PREVIOUS_RATING(
        ("rating", "previous"),
        value=Quoted(written),
        file=latest.path.name,
        date=latest.date.isoformat(),
        rating=Quoted(latest.written or latest.rating.code),
    )


def output_name(path: Path, suffix: str = ".html") -> str:
    """The file a build writes a note to (its name without the suffix, in the same folder)."""
    return path.stem + suffix


def context(
    history: History | None,
    kind: str,
    house: House,
    locale: str,
    rating: RatingLevel | None,
    target_price: float | None,
    date: dt.date,
) -> dict[str, Any]:
    """What the templates print of the history: related reports and the company's history table.

    The related reports are the latest few (``house.related_reports``), newest first, each
    linked to its HTML output; the table lists every earlier approved note and this one.
    """

    def label(level: RatingLevel | None, written: str | None) -> str:
        if level is None:
            return written or ""
        return localize(level.label, locale, house.default_locale)

    def price(e: Earlier) -> str | None:
        return decimal(e.target_price, locale) if e.target_price is not None else None

    earlier = history.earlier if history else ()
    count = house.related_reports
    related = [
        {"date": e.date.isoformat(), "title": e.title, "href": output_name(e.path)}
        for e in reversed(earlier[-count:] if count else ())
    ]
    rows = None
    if kind == "company":
        rows = [
            {"date": e.date.isoformat(), "rating": label(e.rating, e.written), "target": price(e)}
            for e in earlier
        ]
        rows.append(
            {
                "date": date.isoformat(),
                "rating": label(rating, None),
                "target": decimal(target_price, locale) if target_price is not None else None,
            }
        )
    return {"related_reports": related, "rating_history": rows}


__all__ = [
    "Earlier",
    "Header",
    "History",
    "Record",
    "context",
    "contradiction",
    "history",
    "record_of",
]
