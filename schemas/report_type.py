"""Report types as data: the sections a note of a type has, its extra fields and its template."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator
from ruamel.yaml import YAML

from schemas.house import ReportType as ReportName
from schemas.house import StrictModel
from schemas.house import Text as Titles
from schemas.rules import Quoted, Text
from schemas.rules import house as rules

#: The report types render ships, one declaration each (``<name>.yaml``).
BUILTIN_TYPES = Path(__file__).parent / "report_types"
#: The report type of a note that names none, and of a template that has no declaration.
DEFAULT_TYPE = "event-commentary"

#: A section's or a field's key: how a YAML or JSON note names it, and what templates call it.
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
#: A report type's name: the note's ``template:``, the file name of its declaration.
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"

Key = Annotated[str, Field(pattern=KEY_PATTERN)]

SectionKind = Literal["prose", "points", "data"]


class Section(StrictModel):
    """One section of a report type's body, in the order the note gives them."""

    key: Key = Field(description="How the note names the section (a YAML/JSON note's key).")
    title: Titles = Field(
        description="The section's title, per locale: the heading it prints under and that a "
        "Markdown note may write (a house's `sections:` may give another)."
    )
    kind: SectionKind = Field(
        "prose",
        description="prose: Markdown text; points: commentary points (a bold lead sentence and "
        "its argument); data: structured data the template draws (front matter only).",
    )
    required: bool = Field(True, description="Whether every note of the type must have it.")
    aliases: list[Annotated[str, Field(min_length=1)]] = Field(
        [], description="Further headings that name the section in a Markdown note."
    )
    model: str | None = Field(
        None,
        description="A data section's model, which validates it: results (a results table). "
        "Without one, the data is the template's to read.",
    )

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str | None, info: ValidationInfo) -> str | None:
        from schemas.data import DATA_MODELS

        if value is None:
            return value
        if info.data.get("kind") != "data":
            raise rules.REPORT_TYPE.error(
                what=Text("only a section of kind data has a model, not {model}", model=value)
            )
        if value not in DATA_MODELS:
            known = ", ".join(sorted(DATA_MODELS))
            raise rules.REPORT_TYPE.error(
                what=Text(
                    "no data model {model} (models: {known})", model=Quoted(value), known=known
                )
            )
        return value

    @property
    def in_body(self) -> bool:
        """Whether a Markdown note writes the section in its body, under a heading."""
        return self.kind != "data"

    def names(self) -> tuple[str, str]:
        """The section's names in messages, English and Chinese (the type's, not the house's)."""
        if isinstance(self.title, str):
            return self.title, self.title
        english = self.title.get("en_US") or self.key
        return english, self.title.get("zh_CN") or english


class ExtraField(StrictModel):
    """A front-matter field a report type adds to every note's metadata."""

    key: Key
    type: Literal["text", "number", "date", "list", "mapping"] = "text"
    required: bool = False
    description: str = ""


class ReportType(StrictModel):
    """A report type: its body sections, its extra front-matter fields, and its template."""

    json_schema: str | None = Field(
        None, alias="$schema", description="The JSON Schema of the file, for editors; ignored."
    )
    template: str | None = Field(
        None,
        pattern=NAME_PATTERN,
        description="The template that lays the report out (default: the report type's name).",
    )
    name: ReportName | None = Field(
        None,
        description="What the report is called, for an industry and a company subject (the "
        "house's `report_types:` may say otherwise).",
    )
    sections: list[Section] = Field(min_length=1)
    fields: list[ExtraField] = Field([], description="Front-matter fields the type adds.")
    requires: list[Key] = Field(
        [],
        description="Keys every note has that are optional elsewhere and that this type "
        "requires, e.g. forecast (its template draws them).",
    )

    @field_validator("requires")
    @classmethod
    def _optional_keys(cls, value: list[str]) -> list[str]:
        """Only a key every note has, and may leave out, can be required."""
        from schemas.note import NoteBase

        for key in value:
            field = NoteBase.model_fields.get(key)
            if field is None or field.is_required():
                optional = ", ".join(
                    k for k, f in NoteBase.model_fields.items() if not f.is_required()
                )
                raise rules.REPORT_TYPE.error(
                    what=Text(
                        "{key} cannot be required (a type may require: {optional})",
                        key=Quoted(key),
                        optional=optional,
                    )
                )
        return value

    @field_validator("sections", "fields")
    @classmethod
    def _distinct_keys(
        cls, value: list[Section] | list[ExtraField], info: ValidationInfo
    ) -> list[Section] | list[ExtraField]:
        """Every section and field has a key of its own, and none is a key every note has."""
        from schemas.note import RESERVED_KEYS  # the note model is built from report types

        seen = (
            {s.key for s in info.data.get("sections") or []}
            if info.field_name == "fields"
            else set()
        )
        for item in value:
            key = item.key
            if key in RESERVED_KEYS:
                reserved = ", ".join(sorted(RESERVED_KEYS))
                raise rules.REPORT_TYPE.error(what=rules.reserved_key(Quoted(key), reserved))
            if key in seen:
                raise rules.REPORT_TYPE.error(what=rules.key_twice(Quoted(key)))
            seen.add(key)
        return value

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def body_keys(self) -> tuple[str, ...]:
        """The sections a Markdown note writes under headings, in order."""
        return tuple(s.key for s in self.sections if s.in_body)

    def titles(self, overrides: dict[str, Titles] | None = None) -> dict[str, list[str]]:
        """For each body section, every heading that names it: the house's titles if it gives
        any (``overrides``, its ``sections:``), else the type's, in all their locales."""
        overrides = overrides or {}
        return {s.key: _texts(overrides.get(s.key, s.title)) for s in self.sections if s.in_body}

    def english_names(self) -> dict[str, str]:
        """Headings that always name a section, whatever the house calls it: its key, its
        English title and its aliases, case-folded."""
        names: dict[str, str] = {}
        for section in self.sections:
            if not section.in_body:
                continue
            for name in (section.key, section.names()[0], *section.aliases):
                names.setdefault(name.strip().casefold(), section.key)
        return names


def _texts(text: Titles) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())


@cache
def builtin_type(name: str) -> ReportType | None:
    """A report type render ships, by name (the shipped declarations are trusted files)."""
    path = BUILTIN_TYPES / f"{name}.yaml"
    if not path.is_file():
        return None
    data: Any = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return ReportType.model_validate(data)


def builtin_types() -> list[str]:
    return sorted(p.stem for p in BUILTIN_TYPES.glob("*.yaml"))


def default_type() -> ReportType:
    found = builtin_type(DEFAULT_TYPE)
    assert found is not None, "the event-commentary declaration ships with render"
    return found
