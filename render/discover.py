"""Find the note files named on a command line: files as given, folders searched for notes."""

from __future__ import annotations

from pathlib import Path

from render.errors import UsageError
from render.houses import HOUSE_FILE
from render.load import NOTE_SUFFIXES


def _is_note(path: Path) -> bool:
    return (
        path.suffix.lower() in NOTE_SUFFIXES
        and not path.name.startswith((".", "_"))
        and not path.name.upper().startswith("README")
        and path.name != HOUSE_FILE
    )


def find_notes(paths: list[Path]) -> list[Path]:
    """Every note file under the given paths, in a stable order, skipping house folders.

    A file named explicitly is taken whatever its name; a path that does not exist is a usage
    error, not a note error.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for candidate in sorted(path.rglob("*")):
                parts = candidate.relative_to(path).parts
                if any(part.startswith((".", "_")) for part in parts[:-1]):
                    continue
                if any(
                    (path.joinpath(*parts[:i]) / HOUSE_FILE).is_file() for i in range(len(parts))
                ):
                    continue
                if candidate.is_file() and _is_note(candidate):
                    found.append(candidate)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))
