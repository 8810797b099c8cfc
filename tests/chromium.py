"""Debian's Chromium as the browser tests and benchmarks start it: no downloads, no phoning home."""

from __future__ import annotations

from pathlib import Path

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
