"""``render approve``: record a reviewer's approval in the note itself, with its content digest."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from render.batch.outputs import write_atomic
from render.errors import UserError
from render.registers.review import ReviewState, check_approver, with_review
from schemas.problems import Problem

if TYPE_CHECKING:
    from render.renderer import Renderer

BOM = "\ufeff".encode()


@dataclass(frozen=True)
class Approval:
    """What ``render approve`` recorded."""

    by: str
    at: dt.datetime
    digest: str


def approve(renderer: Renderer, path: Path, display: str, by: str, at: dt.datetime) -> Approval:
    """Approve a valid note for release: the approver's id, the time and the digest go into its
    front matter (or data), every other byte of the file as it was, written atomically.

    Raises :class:`UserError` for a note with errors or an approver who may not approve it.
    """
    checked = renderer.check(path, display)
    if checked.errors or checked.note is None or checked.profile is None:
        raise UserError(checked.errors or checked.problems)
    assert checked.source is not None and checked.verdict is not None
    roster = checked.profile.registers.roster
    refused = check_approver(by, roster, set(checked.verdict.signers), ())
    if refused:
        raise UserError([_at_file(p, display) for p in refused])
    digest = checked.verdict.review.digest
    raw = path.read_bytes()
    text = with_review(checked.source, by, at, digest)
    # The reader made line ends "\n" and dropped a byte-order mark: the file gets its own back.
    if b"\r\n" in raw:
        text = text.replace("\n", "\r\n")
    data = (BOM if raw.startswith(BOM) else b"") + text.encode("utf-8")
    mode = path.stat().st_mode & 0o7777
    write_atomic(path, data)
    os.chmod(path, mode)
    state = _state_after(renderer, path, display)
    if state is None or state.status != "approved" or state.digest != digest:
        # The edit must change nothing but the review block; if it did, the note goes back.
        write_atomic(path, raw)
        os.chmod(path, mode)
        raise RuntimeError(f"recording the approval in {display} changed the note; left as it was")
    return Approval(by, at, digest)


def _state_after(renderer: Renderer, path: Path, display: str) -> ReviewState | None:
    checked = renderer.check(path, display)
    return checked.verdict.review if checked.verdict is not None else None


def _at_file(problem: Problem, display: str) -> Problem:
    return replace(problem, path=display, line=1, column=1)
