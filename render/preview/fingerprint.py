"""The preview's fingerprint of one note's render, made of the inputs the shared service hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from render.fingerprints import Fingerprints
from render.load.config import note_limits
from render.registers.history import Record, record_of
from render.settings import Settings


def note_fingerprint(
    fingerprints: Fingerprints,
    path: Path,
    house: Path | None,
    today: dt.date | None,
    settings: Settings,
    record: Sequence[Path] = (),
) -> str:
    """One digest of everything a render of the note reads, so a cache keyed by it is never stale.

    The note and every file of its folder (its images and data), the house folder (house.yaml,
    its registers, templates, style.css, logo), the built-in templates and stylesheet, the
    translation catalogs, the note's ``render.toml``, the program, and the earlier notes on its
    subject in its ``record`` (the preview's notes; see :func:`earlier_notes`). The day is in it
    too: it decides whether a note's date is an error. Fonts are left to a restart: asking
    fontconfig on every keystroke costs more than the rare font installed while a preview runs.
    The files the earlier notes' approvals cover are the caller's (:func:`with_files`).
    """
    config, config_sha256 = fingerprints.config(path)
    program = fingerprints.program()
    parts = {
        "note": str(path),
        "today": str(today),
        "folder": fingerprints.tree(path.parent),
        "house": [str(house), fingerprints.tree(house) if house is not None else None],
        "templates": fingerprints.templates(settings.templates),
        "catalogs": fingerprints.catalogs(settings.catalogs),
        "config": [str(config), config_sha256],
        "program": [program["version"], program["source"]],
    }
    earlier = earlier_notes(fingerprints, path, settings, record)
    if earlier:  # a note with none keeps the digest it had before the record was in it
        parts["earlier"] = earlier
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def earlier_notes(
    fingerprints: Fingerprints, path: Path, settings: Settings, record: Sequence[Path]
) -> dict[str, str | None]:
    """The notes of the record on the note's subject dated before it, as a build records them:
    hashed if they say they are approved, None for drafts (whose edits change nothing here).

    Only front matter is read, once per content. Notes in the note's own folder are in its
    folder's fingerprint already; these matter for the record's other folders.
    """
    if not record:
        return {}
    limits = note_limits(settings, path)
    reader = Record(fingerprints)
    own = reader.header(path, limits)
    if own is None:
        return {}
    feeding = reader.feeding(own.date, own.subject, record_of(path, record), limits)
    return {
        str(header.path): fingerprints.file(header.path) if header.approved else None
        for header in feeding
    }


def with_files(fingerprint: str, files: dict[Path, str | None]) -> str:
    """A fingerprint joined with the hashes of the files the earlier notes' approvals cover
    (their figures and price files); the fingerprint itself when there are none.

    >>> with_files("abc", {})
    'abc'
    """
    if not files:
        return fingerprint
    listed = sorted((str(path), sha) for path, sha in files.items())
    text = json.dumps([fingerprint, listed])
    return hashlib.sha256(text.encode()).hexdigest()[:32]
