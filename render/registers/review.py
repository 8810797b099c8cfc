"""Review before release: a note's approval digest, its state, and ``render approve``'s edit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from render.context.markdown import image_references
from render.data.chart_block import chart_references
from render.fingerprints import Fingerprints
from render.load.source import Source
from schemas.house import localize
from schemas.note import NoteBase
from schemas.problems import Problem
from schemas.registers import Roster
from schemas.rules import Quoted, Text
from schemas.rules import registers as rules

Status = Literal["draft", "approved", "stale"]
DIGEST_PREFIX = "sha256:"


@dataclass(frozen=True)
class ReviewState:
    """Where a note stands: a draft, approved (and unchanged since), or stale (edited since)."""

    status: Status
    digest: str
    by: str | None = None
    by_name: str | None = None
    at: dt.datetime | None = None

    @property
    def releasable(self) -> bool:
        return self.status == "approved"


def data_files(source: Source, folder: Path) -> dict[str, str | None]:
    """The files of the note's folder its texts show (its figures, its charts' data files), its
    price file (``prices:``, see docs/data.md) and its data files (``forecast: data/forecast.yaml``),
    by relative path, hashed.

    Only files inside the note's folder count (the house's are the house's to review); a
    network or ``data:`` reference is not a file. A missing file hashes as None.
    """
    fingerprints = Fingerprints()
    root = folder.resolve()
    found: dict[str, str | None] = {}
    prices = source.data.get("prices")
    if isinstance(prices, dict):
        prices = prices.get("file")
    if isinstance(prices, str) and prices.strip():
        try:
            path = (root / prices.strip()).resolve()
        except (OSError, ValueError):
            path = None
        if path is not None and path.is_relative_to(root):
            found[path.relative_to(root).as_posix()] = fingerprints.file(path)
    # The files its data keys came from (``forecast: data/forecast.yaml``), read already.
    for included in source.included.values():
        path = included.source.path.resolve()
        if path.is_relative_to(root):
            found[path.relative_to(root).as_posix()] = fingerprints.file(path)
    for text in _texts(source.data):
        references = [r for _, r in chart_references(text)]  # a chart's data file
        if "![" in text:  # parsing is the costly part of a long text: only if it has an image
            references += [r for _, r in image_references(text)]
        for reference in references:
            parts = urlsplit(reference)
            if parts.scheme or reference.startswith("//"):
                continue
            try:
                path = (root / unquote(parts.path)).resolve()
            except (OSError, ValueError):
                continue
            if path.is_relative_to(root):
                found[path.relative_to(root).as_posix()] = fingerprints.file(path)
    return dict(sorted(found.items()))


def _texts(value: Any) -> list[str]:
    """Every text in the note's data (a figure may be shown in any Markdown field)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def content_digest(source: Source, folder: Path) -> str:
    """``sha256:`` of the note's content without its review block, and of its data files.

    The content is the data as read (a comment or a reformatting changes nothing that prints,
    and so does not undo an approval; one character of a text does).
    """
    return digest_of(content_of(source), data_files(source, folder))


def content_of(source: Source) -> str:
    """The note's data as read, without its review block, as canonical JSON."""
    content = {k: v for k, v in source.data.items() if k != "review"}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest_of(content: str, files: dict[str, str | None]) -> str:
    """The digest of a note's content (:func:`content_of`) and its data files' hashes."""
    names = json.dumps(files, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # The same bytes as one JSON object {"files": …, "note": …} with sorted keys.
    canonical = '{"files":' + names + ',"note":' + content + "}"
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def review_state(
    note: NoteBase, source: Source, folder: Path, roster: Roster | None, locale: str
) -> ReviewState:
    digest = content_digest(source, folder)
    review = note.review
    if review is None or review.status == "draft":
        return ReviewState("draft", digest)
    person = roster.find(review.by or "") if roster else None
    name = localize(person.name, locale) if person else review.by
    status: Status = "approved" if review.digest == digest else "stale"
    return ReviewState(status, digest, review.by, name, review.at)


def check_approver(
    by: str, roster: Roster | None, signers: set[str], loc: tuple[str | int, ...]
) -> list[Problem]:
    """The approver is a reviewer of the roster and not one of the note's signers (by id)."""
    if roster is None:
        return [
            approver(
                Text(
                    "{id} cannot approve: the house has no roster (analysts.yaml) of reviewers",
                    id=Quoted(by),
                ),
                loc,
            )
        ]
    person = roster.find(by)
    if by in signers:
        return [
            approver(Text("{id} signs the note and cannot also approve it", id=Quoted(by)), loc)
        ]
    if person is None or person.role != "reviewer":
        reviewers = ", ".join(p.id for p in roster.analysts if p.role == "reviewer") or "none"
        return [
            approver(
                Text(
                    "{id} is not a reviewer in the house's roster (reviewers: {reviewers})",
                    id=Quoted(by),
                    reviewers=reviewers,
                ),
                loc,
            )
        ]
    return []


def approver(problem: Text, loc: tuple[str | int, ...]) -> Problem:
    """``registers.approver``: the approval names someone who may not approve the note."""
    return rules.APPROVER(loc, problem=problem)


def stale(state: ReviewState) -> Problem:
    """``registers.stale``: the note (or a figure) changed since it was approved."""
    return rules.STALE(("review",), by=state.by, at=str(state.at))


def unapproved(state: ReviewState) -> Problem:
    """``registers.unapproved``: ``--release`` refuses a draft or a stale approval."""
    if state.status == "stale":
        problem = Text(
            "not released: the note changed after {by} approved it on {at}",
            by=state.by,
            at=str(state.at),
        )
    else:
        problem = Text(
            "not released: the note is a draft; a reviewer approves it with render approve"
        )
    return rules.UNAPPROVED(("review",), problem=problem)


# -- render approve: the edit ---------------------------------------------------------------------


def review_lines(by: str, at: dt.datetime, digest: str) -> list[str]:
    """The review block as YAML lines (a note's front matter or a YAML note)."""
    return [
        "review:",
        "  status: approved",
        f"  by: {by}",
        f"  at: {at.isoformat()}",
        f'  digest: "{digest}"',
    ]


def with_review(source: Source, by: str, at: dt.datetime, digest: str) -> str:
    """The note's text with its review block recorded, and nothing else of it changed.

    An existing top-level ``review:`` (to the next top-level line) is replaced where it is;
    otherwise the block goes at the end of the front matter (Markdown), the file (YAML), or
    the top-level object (JSON).
    """
    text = source.text
    if source.kind == "json":
        return _json_with_review(
            source, {"status": "approved", "by": by, "at": at.isoformat(), "digest": digest}
        )
    lines = text.split("\n")
    block = review_lines(by, at, digest)
    start = source.keys.get(("review",))
    if start is not None:
        first = start.line - 1
        last = first + 1
        while last < len(lines) and (not lines[last].strip() or lines[last][:1] in (" ", "\t")):
            last += 1
        while last > first + 1 and not lines[last - 1].strip():
            last -= 1  # blank lines before the next key stay
        return "\n".join([*lines[:first], *block, *lines[last:]])
    if source.kind == "markdown":
        closing = next(
            i for i in range(1, len(lines)) if re.match(r"^(?:---|\.\.\.)[ \t]*$", lines[i])
        )
        return "\n".join([*lines[:closing], *block, *lines[closing:]])
    body = text.rstrip("\n")
    return body + "\n" + "\n".join(block) + "\n"


def _json_with_review(source: Source, review: dict[str, str]) -> str:
    text = source.text
    value = json.dumps(review, ensure_ascii=False)
    position = source.values.get(("review",))
    if position is not None:
        lines = text.split("\n")
        begin = sum(len(line) + 1 for line in lines[: position.line - 1]) + position.column - 1
        _, end = json.JSONDecoder().raw_decode(text, begin)
        return text[:begin] + value + text[end:]
    close = text.rstrip().rfind("}")
    head = text[:close].rstrip()
    indent = "  "
    match = re.search(r"\n([ \t]+)\"", head)
    if match:
        indent = match.group(1)
    separator = "," if not head.endswith("{") else ""
    return f'{head}{separator}\n{indent}"review": {value}\n' + text[close:]
