"""Check the machine: libraries and fonts a fast, correct render needs, with the fix for each."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from fontTools.ttLib import TTFont

from render.context.i18n import available_locales
from render.context.resolve import FALLBACK_FONTS
from render.load.houses import load_house
from render.settings import Settings


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


#: Scripts a note may use, each with characters that stand for it. The core ones (``True``) are
#: in every note; a house whose fonts lack one prints boxes in most notes. The others are
#: reported for the analyst's information: a note using one fails at render (render.glyph).
SCRIPTS: list[tuple[str, str, bool]] = [
    ("Han", "中国证券研究报告龥", True),
    ("Latin", "AZaz", True),
    ("digits and punctuation", "0123456789%.,;:()-/", True),
    ("CJK punctuation", "。，、；：“”（）《》—…", True),
    ("full-width forms", "ＡＺ１２％，", True),
    ("accented Latin", "éüñçø", False),
    ("currency and math signs", "¥€£±×÷≤≥‰", False),
    ("Greek", "αβΩ", False),
    ("Cyrillic", "ЯдЖ", False),
    ("Kana", "あア", False),
    ("Hangul", "한국", False),
    ("CJK Extension A", "㐀䶵", False),
    ("CJK Extension B", "\U00020000\U0002a6a5", False),
    ("emoji", "😀🚀", False),
]


def font_file(family: str) -> tuple[Path, int] | None:
    """The file (and face in a collection) fontconfig uses for a family, if it has that family."""
    if not shutil.which("fc-match"):
        return None
    found = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}|%{family}", family],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    path, _, rest = found.partition("|")
    index, _, names = rest.partition("|")
    if family not in [n.strip() for n in names.split(",")] or not path:
        return None  # fontconfig substitutes another family: not the house's font
    return Path(path), int(index or 0)


def coverage(families: list[str]) -> set[int]:
    """The characters the named fonts have glyphs for, read from their cmaps."""
    covered: set[int] = set()
    for family in families:
        found = font_file(family)
        if found is None:
            continue
        with TTFont(found[0], fontNumber=found[1], lazy=True) as font:
            covered |= set(font.getBestCmap() or {})
    return covered


def installed_font_with(char: str) -> str | None:
    """A family of any installed font that has the character (Pango falls back to it)."""
    if not shutil.which("fc-list"):
        return None
    listing = subprocess.run(
        ["fc-list", f":charset={ord(char):x}", "family"], capture_output=True, text=True
    ).stdout
    names = sorted(line.split(",")[0].strip() for line in listing.splitlines() if line.strip())
    return names[0] if names else None


def script_findings(folder: Path) -> Finding:
    """Which scripts a house's fonts print, and which no font of theirs does."""
    fonts = load_house(folder).house.fonts
    families = list(
        dict.fromkeys(
            [*fonts.serif, *fonts.sans, *fonts.latin_serif, *fonts.latin_sans, FALLBACK_FONTS[0]]
        )
    )
    covered = coverage(families)
    ok, elsewhere, missing, core_missing = [], [], [], []
    for name, sample, core in SCRIPTS:
        lacking = [c for c in sample if ord(c) not in covered]
        if not lacking:
            ok.append(name)
            continue
        others = {c: installed_font_with(c) for c in lacking}
        nowhere = [c for c, family in others.items() if family is None]
        if nowhere:
            missing.append(f"{name} (e.g. {nowhere[0]})")
        else:
            elsewhere.append(f"{name} (from {others[lacking[0]]})")
        if core:
            core_missing.append(name)
    detail = "cover " + ", ".join(ok)
    if elsewhere:
        detail += "; other installed fonts print " + ", ".join(elsewhere)
    if missing:
        detail += "; not covered: " + ", ".join(missing) + " (a note using them fails to render)"
    return Finding(
        not core_missing,
        f"scripts (house {folder.name})",
        detail,
        "install fonts covering " + ", ".join(core_missing) + " and name them in house.yaml fonts",
    )


def diagnose(house: Path | None = None, settings: Settings | None = None) -> list[Finding]:
    """Everything ``render doctor`` reports, for one house folder or for every shipped house."""
    settings = settings or Settings()
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
        else sorted(p for p in settings.shipped_houses.iterdir() if (p / "house.yaml").is_file())
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
        findings.append(script_findings(folder))
    for locale in available_locales(settings.catalogs):
        mo = settings.catalogs / locale / "LC_MESSAGES" / "messages.mo"
        # An installed render ships the .po only and compiles it in memory (milliseconds): not
        # a fault, so a CI job's `render doctor` passes.
        findings.append(
            Finding(
                True,
                f"catalog {locale}",
                "compiled" if mo.is_file() else "read from its .po (compiled in memory when used)",
                "make catalogs",
            )
        )
    return findings
