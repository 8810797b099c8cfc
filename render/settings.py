"""What the person running render decides: which houses notes may use, and the resource limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

#: Render's own data, by its name inside an installed package and its folder in a checkout of
#: the repository, where the design keeps it at the top level (pyproject.toml maps one onto
#: the other when it builds a wheel).
PACKAGE_DATA = {
    "templates": "templates",
    "houses": "examples/houses",
    "locale": "render/locale",
}


def package_data(name: str) -> Path:
    """A folder of render's data: inside the installed package, else in the checkout.

    Render reads its data as files (Jinja's loader, the confinement of house folders), so a
    package imported from a zip is not supported: the data must be on disk.
    """
    package = Path(str(files("render")))
    installed = package / name
    if installed.is_dir():
        return installed
    return package.parent / PACKAGE_DATA[name]


@dataclass(frozen=True)
class Limits:
    """Bounds on what one note may make render do; a note that meets one fails with a message.

    The defaults are far beyond any real note (a note is a few kilobytes of text and a handful of
    figures) and close enough to stop a hostile one early. A project configuration may change
    them (see ``docs/security.md``).
    """

    #: Bytes of the note file itself.
    note_bytes: int = 2 * 1024 * 1024
    #: Values a YAML or JSON document may hold once its aliases are expanded (a 1 KB "billion
    #: laughs" names 10^9 of them). A note holds a few hundred; reading 100,000 takes seconds,
    #: which the render time limit does not cover: lower it where checks must be quick.
    yaml_nodes: int = 100_000
    #: Digits of an integer in JSON or YAML (Python refuses past 4300 with a traceback).
    number_digits: int = 100
    #: Bytes of one image file, and of all distinct images of a note together.
    image_bytes: int = 20 * 1024 * 1024
    note_image_bytes: int = 60 * 1024 * 1024
    #: Pixels of one raster image (width x height), and of all distinct images of a note.
    image_pixels: int = 40_000_000
    note_image_pixels: int = 120_000_000
    #: Bytes of one data file of a note (a CSV of prices), and its rows: ten years of daily
    #: closes are 2,500 rows and 80 KB.
    data_bytes: int = 1024 * 1024
    data_rows: int = 20_000
    #: Values one chart of the body draws (categories × series): a chart of 10,000 columns is
    #: no chart, and each value is a shape WeasyPrint lays out.
    chart_points: int = 10_000
    #: Wall-clock seconds one note may take to render (layout and PDF), in builds and preview.
    render_seconds: float = 120.0


@dataclass(frozen=True)
class Settings:
    """One render's settings, passed to the renderer by the front end that made it.

    ``house_paths`` are the folders whose houses the runner admits (besides the shipped ones):
    a note's ``house:`` may only name a house among them. Where render's own data comes from
    (the shipped houses, the built-in templates, the label catalogs) defaults to the installed
    package's; a front end or a test may point them elsewhere.
    """

    house_paths: tuple[Path, ...] = ()
    limits: Limits = field(default_factory=Limits)
    #: A folder of house folders every note may name (``example``, the default house).
    shipped_houses: Path = field(default_factory=lambda: package_data("houses"))
    #: The built-in templates and stylesheet, which a house's ``templates/`` overrides.
    templates: Path = field(default_factory=lambda: package_data("templates"))
    #: The template labels' message catalogs (``LOCALE/LC_MESSAGES/messages.po``).
    catalogs: Path = field(default_factory=lambda: package_data("locale"))
    #: The PDF variant every note is written as (``--pdf-variant``); None: each house's own.
    pdf_variant: str | None = None
    #: ``--release``: a draft, a stale approval, a quiet period or a restricted company is an
    #: error rather than a mark on the page or a warning (docs/compliance.md).
    release: bool = False


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count): the
    default number of build workers, and whether a second one may lay out a PDF ahead."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
