"""The build manifest: what fed each published note and what came out, for incremental builds
and the compliance archive; ``verify`` re-hashes the outputs against it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import stat
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from render import __version__
from render.batch.outputs import write_atomic
from render.settings import Settings
from schemas.problems import Problem, Severity

if TYPE_CHECKING:
    from render.renderer import Checked

MANIFEST_NAME = "manifest.json"
#: Bumped when the manifest's layout changes; an older build's manifest is then rebuilt from scratch.
MANIFEST_FORMAT = 1

#: The files of the translation catalogs (``Settings.catalogs``): compiled ones, and sources.
CATALOG_SUFFIXES = (".po", ".mo")
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
#: The order in which a changed input is named when a note is rebuilt, most specific first.
INPUT_KINDS = (
    "note",
    "images",
    "house",
    "templates",
    "catalogs",
    "fonts",
    "config",
    "program",
    "settings",
)
_REASONS = {
    "note": "note changed",
    "images": "an image changed",
    "house": "house changed",
    "templates": "templates changed",
    "catalogs": "translations changed",
    "fonts": "fonts changed",
    "config": "render.toml or --house-path changed",
    "program": "program changed",
    "settings": "SOURCE_DATE_EPOCH changed",
}


class ManifestError(Exception):
    """A manifest that cannot be read: not JSON, or not a manifest this program wrote."""


#: How every manifest render writes begins (its keys are sorted), whatever its format number.
_MANIFEST_START = re.compile(rb'\A\{\s*"format":\s*\d+,\s*"generator":\s*"research-notes ')


def is_output_folder(folder: Path) -> bool:
    """Whether a folder holds a ``manifest.json`` that a build of render wrote."""
    head = _read_head(folder / MANIFEST_NAME, 256)
    return head is not None and _MANIFEST_START.match(head) is not None


def _open_regular(path: Path) -> BinaryIO | None:
    """A regular file opened for reading; None for anything else (missing, a pipe, a device).

    Stat first, so that no device is even opened; then open without blocking, in case the file
    became a FIFO since (opening one waits for a writer), and check again what was opened.
    """
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    handle = os.fdopen(descriptor, "rb")
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            return handle
    except OSError:
        pass
    handle.close()
    return None


def _read_head(path: Path, size: int) -> bytes | None:
    handle = _open_regular(path)
    if handle is None:
        return None
    with handle:
        try:
            return handle.read(size)
        except OSError:
            return None


def relative(path: Path, root: Path) -> str:
    """A path as the manifest records it: relative to the build's root, with forward slashes."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


class Fingerprints:
    """SHA-256 of input files, cached by size, mtime and inode so a warm process (a worker, or
    the planner looking at a house shared by a hundred notes) hashes each file once."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._fonts: dict[str, list[Path]] = {}
        self._program: dict[str, Any] | None = None

    def file(self, path: Path) -> str | None:
        """The file's SHA-256, or None when it is missing (which counts as a change)."""
        try:
            stat = path.stat()
        except OSError:
            return None
        key = str(path)
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        cached = self._files.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        value = _sha256(path)
        if value is not None:
            self._files[key] = (stamp, value)
        return value

    def tree(self, folder: Path, suffixes: tuple[str, ...] = ()) -> dict[str, str | None]:
        """Every file under a folder (hidden ones and caches aside), by relative path, sorted."""
        found: dict[str, str | None] = {}
        for current, folders, files in os.walk(folder):
            folders[:] = sorted(f for f in folders if not f.startswith(".") and f != "__pycache__")
            for name in files:
                if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                    continue
                path = Path(current) / name
                found[path.relative_to(folder).as_posix()] = self.file(path)
        return dict(sorted(found.items()))

    def fonts(self, family: str) -> dict[str, str | None]:
        """The font files fontconfig uses for a family (every style of it), by file name.

        A family fontconfig does not know, or a generic one (``sans-serif``), is whatever single
        file it substitutes. The file lists are cached until :meth:`forget_fonts`: asking
        fontconfig costs a few milliseconds per family.
        """
        if family not in self._fonts:
            self._fonts[family] = _font_files(family)
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
                "source": _source_digest(),
                "libraries": libraries,
            }
        return self._program


def _source_digest() -> str:
    """A digest of the Python source of render and schemas, by relative path and content."""
    # The folder holding the packages: the checkout's, or site-packages once installed (where
    # both are imported from: the program is the code that runs).
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for package in ("render", "schemas"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _fontconfig_escape(family: str) -> str:
    return "".join("\\" + c if c in "\\-:,=" else c for c in family)


def _font_files(family: str) -> list[Path]:
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


def canonical_hash(value: Any) -> str:
    """SHA-256 of a JSON value written canonically (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def font_families(checked: Checked) -> list[str]:
    """Every family a note's page may draw with: the house's and the fallbacks after them."""
    from render.context.resolve import FALLBACK_FONTS  # the parent process never needs WeasyPrint

    assert checked.profile is not None
    fonts = checked.profile.house.fonts
    names = [*fonts.serif, *fonts.sans, *fonts.latin_serif, *fonts.latin_sans, *FALLBACK_FONTS]
    return sorted(set(names))


def config_input(
    note: Path, root: Path, fingerprints: Fingerprints, house_paths: tuple[Path, ...]
) -> dict[str, Any]:
    """What decides which houses a note may use and its limits: its render.toml, --house-path."""
    from render.load.config import find_config

    found = find_config(note.parent)
    return {
        "path": relative(found, root) if found else None,
        "sha256": fingerprints.file(found) if found else None,
        "house_paths": [relative(path, root) for path in house_paths],
    }


def note_inputs(
    checked: Checked,
    note_sha256: str | None,
    root: Path,
    fingerprints: Fingerprints,
    settings: dict[str, Any],
    house_paths: tuple[Path, ...] = (),
) -> dict[str, Any]:
    """The record of everything that feeds one note's outputs, taken when it is built.

    The built-in templates and catalogs are the renderer's, which the check carries.
    """
    from render.context.markdown import image_references
    from render.pdf.confine import Confinement, Refused

    note, profile = checked.note, checked.profile
    assert note is not None and profile is not None
    folder = checked.path.parent
    confinement = Confinement(folder, profile.folder)
    images: dict[str, str | None] = {}
    for _, text in note.texts():
        for _, reference in image_references(text):
            try:
                image = confinement.resolve(reference, folder)
            except Refused:  # already reported by the check; nothing was read
                continue
            images[relative(image, root)] = fingerprints.file(image)
    return {
        "note": {"path": relative(checked.path, root), "sha256": note_sha256},
        "images": dict(sorted(images.items())),
        "house": {
            "path": relative(profile.folder, root),
            "files": fingerprints.tree(profile.folder),
        },
        "templates": {"files": fingerprints.tree(checked.settings.templates)},
        "catalogs": {"files": fingerprints.tree(checked.settings.catalogs, CATALOG_SUFFIXES)},
        "fonts": {family: fingerprints.fonts(family) for family in font_families(checked)},
        "config": config_input(checked.path, root, fingerprints, house_paths),
        "program": fingerprints.program(),
        "settings": settings,
    }


def current_inputs(
    recorded: dict[str, Any],
    note: Path,
    root: Path,
    fingerprints: Fingerprints,
    settings: dict[str, Any],
    house_paths: tuple[Path, ...] = (),
    runner: Settings | None = None,
) -> dict[str, Any]:
    """The same record as :func:`note_inputs`, taken now from the files a build recorded.

    ``runner`` is the front end's settings: where the built-in templates and catalogs are.

    Only hashing is needed, not loading the note: while the note's bytes are unchanged it names
    the same house and images, so the recorded paths are still the ones that feed it.
    """
    house = recorded["house"]["path"]
    runner = runner or Settings()
    return {
        "note": {"path": relative(note, root), "sha256": fingerprints.file(note)},
        "images": {path: fingerprints.file(root / path) for path in recorded["images"]},
        "house": {"path": house, "files": fingerprints.tree(root / house)},
        "templates": {"files": fingerprints.tree(runner.templates)},
        "catalogs": {"files": fingerprints.tree(runner.catalogs, CATALOG_SUFFIXES)},
        "fonts": {family: fingerprints.fonts(family) for family in recorded["fonts"]},
        "config": config_input(note, root, fingerprints, house_paths),
        "program": fingerprints.program(),
        "settings": settings,
    }


def within(path: Path, folders: Iterable[Path]) -> bool:
    """Whether a resolved path is one of the (resolved) folders or lies inside one."""
    return any(path.is_relative_to(folder) for folder in folders)


def untrusted_input(recorded: dict[str, Any], root: Path, roots: Iterable[Path]) -> str | None:
    """The first path a manifest entry names for reading that a build must not read; or None.

    A manifest is a file of the output folder like any other: hand-edited, or restored from a
    cache, it may name ``/dev/zero`` (whose hash never ends), a FIFO (whose opening waits for
    ever), ``/etc/passwd``, or a link that leads out of the notes. Each recorded path is judged
    by where it leads, its links resolved: it must lie in one of ``roots`` (the folders of the
    notes being built and of the houses they may use) and be a regular file (an image) or a
    folder (the house). A path to nothing is fine: it counts as a change, and nothing is read.
    Raises ``KeyError`` or ``TypeError`` for an entry that is not a record of inputs.
    """
    folders = [_resolved(folder) for folder in roots]
    house = recorded["house"]["path"]
    wanted = [(house, stat.S_ISDIR), *((image, stat.S_ISREG) for image in recorded["images"])]
    for name, kind in wanted:
        if not isinstance(name, str):
            return repr(name)
        try:
            target = (root / name).resolve()
            mode = target.stat().st_mode if target.exists() else None
        except (OSError, RuntimeError, ValueError):  # a link loop, a NUL in the name
            return name
        if not within(target, folders) or (mode is not None and not kind(mode)):
            return name
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def changed_inputs(recorded: dict[str, Any], now: dict[str, Any]) -> str | None:
    """Why a note must be rebuilt (the first input that changed), or None if none did."""
    for kind in INPUT_KINDS:
        if recorded.get(kind) != now.get(kind):
            return _REASONS[kind]
    return None


@dataclass
class Manifest:
    """``manifest.json`` in an output folder: one entry per note, keyed by its output name."""

    folder: Path
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The folder's manifest; an empty one if there is none yet."""
        path = folder / MANIFEST_NAME
        if not path.exists() and not path.is_symlink():
            return cls(folder)
        handle = _open_regular(path)
        if handle is None:  # a pipe or a device would never end, a link to nothing is no manifest
            raise ManifestError(f"{path} cannot be read: it is not a regular file")
        try:
            with handle:
                data = json.loads(handle.read())
        except (OSError, ValueError, RecursionError) as exc:
            raise ManifestError(f"{path} cannot be read: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("notes"), dict):
            raise ManifestError(f"{path} is not a render manifest (no 'notes' table)")
        if data.get("format") != MANIFEST_FORMAT:
            raise ManifestError(
                f"{path} has manifest format {data.get('format')!r}; "
                f"this version of render writes format {MANIFEST_FORMAT}"
            )
        return cls(folder, data["notes"])

    def dumps(self) -> bytes:
        """The manifest as written: sorted keys, so the same build writes the same bytes."""
        data = {
            "format": MANIFEST_FORMAT,
            "generator": f"research-notes {__version__}",
            "notes": self.notes,
        }
        return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()

    def save(self) -> None:
        write_atomic(self.path, self.dumps())


def output_record(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def is_plain_name(name: str) -> bool:
    """An output name stays inside the output folder (a hand-edited manifest could say
    otherwise, and the build deletes outputs a note no longer has)."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


def outputs_intact(folder: Path, outputs: dict[str, Any], names: Iterable[str]) -> bool:
    """Whether each named output is recorded and on disk with the recorded hash."""
    for name in names:
        record = outputs.get(name)
        if not isinstance(record, dict) or not is_plain_name(name):
            return False
        path = folder / name
        try:
            if path.stat().st_size != record.get("bytes"):
                return False
        except OSError:
            return False
        if _sha256(path) != record.get("sha256"):
            return False
    return True


def _sha256(path: Path) -> str | None:
    """A regular file's SHA-256; None if it is missing or not a regular file (never waits)."""
    handle = _open_regular(path)
    if handle is None:
        return None
    with handle:
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None


def _problem(code: str, message: str, message_zh: str, path: str, warning: bool = False) -> Problem:
    severity = Severity.WARNING if warning else Severity.ERROR
    return Problem(code, message, message_zh, (), severity, path)


@dataclass
class Verification:
    """What ``render verify`` found: how many outputs matched, and every mismatch."""

    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def verify(folder: Path, display: str | None = None) -> Verification:
    """Re-hash every output the manifest lists; report the missing, the modified, the unlisted."""
    shown = display if display is not None else str(folder)

    def where(name: str) -> str:
        return f"{shown.rstrip('/')}/{name}"

    result = Verification()
    if not (folder / MANIFEST_NAME).is_file():
        result.problems.append(
            _problem(
                "verify.no_manifest",
                f"no {MANIFEST_NAME} here; build into this folder with `render build -o {shown}`",
                f"此处没有 {MANIFEST_NAME}；请先用 `render build -o {shown}` 构建",
                where(MANIFEST_NAME),
            )
        )
        return result
    try:
        manifest = Manifest.load(folder)
    except ManifestError as exc:
        result.problems.append(
            _problem("verify.manifest", str(exc), f"清单无法读取：{exc}", where(MANIFEST_NAME))
        )
        return result
    listed: set[str] = set()
    for key in sorted(manifest.notes):
        entry = manifest.notes[key]
        outputs = entry.get("outputs") if isinstance(entry, dict) else None
        if not isinstance(outputs, dict):
            result.problems.append(
                _problem(
                    "verify.manifest",
                    f"the entry '{key}' has no outputs table",
                    f"条目“{key}”缺少 outputs 表",
                    where(MANIFEST_NAME),
                )
            )
            continue
        for name in sorted(outputs):
            record = outputs[name]
            if not is_plain_name(name) or not isinstance(record, dict):
                result.problems.append(
                    _problem(
                        "verify.manifest",
                        f"the entry '{key}' lists an output '{name}' outside this folder",
                        f"条目“{key}”列出的输出“{name}”不在此文件夹内",
                        where(MANIFEST_NAME),
                    )
                )
                continue
            listed.add(name)
            result.checked += 1
            found = _sha256(folder / name)
            if found is None:
                result.problems.append(
                    _problem(
                        "verify.missing",
                        "listed in the manifest but missing",
                        "清单中有记录，但文件不存在",
                        where(name),
                    )
                )
            elif found != record.get("sha256"):
                result.problems.append(
                    _problem(
                        "verify.modified",
                        f"modified since it was built: sha256 {found}, "
                        f"the manifest records {record.get('sha256')}",
                        f"构建后被修改：sha256 为 {found}，清单记录为 {record.get('sha256')}",
                        where(name),
                    )
                )
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and path.suffix.lower() in (".pdf", ".html")
            and not path.name.startswith(".")
            and path.name not in listed
        ):
            result.problems.append(
                _problem(
                    "verify.unlisted",
                    "not in the manifest: not written by a complete build",
                    "不在清单中：并非由一次完整的构建写入",
                    where(path.name),
                    warning=True,
                )
            )
    return result
