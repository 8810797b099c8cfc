"""The preview's fingerprint of one note's render, made of the inputs the shared service hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from render.fingerprints import Fingerprints
from render.settings import Settings


def note_fingerprint(
    fingerprints: Fingerprints,
    path: Path,
    house: Path | None,
    today: dt.date | None,
    settings: Settings,
) -> str:
    """One digest of everything a render of the note reads, so a cache keyed by it is never stale.

    The note and every file of its folder (its images and data), the house folder (house.yaml,
    templates, style.css, logo), the built-in templates and stylesheet, the translation catalogs,
    the note's ``render.toml`` and the program. The day is in it too: it decides whether a note's
    date is an error. Fonts are left to a restart: asking fontconfig on every keystroke costs more
    than the rare font installed while a preview runs.
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
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
