"""The research note model and the compliance rules every note must pass before it is published."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import AfterValidator, Field, ValidationInfo, create_model, field_validator

from schemas.data import (
    DATA_MODELS,
    Forecast,
    MarketData,
    Positive,
    Price,
    PricesFile,
    data_rules,
)
from schemas.house import Action, House, RatingLevel, StrictModel, localize
from schemas.markdown import PARSER, too_deep
from schemas.problems import Loc, ProblemLog, log_for, settle
from schemas.report_type import ReportType, default_type
from schemas.rules import Quoted, Text
from schemas.rules import note as rules

SAC_PATTERN = re.compile(r"^S(\d{4})\d(\d{2})(\d{2})\d{4}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: How an explicit action may be written, in either language.
ACTION_SPELLINGS: dict[str, Action] = {
    "首次": Action.INITIATE,
    "维持": Action.MAINTAIN,
    "上调": Action.UPGRADE,
    "下调": Action.DOWNGRADE,
    **{a.value: a for a in Action},
    "initiated": Action.INITIATE,
    "maintained": Action.MAINTAIN,
    "upgraded": Action.UPGRADE,
    "downgraded": Action.DOWNGRADE,
}

#: A paragraph naming where a table's or figure's data came from starts with one of these.
SOURCE_PREFIXES = ("资料来源", "数据来源", "来源", "source", "sources")

ACTION_ZH = {
    Action.INITIATE: "首次",
    Action.MAINTAIN: "维持",
    Action.UPGRADE: "上调",
    Action.DOWNGRADE: "下调",
}


#: Unicode categories that print nothing: control, format, and the space separators.
BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

#: Characters that print nothing besides white space and the format (Cf) and separator (Z*)
#: categories: Unicode's other default-ignorable code points (a combining grapheme joiner,
#: variation selectors, the Hangul fillers) and the blank Braille pattern.
INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)


def is_blank(text: str) -> bool:
    """Whether a text prints nothing: only white space, control, format or invisible characters.

    A title of one zero-width space (U+200B), a soft hyphen or a byte-order mark is as empty as
    one of spaces: the page shows nothing where the reader expects it.

    >>> is_blank(""), is_blank(" \u200b\u200c\u200d\u2060\ufeff\u00ad\u3000"), is_blank("a\u200b")
    (True, True, False)
    """
    return all(
        char.isspace() or char in INVISIBLE or unicodedata.category(char) in BLANK_CATEGORIES
        for char in text
    )


def _not_blank(value: str) -> str:
    """A required text that prints nothing is missing: the one rule of what "empty" means."""
    if is_blank(value):
        raise rules.EMPTY.error(what=Text("must not be empty (it holds only invisible characters)"))
    return value


#: A required single-line text: at least one character, and one that prints.
RequiredText = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]


def _nonblank(value: str, what: Text) -> str:
    if is_blank(value):
        raise rules.EMPTY.error(what=Text("{what} is empty", what=what))
    return value


def _not_a_date(value: Any) -> Text:
    return Text("{value} is not a date written YYYY-MM-DD", value=Quoted(value))


@contextmanager
def _rules(info: ValidationInfo) -> Iterator[ProblemLog]:
    """The log a validator reports into; without a caller's log, its errors are raised."""
    log = log_for(info.context)
    yield log
    settle(info.context, log)


def _house(info: ValidationInfo) -> House | None:
    return (info.context or {}).get("house")


def _locale(info: ValidationInfo, house: House) -> str:
    locale = info.data.get("locale")
    return locale if locale in house.locales else house.default_locale


class Subject(StrictModel):
    """What the note is about: an industry or a listed company."""

    kind: Literal["industry", "company"]
    name: RequiredText
    ticker: str | None = Field(None, description="A company's stock code, e.g. 600000.SH.")
    market: str = Field(description="A market the house defines, by code or name.")


class Rating(StrictModel):
    """The note's rating; the action is derived from the previous rating, never typed."""

    value: str = Field(description="A level of the house's scale for the subject's kind.")
    previous: str | None = Field(
        None,
        description="The rating of the previous note; left out, it is the rating of the latest "
        "earlier approved note on the subject in the folder (docs/compliance.md).",
    )
    action: str | None = Field(
        None,
        description="Optional (首次/维持/上调/下调); when given it must agree with the derived action.",
    )

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str | None) -> str | None:
        if value is not None and value.strip().casefold() not in ACTION_SPELLINGS:
            raise rules.ACTION.error(value=Quoted(value))
        return value


class Analyst(StrictModel):
    """A signer of the note: a registered analyst, or a research assistant who cannot sign alone."""

    name: RequiredText
    role: Literal["analyst", "assistant"] = "analyst"
    sac: str | None = Field(None, description="SAC 执业证书编号: S followed by 13 digits.")
    phone: str | None = None
    email: str | None = None

    @field_validator("sac")
    @classmethod
    def _sac_format(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = SAC_PATTERN.match(value)
        if not match:
            raise rules.SAC.error(value=Quoted(value), why=rules.SAC_FORM)
        if not 1 <= int(match.group(3)) <= 12:
            raise rules.SAC.error(value=Quoted(value), why=rules.sac_month(match.group(3)))
        return value

    @field_validator("email")
    @classmethod
    def _email_format(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_PATTERN.match(value):
            raise rules.EMAIL.error(value=Quoted(value))
        return value


class Review(StrictModel):
    """A note's review before release, as ``render approve`` records it (docs/compliance.md)."""

    status: Literal["draft", "approved"] = "draft"
    by: str | None = Field(None, description="The approving reviewer's id in the house's roster.")
    at: dt.datetime | None = Field(None, description="When it was approved (ISO date-time).")
    digest: str | None = Field(
        None, description="sha256: of the note's content and data files when it was approved."
    )


#: How a data key given as a file (in the note's folder) is written, for the JSON Schema.
DATA_FILE_SCHEMA = {
    "type": "string",
    "pattern": r"\.(ya?ml|json)$",
    "description": "A .yaml or .json file in the note's folder that holds the value.",
}


def _or_file(schema: dict[str, Any]) -> None:
    """In the JSON Schema, a data key may also name a file that holds it (docs/data.md)."""
    if "anyOf" in schema:
        schema["anyOf"].append(DATA_FILE_SCHEMA)
        return
    kept = ("title", "description", "default")
    inline = {key: schema.pop(key) for key in list(schema) if key not in kept}
    schema["anyOf"] = [inline, DATA_FILE_SCHEMA]


def _analyst_or_id(schema: dict[str, Any]) -> None:
    """In the JSON Schema, an analyst may also be named by id (resolved from the roster)."""
    by_id = {"type": "string", "description": "A person's id in the house's analysts.yaml."}
    schema["items"] = {"anyOf": [schema["items"], by_id]}


class CommentaryPoint(StrictModel):
    """One commentary paragraph: a bold lead sentence and the argument that follows it."""

    lead: str = Field(description="The bold lead sentence.")
    body: str = Field(description="The argument that follows the lead (Markdown).")

    @field_validator("lead")
    @classmethod
    def _lead(cls, value: str) -> str:
        if is_blank(value):
            raise rules.EMPTY.error(
                what=Text(
                    "the commentary point has no lead sentence (in Markdown, open the "
                    "paragraph with **bold text**)"
                )
            )
        return value

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        if is_blank(value):
            raise rules.EMPTY.error(
                what=Text("the commentary point has no text after its lead sentence")
            )
        return value


class NoteBase(StrictModel):
    """A research note's front matter, which every report type has; see :func:`note_model`.

    Rules are field validators rather than one model validator, so that every rule runs even
    when another field is wrong: the analyst sees every mistake in one pass. Rules that need the
    house read it from the validation context; without one they are skipped.
    """

    json_schema: str | None = Field(
        None,
        alias="$schema",
        description="The JSON Schema of the file, for editors (a JSON note's modeline); ignored.",
    )
    template: str = Field("event-commentary", description="The template that lays the note out.")
    house: str | None = Field(
        None,
        description=(
            "The name of a house the runner admits (shipped, render.toml, --house-path), or a "
            "path into an admitted folder; default: example."
        ),
    )
    locale: str | None = Field(None, pattern=r"^[a-z]{2}_[A-Z]{2}$")
    date: dt.date = Field(description="The note's date, YYYY-MM-DD; not after today.")
    title: RequiredText
    subject: Subject
    rating: Rating
    risk_level: str = Field(description="A report risk level of the house, by code (R3) or name.")
    analysts: list[Analyst] = Field(min_length=1, json_schema_extra=_analyst_or_id)
    review: Review | None = Field(
        None, description="The review before release: draft, or approved by a reviewer."
    )
    # The market data of the first page (see docs/data.md); each is optional.
    price: Price | None = Field(None, description="The close the valuation uses.")
    target_price: Positive | None = Field(
        None, validate_default=True, description="Upside is computed, never typed."
    )
    prices: str | PricesFile | None = Field(
        None, description="A CSV in the note's folder: date,close,benchmark (a chart and returns)."
    )
    forecast: Forecast | None = Field(
        None, description="Forecast table, one column per year.", json_schema_extra=_or_file
    )
    market_data: MarketData | None = Field(
        None, description="Extra lines of the market box.", json_schema_extra=_or_file
    )
    data: str | None = Field(
        None,
        pattern=r"\.(ya?ml|json)$",
        description="A .yaml or .json file in the note's folder holding any of the data keys "
        "(price, target_price, prices, forecast, market_data, a data section), as if written "
        "here.",
    )

    #: The report type whose sections and fields the model has (set by :func:`note_model`).
    report_type: ClassVar[ReportType]

    @field_validator("locale")
    @classmethod
    def _house_locale(cls, value: str | None, info: ValidationInfo) -> str | None:
        house = _house(info)
        if value is None or house is None or value in house.locales:
            return value
        with _rules(info) as log:
            known = ", ".join(house.locales)
            log.add(rules.LOCALE(("locale",), value=Quoted(value), known=known))
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _real_date(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
            raise rules.DATE.error(what=_not_a_date(value))
        if isinstance(value, bool | int | float):
            # pydantic would read a number as a Unix timestamp: 20260302 is not a date.
            raise rules.DATE.error(what=_not_a_date(value))
        return value

    @field_validator("date")
    @classmethod
    def _not_future(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        today: dt.date = (info.context or {}).get("today") or dt.date.today()
        if value > today:
            with _rules(info) as log:
                log.add(rules.DATE_FUTURE(("date",), value=value, today=today))
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str, info: ValidationInfo) -> str:
        with _rules(info) as log:
            _check_phrases(("title",), value, _house(info), log)
        return value

    @field_validator("subject")
    @classmethod
    def _market(cls, value: Subject, info: ValidationInfo) -> Subject:
        house = _house(info)
        if house is None or house.find_market(value.market) is not None:
            return value
        locale = _locale(info, house)
        names = ", ".join(localize(m.name, locale) for m in house.markets)
        with _rules(info) as log:
            log.add(rules.MARKET(("subject", "market"), value=Quoted(value.market), known=names))
        return value

    @field_validator("rating")
    @classmethod
    def _rating(cls, value: Rating, info: ValidationInfo) -> Rating:
        house = _house(info)
        subject: Subject | None = info.data.get("subject")
        if house is not None and subject is not None:
            with _rules(info) as log:
                # A previous rating left out is the record's (render.registers.history).
                previous = (info.context or {}).get("previous")
                _check_rating(value, subject.kind, house, _locale(info, house), log, previous)
        return value

    @field_validator("risk_level")
    @classmethod
    def _risk_level(cls, value: str, info: ValidationInfo) -> str:
        house = _house(info)
        if house is None:
            return value
        locale = _locale(info, house)
        with _rules(info) as log:
            risk = house.find_risk_level(value)
            if risk is None:
                names = ", ".join(f"{r.code} {localize(r.name, locale)}" for r in house.risk_levels)
                log.add(rules.RISK_LEVEL(("risk_level",), value=Quoted(value), known=names))
                return value
            subject: Subject | None = info.data.get("subject")
            market = house.find_market(subject.market) if subject else None
            floor = house.find_risk_level(market.min_risk_level or "") if market else None
            if market and floor and risk.order < floor.order:
                log.add(
                    rules.RISK_FLOOR(
                        ("risk_level",),
                        market=localize(market.name, locale),
                        floor=f"{floor.code} {localize(floor.name, locale)}",
                        given=f"{risk.code} {localize(risk.name, locale)}",
                    )
                )
        return value

    @field_validator("analysts")
    @classmethod
    def _analysts(cls, value: list[Analyst], info: ValidationInfo) -> list[Analyst]:
        with _rules(info) as log:
            _check_signers(value, log)
            house = _house(info)
            if house is not None:
                _check_analysts_against_house(value, info.data.get("date"), house, log)
        return value

    @field_validator("target_price")
    @classmethod
    def _data(cls, value: float | None, info: ValidationInfo) -> float | None:
        # Runs after every field it reads (price, rating, date), as fields validate in order.
        with _rules(info) as log:
            data_rules(info.data, value, _house(info), log)
        return value

    def texts(self) -> list[tuple[Loc, str]]:
        """Every free text of the note with its location, for rules that read prose."""
        found: list[tuple[Loc, str]] = [(("title",), self.title)]
        for section in self.report_type.sections:
            value = getattr(self, section.key)
            if section.kind == "prose" and isinstance(value, str):
                found.append(((section.key,), value))
            elif section.kind == "points" and value:
                for i, point in enumerate(value):
                    found += [
                        ((section.key, i, "lead"), point.lead),
                        ((section.key, i, "body"), point.body),
                    ]
        return found


#: The keys every note has, which no report type may give a section or a field.
RESERVED_KEYS = frozenset(
    alias for name, info in NoteBase.model_fields.items() for alias in (name, info.alias) if alias
)


def _prose_section(cls: type[NoteBase], value: str | None, info: ValidationInfo) -> str | None:
    """A prose section prints something, names its exhibits' sources and promises nothing."""
    if value is None:
        return value
    name = str(info.field_name)
    section = cls.report_type.section(name)
    english, chinese = section.names() if section else (name, name)
    # The section's Chinese title goes along for the Chinese message, which names it by that.
    _nonblank(value, Text("the section {title} ({key})", title=english, key=name, chinese=chinese))
    with _rules(info) as log:
        _check_prose((name,), value, _house(info), log)
    return value


def _points_section(
    cls: type[NoteBase], value: list[CommentaryPoint] | None, info: ValidationInfo
) -> list[CommentaryPoint] | None:
    name = str(info.field_name)
    with _rules(info) as log:
        for i, point in enumerate(value or []):
            _check_prose((name, i, "lead"), point.lead, _house(info), log)
            _check_prose((name, i, "body"), point.body, _house(info), log)
    return value


#: What each kind of section holds, and each type of extra field.
_SECTION_TYPES: dict[str, Any] = {
    "prose": str,
    "points": Annotated[list[CommentaryPoint], Field(min_length=1)],
    "data": Any,
}
_FIELD_TYPES: dict[str, Any] = {
    "text": RequiredText,
    "number": float,
    "date": dt.date,
    "list": list[Any],
    "mapping": dict[str, Any],
}

_MODELS: dict[str, type[NoteBase]] = {}

NOTE_DOC = """A research note: front matter and body sections, as an analyst writes them.

Rules are field validators rather than one model validator, so that every rule runs even
when another field is wrong: the analyst sees every mistake in one pass. Rules that need the
house read it from the validation context; without one they are skipped."""


def note_model(report_type: ReportType) -> type[NoteBase]:
    """The model of a note of a report type: the front matter, its fields, then its sections.

    Built once per declaration; every rule of a section comes from its kind.
    """
    key = report_type.model_dump_json()
    if key in _MODELS:
        return _MODELS[key]
    fields: dict[str, Any] = {}
    for extra in report_type.fields:
        kind = _FIELD_TYPES[extra.type]
        description = extra.description or None
        if extra.required:
            fields[extra.key] = (kind, Field(description=description))
        else:
            fields[extra.key] = (kind | None, Field(None, description=description))
    for key in report_type.requires:
        # A key every note may give, which this type's template needs.
        inherited = NoteBase.model_fields[key]
        given = [a for a in get_args(inherited.annotation) if a is not type(None)]
        kind = Union[tuple(given)] if given else inherited.annotation  # noqa: UP007
        extra = inherited.json_schema_extra
        fields[key] = (kind, Field(description=inherited.description, json_schema_extra=extra))
    for section in report_type.sections:
        kind = DATA_MODELS[section.model] if section.model else _SECTION_TYPES[section.kind]
        extra = _or_file if section.kind == "data" else None
        if section.required:
            fields[section.key] = (kind, Field(json_schema_extra=extra))
        else:
            fields[section.key] = (kind | None, Field(None, json_schema_extra=extra))
    validators: dict[str, Any] = {}
    for kind, check in (("prose", _prose_section), ("points", _points_section)):
        keys = [s.key for s in report_type.sections if s.kind == kind]
        if keys:
            validators[f"_{kind}_sections"] = field_validator(*keys)(check)
    model = create_model(  # type: ignore[call-overload]
        "Note",
        __base__=NoteBase,
        __doc__=NOTE_DOC,
        __module__=__name__,
        __validators__=validators,
        **fields,
    )
    model.report_type = report_type
    _MODELS[key] = model
    return model  # type: ignore[no-any-return]


#: The note of the default report type (event-commentary), as most notes are.
Note = note_model(default_type())


def _check_prose(loc: Loc, text: str, house: House | None, log: ProblemLog) -> None:
    """The rules every Markdown text of a note passes: sourced exhibits, no promises."""
    for offset, what in _unsourced_exhibits(text):
        log.add(rules.SOURCE(loc, what=rules.EXHIBITS[what], offset=offset))
    for offset in too_deep(text):
        log.add(rules.NESTING(loc, offset=offset))
    _check_phrases(loc, text, house, log)


def _check_phrases(loc: Loc, text: str, house: House | None, log: ProblemLog) -> None:
    """A warning at each promissory phrase the house forbids."""
    if house is None:
        return
    folded = text.casefold()
    for phrase in house.forbidden_phrases:
        needle = phrase.strip().casefold()
        if not needle:
            continue
        start = folded.find(needle)
        while start >= 0:
            log.add(rules.PROMISE(loc, value=Quoted(phrase), offset=start))
            start = folded.find(needle, start + len(needle))


def _check_signers(analysts: list[Analyst], log: ProblemLog) -> None:
    if not any(a.role == "analyst" and a.sac for a in analysts):
        log.add(rules.SIGNER(("analysts",)))
    for i, analyst in enumerate(analysts):
        if analyst.role == "analyst" and not analyst.sac:
            log.add(rules.SAC_MISSING(("analysts", i, "sac"), name=analyst.name))


def _check_analysts_against_house(
    analysts: list[Analyst], date: dt.date | None, house: House, log: ProblemLog
) -> None:
    for i, analyst in enumerate(analysts):
        if analyst.role == "analyst":
            for key, required in (
                ("phone", house.requirements.analyst_phone),
                ("email", house.requirements.analyst_email),
            ):
                if required and not getattr(analyst, key):
                    log.add(
                        rules.CONTACT(
                            ("analysts", i, key), name=analyst.name, key=rules.CONTACTS[key]
                        )
                    )
        match = SAC_PATTERN.match(analyst.sac or "")
        if not match:
            continue
        firm, year, month = match.groups()
        if firm != house.code:
            log.add(
                rules.SAC_FIRM(
                    ("analysts", i, "sac"), value=Quoted(analyst.sac), firm=firm, code=house.code
                )
            )
        registered = dt.date(2000 + int(year), int(month), 1)
        if date is not None and registered > date:
            log.add(
                rules.SAC_DATE(
                    ("analysts", i, "sac"),
                    value=Quoted(analyst.sac),
                    registered=registered,
                    date=date,
                )
            )


def _check_rating(
    rating: Rating,
    kind: str,
    house: House,
    locale: str,
    log: ProblemLog,
    recorded: str | None = None,
) -> None:
    """The rating is on the scale for the subject's kind; a written action matches the derived.

    ``recorded`` is the previous rating of the record (the latest earlier approved note on the
    subject): the action is derived from it when there is one.
    """
    scale = house.scale(kind)
    other = house.scale("industry" if kind == "company" else "company")
    labels = " / ".join(localize(level.label, locale) for level in scale.levels)
    other_kind = "industry" if kind == "company" else "company"
    levels: dict[str, RatingLevel | None] = {}
    for key, written in (("value", rating.value), ("previous", rating.previous)):
        if written is None:
            continue
        levels[key] = scale.find(written)
        if levels[key] is not None:
            continue
        hint: Text | str = ""
        if other.find(written) is not None:
            hint = rules.on_other_scale(Quoted(written), rules.KINDS[other_kind])
        log.add(
            rules.RATING(
                ("rating", key),
                value=Quoted(written),
                kind=rules.KINDS[kind],
                labels=labels,
                hint=hint,
            )
        )
    value = levels.get("value")
    if value is None or rating.action is None or ("previous" in levels and not levels["previous"]):
        return
    written_action = ACTION_SPELLINGS.get(rating.action.strip().casefold())
    if written_action is None:
        return  # reported as schema.action already
    previous = scale.find(recorded) if recorded else levels.get("previous")
    derived = scale.derive_action(value, previous)
    if derived == written_action:
        return
    should = (
        rules.NO_ACTION if derived is None else rules.should_be(str(derived), ACTION_ZH[derived])
    )
    log.add(
        rules.ACTION_MISMATCH(
            ("rating", "action"),
            value=Quoted(rating.action),
            previous=recorded or rating.previous or rules.NO_PREVIOUS,
            rating=rating.value,
            should=should,
        )
    )


def _unsourced_exhibits(text: str) -> list[tuple[int, str]]:
    """Tables and images in Markdown text that no source line follows, as (offset, kind)."""
    tokens = PARSER.parse(text)
    starts = line_starts(text)
    found = []
    for i, token in enumerate(tokens):
        kind = None
        if token.type == "table_open":
            kind = "table"
        elif token.type == "inline" and any(c.type == "image" for c in token.children or []):
            kind = "figure"
        if kind is None or token.map is None:
            continue
        if not _has_source_after(tokens, i, token, kind):
            found.append((starts[min(token.map[0], len(starts) - 1)], kind))
    return found


def line_starts(text: str) -> list[int]:
    """The offset each line of a Markdown text starts at, as markdown-it's line numbers count.

    Lines end at "\\n" only, not at U+2028 and the like as :meth:`str.splitlines` has it.

    >>> line_starts("a\\nbc\\n")
    [0, 2, 5, 6]
    """
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _has_source_after(tokens: list[Any], index: int, token: Any, kind: str) -> bool:
    """Whether the paragraph after a table (or the text around an image) names a source."""
    if kind == "figure" and starts_with_source(token.content.split("\n")[-1]):
        return True
    closer = "table_close" if kind == "table" else "paragraph_close"
    for j in range(index, len(tokens)):
        if tokens[j].type == closer:
            following = tokens[j + 1 : j + 3]
            return any(t.type == "inline" and starts_with_source(t.content) for t in following)
    return False


def starts_with_source(text: str) -> bool:
    """Whether a paragraph names where a table's or figure's data came from (资料来源：…)."""
    plain = text.lstrip("*_ ").casefold()
    return plain.startswith(SOURCE_PREFIXES)
