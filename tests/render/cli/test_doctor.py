"""``render doctor`` on this machine: the set-up installs everything a fast, correct render needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from render.cli import doctor
from render.cli.doctor import coverage, diagnose, font_families
from tests.conftest import EXAMPLE_HOUSE, edit


def test_set_up_machine_passes_every_check() -> None:
    findings = diagnose(EXAMPLE_HOUSE)
    failed = [f"{f.what}: {f.detail}" for f in findings if not f.ok]
    assert failed == []
    assert {f.what for f in findings} >= {"WeasyPrint", "Pango", "HarfBuzz subsetting"}


def test_missing_font_is_reported_with_its_fix(workspace: Path) -> None:
    house = workspace / "houses" / "example"
    edit(house / "house.yaml", "serif: [Noto Serif CJK SC]", "serif: [No Such Font Pro]")
    findings = {f.what: f for f in diagnose(house)}
    missing = findings["font 'No Such Font Pro' (house example)"]
    assert not missing.ok and "apt-get install" in missing.fix


def test_fontconfig_knows_the_cjk_families() -> None:
    assert {"Noto Serif CJK SC", "Noto Sans CJK SC"} <= font_families()


def test_scripts_the_house_fonts_lack_are_named_with_an_example() -> None:
    [scripts] = [f for f in diagnose(EXAMPLE_HOUSE) if f.what == "scripts (house example)"]
    covered, _, missing = scripts.detail.partition("; not covered: ")
    assert scripts.ok
    assert {"Han", "Latin", "CJK punctuation", "full-width forms", "Greek"} <= set(
        covered.removeprefix("cover ").split(", ")
    )
    # Checked against the fonts themselves: Noto CJK has no Extension B, nothing here has 🚀.
    assert "CJK Extension B (e.g. \U00020000)" in missing and "emoji (e.g. 🚀)" in missing


def test_a_core_script_no_font_covers_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    scripts = [*doctor.SCRIPTS, ("Extension B as a core script", "\U00020000", True)]
    monkeypatch.setattr(doctor, "SCRIPTS", scripts)
    finding = doctor.script_findings(EXAMPLE_HOUSE)
    assert not finding.ok and "Extension B as a core script" in finding.fix


def test_coverage_is_read_from_the_fonts_cmaps() -> None:
    latin = coverage(["Noto Serif"])
    assert ord("A") in latin and ord("中") not in latin
    assert ord("中") in coverage(["Noto Serif CJK SC"])
    assert coverage(["No Such Font Pro"]) == set()
