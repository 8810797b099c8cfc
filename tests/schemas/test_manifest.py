"""The manifest model: what it accepts, what it refuses, and that it writes what it reads."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.manifest import MANIFEST_FORMAT, ManifestRecord

H = hashlib.sha256(b"x").hexdigest()


def entry(**changes: Any) -> dict[str, Any]:
    """One note's entry as a build writes it."""
    inputs = {
        "note": {"path": "notes/a.md", "sha256": H},
        "images": {},
        "house": {"path": "houses/example", "files": {"house.yaml": H, "logo.svg": None}},
        "templates": {"files": {"style.css": H}},
        "catalogs": {"locale": "en_US", "files": {"en_US/LC_MESSAGES/messages.mo": H}},
        "fonts": {"Noto Sans": {"NotoSans-Regular.ttf": H}},
        "config": {"path": "render.toml", "sha256": H, "house_paths": ["elsewhere"]},
        "program": {"version": "0.1.0", "source": H, "libraries": {"weasyprint": None}},
        "settings": {"source_date_epoch": "2026-01-01T00:00:00Z", "pdf_variant": None},
        "history": {"notes": {"notes/earlier.md": H}, "files": {"notes/data/prices.csv": None}},
    }
    data = {
        "source": "notes/a.md",
        "title": "新一代训练框架",
        "date": "2026-03-02",
        "template": "event-commentary",
        "house": "houses/example",
        "version": "0.1.0",
        "pages": 3,
        "warnings": 0,
        "fingerprint": H,
        "inputs": inputs,
        "outputs": {"a.pdf": {"bytes": 1, "sha256": H}},
        "review": {"status": "approved", "by": "wang-shuyi", "at": "2026-03-02T17:30:00+08:00"},
        "subject": ["industry", "电子"],
    }
    return {**data, **changes}


def manifest(**notes: dict[str, Any]) -> dict[str, Any]:
    return {"format": MANIFEST_FORMAT, "generator": "research-notes 0.1.0", "notes": notes}


def test_what_a_build_writes_reads_back_to_the_same_json() -> None:
    data = manifest(a=entry())
    record = ManifestRecord.model_validate(data)
    assert record.notes["a"].inputs.catalogs.locale == "en_US"
    assert record.notes["a"].date.isoformat() == "2026-03-02"
    assert record.model_dump(mode="json") == data


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"pages": -1}, ("notes", "a", "pages")),
        ({"pages": 1e999}, ("notes", "a", "pages")),
        ({"fingerprint": "e7ec3427…"}, ("notes", "a", "fingerprint")),
        ({"date": "tomorrow"}, ("notes", "a", "date")),
        ({"outputs": {"../a.pdf": {"bytes": 1, "sha256": H}}}, ("notes", "a", "outputs")),
        ({"outputs": {"a.pdf": {"bytes": 1, "sha256": H.upper()}}}, ("notes", "a", "outputs")),
        ({"outputs": {"a.pdf": ["a.pdf"]}}, ("notes", "a", "outputs", "a.pdf")),
        ({"reviewer": "someone"}, ("notes", "a", "reviewer")),
        ({"inputs": {}}, ("notes", "a", "inputs", "note")),
    ],
)
def test_an_entry_that_is_not_what_a_build_writes_is_refused(
    changes: dict[str, Any], where: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as raised:
        ManifestRecord.model_validate(manifest(a=entry(**changes)))
    assert tuple(raised.value.errors()[0]["loc"][: len(where)]) == where


def test_only_this_format_and_generator_are_ours() -> None:
    for changes in ({"format": 2}, {"generator": "someone else"}, {"extra": True}):
        with pytest.raises(ValidationError):
            ManifestRecord.model_validate({**manifest(), **changes})
    assert ManifestRecord.model_validate_json(json.dumps(manifest())).notes == {}


def test_a_manifest_written_before_history_was_recorded_still_reads() -> None:
    old = entry()
    del old["subject"]
    del old["inputs"]["history"]
    record = ManifestRecord.model_validate(manifest(a=old))
    assert record.notes["a"].subject is None
    assert record.notes["a"].inputs.history.notes == {}
