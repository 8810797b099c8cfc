"""A validated house kept between processes, so a cold check does not read its YAML again."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import pydantic
import pydantic_core
import ruamel.yaml

import schemas
from render.errors import UserError
from render.load.houses import HOUSE_FILE, HouseProfile, load_house, logo_problems
from render.load.note import read_text
from render.registers.load import DISCLOSURES_FILE, ROSTER_FILE
from render.report import display_path

#: Changes when what a cache file holds changes shape.
FORMAT = 1


def kept_house(folder: Path) -> HouseProfile:
    """The house of ``folder`` as :func:`load_house` gives it, from the cache when it is current.

    Reading ``house.yaml`` and the registers with every position (ruamel's round-trip reader, in
    Python) and validating them is most of a cold check's own work. The house as validated is
    kept in the user's cache folder, under a key made of everything the load reads: the text of
    the three files, the folder, the path messages give them (relative to the working folder),
    and the program that reads them (Python, Pydantic, ruamel and render's own source). A house
    with an error is never kept: it is read afresh at each check, so its problems are reported
    exactly as before. A cache file that cannot be read, or belongs to another key, is read
    afresh and rewritten; a folder that cannot be written is no cache, never an error.
    """
    key = _key(folder)
    kept = _read(key) if key is not None else None
    # The logo is the one thing read that is not in the key (a file's existence and place);
    # a logo gone or moved is the full load's to report.
    if kept is not None and not (kept.house.logo and logo_problems(kept.house.logo, folder)):
        return kept
    profile = load_house(folder)  # raises for a house with an error: nothing is kept
    # Kept only if no file changed during the load, or the key would not name what was read.
    if key is not None and _key(folder) == key:
        _write(key, profile)
    return profile


def _key(folder: Path) -> tuple[object, ...] | None:
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
    return (FORMAT, _program(), str(folder.resolve()), display, *texts)


@cache
def _program() -> str:
    """A digest of the program that reads a house: the versions and render's own source.

    Source files are known by name, size and modification time, as Python knows whether its
    compiled bytecode is current: cheaper than reading them all, and any edit changes them.
    """
    digest = hashlib.sha256()
    versions = (sys.version, pydantic.VERSION, pydantic_core.__version__, ruamel.yaml.__version__)
    digest.update(repr(versions).encode())
    for package in (Path(__file__).parent.parent, Path(schemas.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            info = path.stat()
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _file(key: tuple[object, ...]) -> Path | None:
    """The cache file of a house (one per folder, working folder and program), if any."""
    folder = cache_folder()
    if folder is None:
        return None
    name = hashlib.sha256(repr(key[:4]).encode()).hexdigest()[:32]
    return folder / f"house-{name}.pickle"


def _read(key: tuple[object, ...]) -> HouseProfile | None:
    path = _file(key)
    if path is None:
        return None
    try:
        # Pickle runs code its data names, so it is read only from a folder that no one but
        # the user can write to (see cache_folder): whoever can put a file there can already
        # run code as the user.
        kept = pickle.loads(path.read_bytes())
    except Exception:  # missing, cut short, garbled, or of classes since renamed
        return None
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _digest(key)):
        return None  # another house's file, or this house before a change
    profile = kept[1]
    return profile if isinstance(profile, HouseProfile) else None


def _write(key: tuple[object, ...], profile: HouseProfile) -> None:
    path = _file(key)
    if path is None:
        return
    temporary = None
    try:
        data = pickle.dumps((_digest(key), profile), protocol=pickle.HIGHEST_PROTOCOL)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".house-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)  # whole or not at all, for a process reading it meanwhile
    except OSError:  # a full or read-only folder: no cache
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return
    _prune(path.parent)


#: A kept house not written for this long is removed (when another is written): houses in
#: folders since deleted, or read by an older render, would otherwise pile up.
STALE_SECONDS = 30 * 24 * 3600


def _prune(folder: Path) -> None:
    """Remove the kept houses not written for :data:`STALE_SECONDS` (one may be read again)."""
    limit = time.time() - STALE_SECONDS
    for path in folder.glob("house-*.pickle"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def _digest(key: tuple[object, ...]) -> str:
    """A key in a few bytes: the texts it holds need not be stored to be compared."""
    return hashlib.sha256(repr(key).encode("utf-8", "surrogatepass")).hexdigest()


def cache_folder() -> Path | None:
    """The user's own cache folder in the system's temporary folder, or None if none is safe.

    As Jinja's cache of compiled templates: made with mode 0700, and used only if it is a real
    folder (not a link), owned by the user, that no one else may read or write.
    """
    if not hasattr(os, "getuid"):
        return None
    folder = Path(tempfile.gettempdir()) / f"render-cache-{os.getuid()}"
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, stat.S_IRWXU)
        info = os.lstat(folder)
    except OSError:
        return None
    safe = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
    if not safe or stat.S_IMODE(info.st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    return folder
