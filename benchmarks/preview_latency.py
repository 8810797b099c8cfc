"""Save-to-updated-page latency of ``render preview``, measured in a real Chromium.

A copy of the example note and house is served by a real preview server (uvicorn on loopback);
each run changes the note's title, saves the file, and times until the open page shows the new
version. Figures are medians of repeated runs (the machine is shared and noisy):

* event: save -> the server's update event reaches a client (watch, debounce, check, render)
* html:  save -> the HTML view has reloaded with the new title (the page's load event)
* pdf:   save -> the server has the new PDF, and -> Chromium's viewer in the PDF view shows it

Run with ``.venv/bin/python benchmarks/preview_latency.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from playwright.sync_api import Frame, Page, Response, sync_playwright  # noqa: E402

from render.renderer import Renderer  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TODAY = dt.date(2026, 11, 1)
NOTE = ROOT / "examples" / "notes" / "2026-03-02-ai-training-cost.md"
HOUSE = ROOT / "examples" / "houses" / "example"
TITLE = "title: 新一代训练框架"
#: Pause between saves, so each is measured alone rather than coalesced with the one before.
PAUSE = 0.4
TIMEOUT = 15.0


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, {platform.platform()}"


def describe(name: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return (
        f"{name:<26} median {statistics.median(ms):6.0f} ms   p90 {p90:6.0f} ms   "
        f"min {ms[0]:5.0f}   max {ms[-1]:5.0f}   (n={len(ms)})"
    )


class Saver:
    """Saves the note with a new title each time, as an editor would: write the whole file."""

    def __init__(self, note: Path) -> None:
        self.note = note
        self.text = note.read_text(encoding="utf-8")
        self.count = 0

    def save(self) -> tuple[str, float]:
        """Write the next version; return its title mark and the time just before the write."""
        self.count += 1
        mark = f"第{self.count:04d}版"
        text = self.text.replace(TITLE, f"title: {mark}训练框架", 1)
        started = time.perf_counter()
        self.note.write_text(text, encoding="utf-8")
        return mark, started


class Listener:
    """The update events of the note, with the time each arrived, read on a thread."""

    def __init__(self, url: str) -> None:
        self.received: list[tuple[float, dict]] = []
        self._ready = threading.Event()
        threading.Thread(target=self._listen, args=(url,), daemon=True).start()
        self._ready.wait(TIMEOUT)

    def _listen(self, url: str) -> None:
        client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        with client, client.stream("GET", f"{url}_events", params={"note": "note.md"}) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    self.received.append((time.perf_counter(), json.loads(line[6:])))
                    self._ready.set()

    def wait(self, test: Callable[[dict], bool]) -> float:
        """When the first event passing the test arrived (waiting for it if need be)."""
        deadline = time.perf_counter() + TIMEOUT
        while time.perf_counter() < deadline:
            for arrived, state in list(self.received):
                if test(state):
                    return arrived
            time.sleep(0.001)
        raise RuntimeError("no such update event")


def event_latency(listener: Listener, saver: Saver, runs: int) -> list[float]:
    """Save -> update event on the stream a page listens to (no browser)."""
    times = []
    for _ in range(runs):
        time.sleep(PAUSE)
        mark, started = saver.save()
        times.append(listener.wait(lambda s, mark=mark: mark in s.get("title", "")) - started)
    return times


def html_latency(page: Page, url: str, saver: Saver, runs: int) -> list[float]:
    """Save -> the HTML view reloaded by itself with the new version (its load event)."""
    page.goto(f"{url}note/note.md")
    times = []
    for _ in range(runs):
        time.sleep(PAUSE)
        with page.expect_event("load", timeout=TIMEOUT * 1000):
            mark, started = saver.save()
        elapsed = time.perf_counter() - started
        if mark not in page.title():
            raise RuntimeError(f"the page reloaded without the new title: {page.title()}")
        times.append(elapsed)
    return times


def _shown(page: Page, src: str, mark: str) -> Frame | None:
    for frame in page.frames:
        parent = frame.parent_frame
        if frame.url.startswith("chrome-extension://") and parent and parent.url == src:
            title = frame.locator("viewer-toolbar #title")
            if title.count() and mark in (title.first.text_content() or ""):
                return frame
    return None


def _newer_than(last: str) -> Callable[[Response], bool]:
    return lambda response: "/pdf-file/" in response.url and response.url != last


def pdf_latency(
    page: Page, url: str, saver: Saver, listener: Listener, runs: int
) -> tuple[list[float], list[float]]:
    """Save -> the new PDF rendered and cached by the server, and -> shown in Chromium's viewer."""
    with page.expect_response(lambda r: "/pdf-file/" in r.url, timeout=TIMEOUT * 1000) as first:
        page.goto(f"{url}pdf/note.md")
    last = first.value.url
    ready, shown = [], []
    for _ in range(runs):
        time.sleep(PAUSE)
        with page.expect_response(_newer_than(last), timeout=TIMEOUT * 1000) as info:
            mark, started = saver.save()
        last = info.value.url
        deadline = time.perf_counter() + TIMEOUT
        while _shown(page, last, mark) is None:
            if time.perf_counter() > deadline:
                raise RuntimeError("the viewer did not show the new PDF")
            # Not time.sleep: Playwright takes in the browser's news only while it is called.
            page.wait_for_timeout(5)
        shown.append(time.perf_counter() - started)

        def rendered(state: dict, mark: str = mark) -> bool:
            return mark in state.get("title", "") and state["pdf"] == state["fingerprint"]

        ready.append(listener.wait(rendered) - started)
    return ready, shown


@contextmanager
def preview_server(notes: Path) -> Iterator[str]:
    """``render preview`` in its own process, as an analyst runs it; yields its URL.

    Not on a thread of this process: the browser driving and the event listening here would
    compete with the renders for the interpreter lock and slow them down.
    """
    command = [sys.executable, "-m", "render", "preview", str(notes), "--port", "0"]
    command += ["--today", TODAY.isoformat()]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    try:
        while line := process.stderr.readline():
            if match := re.search(r" at (http://\S+/) ", line):
                break
        else:
            raise RuntimeError("render preview did not start")
        # Keep reading its log, so that a full pipe never blocks it.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield match.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(TIMEOUT)


def render_alone(note: Path, runs: int) -> tuple[list[float], list[float]]:
    """For scale: check + HTML, and the PDF alone, with a warm renderer and no server."""
    renderer = Renderer(today=TODAY)
    renderer.render(note, ("pdf",))
    html, pdf = [], []
    for _ in range(runs):
        started = time.perf_counter()
        checked = renderer.check(note)
        renderer.render_checked(checked, ("html",))
        html.append(time.perf_counter() - started)
        started = time.perf_counter()
        renderer.render_checked(checked, ("pdf",))
        pdf.append(time.perf_counter() - started)
    return html, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="saves measured per view")
    runs = parser.parse_args().runs

    print(f"machine: {machine()}")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"note: {NOTE.relative_to(ROOT)}; {runs} saves per measurement; pause {PAUSE}s\n")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "notes").mkdir()
        shutil.copytree(HOUSE, workspace / "houses" / "example")
        note = workspace / "notes" / "note.md"
        shutil.copy(NOTE, note)
        saver = Saver(note)

        html_alone, pdf_alone = render_alone(note, runs)
        with preview_server(workspace / "notes") as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                listener = Listener(url)
                events = event_latency(listener, saver, runs)
                # One tab at a time: Chromium does not start its PDF viewer in a background tab.
                context = browser.new_context()
                html = html_latency(context.new_page(), url, saver, runs)
                context.close()
                context = browser.new_context()
                ready, shown = pdf_latency(context.new_page(), url, saver, listener, runs)
                context.close()
            finally:
                browser.close()

    print(describe("render alone: check+HTML", html_alone))
    print(describe("render alone: PDF", pdf_alone))
    print(describe("save -> update event", events))
    print(describe("save -> HTML view updated", html))
    print(describe("save -> PDF ready on server", ready))
    print(describe("save -> PDF shown in viewer", shown))
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    html_ok = statistics.median(html) < 0.3
    pdf_ok = statistics.median(shown) < 1.0
    print(
        f"\naims: HTML view under 300 ms: {'met' if html_ok else 'MISSED'}; "
        f"PDF view under 1 s: {'met' if pdf_ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
