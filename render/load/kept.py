"""What render keeps between processes: the user's own cache folder, its files and their keys."""

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

#: Changes when what a kept file holds changes shape.
FORMAT = 1
#: A kept file not written for this long is removed (when another of its kind is written):
#: files of notes and houses since deleted, or written by an older render, would pile up.
STALE_SECONDS = 30 * 24 * 3600
#: The kinds already pruned by this process (once is enough).
_pruned: set[str] = set()


def read(kind: str, identity: object, key: object) -> object | None:
    """What was kept of ``kind`` for ``identity`` (a file, a folder) under ``key``, or None.

    ``key`` is everything the kept value depends on besides the program (which is added): a
    file kept under another key (the same file before an edit) is not taken.
    """
    path = _file(kind, identity)
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
        return None
    return kept[1]


def write(kind: str, identity: object, key: object, value: object) -> None:
    """Keep ``value`` for ``identity`` under ``key``, replacing what was kept for it."""
    path = _file(kind, identity)
    if path is None:
        return
    try:
        data = pickle.dumps((_digest(key), value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a value pickle cannot write (nested past Python's limit): not kept
        return
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)  # whole or not at all, for a process reading it meanwhile
    except OSError:  # a full or read-only folder: no cache
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return
    if kind not in _pruned:
        _pruned.add(kind)
        _prune(path.parent, kind)


def _prune(folder: Path, kind: str) -> None:
    """Remove the files of ``kind`` not written for :data:`STALE_SECONDS`."""
    limit = time.time() - STALE_SECONDS
    for path in folder.glob(f"{kind}-*.pickle"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def _file(kind: str, identity: object) -> Path | None:
    """The file kept for ``identity`` (one per identity and program), if there can be one."""
    folder = cache_folder()
    if folder is None:
        return None
    name = hashlib.sha256(repr((FORMAT, program(), identity)).encode()).hexdigest()[:32]
    return folder / f"{kind}-{name}.pickle"


def _digest(key: object) -> str:
    """A key in a few bytes: the texts it holds need not be stored to be compared."""
    whole = repr((FORMAT, program(), key))
    return hashlib.sha256(whole.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def program() -> str:
    """A digest of the program that reads what is kept: the versions and render's own source.

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


def cache_folder() -> Path | None:
    """The user's own cache folder in the system's temporary folder, or None if none is safe.

    As Jinja's cache of compiled templates: made with mode 0700, and used only if it is a real
    folder (not a link), owned by the user, that no one else may read or write.
    """
    if not hasattr(os, "getuid"):
        return None
    return private_folder(Path(tempfile.gettempdir()) / f"render-cache-{os.getuid()}")


def private_folder(folder: Path) -> Path | None:
    """``folder``, made (mode 0700) if missing, if it is a real folder (not a link) of this user
    that no one else may read or write; None otherwise."""
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
