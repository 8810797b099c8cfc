"""How a batch build reports: a progress bar on a terminal, one plain line per note elsewhere."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from render.batch.build import Outcome
from render.report import ErrorFormat, format_problem

if TYPE_CHECKING:
    from rich.progress import TaskID


def interactive(stream: TextIO | None = None) -> bool:
    """A person watching a terminal, not a CI log (CI sets ``CI``; GitHub Actions does)."""
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("CI")


def describe(outcome: Outcome) -> str:
    """The line for one note: what became of it, what it wrote, and why it was rebuilt."""
    if outcome.status == "skipped":
        return f"unchanged {outcome.display}"
    if outcome.status == "crashed":
        return f"crashed {outcome.display}: a bug in render (the traceback follows)"
    if outcome.status == "failed":
        errors = sum(p.severity == "error" for p in outcome.problems)
        what = f"{errors} error{'s' * (errors != 1)}" if errors else "warnings with --strict"
        return f"failed {outcome.display} ({what})"
    written = []
    for path in outcome.written:
        noun = "page" if outcome.pages == 1 else "pages"
        pages = f" ({outcome.pages} {noun})" if path.suffix == ".pdf" else ""
        written.append(f"{path}{pages}")
    return f"built {outcome.display} -> {', '.join(written)} [{outcome.reason}, {outcome.seconds:.1f}s]"


class PlainReporter:
    """One line per note as it finishes, its problems under it, in ``render check``'s format.

    Problems go to stdout, as ``render check`` prints them, and a house's problems only once
    however many of its notes are built. The lines about notes go to stdout too, or to stderr
    when problems are JSON lines, so that stdout stays parseable.
    """

    def __init__(
        self,
        style: ErrorFormat = "text",
        lang: str = "en",
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.style, self.lang = style, lang
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.lines = self.err if style == "json" else self.out
        self.seen: set[tuple[object, ...]] = set()

    def start(self, total: int, building: int) -> None:
        if building < total:
            print(f"{total - building} of {total} notes unchanged", file=self.lines, flush=True)

    def message(self, text: str) -> None:
        print(text, file=self.err, flush=True)

    def finished(self, outcome: Outcome) -> None:
        print(describe(outcome), file=self.lines, flush=True)
        for problem in outcome.problems:
            if problem.key not in self.seen:
                self.seen.add(problem.key)
                print(format_problem(problem, self.style, self.lang), file=self.out, flush=True)
        if outcome.crash:
            print(outcome.crash, file=self.err, end="", flush=True)

    def stop(self) -> None:
        pass


class BarReporter:
    """A Rich progress bar, with problems and rebuilt notes printed above it."""

    def __init__(self, style: ErrorFormat = "text", lang: str = "en") -> None:
        # Imported here: a CI log (plain lines) need not pay for Rich at every start.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.style, self.lang = style, lang
        self.console = Console()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.task: TaskID | None = None
        self.seen: set[tuple[object, ...]] = set()

    def _print(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def start(self, total: int, building: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("building", total=total)
        if building < total:
            self._print(f"{total - building} of {total} notes unchanged")

    def message(self, text: str) -> None:
        self._print(text)

    def finished(self, outcome: Outcome) -> None:
        assert self.task is not None
        self.progress.update(self.task, advance=1, description=outcome.display)
        if outcome.status == "skipped":
            return
        self._print(describe(outcome))
        for problem in outcome.problems:
            if problem.key not in self.seen:
                self.seen.add(problem.key)
                self._print(format_problem(problem, self.style, self.lang))
        if outcome.crash:
            self._print(outcome.crash.rstrip("\n"))

    def stop(self) -> None:
        self.progress.stop()


__all__ = ["BarReporter", "PlainReporter", "describe", "interactive"]
