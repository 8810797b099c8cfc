"""What an archival PDF carries beside its pages: the note's source and data files, and its
facts resolved as JSON (read here, without WeasyPrint, so the check's process can gather them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from render.context.markdown import image_references
from render.context.resolve import resolve
from render.data.chart_block import chart_references
from render.load.houses import HouseProfile
from render.pdf.confine import Confinement, Refused
from render.pdf.job import Attached
from schemas.house import localize
from schemas.note import NoteBase

#: The resolved note's attachment: what a machine reads instead of parsing the pages.
NOTE_JSON = "note.json"


def attachments(note: NoteBase, profile: HouseProfile, path: Path) -> list[Attached]:
    """The note's source file, its data files (the figures its text shows, its charts' data, its
    price file), and the resolved note as JSON."""
    found = [Attached(path.name, path.read_bytes(), "Source", "The note as its analysts wrote it")]
    folder = path.parent
    confinement = Confinement(folder, profile.folder)
    seen: set[Path] = set()
    references = [
        (reference, "A figure of the note")
        for _, text in note.texts()
        for _, reference in image_references(text)
    ]
    references += [
        (reference, "The data of a chart of the note")
        for _, text in note.texts()
        for _, reference in chart_references(text)
    ]
    prices = getattr(note, "prices", None)
    if prices is not None:
        # The closes the market data and the chart are computed from: the page's numbers' source.
        references.append((prices if isinstance(prices, str) else prices.file, "The note's prices"))
    for reference, description in references:
        try:
            file = confinement.resolve(reference, folder)
        except Refused:  # reported by the check; nothing is read
            continue
        if file in seen or not file.is_file():
            continue
        seen.add(file)
        name = file.relative_to(folder).as_posix() if file.is_relative_to(folder) else file.name
        found.append(Attached(name, file.read_bytes(), "Data", description))
    data = json.dumps(resolved_note(note, profile), ensure_ascii=False, indent=2, sort_keys=True)
    found.append(
        Attached(NOTE_JSON, (data + "\n").encode("utf-8"), "Data", "The note's facts, resolved")
    )
    return found


def resolved_note(note: NoteBase, profile: HouseProfile) -> dict[str, Any]:
    """What a machine needs of a note: subject, rating and its action, analysts, risk level."""
    house = profile.house
    found = resolve(note, house)  # type: ignore[arg-type]  # any report type's note
    locale = found.locale

    def text(value: Any) -> str:
        return localize(value, locale, house.default_locale)

    subject = note.subject
    return {
        "title": note.title,
        "date": note.date.isoformat(),
        "locale": locale,
        "template": note.template,
        "house": {"code": house.code, "name": text(house.name)},
        "subject": {
            "kind": subject.kind,
            "name": subject.name,
            "market": found.market.code,
            "ticker": getattr(subject, "ticker", None),
        },
        "rating": {
            "code": found.rating.code,
            "label": text(found.rating.label),
            "previous": found.previous.code if found.previous else None,
            "action": found.action.value if found.action else None,
        },
        "risk_level": {"code": found.risk.code, "name": text(found.risk.name)},
        "analysts": [{"name": a.name, "role": a.role, "sac": a.sac} for a in note.analysts],
        "disclosures": [
            "rating_system",
            "risk_levels",
            "certification",
            "disclaimer",
            "contact",
        ],
    }
