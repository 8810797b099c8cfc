"""PDF stage: WeasyPrint lays out the HTML and writes the PDF, fetching only confined resources."""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from weasyprint import HTML, Document
from weasyprint.logger import LOGGER, PROGRESS_LOGGER
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from render.errors import UserError
from render.pdf import archive
from render.pdf.confine import Confinement, Refused
from render.pdf.job import Archival, PdfJob, PdfResult
from schemas.problems import Problem, Severity
from schemas.rules import Quoted, Text
from schemas.rules.rendering import GLYPH, LAYOUT, RESOURCE, STYLE

#: The line the HTML stage writes between the built-in stylesheet and the house's own.
HOUSE_CSS_MARK = "/* house style.css */"


@dataclass
class Logged:
    """A message WeasyPrint logged while rendering one note, as a problem, and what it names."""

    problem: Problem
    #: The character drawn as an empty box (".notdef"), for a missing glyph.
    char: str | None = None
    #: The address of a resource that could not be loaded.
    url: str | None = None


#: Runs after layout and drawing: compares the document with the note, and may locate (or
#: replace) the problems made of WeasyPrint's messages. Returns every problem of the render.
Check = Callable[[HTML, Document, list[Logged]], list[Problem]]


class PdfWriter:
    """Keeps WeasyPrint's font configuration warm across renders in one process."""

    def __init__(self) -> None:
        self.fonts = FontConfiguration()

    def lay_out(self, job: PdfJob) -> PdfResult:
        """Write a job's document, compared with its note after layout (see :meth:`write`)."""
        # Imported here: the fidelity check imports this module for its Logged records.
        from render.pdf.fidelity import FidelityCheck

        check = FidelityCheck(job.text, job.fields, job.display)
        return self.write(
            job.html, job.base, job.confinement, job.display, check, job.house_css, job.archival
        )

    def write(
        self,
        html: str,
        base: Path,
        confinement: Confinement,
        display: str,
        check: Check | None = None,
        house_css: tuple[Path, str] | None = None,
        archival: Archival | None = None,
    ) -> PdfResult:
        """Lay out and write one document; a refused resource is the user's error, not ours.

        Whatever WeasyPrint logs meanwhile becomes a problem of the note (an error where content
        is lost); ``check`` then compares what was laid out with the note. ``house_css`` is the
        house's ``style.css`` (its file and the path messages show) for locating its mistakes.
        ``archival`` makes a tagged PDF/A or PDF/UA file (without it: a plain, untagged PDF).
        """
        with captured() as records:
            try:
                source = HTML(
                    string=html,
                    base_url=base.resolve().as_uri() + "/",
                    url_fetcher=confinement.fetcher(),
                )
                document = source.render(font_config=self.fonts)
                if archival is None or archival.plain:
                    data = document.write_pdf(pdf_identifier=False, pdf_tags=False)
                else:
                    archive.prepare(archival, document)
                    finish = functools.partial(archive.finish, archival)
                    data = document.write_pdf(finisher=finish, **archive.write_options(archival))
            except FatalURLFetchingError as exc:
                cause = exc.__cause__ or exc
                why = cause.reason if isinstance(cause, Refused) else str(cause)
                what = Text("a template asks for a resource that is refused")
                raise UserError([RESOURCE(what=what, why=why, path=display)]) from None
        assert data is not None
        logged = [found for r in records if (found := _logged(r, html, display, house_css))]
        problems = check(source, document, logged) if check else [x.problem for x in logged]
        if any(p.severity is Severity.ERROR for p in problems):
            raise UserError(problems)
        return PdfResult(data, len(document.pages), problems)


# -- WeasyPrint's messages ----------------------------------------------------------------------

#: The renders under way, by thread: each gets the records its own thread logs.
_CAPTURES: dict[int, list[logging.LogRecord]] = {}
_LOCK = threading.Lock()


class _Capture(logging.Filter):
    """Takes a record logged by a thread that is rendering; others pass on as before."""

    def filter(self, record: logging.LogRecord) -> bool:
        records = _CAPTURES.get(record.thread or 0)
        if records is None:
            return True
        records.append(record)
        return False  # neither handled nor passed up: nothing reaches stderr


_FILTER = _Capture()


@contextmanager
def captured() -> Iterator[list[logging.LogRecord]]:
    """The records WeasyPrint logs in this thread until the block ends (none are printed)."""
    ident = threading.get_ident()
    records: list[logging.LogRecord] = []
    with _LOCK:
        for logger in (LOGGER, PROGRESS_LOGGER):
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
        # A warning is only made if the logger is enabled for it: a quieter root must not
        # hide a lost figure.
        if LOGGER.getEffectiveLevel() > logging.WARNING:
            LOGGER.setLevel(logging.WARNING)
        outer = _CAPTURES.get(ident)
        _CAPTURES[ident] = records
    try:
        yield records
    finally:
        with _LOCK:
            if outer is None:
                del _CAPTURES[ident]
            else:
                _CAPTURES[ident] = outer


#: Messages that say nothing about the note: a consequence of one already reported (a missing
#: glyph), or about the machine, which ``render doctor`` reports.
_IGNORED = ("Too many glyphs missing", "Using fontTools instead of HarfBuzz")
#: A figure without alternative text is the check's warning (``render.figure_alt``), located in
#: the note; tagging makes WeasyPrint log it again, as an error without a place.
_NO_ALT = "has no required alt description"
#: Warnings that mean content is lost or wrong on the page: errors, whatever WeasyPrint's level.
_LOST = (
    "Content discarded",
    "This row has more columns than the table",
    "Unable to compute content",
    "Failed to apply CSS rule in SVG",
)
_CSS_PLACE = re.compile(r" at (\d+):(\d+)")


def _logged(
    record: logging.LogRecord, html: str, display: str, house_css: tuple[Path, str] | None
) -> Logged | None:
    """A record as a problem of the note (or of its house's stylesheet), or None to ignore it."""
    if record.levelno < logging.WARNING:
        return None  # progress and debugging
    message = record.getMessage()
    if message.startswith(_IGNORED) or message.endswith(_NO_ALT):
        return None
    if message.startswith(".notdef glyph") and isinstance(record.args, tuple) and record.args:
        char = str(record.args[0])
        problem = GLYPH(char=Quoted(char), codepoint=f"{ord(char[0]):04X}", where="", path=display)
        return Logged(problem, char=char)
    lost = record.levelno >= logging.ERROR or message.startswith(_LOST)
    severity = Severity.ERROR if lost else Severity.WARNING
    url = _url(record, message)
    text = message if url is None else message.replace(url, _short(url))
    place = _CSS_PLACE.search(message)
    if place and house_css and not lost:
        line = _house_css_line(html, int(place.group(1)))
        if line is not None:
            problem = STYLE(
                report=text,
                severity=severity,
                path=house_css[1],
                line=line,
                column=int(place.group(2)),
            )
            return Logged(problem)
    problem = LAYOUT(report=text, severity=severity, path=display)
    return Logged(problem, url=url)


def _url(record: logging.LogRecord, message: str) -> str | None:
    """The address a "failed to load" message names (an image's is a long data: URL)."""
    if "Failed to load" not in message or not isinstance(record.args, tuple) or not record.args:
        return None
    first = record.args[0]
    return first if isinstance(first, str) and first in message else None


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:50] + "…"


def _house_css_line(html: str, line: int) -> int | None:
    """The line of the house's ``style.css`` that a line of the document's stylesheet is.

    WeasyPrint counts lines from the start of the ``<style>`` element's text; the house's part
    follows :data:`HOUSE_CSS_MARK`. With more than one ``<style>``, which one is meant is unknown.
    """
    if html.count("<style") != 1 or HOUSE_CSS_MARK not in html:
        return None
    start = html.index(">", html.index("<style")) + 1
    first = html.count("\n", 0, start) + 1  # the document's line where the style text starts
    mark = html.count("\n", 0, html.index(HOUSE_CSS_MARK)) + 1
    found = first + line - 1 - mark
    return found if found >= 1 else None
