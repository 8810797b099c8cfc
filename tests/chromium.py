"""Debian's Chromium as the browser tests and benchmarks start it: no downloads, no phoning home."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

#: Installed by `make setup-test` (Debian's package); Playwright never downloads a browser here.
CHROMIUM = Path("/usr/bin/chromium")

#: As root in a container, without a GPU; and with none of the background connections that a
#: machine without network refuses by the dozen at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, started headless for a test module and closed after it."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run `make setup-test`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
