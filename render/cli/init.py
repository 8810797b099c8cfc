"""``render init``: a notes repository ready to use: configuration, a house, a first note, CI."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from render import __version__
from render.errors import UsageError
from render.load.houses import DEFAULT_HOUSE, HOUSE_FILE
from render.settings import Settings

#: The files ``render init`` writes besides the house, from render/cli/scaffold/ (``{house}``,
#: ``{date}`` and ``{version}`` filled in), by where they go in the new repository.
SCAFFOLD = {
    "render.toml": "render.toml",
    "README.md": "README.md",
    ".gitignore": "gitignore",
    ".github/workflows/notes.yml": "notes.yml",
    "notes/{date}-first-note.md": "note.md",
}
#: A house's name is a folder's name and what a note's ``house:`` says: kept plain.
HOUSE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: The comment that points editors at a JSON Schema, as the shipped house writes it.
_SCHEMA_COMMENT = re.compile(r"^# yaml-language-server: \$schema=.*$", re.MULTILINE)


@dataclass
class Created:
    """What ``render init`` did: the files it wrote and those it found there and left alone."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def init(
    folder: Path,
    house_name: str,
    today: dt.date,
    force: bool = False,
    settings: Settings | None = None,
) -> Created:
    """Write a notes repository into ``folder`` (made if missing).

    A folder that holds anything is refused unless ``force``; even then no file is overwritten:
    one already there is kept, and named. Raises :class:`UsageError` for what cannot be done.
    """
    settings = settings or Settings()
    if not HOUSE_NAME.fullmatch(house_name):
        raise UsageError(
            f"--house-name {house_name!r}: use letters, digits, '-' and '_' (a folder's name)"
        )
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise UsageError(
            f"{folder} is not empty: choose an empty folder, or pass --force to add the files "
            "that are missing (none is overwritten)"
        )
    source = settings.shipped_houses / DEFAULT_HOUSE
    if not (source / HOUSE_FILE).is_file():
        raise UsageError(f"no shipped house to copy at {source}")
    created = Created()
    values = {"{house}": house_name, "{date}": today.isoformat(), "{version}": __version__}
    scaffold = files(__package__ or "") / "scaffold"
    for target, name in SCAFFOLD.items():
        text = (scaffold / name).read_text(encoding="utf-8")
        _write(folder / _fill(target, values), _fill(text, values), created)
    house = folder / "houses" / house_name
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        if relative.suffix == ".yaml" and len(relative.parts) == 1:
            # Editors find the schemas (house.yaml's, the registers') beside the repository's
            # root, two folders up.
            text = path.read_text(encoding="utf-8")
            comment = f"# yaml-language-server: $schema=../../schemas/{relative.stem}.schema.json"
            _write(house / relative, _SCHEMA_COMMENT.sub(comment, text, count=1), created)
        else:
            _write(house / relative, path.read_bytes(), created)
    _schemas(folder / "schemas", created)
    return created


def _fill(text: str, values: dict[str, str]) -> str:
    # Not str.format: the workflow is full of ``${{ ... }}``.
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _write(path: Path, content: str | bytes, created: Created) -> None:
    """Create a file; one already there is kept (exclusive creation: never overwritten)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        created.kept.append(path)
        return
    created.written.append(path)


def _schemas(folder: Path, created: Created) -> None:
    """The notes' and houses' JSON Schema, which the note and the house's comments point at."""
    from schemas.jsonschema import SCHEMAS, schema_text

    for name, model in SCHEMAS.items():
        _write(folder / name, schema_text(model), created)
