"""The ``render`` command line: build, check, doctor, schema — thin front ends over the renderer."""

from __future__ import annotations

import datetime as dt
import sys
import time
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from render import __version__
from render.discover import find_notes
from render.errors import EXIT_BUG, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, UsageError, UserError
from render.outputs import write_atomic
from render.renderer import Format, Renderer
from render.report import ErrorFormat, format_problem, summary
from schemas.problems import Problem, Severity

SCHEMA_FOLDER = Path(__file__).resolve().parent.parent / "schemas"

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


class ProblemFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


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
LangOption = Annotated[
    Lang, typer.Option("--lang", help="Language of problem messages: en, or zh for Chinese.")
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]


def _notes(paths: list[Path]) -> list[Path]:
    try:
        notes = find_notes(paths)
    except UsageError as exc:
        raise typer.BadParameter(str(exc), param_hint="PATH") from None
    if not notes:
        raise typer.BadParameter("no note files found (.md, .yaml, .yml, .json)", param_hint="PATH")
    return notes


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _emit(problems: list[Problem], style: ErrorFormat, lang: str) -> None:
    for problem in problems:
        typer.echo(format_problem(problem, style, lang), err=style == "text")


def _failed(problems: list[Problem], strict: bool) -> bool:
    return any(p.severity is Severity.ERROR or strict for p in problems)


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Note files or folders of notes.")],
    error_format: Annotated[
        ProblemFormat, typer.Option("--format", help="text for people, json or github for tools.")
    ] = ProblemFormat.text,
    lang: LangOption = Lang.en,
    strict: StrictOption = False,
    today: TodayOption = None,
) -> None:
    """Validate notes without rendering them; report every problem at once, located."""
    renderer = Renderer(today=_today(today))
    notes = _notes(paths)
    everything: list[Problem] = []
    for path in notes:
        checked = renderer.check(path, _display(path))
        everything += checked.problems
    _emit(everything, error_format.value, lang.value)
    if error_format is ProblemFormat.text:
        typer.echo(summary(everything, len(notes)), err=True)
    raise typer.Exit(EXIT_USER_ERROR if _failed(everything, strict) else EXIT_OK)


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
    lang: LangOption = Lang.en,
    strict: StrictOption = False,
    today: TodayOption = None,
) -> None:
    """Render notes to PDF and/or HTML; a note with errors writes nothing."""
    renderer = Renderer(today=_today(today))
    notes = _notes(paths)
    formats: tuple[Format, ...] = (
        ("pdf", "html") if output_format is OutputFormat.both else (output_format.value,)  # type: ignore[assignment]
    )
    failed = 0
    everything: list[Problem] = []
    started = time.perf_counter()
    for path in notes:
        display = _display(path)
        checked = renderer.check(path, display)
        everything += checked.problems
        if _failed(checked.problems, strict):
            failed += 1
            _emit(checked.problems, error_format.value, lang.value)
            continue
        _emit(checked.problems, error_format.value, lang.value)
        try:
            rendered = renderer.render_checked(checked, formats)
        except UserError as exc:
            failed += 1
            everything += exc.problems
            _emit(exc.problems, error_format.value, lang.value)
            continue
        written = []
        if rendered.pdf is not None:
            target = output / f"{path.stem}.pdf"
            write_atomic(target, rendered.pdf)
            written.append(f"{target} ({rendered.pages} pages)")
        if "html" in formats:
            target = output / f"{path.stem}.html"
            write_atomic(target, rendered.html.encode("utf-8"))
            written.append(str(target))
        typer.echo(f"built {display} -> {', '.join(written)}")
    elapsed = time.perf_counter() - started
    typer.echo(
        f"{len(notes) - failed} built, {failed} failed in {elapsed:.1f}s; "
        + summary(everything, len(notes)),
        err=True,
    )
    raise typer.Exit(EXIT_USER_ERROR if failed else EXIT_OK)


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
    from render.doctor import diagnose

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
def schema(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder the JSON Schema files go to.")
    ] = SCHEMA_FOLDER,
) -> None:
    """Write JSON Schema for notes and houses, for editors that validate as you type."""
    from schemas.jsonschema import write_schemas

    for path in write_schemas(output):
        typer.echo(f"wrote {path}")


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
    except Exception:
        traceback.print_exc()
        print(
            "\ninternal error: this is a bug in render, not a problem with your notes; "
            "please report it with the traceback above.",
            file=sys.stderr,
        )
        sys.exit(EXIT_BUG)


__all__ = ["EXIT_USAGE", "app", "main"]
