"""Find the note files named on a command line: files as given, folders searched for notes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from render.errors import UsageError
from render.load.houses import HOUSE_FILE
from render.load.note import NOTE_SUFFIXES


def _is_note(path: Path) -> bool:
    return (
        path.suffix.lower() in NOTE_SUFFIXES
        and not path.name.startswith((".", "_"))
        and not path.name.upper().startswith("README")
        and path.name != HOUSE_FILE
    )


def find_notes(paths: list[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Every note file under the given paths, in a stable order, skipping house folders.

    A file named explicitly is taken whatever its name (a pipe or a device too: loading it
    says what it is); a path that does not exist is a usage error, not a note error. Inside a
    folder, house folders, build output folders (``exclude``, and any folder holding a
    ``manifest.json`` that render wrote, whose ``.json`` is no note) and hidden ones are skipped.
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
                if candidate.is_file() and _is_note(candidate):
                    found.append(candidate)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return path.absolute()
