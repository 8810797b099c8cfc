"""The build manifest: what fed each published note and what came out, for incremental builds
and the compliance archive; ``verify`` re-hashes the outputs against it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from render import __version__
from render.batch.outputs import write_atomic
from render.fingerprints import Fingerprints, font_files, open_regular, sha256_file
from render.settings import Settings
from schemas.manifest import (
    MANIFEST_FORMAT,
    CatalogsInput,
    ConfigInput,
    Entry,
    FilesInput,
    HistoryInput,
    HouseInput,
    Inputs,
    ManifestRecord,
    NoteInput,
    Output,
    ProgramInput,
    SettingsInput,
    is_plain_name,
)
from schemas.problems import Problem, Severity
from schemas.rules import Text
from schemas.rules.project import MANIFEST, MISSING, MODIFIED, NO_MANIFEST, UNLISTED

if TYPE_CHECKING:
    from render.renderer import Checked

__all__ = ["Fingerprints", "font_files", "is_plain_name"]

MANIFEST_NAME = "manifest.json"
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
    "history",
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
    "settings": "SOURCE_DATE_EPOCH or --pdf-variant changed",
    "history": "an earlier note on its subject changed",
}


class ManifestError(Exception):
    """A manifest that cannot be read: not JSON, or not a manifest this program wrote.

    ``str()`` of it is one English line, the file then why; :attr:`reason` is why, in words a
    problem translates.
    """

    def __init__(self, path: Path, reason: Text) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


#: How every manifest render writes begins (its keys are sorted), whatever its format number.
_MANIFEST_START = re.compile(rb'\A\{\s*"format":\s*\d+,\s*"generator":\s*"research-notes ')


def is_output_folder(folder: Path) -> bool:
    """Whether a folder holds a ``manifest.json`` that a build of render wrote."""
    head = _read_head(folder / MANIFEST_NAME, 256)
    return head is not None and _MANIFEST_START.match(head) is not None


def _read_head(path: Path, size: int) -> bytes | None:
    handle = open_regular(path)
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
) -> ConfigInput:
    """What decides which houses a note may use and its limits: its render.toml, --house-path."""
    found, sha256 = fingerprints.config(note)
    return ConfigInput(
        path=relative(found, root) if found else None,
        sha256=sha256,
        house_paths=[relative(path, root) for path in house_paths],
    )


def catalogs_input(locale: str, fingerprints: Fingerprints, runner: Settings) -> CatalogsInput:
    """The catalog a note's labels come from: the file the render reads for its locale."""
    return CatalogsInput(locale=locale, files=fingerprints.catalogs(runner.catalogs, [locale]))


def note_inputs(
    checked: Checked,
    note_sha256: str | None,
    root: Path,
    fingerprints: Fingerprints,
    settings: dict[str, Any],
    house_paths: tuple[Path, ...] = (),
    runner: Settings | None = None,
) -> Inputs:
    """The record of everything that feeds one note's outputs, taken when it is built."""
    from render.context.markdown import image_references
    from render.data.chart_block import chart_references
    from render.pdf.confine import Confinement, Refused

    note, profile = checked.note, checked.profile
    assert note is not None and profile is not None
    folder = checked.path.parent
    confinement = Confinement(folder, profile.folder)
    images: dict[str, str | None] = {}
    for _, text in note.texts():
        # A chart's data file is read as an image is: a changed one rebuilds the note.
        charts = [reference for _, reference in chart_references(text)]
        for reference in [*(r for _, r in image_references(text)), *charts]:
            try:
                image = confinement.resolve(reference, folder)
            except Refused:  # already reported by the check; nothing was read
                continue
            images[relative(image, root)] = fingerprints.file(image)
    # The note's data file is read as its images are: a changed price file rebuilds the note.
    prices = getattr(note, "prices", None)
    reference = prices if isinstance(prices, str) else getattr(prices, "file", None)
    if reference:
        try:
            data = Confinement(folder).resolve(reference, folder)
        except Refused:  # already reported by the check
            data = None
        if data is not None:
            images[relative(data, root)] = fingerprints.file(data)
    # So are the files its data keys came from (read, and confined, by the check).
    if checked.source is not None:
        for included in checked.source.included.values():
            images[relative(included.source.path, root)] = fingerprints.file(included.source.path)
    locale = note.locale or profile.house.default_locale
    runner = runner or Settings()
    history = checked.history
    return Inputs(
        note=NoteInput(path=relative(checked.path, root), sha256=note_sha256),
        images=dict(sorted(images.items())),
        house=HouseInput(
            path=relative(profile.folder, root), files=fingerprints.tree(profile.folder)
        ),
        templates=FilesInput(files=fingerprints.templates(runner.templates)),
        catalogs=catalogs_input(locale, fingerprints, runner),
        fonts={family: fingerprints.fonts(family) for family in font_families(checked)},
        config=config_input(checked.path, root, fingerprints, house_paths),
        program=ProgramInput(**fingerprints.program()),
        settings=SettingsInput(**settings),
        history=HistoryInput(
            notes=_relative_files(history.notes if history else {}, root),
            files=_relative_files(history.files if history else {}, root),
        ),
    )


def _relative_files(files: dict[Path, str | None], root: Path) -> dict[str, str | None]:
    return dict(sorted((relative(path, root), sha) for path, sha in files.items()))


def history_input(
    recorded: HistoryInput,
    notes: Iterable[tuple[Path, bool]],
    root: Path,
    fingerprints: Fingerprints,
) -> HistoryInput:
    """The history record now: the earlier notes on the subject found now (``notes``, each with
    whether it says it is approved: only those are hashed, as the render records them), and
    the files the build recorded for them, hashed again.

    A recorded file is read only inside the folder of one of those notes (where a note's
    figures are); any other counts as changed, unread, and the rebuild records it afresh.
    """
    found = {
        relative(path, root): fingerprints.file(path) if approved else None
        for path, approved in notes
    }
    folders = {_resolved(root / name).parent for name in found}
    files: dict[str, str | None] = {}
    for name in recorded.files:
        try:
            target = (root / name).resolve()
        except (OSError, RuntimeError, ValueError):
            target = None
        inside = target is not None and within(target, folders)
        files[name] = fingerprints.file(target) if inside and target else None
    return HistoryInput(notes=dict(sorted(found.items())), files=dict(sorted(files.items())))


def current_inputs(
    recorded: Inputs,
    note: Path,
    root: Path,
    fingerprints: Fingerprints,
    settings: dict[str, Any],
    house_paths: tuple[Path, ...] = (),
    runner: Settings | None = None,
    history: HistoryInput | None = None,
) -> Inputs:
    """The same record as :func:`note_inputs`, taken now from the files a build recorded.

    Only hashing is needed, not loading the note: while the note's bytes are unchanged it names
    the same house, images and locale, so the recorded paths are still the ones that feed it.
    Its earlier notes are the caller's to find (``history``, see :func:`history_input`): a
    note of the record may have been added, or moved to another subject or date.
    """
    house = recorded.house.path
    runner = runner or Settings()
    return Inputs(
        note=NoteInput(path=relative(note, root), sha256=fingerprints.file(note)),
        images={path: fingerprints.file(root / path) for path in recorded.images},
        house=HouseInput(path=house, files=fingerprints.tree(root / house)),
        templates=FilesInput(files=fingerprints.templates(runner.templates)),
        catalogs=catalogs_input(recorded.catalogs.locale, fingerprints, runner),
        fonts={family: fingerprints.fonts(family) for family in recorded.fonts},
        config=config_input(note, root, fingerprints, house_paths),
        program=ProgramInput(**fingerprints.program()),
        settings=SettingsInput(**settings),
        history=history if history is not None else recorded.history,
    )


def within(path: Path, folders: Iterable[Path]) -> bool:
    """Whether a resolved path is one of the (resolved) folders or lies inside one."""
    return any(path.is_relative_to(folder) for folder in folders)


def untrusted_input(recorded: Inputs, root: Path, roots: Iterable[Path]) -> str | None:
    """The first path a manifest entry names for reading that a build must not read; or None.

    A manifest is a file of the output folder like any other: hand-edited, or restored from a
    cache, it may name ``/dev/zero`` (whose hash never ends), a FIFO (whose opening waits for
    ever), ``/etc/passwd``, or a link that leads out of the notes. Each recorded path is judged
    by where it leads, its links resolved: it must lie in one of ``roots`` (the folders of the
    notes being built and of the houses they may use) and be a regular file (an image) or a
    folder (the house). A path to nothing is fine: it counts as a change, and nothing is read.
    The catalogs and fonts are never read from the recorded paths, only looked up anew.
    """
    folders = [_resolved(folder) for folder in roots]
    house = recorded.house.path
    wanted = [(house, stat.S_ISDIR), *((image, stat.S_ISREG) for image in recorded.images)]
    for name, kind in wanted:
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


def changed_inputs(recorded: Inputs, now: Inputs) -> str | None:
    """Why a note must be rebuilt (the first input that changed), or None if none did."""
    for kind in INPUT_KINDS:
        if getattr(recorded, kind) != getattr(now, kind):
            return _REASONS[kind]
    return None


def new_entry(
    inputs: Inputs,
    about: dict[str, Any],
    pages: int,
    warnings: int,
    outputs: dict[str, bytes],
) -> Entry:
    """A note's manifest entry, for the outputs a build has just written."""
    return Entry(
        source=inputs.note.path,
        title=about["title"],
        date=about["date"],
        template=about["template"],
        house=inputs.house.path,
        version=__version__,
        pages=pages,
        warnings=warnings,
        fingerprint=canonical_hash(inputs.model_dump(mode="json")),
        inputs=inputs,
        outputs={name: output_record(data) for name, data in sorted(outputs.items())},
        review=about.get("review"),
        subject=about.get("subject"),
    )


@dataclass
class Manifest:
    """``manifest.json`` in an output folder: one entry per note, keyed by its output name."""

    folder: Path
    notes: dict[str, Entry] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The folder's manifest; an empty one if there is none yet.

        Raises :class:`ManifestError` with a one-line reason for anything that is not a
        manifest this version of render writes: the caller rebuilds every note afresh.
        """
        path = folder / MANIFEST_NAME
        if not path.exists() and not path.is_symlink():
            return cls(folder)
        handle = open_regular(path)
        if handle is None:  # a pipe or a device would never end, a link to nothing is no manifest
            raise ManifestError(path, Text("cannot be read: it is not a regular file"))
        try:
            with handle:
                data = json.loads(handle.read())
        except (OSError, ValueError, RecursionError) as exc:
            raise ManifestError(path, Text("cannot be read: {error}", error=str(exc))) from None
        if not isinstance(data, dict) or not isinstance(data.get("notes"), dict):
            raise ManifestError(path, Text("is not a render manifest (no 'notes' table)"))
        if data.get("format") != MANIFEST_FORMAT:
            raise ManifestError(
                path,
                Text(
                    "has manifest format {found}; this version of render writes format {format}",
                    found=repr(data.get("format")),
                    format=MANIFEST_FORMAT,
                ),
            )
        try:
            record = ManifestRecord.model_validate(data)
        except (ValidationError, RecursionError) as exc:
            reason = Text("is not a valid manifest: {error}", error=_first_error(exc))
            raise ManifestError(path, reason) from None
        return cls(folder, dict(record.notes))

    def dumps(self) -> bytes:
        """The manifest as written: sorted keys, so the same build writes the same bytes."""
        record = ManifestRecord(generator=f"research-notes {__version__}", notes=self.notes)
        data = record.model_dump(mode="json")
        return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()

    def save(self) -> None:
        write_atomic(self.path, self.dumps())


def _first_error(exc: Exception) -> str:
    """A validation error in one line: where, and what is wrong (no input echoed back)."""
    if not isinstance(exc, ValidationError):
        return "nested too deeply"
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def output_record(data: bytes) -> Output:
    return Output(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))


def outputs_intact(folder: Path, outputs: dict[str, Output], names: Iterable[str]) -> bool:
    """Whether each named output is recorded and on disk with the recorded size and hash."""
    for name in names:
        record = outputs.get(name)
        if record is None or not is_plain_name(name):
            return False
        path = folder / name
        try:
            if path.stat().st_size != record.bytes:
                return False
        except OSError:
            return False
        if sha256_file(path) != record.sha256:
            return False
    return True


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
            NO_MANIFEST(manifest=MANIFEST_NAME, folder=shown, path=where(MANIFEST_NAME))
        )
        return result
    try:
        manifest = Manifest.load(folder)
    except ManifestError as exc:
        result.problems.append(
            MANIFEST(file=str(exc.path), reason=exc.reason, path=where(MANIFEST_NAME))
        )
        return result
    listed: set[str] = set()
    for key in sorted(manifest.notes):
        # Every name is a plain file name of this folder: the model refuses any other.
        outputs = manifest.notes[key].outputs
        for name in sorted(outputs):
            record = outputs[name]
            listed.add(name)
            result.checked += 1
            found = sha256_file(folder / name)
            if found is None:
                result.problems.append(MISSING(path=where(name)))
            elif found != record.sha256:
                result.problems.append(
                    MODIFIED(found=found, recorded=record.sha256, path=where(name))
                )
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and path.suffix.lower() in (".pdf", ".html")
            and not path.name.startswith(".")
            and path.name not in listed
        ):
            result.problems.append(UNLISTED(path=where(path.name)))
    return result
