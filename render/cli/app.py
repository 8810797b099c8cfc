"""The ``render`` command line: build, verify, check, doctor, init, schema — front ends over the renderer."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import sys
import traceback
from collections.abc import Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from render import __version__
from render.cli.discover import find_notes
from render.context.i18n import problem_locale, problem_locales
from render.errors import EXIT_BUG, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, UsageError, UserError
from render.load.config import ConfigError, check_configs
from render.report import ErrorFormat, display_path, format_problem, summary
from render.settings import Settings
from schemas.problems import Problem, Severity, fails

if TYPE_CHECKING:
    # concurrent.futures imports logging: only a Dask build (--scheduler) makes an executor.
    from concurrent.futures import Executor

#: Where ``render schema`` writes by default: ``schemas/`` of the current folder (a notes
#: repository's, as ``render init`` makes it, or the checkout's, as ``make schema`` runs it).
SCHEMA_FOLDER = Path("schemas")

app = typer.Typer(
    name="render",
    help="Render research notes into house-style PDF and HTML, compliance blocks included.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    pdf = "pdf"
    html = "html"
    both = "both"


class PdfVariantOption(StrEnum):
    """``--pdf-variant``: the values a house's ``pdf_variant`` may take (schemas/house.py)."""

    none = "none"
    pdf_a_2b = "pdf/a-2b"
    pdf_a_2u = "pdf/a-2u"
    pdf_a_3b = "pdf/a-3b"
    pdf_a_3u = "pdf/a-3u"
    pdf_a_3a = "pdf/a-3a"
    pdf_ua_1 = "pdf/ua-1"


class ProblemFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None


TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="The date taken as today (YYYY-MM-DD), for reproducible builds and tests.",
        metavar="DATE",
    ),
]


def _lang(value: str) -> str:
    """A language problems can be printed in: English or one with a ``problems`` catalog."""
    if problem_locale(value) is None:
        known = ", ".join(problem_locales())
        raise typer.BadParameter(
            f"no catalog of problem messages for '{value}' (there are: {known}); "
            "docs/locales.md says how to add one"
        )
    return value


LangOption = Annotated[
    str,
    typer.Option(
        "--lang",
        help="Language of problem messages: en, zh, or any locale with a catalog "
        "(docs/locales.md).",
        callback=_lang,
        metavar="LOCALE",
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
HousePathOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--house-path",
        help="Admit the houses in DIR (a house folder, or a folder of them); repeatable.",
        metavar="DIR",
        exists=True,
        file_okay=False,
        dir_okay=True,
    ),
]


ReleaseOption = Annotated[
    bool,
    typer.Option(
        "--release",
        help="Refuse drafts, stale approvals, quiet periods and restricted companies (errors).",
    ),
]


def _settings(house_paths: list[Path] | None, release: bool = False) -> Settings:
    """The runner's settings from the command line; each note's render.toml adds to them."""
    return Settings(house_paths=tuple(p.resolve() for p in house_paths or ()), release=release)


def _check_configs(notes: list[Path], lang: str) -> None:
    """A broken render.toml is the runner's to fix: say where, exit 2 before any work."""
    try:
        check_configs(notes)
    except ConfigError as exc:
        _usage(_said(exc, lang))


def _said(exc: UsageError, lang: str) -> str:
    """Why a command cannot start; a ``render.toml``'s problems in the language asked for."""
    if isinstance(exc, ConfigError):
        return "\n".join(format_problem(problem, "text", lang) for problem in exc.problems)
    return str(exc)


def _notes(paths: list[Path], exclude: tuple[Path, ...] = ()) -> list[Path]:
    try:
        notes = find_notes(paths, exclude)
    except UsageError as exc:
        raise typer.BadParameter(str(exc), param_hint="PATH") from None
    if not notes:
        raise typer.BadParameter("no note files found (.md, .yaml, .yml, .json)", param_hint="PATH")
    return notes


def _emit(problems: list[Problem], style: ErrorFormat, lang: str) -> None:
    for problem in problems:
        typer.echo(format_problem(problem, style, lang), err=style == "text")


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Note files or folders of notes.")],
    error_format: Annotated[
        ProblemFormat, typer.Option("--format", help="text for people, json or github for tools.")
    ] = ProblemFormat.text,
    lang: LangOption = "en",
    strict: StrictOption = False,
    today: TodayOption = None,
    house_path: HousePathOption = None,
    release: ReleaseOption = False,
) -> None:
    """Validate notes without rendering them; report every problem at once, located."""
    # Imported here: WeasyPrint's import is most of a second, and a no-change build skips it.
    from render.renderer import Renderer

    renderer = Renderer(today=_today(today), settings=_settings(house_path, release))
    notes = _notes(paths)
    _check_configs(notes, lang)
    # Problems go to standard output (text, JSON lines or annotations), the summary to standard
    # error, so that a tool reading the output sees problems only. A house's problems are
    # printed once, however many of its notes are checked.
    everything: dict[tuple[object, ...], Problem] = {}
    # The notes checked together are the record, as they are for a build (docs/compliance.md).
    record = [path.resolve() for path in notes]
    for path in notes:
        for problem in renderer.check(path, display_path(path), record).problems:
            everything.setdefault(problem.key, problem)
    problems = list(everything.values())
    for problem in problems:
        typer.echo(format_problem(problem, error_format.value, lang))
    typer.echo(summary(problems, len(notes), lang), err=True)
    raise typer.Exit(EXIT_USER_ERROR if fails(problems, strict) else EXIT_OK)


@app.command()
def build(
    paths: Annotated[list[Path], typer.Argument(help="Note files or folders of notes.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder the outputs are written to.")
    ] = Path("dist"),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="What to write: pdf, html or both.")
    ] = OutputFormat.pdf,
    error_format: Annotated[
        ProblemFormat, typer.Option("--error-format", help="How problems are printed.")
    ] = ProblemFormat.text,
    rixml: Annotated[
        bool,
        typer.Option(
            "--rixml/--no-rixml", help="Write a RIXML sidecar (NAME.rixml) beside each PDF."
        ),
    ] = True,
    lang: LangOption = "en",
    strict: StrictOption = False,
    today: TodayOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Notes rendered at once; default: the number of cores."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild every note, changed or not.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Render on a Dask cluster (its scheduler's address) instead of local processes.",
            metavar="ADDRESS",
        ),
    ] = None,
    house_path: HousePathOption = None,
    pdf_variant: Annotated[
        PdfVariantOption | None,
        typer.Option(
            "--pdf-variant",
            help="The PDF written, whatever the house's pdf_variant says: pdf/a-3u (archival, "
            "tagged, files attached), another PDF/A variant, pdf/ua-1, or none (plain).",
        ),
    ] = None,
    release: ReleaseOption = False,
) -> None:
    """Render notes to PDF and/or HTML in parallel, skipping the unchanged; record a manifest.

    A note with errors writes nothing and the others go on; the exit status is 1 if any failed.
    """
    from render.batch.build import BuildOptions
    from render.batch.build import build as build_notes
    from render.batch.outputs import source_date_epoch
    from render.batch.progress import BarReporter, PlainReporter, interactive

    notes = _notes(paths, exclude=(output,))  # an output folder among the notes is not read
    both = output_format is OutputFormat.both
    formats = ("pdf", "html") if both else (output_format.value,)
    if rixml and "pdf" in formats:
        formats += ("rixml",)  # the PDF's sidecar, for aggregators
    try:
        options = BuildOptions(
            output=output,
            formats=formats,  # type: ignore[arg-type]
            today=_today(today),
            strict=strict,
            force=force,
            created=source_date_epoch(),
            settings=replace(
                _settings(house_path, release),
                pdf_variant=pdf_variant.value if pdf_variant else None,
            ),
        )
    except UsageError as exc:
        _usage(str(exc))
    style, language = error_format.value, lang
    reporter = BarReporter(style, language) if interactive() else PlainReporter(style, language)
    with _executor(scheduler) as executor:
        try:
            result = build_notes(notes, options, executor=executor, jobs=jobs, reporter=reporter)
        except UsageError as exc:
            _usage(_said(exc, language))
    built, skipped = result.count("built"), result.count("skipped")
    failed, crashed = result.count("failed"), result.count("crashed")
    checked = len(result.outcomes) - skipped
    line = f"{built} built, {skipped} skipped, {failed + crashed} failed in {result.seconds:.1f}s"
    problems = f"; {summary(result.problems, checked, language)}" if checked else ""
    typer.echo(line + problems, err=True)
    if crashed:
        typer.echo(
            f"internal error: {crashed} note{'s' * (crashed != 1)} hit a bug in render, not a "
            "problem with your notes; please report it with the traceback above.",
            err=True,
        )
        raise typer.Exit(EXIT_BUG)
    raise typer.Exit(EXIT_USER_ERROR if failed else EXIT_OK)


def _usage(message: str) -> NoReturn:
    """A build that cannot start (a bad setting, clashing names): say why, exit 2, no traceback."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


@contextlib.contextmanager
def _executor(scheduler: str | None) -> Iterator[Executor | None]:
    """A Dask cluster's executor for ``--scheduler``; None for the local process pool."""
    if scheduler is None:
        yield None
        return
    try:
        from distributed import Client
    except ImportError:
        _usage("--scheduler needs Dask: pip install 'research-notes[dask]'")
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        _usage(f"cannot reach the Dask scheduler at {scheduler}: {exc}")
    with client:
        # pure=False: a note submitted twice is rendered twice, never served from a cache.
        yield client.get_executor(pure=False)


@app.command()
def approve(
    note: Annotated[Path, typer.Argument(help="The note file to approve for release.")],
    by: Annotated[
        str,
        typer.Option(
            "--by", help="The approving reviewer's id in the house's roster.", metavar="ID"
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The approval's date-time (ISO 8601, with its offset); default: now.",
            metavar="DATETIME",
        ),
    ] = None,
    lang: LangOption = "en",
    today: TodayOption = None,
    house_path: HousePathOption = None,
) -> None:
    """Record a reviewer's approval in the note, with a digest of its content and data files."""
    from render.registers.approve import approve as approve_note
    from render.renderer import Renderer

    if not note.is_file():
        raise typer.BadParameter(f"{note}: no such file", param_hint="NOTE")
    when = _when(at)
    _check_configs([note], lang)
    renderer = Renderer(today=_today(today), settings=_settings(house_path))
    try:
        approval = approve_note(renderer, note, display_path(note), by, when)
    except UserError as exc:
        _emit(exc.problems, "text", lang)
        raise typer.Exit(EXIT_USER_ERROR) from None
    typer.echo(
        f"approved {display_path(note)} by {approval.by} at {approval.at.isoformat()} "
        f"({approval.digest})"
    )


def _when(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now().astimezone().replace(microsecond=0)
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date-time like 2026-04-15T16:20:00+08:00", param_hint="--at"
        ) from None
    return when if when.tzinfo else when.astimezone()


@app.command()
def verify(
    folder: Annotated[
        Path, typer.Argument(help="A build's output folder, with its manifest.json.")
    ] = Path("dist"),
    error_format: Annotated[
        ProblemFormat, typer.Option("--format", help="text for people, json or github for tools.")
    ] = ProblemFormat.text,
    lang: LangOption = "en",
) -> None:
    """Re-hash a build's outputs against its manifest; exit 1 naming any missing or changed."""
    from render.batch.manifest import verify as verify_folder

    if not folder.is_dir():
        raise typer.BadParameter(f"{folder}: no such folder", param_hint="FOLDER")
    found = verify_folder(folder, str(folder))
    _emit(found.problems, error_format.value, lang)
    wrong = sum(p.severity is Severity.ERROR for p in found.problems)
    typer.echo(
        f"{found.checked - min(wrong, found.checked)} of {found.checked} outputs match "
        f"{folder / 'manifest.json'}",
        err=True,
    )
    raise typer.Exit(EXIT_USER_ERROR if found.failed else EXIT_OK)


@app.command()
def doctor(
    house: Annotated[
        Path | None,
        typer.Option(
            "--house", help="A house folder whose fonts to look for (default: shipped houses)."
        ),
    ] = None,
) -> None:
    """Check the libraries and fonts rendering needs, and say how to fix what is missing."""
    from render.cli.doctor import diagnose

    if house is not None and not (house / "house.yaml").is_file():
        raise typer.BadParameter(f"{house}: no house.yaml there", param_hint="--house")
    try:
        findings = diagnose(house)
    except UserError as exc:
        _emit(exc.problems, "text", "en")
        raise typer.Exit(EXIT_USER_ERROR) from None
    for finding in findings:
        mark = "ok  " if finding.ok else "FAIL"
        line = f"{mark} {finding.what}: {finding.detail}"
        if not finding.ok and finding.fix:
            line += f"\n     fix: {finding.fix}"
        typer.echo(line)
    raise typer.Exit(EXIT_OK if all(f.ok for f in findings) else EXIT_USER_ERROR)


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="The folder to make the repository in (made if missing).")
    ] = Path("."),
    house_name: Annotated[
        str,
        typer.Option(
            "--house-name",
            help="The name of the house copied from the shipped example into houses/NAME.",
            metavar="NAME",
        ),
    ] = "firm",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Add to a folder that is not empty (no file is ever overwritten)."
        ),
    ] = False,
    today: TodayOption = None,
) -> None:
    """Make a notes repository: render.toml, a house to edit, a first note, a CI workflow."""
    from render.cli.init import init as init_repository

    try:
        created = init_repository(
            folder, house_name, _today(today) or dt.date.today(), force, _settings(None)
        )
    except UsageError as exc:
        _usage(str(exc))
    for path in created.written:
        typer.echo(f"wrote {display_path(path)}")
    for path in created.kept:
        typer.echo(f"kept  {display_path(path)} (already there)")
    notes = display_path(folder / "notes")
    typer.echo(
        f"next: edit houses/{house_name}/house.yaml, then `render check {notes}` and "
        f"`render build {notes}`",
        err=True,
    )


@app.command()
def schema(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder the JSON Schema files go to.")
    ] = SCHEMA_FOLDER,
) -> None:
    """Write JSON Schema for notes and houses (editors validate as you type) and the manifest."""
    from schemas.jsonschema import write_schemas

    if output.exists() and not output.is_dir():
        raise typer.BadParameter(f"{output} is a file, not a folder", param_hint="--output")
    output.mkdir(parents=True, exist_ok=True)
    for path in write_schemas(output):
        typer.echo(f"wrote {path}")


@app.command()
def preview(
    folder: Annotated[Path, typer.Argument(help="The folder of notes to serve.")] = Path("."),
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on (0: any free one).")
    ] = 8000,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; anything but 127.0.0.1 is networked."),
    ] = "127.0.0.1",
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another host name browsers may use to reach the server (repeatable).",
            metavar="NAME",
        ),
    ] = None,
    lang: LangOption = "en",
    today: TodayOption = None,
    house_path: HousePathOption = None,
) -> None:
    """Serve a folder of notes in the browser; pages re-render and reload as you save."""
    from render.preview.server import serve

    if not folder.is_dir():
        raise typer.BadParameter(f"{folder}: no such folder", param_hint="FOLDER")
    settings = _settings(house_path)
    with contextlib.suppress(UsageError):  # a folder find_notes refuses is served empty
        _check_configs(find_notes([folder]), lang)
    try:
        serve(
            folder,
            host=host,
            port=port,
            today=_today(today),
            lang=lang,
            settings=settings,
            allow_hosts=allow_host or (),
        )
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"render {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Render research notes into house-style PDF and HTML, compliance blocks included."""


def main() -> None:
    """Run the command line; a bug (not a user's mistake) prints its traceback and exits 3."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:
        if exc.errno not in MACHINE_ERRORS:
            raise_bug(exc)
        # A full disk or a folder we may not write is the machine's state, not a bug of ours;
        # every output written so far is whole (they are renamed into place).
        print(f"error: {exc.strerror}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)
    except Exception as exc:
        raise_bug(exc)


#: Errors that say what state the machine is in (space, permissions), not what render got wrong.
MACHINE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}


def raise_bug(exc: BaseException) -> NoReturn:
    """Print a bug's traceback with a request to report it, and exit 3."""
    traceback.print_exception(exc)
    print(
        "\ninternal error: this is a bug in render, not a problem with your notes; "
        "please report it with the traceback above.",
        file=sys.stderr,
    )
    sys.exit(EXIT_BUG)


__all__ = ["EXIT_USAGE", "app", "main"]
