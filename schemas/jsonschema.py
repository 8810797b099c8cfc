"""JSON Schema for notes and houses, so editors validate and complete as the analyst types, and
for the build manifest, the record an archive or another tool reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schemas.house import House
from schemas.manifest import ManifestRecord
from schemas.note import Note, note_model
from schemas.registers import Disclosures, Roster
from schemas.report_type import builtin_type, builtin_types

#: The note's body sections (its report type's): required by `render check`, optional in the
#: editor's schema.
BODY_SECTIONS = Note.report_type.body_keys

Model = type[Note] | type[House] | type[ManifestRecord] | type[Roster] | type[Disclosures]

SCHEMAS: dict[str, Model] = {
    "note.schema.json": Note,
    "house.schema.json": House,
    "manifest.schema.json": ManifestRecord,
    "analysts.schema.json": Roster,
    "disclosures.schema.json": Disclosures,
}


def schema_text(model: Model) -> str:
    """A model's JSON Schema as committed: sorted keys, trailing newline."""
    schema: dict[str, Any] = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if model is Note:
        _other_types(schema)
        # In a Markdown note the front matter is only the metadata and the body sections come
        # from its headings: an editor must not ask for them there. `render check` requires them.
        schema["x-body-sections"] = list(BODY_SECTIONS)
        schema["required"] = [name for name in schema["required"] if name not in BODY_SECTIONS]
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _other_types(schema: dict[str, Any]) -> None:
    """The sections and fields of the other shipped report types, as optional keys: one schema
    serves every note, and ``render check`` judges which keys its type has."""
    for name in builtin_types():
        other = builtin_type(name)
        if other is None or other == Note.report_type:
            continue
        found = note_model(other).model_json_schema()
        for key, value in found.get("$defs", {}).items():
            schema.setdefault("$defs", {}).setdefault(key, value)
        for key, value in found["properties"].items():
            schema["properties"].setdefault(key, value)


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema file into ``folder``; return their paths."""
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
