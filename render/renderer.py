"""The one renderer the CLI, the batch builder and the preview server share: check, then render."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import jinja2
from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from render.batch.outputs import source_date_epoch
from render.context.i18n import translations
from render.context.markdown import figure_alt_problems, images
from render.context.resolve import build_context
from render.data.chart_block import chart_fences, read_chart
from render.data.context import data_context, note_prices
from render.errors import UserError
from render.html.environment import (
    environment,
    render_html,
    stylesheet,
    template_files,
    template_names,
)
from render.load.config import ConfigError, note_settings
from render.load.data_files import include_data_files, unread_keys
from render.load.house_cache import kept_house
from render.load.houses import HouseProfile, find_house
from render.load.note import Source, load_note
from render.load.report_types import find_report_type
from render.pdf.attachments import attachments
from render.pdf.confine import Confinement
from render.pdf.job import Archival, PdfJob, PdfResult
from render.registers.history import History, Record, contradiction, history, record_of
from render.registers.judge import Verdict, judge, prepare
from render.registers.judge import context as register_context
from render.registers.review import content_of, data_files, digest_of
from render.report import display_path
from render.settings import Settings
from render.validate.images import Figures, ImageProblem, css_problems
from render.validate.models import validate
from schemas.note import NoteBase, note_model
from schemas.problems import Loc, Problem, Severity
from schemas.report_type import ReportType
from schemas.rules import Quoted, Text, reading
from schemas.rules.rendering import TEMPLATE

if TYPE_CHECKING:
    from render.pdf.writer import PdfWriter

Format = Literal["pdf", "html"]

#: The rules that judge a Markdown body's sections, which only the house's report type names.
_BODY_RULES = frozenset(
    rule.code for rule in (reading.HEADING, reading.DUPLICATE, reading.PREAMBLE)
)


@dataclass
class Checked:
    """A note after loading and validation: the model (when valid) and every problem, located."""

    path: Path
    display: str
    note: NoteBase | None
    profile: HouseProfile | None
    source: Source | None
    problems: list[Problem] = field(default_factory=list)
    #: The HTML stage's output, made by the check (so a failing house template is a problem of
    #: the check, as of the build) and used by the render that follows it.
    html: str | None = None
    #: The settings this note is judged and rendered under: the front end's, with its
    #: ``render.toml`` over them (admitted houses, limits).
    settings: Settings = field(default_factory=Settings)
    #: What the house's registers say of the note: its review state, its disclosures.
    verdict: Verdict | None = None
    #: The note's earlier approved notes on its subject, from the record (its folder's notes
    #: and those built with it): its previous rating, related reports and rating history.
    history: History | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


@dataclass
class Rendered:
    """A rendered note: its outputs in memory, ready to be written."""

    checked: Checked
    html: str
    pdf: bytes | None = None
    pages: int = 0
    #: Warnings found while rendering (errors are raised): a house declaration ignored, say.
    problems: list[Problem] = field(default_factory=list)

    @property
    def note(self) -> NoteBase:
        assert self.checked.note is not None
        return self.checked.note


def _sorted(problems: list[Problem], display: str) -> list[Problem]:
    """The note's own problems first, then its house's; each file's by position."""
    return sorted(problems, key=lambda p: (p.path != display, p.path, p.line, p.column, p.code))


def _texts(data: dict[str, Any], report_type: ReportType) -> list[tuple[Loc, str]]:
    """The note's Markdown texts as rules read them (stripped), wherever the data has them."""
    found: list[tuple[Loc, Any]] = [(("title",), data.get("title"))]
    for section in report_type.sections:
        value = data.get(section.key)
        if section.kind == "prose":
            found.append(((section.key,), value))
        elif section.kind == "points" and isinstance(value, list):
            for i, point in enumerate(value):
                if isinstance(point, dict):
                    found += [((section.key, i, key), point.get(key)) for key in ("lead", "body")]
    return [(loc, text.strip()) for loc, text in found if isinstance(text, str)]


def _without_unknown(problems: list[Problem], unknown: set[int]) -> list[Problem]:
    """The model's problems, but none about an analyst id the roster lacks (said once already)."""
    if not unknown:
        return problems
    return [
        p
        for p in problems
        if p.code != "schema.signer"
        and not (p.loc[:1] == ("analysts",) and len(p.loc) > 1 and p.loc[1] in unknown)
    ]


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's compiled templates kept between processes, so a cold ``render check`` or build
    does not compile the same twenty templates again (a quarter of a check's own work).

    Jinja's cache for the user: a folder in the system's temporary folder that only the user
    may read and write (Jinja refuses one that another user owns or may write to). A template is
    looked up by its name and file and taken only if its source is unchanged (Jinja keeps a
    checksum); the file names also carry a digest of what else shapes the compiled code — the
    Jinja and Python versions and render's environment and filters (``render/html``) — so an
    upgrade or an edit of them is compiled afresh. A cache that cannot be read or written is
    no cache: the template is compiled, the render goes on.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a file cut short or garbled: compile the template instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full or read-only temporary folder
            super().dump_bytecode(bucket)


@cache
def _compiled_templates() -> _CompiledTemplates | None:
    """The cache of compiled templates for this user, or None where there can be none."""
    digest = hashlib.sha256(f"{jinja2.__version__} {sys.version}".encode())
    for path in sorted(Path(__file__).with_name("html").glob("*.py")):
        digest.update(path.read_bytes())
    try:
        return _CompiledTemplates(pattern=f"__render_{digest.hexdigest()[:16]}_%s.cache")
    except (OSError, RuntimeError):  # no safe folder (another user's, or none may be made)
        return None


def _folder_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of a folder's files: cheap, and changes with them."""
    stamp = []
    for path in sorted(folder.iterdir()):
        try:
            info = path.stat()
        except OSError:
            continue
        stamp.append((path.name, info.st_size, info.st_mtime_ns))
    return tuple(stamp)


class Renderer:
    """Turns note files into HTML and PDF; keeps houses, templates and fonts warm across notes."""

    def __init__(
        self,
        today: dt.date | None = None,
        created: dt.datetime | Literal["environment"] | None = "environment",
        settings: Settings | None = None,
    ) -> None:
        self.today = today
        #: The houses the runner admits and the resource limits, decided by the front end.
        self.settings = settings or Settings()
        #: The creation date written into outputs: a fixed one, None for each note's date, or
        #: SOURCE_DATE_EPOCH if set ("environment", read at each render, as tools set it late).
        self.created = created
        self._houses: dict[Path, tuple[tuple[tuple[str, int, int], ...], HouseProfile]] = {}
        self._envs: dict[tuple[Path, str, tuple[str, ...], object], Environment] = {}
        self._pdf: PdfWriter | None = None
        #: The record's headers, each read once per content, across notes and builds.
        self.record = Record()
        #: Earlier notes read whole for their approval, by file and hash: the digest their
        #: review says, their content and the data files the digest covers (hashed at each use).
        self._approvals: dict[tuple[Path, str], tuple[object, str, list[str]]] = {}

    # -- houses -------------------------------------------------------------------------------

    def house(self, folder: Path) -> HouseProfile:
        """A validated house, reloaded when a file of its folder (``house.yaml``, the logo) changes."""
        folder = folder.resolve()
        stamp = _folder_stamp(folder)
        cached = self._houses.get(folder)
        if cached and cached[0] == stamp:
            return cached[1]
        profile = kept_house(folder)  # as load_house reads it, kept across processes
        self._houses[folder] = (stamp, profile)
        self._approvals.clear()  # a note's body is cut by its house's headings
        self._envs = {key: env for key, env in self._envs.items() if key[0] != folder}
        return profile

    def env(self, profile: HouseProfile, locale: str) -> Environment:
        """The house's Jinja environment for a locale, made anew when template files come or go."""
        settings = self.settings
        # The catalog is part of the key: an edited catalog is loaded anew (see i18n).
        catalog = translations(locale, settings.catalogs)
        key = (profile.folder, locale, template_files(profile, settings.templates), catalog)
        if key not in self._envs:
            self._envs = {k: e for k, e in self._envs.items() if k[:2] != key[:2]}
            env = environment(profile, locale, catalog, settings.templates)
            env.bytecode_cache = _compiled_templates()
            self._envs[key] = env
        return self._envs[key]

    # -- check ------------------------------------------------------------------------------

    def check(self, path: Path, display: str | None = None, batch: Sequence[Path] = ()) -> Checked:
        """Load and validate a note; every problem of the note (or of its house) is returned.

        Problems in the note are located in it (as ``display``); problems in its house are
        located in the house's ``house.yaml``. All of them come sorted by file and position.
        ``batch`` is the notes built with it: with its folder's notes, the record its history
        is read from (see :mod:`render.registers.history`).
        """
        display = display or str(path)
        checked = Checked(path, display, None, None, None)
        problems: list[Problem] = []
        try:
            # The note's render.toml (the runner's) adds admitted houses and sets limits.
            settings = checked.settings = note_settings(self.settings, path)
        except ConfigError as exc:
            checked.problems = exc.problems
            return checked

        def titles_for(source: Source) -> dict[str, list[str]]:
            spec = source.data.get("house")
            try:
                folder = find_house(spec if isinstance(spec, str) else None, path.parent, settings)
                checked.profile = self.house(folder)
                # The report type's sections are the body's: known before the body is cut.
                source.report_type = find_report_type(
                    source.data.get("template"), folder, settings.limits
                )
            except UserError as exc:
                problems.extend(exc.problems)
                checked.profile = None  # without its report type the note cannot be judged
                return {}
            return source.report_type.titles(checked.profile.house.sections)

        try:
            source = load_note(path, titles_for, settings.limits)
        except UserError as exc:
            found = [replace(p, path=display) if p.path == str(path) else p for p in exc.problems]
            checked.problems = _sorted([*problems, *found], display)
            return checked
        if source.kind != "markdown":
            titles_for(source)
        # Data keys given as files are read now, so every later stage sees the data itself.
        include_data_files(source, display, settings.limits)
        checked.source = source
        profile = checked.profile
        # Without its house the body's headings cannot be judged: report the house's problems.
        body = [p for p in source.problems if profile is not None or p.code not in _BODY_RULES]
        # A house problem is located in house.yaml already; a note problem gets the note's place.
        located = [p if p.path else source.locate(p, display) for p in [*problems, *body]]
        if profile is not None:
            located += list(profile.warnings)
            house = profile.house
            # The history first: a previous rating left out is the record's, for validation too.
            found_history = checked.history = history(
                source.data,
                path,
                house,
                record_of(path, batch),
                self.record,
                lambda earlier: self._approval(earlier, settings),
                settings.limits,
            )
            latest = found_history.latest
            previous = latest.rating.code if latest and latest.rating else None
            context = {"house": house, "today": self.today, "previous": previous}
            report_type = source.report_type
            # Analysts named by id are resolved from the roster before the model reads them.
            resolved = prepare(source, profile.house, profile.registers)
            note, found = validate(note_model(report_type), resolved.data, context)
            found = [*resolved.problems, *_without_unknown(found, resolved.unknown)]
            # A data file that could not be read is one problem, not one more of its key's type.
            unread = unread_keys(source)
            found = [p for p in found if not (p.loc and p.loc[0] in unread)]
            if note is not None:
                checked.verdict, judged = judge(
                    note, source, resolved, profile.house, profile.registers, settings.release
                )
                found += judged
                written = contradiction(
                    found_history, note.rating.previous, house, note.subject.kind
                )
                found += [written] if written else []
                if previous is not None and note.rating.previous != previous:
                    # The record's previous rating is the note's from here on, so that every
                    # output (the page, the RIXML action, the PDF's note.json) says the same.
                    rating = note.rating.model_copy(update={"previous": previous})
                    note = note.model_copy(update={"rating": rating})
            found += self._template(
                source.data.get("template"), report_type, profile, settings.templates
            )
            found += self._resources(source.data, report_type, profile, path, settings, display)
            found += note_prices(source.data, path.parent, display, settings.limits)[1]
            located += [source.locate(p, display) for p in found]
            located += self._stylesheet(profile, path)
            checked.note = note
        checked.problems = _sorted(located, display)
        if checked.errors:
            checked.note = None
        else:
            self._html_stage(checked)
        return checked

    def _approval(self, path: Path, settings: Settings) -> tuple[bool, dict[Path, str | None]]:
        """Whether an earlier note's approval holds (its content is what was approved), and
        the files its digest covers. It is read as a note is (its body cut by its house's
        headings, which the digest covers), but not validated or rendered."""

        def titles_for(source: Source) -> dict[str, list[str]]:
            spec = source.data.get("house")
            folder = find_house(spec if isinstance(spec, str) else None, path.parent, settings)
            profile = self.house(folder)
            source.report_type = find_report_type(
                source.data.get("template"), folder, settings.limits
            )
            return source.report_type.titles(profile.house.sections)

        folder = path.parent.resolve()
        sha = self.record.fingerprints.file(path)
        cached = self._approvals.get((path, sha)) if sha else None
        if cached is None:
            try:
                source = load_note(path, titles_for, settings.limits)
            except (UserError, RecursionError):
                return False, {}
            review = source.data.get("review")
            written = review.get("digest") if isinstance(review, dict) else None
            cached = (written, content_of(source), list(data_files(source, folder)))
            if sha:
                if len(self._approvals) > 10_000:
                    self._approvals.clear()
                self._approvals[(path, sha)] = cached
        written, content, names = cached
        hashed = {name: self.record.fingerprints.file(folder / name) for name in names}
        files = {folder / name: value for name, value in hashed.items()}
        return written == digest_of(content, hashed), files

    def _html_stage(self, checked: Checked) -> None:
        """Render a valid note's HTML (not its PDF): the house's templates and stylesheet run."""
        if checked.note is None or checked.profile is None:
            return
        try:
            checked.html = self._html(checked)
        except UserError as exc:
            checked.problems = _sorted([*checked.problems, *exc.problems], checked.display)
            checked.note = None

    @staticmethod
    def _template(
        template: object, report_type: ReportType, profile: HouseProfile, builtin: Path
    ) -> list[Problem]:
        """A note's template that the house (or the built-in set) does not have."""
        names = template_names(profile, builtin)
        if isinstance(template, str) and report_type.template:
            template = report_type.template  # the page the note's report type is drawn by
        if not isinstance(template, str) or template in names:
            return []
        return [
            TEMPLATE(
                ("template",),
                problem=Text(
                    "no template {value} (templates: {known})",
                    value=Quoted(template),
                    known=", ".join(names),
                ),
            )
        ]

    @staticmethod
    def _resources(
        data: dict[str, Any],
        report_type: ReportType,
        profile: HouseProfile,
        path: Path,
        settings: Settings,
        display: str = "",
    ) -> list[Problem]:
        """Every figure the note shows, opened and judged as the render will, each located.

        A figure refused by the confinement, one that does not decode, one over a limit, an SVG
        that asks for what the render would refuse: each is a problem at its reference. A
        ```chart block is read as the render reads it: its mistakes at their line in the note,
        its data file's at theirs in the file.
        """
        confinement = Confinement(path.parent, profile.folder)
        figures = Figures(confinement, path.parent, settings.limits)
        problems = []
        for loc, text in _texts(data, report_type):
            found = images(text)
            problems += figure_alt_problems(found, loc)
            for offset, image in found:
                reference = str(image.attrGet("src"))
                try:
                    figures.open(reference)
                except ImageProblem as exc:
                    problems += [replace(i, loc=loc, offset=offset) for i in exc.issues]
            for fence in chart_fences(text):
                problems += read_chart(fence, loc, path.parent, display, settings.limits)[1]
        return problems

    @staticmethod
    def _stylesheet(profile: HouseProfile, path: Path) -> list[Problem]:
        """What the house's ``style.css`` asks for that the PDF stage would refuse, located there."""
        if not profile.stylesheet.is_file():
            return []
        css = profile.stylesheet.read_text(encoding="utf-8", errors="replace")
        confinement = Confinement(path.parent, profile.folder)
        where = display_path(profile.stylesheet)
        return [replace(i, path=where) for i in css_problems(css, profile.folder, confinement)]

    # -- render -----------------------------------------------------------------------------

    def render(
        self, path: Path, formats: tuple[Format, ...] = ("pdf",), display: str | None = None
    ) -> Rendered:
        """Check and render a note; raise :class:`UserError` with every problem if it has errors."""
        checked = self.check(path, display)
        if checked.errors or checked.note is None or checked.profile is None:
            raise UserError(checked.errors or checked.problems)
        return self.render_checked(checked, formats)

    def _html(self, checked: Checked) -> str:
        note, profile = checked.note, checked.profile
        assert note is not None and profile is not None
        locale = note.locale or profile.house.default_locale
        env = self.env(profile, locale)
        created = source_date_epoch() if self.created == "environment" else self.created
        limits, catalogs = checked.settings.limits, self.settings.catalogs
        try:
            context = build_context(
                note,
                profile,
                checked.path.parent,
                translations(locale, catalogs),
                created,
                limits,
                checked.history,
            )
        except UserError as exc:
            # A figure that changed since the check: the note is the file to look at.
            raise UserError(
                [replace(p, path=p.path or checked.display) for p in exc.problems]
            ) from None
        # The note's data (its price file read again, as it is for the check) for the first page.
        assert checked.source is not None
        prices, problems = note_prices(
            checked.source.data, checked.path.parent, checked.display, checked.settings.limits
        )
        if any(p.severity is Severity.ERROR for p in problems):
            raise UserError([checked.source.locate(p, checked.display) for p in problems])
        market = context["market"]["benchmark"]
        context.update(data_context(note, prices, locale, market, context["fonts"]["sans"]))
        context["stylesheet"] = stylesheet(profile, self.settings.templates)
        # TRANSLATORS: the mark on every page of a note not (or no longer) approved for release.
        mark = translations(locale, catalogs).gettext("DRAFT")
        context.update(register_context(checked.verdict, mark))
        template = note.report_type.template or note.template
        return render_html(env, template, context, profile)

    def render_checked(
        self,
        checked: Checked,
        formats: tuple[Format, ...] = ("pdf",),
        pdf_stage: PdfStage | None = None,
    ) -> Rendered:
        """Lay out a checked note; its PDF by ``pdf_stage`` if given (a process started ahead),
        else in this process."""
        profile = checked.profile
        assert checked.note is not None and profile is not None
        html = checked.html if checked.html is not None else self._html(checked)
        rendered = Rendered(checked, html)
        if "pdf" in formats:
            if pdf_stage is None:
                # Imported here: checking a note (``render check``, the preview's HTML view)
                # lays nothing out, and WeasyPrint's import is most of a second.
                from render.pdf.writer import PdfWriter

                if self._pdf is None:
                    self._pdf = PdfWriter()
                pdf_stage = self._pdf
            source = checked.source
            assert source is not None
            job = PdfJob(
                html,
                checked.path.parent,
                Confinement(checked.path.parent, profile.folder),
                checked.display,
                # What is laid out is compared with the note: a difference fails it, located.
                source.text,
                checked.note.model_dump(),
                (profile.stylesheet, display_path(profile.stylesheet)),
                self._archival(checked),
            )

            def located(problems: list[Problem]) -> list[Problem]:
                # The layout names the field of the note's text it lost; the file is read here.
                return [
                    source.locate(p, checked.display) if p.loc and not p.line else p
                    for p in problems
                ]

            try:
                result = pdf_stage.lay_out(job)
            except UserError as exc:
                raise UserError(located(exc.problems)) from None
            rendered.pdf, rendered.pages = result.data, result.pages
            rendered.problems = located(result.problems)
        return rendered

    def _archival(self, checked: Checked) -> Archival:
        """The note's PDF variant (``--pdf-variant``, else its house's) and attached files."""
        note, profile = checked.note, checked.profile
        assert note is not None and profile is not None
        variant = self.settings.pdf_variant or profile.house.pdf_variant
        created = source_date_epoch() if self.created == "environment" else self.created
        created = created or dt.datetime.combine(note.date, dt.time(), dt.UTC)
        if variant == "none":
            return Archival(variant, created)
        return Archival(variant, created, attachments(note, profile, checked.path))


class PdfStage(Protocol):
    """What lays out a PDF job: a :class:`~render.pdf.writer.PdfWriter` in this process, or a
    :class:`~render.pdf.ahead.PdfProcess` in another."""

    def lay_out(self, job: PdfJob) -> PdfResult: ...


__all__ = ["Checked", "PdfStage", "Rendered", "Renderer", "UserError"]
