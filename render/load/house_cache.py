"""A validated house kept between processes, so a cold check does not read its YAML again."""

from __future__ import annotations

from pathlib import Path

from render.errors import UserError
from render.load import kept
from render.load.houses import HOUSE_FILE, HouseProfile, load_house, logo_problems
from render.load.note import read_text
from render.registers.load import DISCLOSURES_FILE, ROSTER_FILE
from render.report import display_path


def kept_house(folder: Path) -> HouseProfile:
    """The house of ``folder`` as :func:`load_house` gives it, from the cache when it is current.

    Reading ``house.yaml`` and the registers with every position (ruamel's round-trip reader, in
    Python) and validating them is most of a cold check's own work. The house as validated is
    kept in the user's cache folder (:mod:`render.load.kept`), under a key made of everything
    the load reads: the text of the three files, the folder, the path messages give them
    (relative to the working folder), and the program that reads them. A house with an error
    is never kept: it is read afresh at each check, so its problems are reported exactly as
    before. A cache file that cannot be read, or belongs to another key, is read afresh and
    rewritten; a folder that cannot be written is no cache, never an error.
    """
    key = _key(folder)
    identity = key[:2] if key is not None else None
    found = kept.read("house", identity, key) if key is not None else None
    # The logo is the one thing read that is not in the key (a file's existence and place);
    # a logo gone or moved is the full load's to report.
    if isinstance(found, HouseProfile) and not (
        found.house.logo and logo_problems(found.house.logo, folder)
    ):
        return found
    profile = load_house(folder)  # raises for a house with an error: nothing is kept
    # Kept only if no file changed during the load, or the key would not name what was read.
    if key is not None and _key(folder) == key:
        kept.write("house", identity, key, profile)
    return profile


def _key(folder: Path) -> tuple[str | None, ...] | None:
    """Everything a house's load depends on, or None when its files cannot be read plainly."""
    texts: list[str | None] = []
    for name in (HOUSE_FILE, ROSTER_FILE, DISCLOSURES_FILE):
        path = folder / name
        if name != HOUSE_FILE and not path.is_file():
            texts.append(None)  # a house without that register (as load_registers decides)
            continue
        try:
            texts.append(read_text(path))
        except UserError:  # missing, unreadable, too large, not UTF-8: the load reports it
            return None
    display = display_path(folder / HOUSE_FILE)
    return (str(folder.resolve()), display, *texts)
