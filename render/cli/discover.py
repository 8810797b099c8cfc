"""Find the note files named on a command line: files as given, folders searched for notes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from render.errors import UsageError
from render.load.houses import HOUSE_FILE
from render.load.note import FRONT_MATTER
from render.registers.history import is_note_file

#: A value naming a data file in a note (``forecast: data/forecast.yaml``, ``"data": "x.json"``,
#: ``data: 'my data.yml'``): after a key's colon, quoted or bare, to the end of the value.
_NAME = r"[^\n\"']+?\.(?:ya?ml|json)"
DATA_REFERENCE = re.compile(
    rf"""["']?\s*:\s*(?:"({_NAME})"|'({_NAME})'|([^\s"'#,{{}}\[\]]+\.(?:ya?ml|json)))"""
    r"""\s*(?:[,}#]|$)""",
    re.M | re.I,
)


def _data_text(note: Path) -> str:
    """Where a note may name data files: a Markdown note's front matter (its body is prose,
    which may well mention another note's file name), a YAML or JSON note's whole text."""
    try:
        text = note.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""  # a file read in vain names nothing
    if note.suffix.lower() in (".yaml", ".yml", ".json"):
        return text
    found = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    return found.group(1) if found else ""


def data_files_named(notes: list[Path]) -> set[Path]:
    """The data files (``.yaml``/``.json``, render/load/data_files.py) the notes name as values.

    A quick scan of each note's data (see :func:`_data_text`), not a parse: a folder of notes
    often keeps their data files beside them, and those are no notes to build. A note named
    as a value there is skipped too (no key may name a note); a data file no note names is
    taken for a note, and its check says what is wrong with it.
    """
    found: set[Path] = set()
    for note in notes:
        for match in DATA_REFERENCE.finditer(_data_text(note)):
            name = next(group for group in match.groups() if group)
            found.add(_resolved(note.parent / name.strip()))
    return found


def find_notes(paths: list[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Every note file under the given paths, in a stable order, skipping house folders.

    A file named explicitly is taken whatever its name (a pipe or a device too: loading it
    says what it is); a path that does not exist is a usage error, not a note error. Inside a
    folder, house folders, build output folders (``exclude``, and any folder holding a
    ``manifest.json`` that render wrote, whose ``.json`` is no note) and hidden ones are skipped,
    and so are the data files the notes found there name (``forecast: data/forecast.yaml``).
    """
    excluded = {_resolved(p) for p in exclude}
    skipped: dict[Path, bool] = {}

    def skip(folder: Path) -> bool:
        if folder not in skipped:
            skipped[folder] = (
                (folder / HOUSE_FILE).is_file()
                or _resolved(folder) in excluded
                or is_output_folder(folder)
            )
        return skipped[folder]

    found: list[Path] = []
    searched: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            if (path / HOUSE_FILE).is_file():
                continue
            # Imported here: only a folder is searched for a build's manifest; checking the
            # note files named needs none of the manifest's models and fingerprints.
            from render.batch.manifest import MANIFEST_NAME, is_output_folder

            for candidate in sorted(path.rglob("*")):
                parts = candidate.relative_to(path).parts
                if any(part.startswith((".", "_")) for part in parts[:-1]):
                    continue
                # The folder named is searched even if it is also the output folder (-o .).
                if any(skip(path.joinpath(*parts[:i])) for i in range(1, len(parts))):
                    continue
                if candidate.name == MANIFEST_NAME and is_output_folder(candidate.parent):
                    continue
                if candidate.is_file() and is_note_file(candidate):
                    searched.append(candidate)
                    found.append(candidate)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    data = data_files_named(searched) if searched else set()
    return [p for p in dict.fromkeys(found) if p not in searched or _resolved(p) not in data]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return path.absolute()
