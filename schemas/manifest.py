"""The build manifest (``dist/manifest.json``) as a typed, versioned model: the firm's record of
what fed each published note and what came out of it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Bumped when the manifest's layout changes; an older build's manifest is then rebuilt from scratch.
MANIFEST_FORMAT = 1

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
#: A file's hash, or null when it was missing when the record was taken (which counts as a change).
MaybeSha256 = Sha256 | None
Files = dict[str, MaybeSha256]


def is_plain_name(name: str) -> bool:
    """An output name stays inside the output folder (a hand-edited manifest could say
    otherwise, and the build deletes outputs a note no longer has)."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name


class _Record(BaseModel):
    # A key this program does not write is a manifest it did not write: rebuilt, not guessed at.
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoteInput(_Record):
    """The note file: its path relative to the build's folder, and its bytes' hash."""

    path: str
    sha256: MaybeSha256


class HouseInput(_Record):
    """The house folder, and every file in it (house.yaml, style.css, logo, templates/)."""

    path: str
    files: Files


class FilesInput(_Record):
    """A set of files by relative path: the built-in templates and stylesheet."""

    files: Files


class CatalogsInput(_Record):
    """The translation catalog a render read for the note's locale (the ``.mo``, or the ``.po``
    when it is newer), by path under ``render/locale``."""

    locale: str
    files: Files


class ConfigInput(_Record):
    """The nearest ``render.toml`` above the note, and the ``--house-path`` folders."""

    path: str | None
    sha256: MaybeSha256
    house_paths: list[str]


class ProgramInput(_Record):
    """render's version, a digest of its Python source, and the libraries shaping its output."""

    version: str
    source: Sha256
    libraries: dict[str, str | None]


class SettingsInput(_Record):
    """Build settings that shape every output."""

    source_date_epoch: str | None
    #: ``--pdf-variant``, when given (else each house's ``pdf_variant``, a house input).
    pdf_variant: str | None = None


class HistoryInput(_Record):
    """The earlier notes on the note's subject (approved or not: approving one changes the note)
    and the figures and price files of those that say they are approved, by relative path."""

    notes: Files = {}
    files: Files = {}


class Inputs(_Record):
    """Everything that feeds one note's outputs, as hashed when it was built."""

    note: NoteInput
    images: Files
    house: HouseInput
    templates: FilesInput
    catalogs: CatalogsInput
    fonts: dict[str, Files]
    config: ConfigInput
    program: ProgramInput
    settings: SettingsInput
    #: The record that gave the note its previous rating, related reports and rating history.
    history: HistoryInput = HistoryInput()


class Output(_Record):
    """One written file: its size and hash, which ``render verify`` checks."""

    bytes: int = Field(ge=0)
    sha256: Sha256


class ReviewRecord(_Record):
    """The note's review when it was built: approved (by whom, when), a draft, or stale."""

    status: Literal["approved", "draft", "stale"]
    by: str | None = None
    at: dt.datetime | None = None


class Entry(_Record):
    """One published note: where it came from, what it is, what fed it, what came out."""

    source: str
    title: str
    date: dt.date
    template: str
    house: str
    version: str
    pages: int = Field(ge=0)
    #: How many warnings the note had when it was built (``--strict`` rebuilds such a note).
    warnings: int = Field(ge=0)
    #: The note's subject as its history knows it: ["company", ticker] or ["industry", name].
    #: With the note's date, it lets the next build find the notes of a subject unread.
    subject: list[str] | None = None
    #: SHA-256 of the canonical JSON of ``inputs``.
    fingerprint: Sha256
    inputs: Inputs
    outputs: dict[str, Output] = Field(
        description=(
            "Each file written for the note, by name in the output folder: NAME.pdf, "
            "NAME.html, and NAME.rixml (the RIXML sidecar describing the PDF)."
        )
    )
    #: Who approved the note for release and when (None: the house keeps no review of it).
    review: ReviewRecord | None = None

    @field_validator("outputs")
    @classmethod
    def _outputs_stay_in_the_folder(cls, value: dict[str, Output]) -> dict[str, Output]:
        for name in value:
            if not is_plain_name(name):
                raise ValueError(f"the output {name!r} is not a file name of the output folder")
        return value


class ManifestRecord(_Record):
    """``manifest.json``: one entry per note, keyed by its output name (the note's file stem)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="render build manifest",
        json_schema_extra={"description": "What fed each published note, and what came out."},
    )

    format: Literal[1] = MANIFEST_FORMAT
    generator: str = Field(pattern=r"^research-notes ")
    notes: dict[str, Entry] = Field(default_factory=dict)
