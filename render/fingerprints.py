"""Content fingerprints of everything a render reads, for the build's manifest and the preview.

One service hashes every kind of input, the same way for both front ends: the note and the files
of its folder (among them the earlier notes its history comes from), the house folder, the
built-in templates and stylesheet, the translation catalogs a render uses, the fonts, the note's
``render.toml``, and the program itself. Files are hashed once per stat signature, and never a
pipe or a device.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import stat
import subprocess
import time
from pathlib import Path
from typing import Any, BinaryIO

from render import __version__
from render.context.i18n import available_locales, catalog_file

#: Libraries whose version can change the bytes of a PDF or HTML page.
LIBRARIES = (
    "weasyprint",
    "pydyf",
    "fonttools",
    "tinycss2",
    "cssselect2",
    "tinyhtml5",
    "pillow",
    "jinja2",
    "markdown-it-py",
    "babel",
)

#: A file changed this recently is always re-read: timestamps advance in coarse ticks, so two
#: saves of the same size within one tick leave the same stat signature (git's "racy clean").
RACY_NS = 2_000_000_000

#: The program's source, whose digest makes a working copy's edits count as a new program.
SOURCE_ROOT = Path(__file__).resolve().parents[1]
SOURCE_PACKAGES = ("render", "schemas")


class Fingerprints:
    """SHA-256 of input files (hex), memoized by stat signature, so a warm process (a worker,
    the preview, or the planner looking at a house shared by a hundred notes) hashes each
    unchanged file once. The memo is a dictionary whose entries are replaced whole, so it may
    be read from another thread."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[tuple[int, ...], str]] = {}
        self._fonts: dict[str, list[Path]] = {}
        self._program: dict[str, Any] | None = None

    def file(self, path: Path) -> str | None:
        """The file's SHA-256, or None when it is missing or not a regular file (a change)."""
        try:
            st = path.stat()
        except (OSError, ValueError):
            return None
        # ctime too: a tool can set mtime back (cp -p, touch -d), never ctime.
        signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        key = str(path)
        cached = self._files.get(key)
        if cached and cached[0] == signature:
            return cached[1]
        value = sha256_file(path)
        if value is not None and time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            self._files[key] = (signature, value)
        else:
            self._files.pop(key, None)
        return value

    def tree(self, folder: Path, suffixes: tuple[str, ...] = ()) -> dict[str, str | None]:
        """Every file under a folder by relative path, sorted; hidden ones and caches aside
        (a render never reads them, and ``.git`` can be huge)."""
        found: dict[str, str | None] = {}
        for current, folders, files in os.walk(folder):
            folders[:] = sorted(f for f in folders if not f.startswith(".") and f != "__pycache__")
            for name in files:
                if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                    continue
                path = Path(current) / name
                found[path.relative_to(folder).as_posix()] = self.file(path)
        return dict(sorted(found.items()))

    def templates(self, folder: Path) -> dict[str, str | None]:
        """The built-in templates and stylesheet (``Settings.templates``; ``style.css`` among them)."""
        return self.tree(folder)

    def catalogs(self, folder: Path, locales: list[str] | None = None) -> dict[str, str | None]:
        """The catalog file a render reads for each locale (the ``.mo``, or the ``.po`` when it
        is newer) in a folder of catalogs (``Settings.catalogs``), by path under it; every
        locale's when none are named."""
        found: dict[str, str | None] = {}
        for locale in available_locales(folder) if locales is None else locales:
            path = catalog_file(locale, folder)
            if path is not None:
                found[Path(os.path.relpath(path, folder)).as_posix()] = self.file(path)
        return dict(sorted(found.items()))

    def config(self, note: Path) -> tuple[Path | None, str | None]:
        """The note's ``render.toml`` (it admits houses and sets limits) and its hash."""
        from render.load.config import find_config

        found = find_config(note.parent)
        return found, self.file(found) if found else None

    def fonts(self, family: str) -> dict[str, str | None]:
        """The font files fontconfig uses for a family (every style of it), by file name.

        A family fontconfig does not know, or a generic one (``sans-serif``), is whatever single
        file it substitutes. The file lists are cached until :meth:`forget_fonts`: asking
        fontconfig costs a few milliseconds per family.
        """
        if family not in self._fonts:
            self._fonts[family] = font_files(family)
        found: dict[str, str | None] = {}
        for path in self._fonts[family]:
            # File names are the same on every machine with the same fonts; folders may not be.
            name = path.name if path.name not in found else str(path)
            found[name] = self.file(path)
        return dict(sorted(found.items()))

    def forget_fonts(self) -> None:
        """Ask fontconfig again from now on (a long-lived worker, at the start of a new build)."""
        self._fonts.clear()

    def program(self) -> dict[str, Any]:
        """The program's version, a digest of its source, and the libraries that shape its output.

        The source digest makes a working copy's edits count as a new program, so a developer
        (or ``make demo``) never gets outputs of the old code; a release's digest is the same on
        every machine, so reproducible builds stay byte-identical.
        """
        if self._program is None:
            libraries = {}
            for name in LIBRARIES:
                try:
                    libraries[name] = importlib.metadata.version(name)
                except importlib.metadata.PackageNotFoundError:
                    libraries[name] = None
            self._program = {
                "version": __version__,
                "source": source_digest(),
                "libraries": libraries,
            }
        return self._program


def source_digest(root: Path = SOURCE_ROOT) -> str:
    """A digest of the Python source of render and schemas, by relative path and content."""
    digest = hashlib.sha256()
    for package in SOURCE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def open_regular(path: Path) -> BinaryIO | None:
    """A regular file opened for reading; None for anything else (missing, a pipe, a device).

    Stat first, so that no device is even opened; then open without blocking, in case the file
    became a FIFO since (opening one waits for a writer), and check again what was opened.
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    handle = os.fdopen(descriptor, "rb")
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            return handle
    except OSError:
        pass
    handle.close()
    return None


def sha256_file(path: Path) -> str | None:
    """A regular file's SHA-256; None if it is missing or not a regular file (never waits)."""
    handle = open_regular(path)
    if handle is None:
        return None
    with handle:
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None


def _fontconfig_escape(family: str) -> str:
    return "".join("\\" + c if c in "\\-:,=" else c for c in family)


def font_files(family: str) -> list[Path]:
    """The files fontconfig has for a family, or the one it substitutes for it."""
    escaped = _fontconfig_escape(family)
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\n", f":family={escaped}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()  # one file a line: a font's path may hold spaces
        if not listed:
            listed = subprocess.run(
                ["fc-match", "--format", "%{file}", escaped],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.split("\n")
    except FileNotFoundError:
        # No fontconfig tools (rendering still works through Pango): fonts go unrecorded.
        return []
    return sorted({Path(p) for p in listed if p.strip()})
