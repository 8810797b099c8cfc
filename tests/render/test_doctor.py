"""``render doctor`` on this machine: the set-up installs everything a fast, correct render needs."""

from __future__ import annotations

from pathlib import Path

from render.doctor import diagnose, font_families
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
