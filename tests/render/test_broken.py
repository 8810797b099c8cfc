"""The broken-note corpus: each note has one mistake, and ``render check`` reports it as golden.

Every file in ``broken/`` is a note with one mistake (a few with a mistake in their house, under
``broken/houses/``); beside it, ``<name>.expected`` holds the exact lines ``render check`` prints
for it: the located problems, then the summary. ``pytest --update-golden`` rewrites the golden
files from the current output; review the diff before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from render.cli.app import app
from render.load.note import NOTE_SUFFIXES
from schemas.note import Note
from schemas.rules import RULES, project, registers

CORPUS = Path(__file__).resolve().parent / "broken"
NOTES = sorted(p for p in CORPUS.iterdir() if p.suffix in NOTE_SUFFIXES)
TODAY = "2026-11-01"
LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): .+ \[(?P<code>[a-z_.]+)\]$"
)


def _golden(note: Path) -> Path:
    return note.with_suffix(".expected")


def _check(note: Path, *options: str) -> tuple[str, int]:
    """What ``render check`` prints for a note (problems, then the summary) and its status."""
    result = CliRunner().invoke(app, ["check", "--today", TODAY, *options, note.name])
    return result.stdout + result.stderr, result.exit_code


def test_the_corpus_is_complete() -> None:
    assert len(NOTES) >= 60
    assert {".md", ".yaml", ".json"} <= {note.suffix for note in NOTES}
    stems = [note.stem for note in NOTES]
    assert len(stems) == len(set(stems)), "two notes would share a golden file"
    goldens = {p.name for p in CORPUS.glob("*.expected")}
    assert goldens == {_golden(note).name for note in NOTES}, "a golden file without its note"


@pytest.mark.parametrize("note", NOTES, ids=lambda note: note.name)
def test_broken_note_reports_its_golden_problems(
    note: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Paths print relative to the working folder: the goldens hold no machine's paths.
    monkeypatch.chdir(CORPUS)
    output, status = _check(note)
    golden = _golden(note)
    if update_golden:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")

    *problems, summary = output.splitlines()
    assert problems, f"{note.name} is in the corpus of broken notes but has no problem"
    for line in problems:
        match = LINE.match(line)
        assert match, f"not a located problem: {line}"
        assert int(match["line"]) >= 1 and int(match["column"]) >= 1
        # A note's data file (a price CSV) is where a problem in it is located.
        assert match["path"] == note.name or match["path"].startswith(("houses/", "data/"))
    errors = int(summary.split()[0])
    assert status == (1 if errors else 0)
    # The same problems in Chinese: one line each, at the same places, with the same codes.
    chinese, zh_status = _check(note, "--lang", "zh")
    *zh_problems, zh_summary = chinese.splitlines()
    assert zh_status == status
    assert [_where(line) for line in zh_problems] == [_where(line) for line in problems]
    assert zh_summary.endswith(f"{errors} 个错误，{len(problems) - errors} 个警告")
    for line in zh_problems:
        _assert_chinese(line, note)


def _where(line: str) -> tuple[str, ...]:
    match = LINE.match(line)
    assert match, line
    return (match["path"], match["line"], match["column"], match["severity"], match["code"])


#: English words a Chinese message may contain: formats and names of things, not prose.
IDENTIFIERS = {"Markdown", "YAML", "JSON", "UTF", "YYYY", "role", "assistant"} | {
    # Image formats and the names of the limits a project configuration sets.
    *("PNG", "JPEG", "GIF", "WebP", "SVG", "XML", "DTD", "URI", "data"),
    *("image_bytes", "image_pixels", "note_image_bytes", "note_image_pixels"),
    # The shipped templates' names, which a list of templates prints.
    "earnings",
    "Event",
    "Commentary",
    "Recommendation",
    "Risks",
}
MESSAGE = re.compile(r"^\S+ (?:error|warning): (?:[\w\[\].$-]+: )?(?P<message>.*) \[[a-z_.]+\]$")


def _assert_chinese(line: str, note: Path) -> None:
    """A Chinese message has no English besides quotes, identifiers and the files' own words."""
    match = MESSAGE.match(line)
    assert match, line
    message = match["message"]
    assert re.search(r"[\u4e00-\u9fff]", message), line
    words = set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", re.sub(r"“[^”]*”|'[^']*'", "", message)))
    files = note.read_text(encoding="utf-8", errors="replace")
    files += "".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("houses/*/house.yaml"))
    # The example house's files, its registers too: ids and register keys are identifiers.
    example = CORPUS.parent.parent.parent / "examples/houses/example"
    files += "".join(p.read_text(encoding="utf-8") for p in sorted(example.glob("*.yaml")))
    keys = set(Note.model_fields)  # a list of the keys a note may have
    strangers = {word for word in words - IDENTIFIERS - keys if word not in files}
    assert not strangers, f"English in a Chinese message: {strangers}: {line}"


def test_warnings_fail_the_check_only_when_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    note = CORPUS / "promise.md"
    assert _check(note)[1] == 0
    output, status = _check(note, "--strict")
    assert status == 1 and "[schema.promise]" in output


def test_every_rule_code_is_documented_and_the_corpus_covers_most() -> None:
    root = CORPUS.parent.parent.parent
    # docs/rules.md is generated from the registry: every rule is on it, and nothing else.
    documented = set(
        re.findall(r"^\| `([a-z]+\.[a-z_]+)` \|", (root / "docs/rules.md").read_text("utf-8"), re.M)
    )
    assert documented == set(RULES)
    goldens = "".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.expected"))
    exercised = set(re.findall(r"\[([a-z]+\.[a-z_]+)\]$", goldens, re.M))
    # The rest are exercised in tests/schemas (schema.*) or cannot reach `check` from a folder;
    # render.internal is the preview server's, tested in tests/render/preview; a broken
    # render.toml (render.project_config) stops `check` before any note, tested in test_config.
    # The codes found after layout are `render build`'s, not `check`'s: tests/render/pdf/test_fidelity.py
    # and test_pdf.py test them, and tests/hostile has a case for each. `render verify` judges
    # a build's folder, not a note: tests/render/batch/test_manifest.py.
    after_layout = {
        "render.unprinted",
        "render.every_page",
        "render.glyph",
        "render.layout",
        "render.style",
    }
    unreachable = {"file.missing", "render.internal", "render.project_config", "render.timeout"}
    # Only `--release` makes a draft an error: tests/render/registers/test_review.py.
    unreachable.add(registers.UNAPPROVED.code)
    verify = (project.NO_MANIFEST, project.MANIFEST, project.MISSING, project.MODIFIED)
    unreachable |= after_layout | {rule.code for rule in (*verify, project.UNLISTED)}
    assert set(RULES) - exercised <= unreachable
