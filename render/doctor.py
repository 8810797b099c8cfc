"""Check the machine: libraries and fonts a fast, correct render needs, with the fix for each."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from render.houses import SHIPPED_HOUSES, load_house
from render.i18n import LOCALE_DIR, available_locales


@dataclass
class Finding:
    ok: bool
    what: str
    detail: str
    fix: str = ""


def pango_version() -> str:
    from weasyprint.text.ffi import pango

    number = pango.pango_version()  # encoded as major * 10000 + minor * 100 + micro
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def font_families() -> set[str]:
    """Font families fontconfig knows (each name of a family counts)."""
    if not shutil.which("fc-list"):
        return set()
    listing = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False
    ).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


def diagnose(house: Path | None = None) -> list[Finding]:
    """Everything ``render doctor`` reports, for one house folder or for every shipped house."""
    findings = [Finding(True, "WeasyPrint", weasyprint.__version__)]
    pango = pango_version()
    major, minor = (int(x) for x in pango.split(".")[:2])
    findings.append(
        Finding(
            (major, minor) >= (1, 44),
            "Pango",
            pango,
            "install Pango 1.44 or newer (apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
        )
    )
    subset = ctypes.util.find_library("harfbuzz-subset")
    findings.append(
        Finding(
            subset is not None,
            "HarfBuzz subsetting",
            subset or "missing: fonts are subset by fontTools, about 50 times slower",
            "apt-get install libharfbuzz-subset0",
        )
    )
    families = font_families()
    folders = (
        [house]
        if house
        else sorted(p for p in SHIPPED_HOUSES.iterdir() if (p / "house.yaml").is_file())
    )
    for folder in folders:
        fonts = load_house(folder).house.fonts
        for name in dict.fromkeys(
            [*fonts.serif, *fonts.sans, *fonts.latin_serif, *fonts.latin_sans]
        ):
            findings.append(
                Finding(
                    name in families,
                    f"font '{name}' (house {folder.name})",
                    "found" if name in families else "not installed",
                    "apt-get install fonts-noto-cjk fonts-noto-core, or install the house's font",
                )
            )
    for locale in available_locales():
        mo = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.mo"
        findings.append(
            Finding(
                mo.is_file(),
                f"catalog {locale}",
                "compiled" if mo.is_file() else "not compiled (read from .po at each start)",
                "make catalogs",
            )
        )
    return findings
