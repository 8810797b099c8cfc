"""The hostile corpus: each case under tests/hostile/ attacks render, and must fail cleanly or render faithfully.

A case is a folder with one note (``note.md``, ``note.yaml`` or ``note.json``), what the note needs
(figures, a house folder, a ``render.toml``) and a ``case.toml``::

    about = "what the attack is"
    expect = ["render.sandbox"]   # codes the build must report (exit 1); [] = a faithful render
    seconds = 20                  # the build ends within this
    forbid = ["/tmp/pwned"]       # files the attack tries to make, which must not appear

Each case is built by the real command line in its own process, as a user would run it, with the
case's folder admitted as a house path (so a house there is trusted by the runner, yet its
templates still run sandboxed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

CASES = ROOT / "tests" / "hostile"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.toml").is_file())


def _note(folder: Path) -> Path:
    notes = [
        p for p in folder.iterdir() if p.stem == "note" and p.suffix in (".md", ".yaml", ".json")
    ]
    assert len(notes) == 1, f"{folder.name}: one note.md, note.yaml or note.json"
    return notes[0]


def test_the_corpus_has_a_case_per_attack() -> None:
    names = {p.name for p in _cases()}
    assert len(names) >= 10, names
    for folder in _cases():
        case = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
        assert set(case) <= {"about", "expect", "seconds", "forbid"}, folder.name
        assert case["about"] and isinstance(case["expect"], list), folder.name


@pytest.mark.parametrize("folder", _cases(), ids=lambda p: p.name)
def test_a_hostile_note_fails_cleanly_or_renders_faithfully(folder: Path, tmp_path: Path) -> None:
    case = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    forbid = [Path(p) for p in case.get("forbid", [])]
    for path in forbid:
        path.unlink(missing_ok=True)
    work = tmp_path / folder.name
    shutil.copytree(folder, work)
    note, out = _note(work), tmp_path / "out"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    command = [sys.executable, "-m", "render", "build", str(note), "-o", str(out)]
    command += ["--today", "2026-11-01", "--house-path", str(work), "--error-format", "json"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCE_DATE")}
    env["PYTHONPATH"] = str(ROOT)
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=case["seconds"] + 30,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{folder.name}: the build hung (no end after {case['seconds'] + 30} s)")
    seconds = time.monotonic() - started
    said = done.stdout + done.stderr
    assert "Traceback" not in said, said
    assert seconds <= case["seconds"], f"{folder.name}: took {seconds:.1f}s\n{said}"
    for path in forbid:
        assert not path.exists(), f"{folder.name}: the attack made {path}"
    # Nothing is written but the build's outputs: no file beside the note, none where it ran.
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if out not in p.parents)
    assert set(after) - set(before) <= {Path("out")}, f"{folder.name}: wrote {after}"
    outputs = sorted(p.name for p in out.glob("*.pdf")) if out.is_dir() else []
    if case["expect"]:
        assert done.returncode == 1, said
        for code in case["expect"]:
            assert f'"code": "{code}"' in said or f"[{code}]" in said, f"{code} missing:\n{said}"
        assert outputs == [], f"{folder.name}: a failing note wrote {outputs}"
    else:
        assert done.returncode == 0, said
        assert outputs == [f"{note.stem}.pdf"], said
