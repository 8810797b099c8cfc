"""The preview's fingerprint of one note's render, made of the inputs the shared service hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from render.fingerprints import Fingerprints
from render.load.config import note_limits
from render.registers.history import Header, Record, Subject, folder_notes
from render.settings import Settings


def note_fingerprint(
    fingerprints: Fingerprints,
    path: Path,
    house: Path | None,
    today: dt.date | None,
    settings: Settings,
    record: Mapping[Subject, list[Header]] | None = None,
) -> str:
    """One digest of everything a render of the note reads, so a cache keyed by it is never stale.

    The note and every file of its folder (its images and data), the house folder (house.yaml,
    its registers, templates, style.css, logo), the built-in templates and stylesheet, the
    translation catalogs, the note's ``render.toml``, the program, and the earlier notes on its
    subject in its ``record`` (the preview's notes, see :func:`record_index` and
    :func:`earlier_notes`). The day is in it
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


def record_index(
    fingerprints: Fingerprints, notes: Iterable[Path], settings: Settings
) -> dict[Subject, list[Header]]:
    """The headers of the record's notes (resolved paths; with every note's own folder, as
    :func:`render.registers.history.record_of` reads it), by subject.

    Read once per pass of the preview rather than once per note: each note's fingerprint then
    looks at the notes on its own subject only. Only front matter is read, once per content.
    """
    paths = dict.fromkeys(notes)
    for folder in {path.parent for path in paths}:
        paths.update(dict.fromkeys(folder_notes(folder)))
    reader = Record(fingerprints)
    grouped: dict[Subject, list[Header]] = {}
    for path in paths:
        header = reader.header(path, note_limits(settings, path))
        if header is not None:
            grouped.setdefault(header.subject, []).append(header)
    return grouped


def earlier_notes(
    fingerprints: Fingerprints,
    path: Path,
    settings: Settings,
    record: Mapping[Subject, list[Header]] | None,
) -> dict[str, str | None]:
    """The notes of the record on the note's subject dated before it, as a build records them:
    hashed if they say they are approved, None for drafts (whose edits change nothing here).

    Notes in the note's own folder are in its folder's fingerprint already; these matter for
    the record's other folders. A note that changed since the index was made is hashed anew
    here; one that came, went or changed its subject or date is the next index's.
    """
    if not record:
        return {}
    own = Record(fingerprints).header(path, note_limits(settings, path))
    if own is None:
        return {}
    itself = path.resolve()
    return {
        str(header.path): fingerprints.file(header.path) if header.approved else None
        for header in record.get(own.subject, [])
        if header.path != itself and header.date < own.date
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
