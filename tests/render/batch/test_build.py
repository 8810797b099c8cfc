"""``render build`` over folders of notes: parallel, incremental, reproducible, atomic."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from pypdf import PdfReader
from ruamel.yaml import YAML
from typer.testing import CliRunner

import render.batch.build as batch
import render.batch.worker as worker
import render.fingerprints
import render.renderer
from render.batch.build import BuildOptions, build
from render.batch.manifest import MANIFEST_NAME, Manifest, verify
from render.cli.app import app
from render.settings import Limits, Settings
from tests.conftest import ROOT, TODAY, edit, emphasis_storm

RENDER = Path(sys.executable).with_name("render")
runner = CliRunner()


def make_notes(workspace: Path, count: int) -> list[Path]:
    """``count`` notes beside the workspace's, each with its own title."""
    original = workspace / "notes" / "note.md"
    made = []
    for i in range(1, count + 1):
        path = original.with_name(f"note-{i}.md")
        shutil.copy(original, path)
        edit(path, "title: 新一代训练框架", f"title: 第{i}篇：新一代训练框架")
        made.append(path)
    original.unlink()
    return made


def run(*args: str) -> Result:
    return runner.invoke(app, [*args, "--today", TODAY.isoformat()])


def lines(text: str, start: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line.startswith(start))


@pytest.fixture
def here(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workspace as the current folder, as CI runs ``render build notes -o dist``."""
    monkeypatch.chdir(workspace)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return workspace


def test_one_bad_note_fails_alone_and_is_reported_as_check_does(here: Path) -> None:
    first, second, third, bad = make_notes(here, 4)
    edit(bad, "S9901524060001", "X12")
    result = run("build", "notes", "-o", "dist", "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in (here / "dist").glob("*.pdf")) == [
        "note-1.pdf",
        "note-2.pdf",
        "note-3.pdf",
    ]
    for note in (first, second, third):
        pdf = here / "dist" / f"{note.stem}.pdf"
        assert _line(result.stdout, note.stem).startswith(
            f"built notes/{note.name} -> dist/{pdf.name} ({len(PdfReader(pdf).pages)} pages), "
            f"dist/{note.stem}.rixml [new, "
        )
    assert "failed notes/note-4.md (1 error)" in result.stdout
    checked = run("check", "notes/note-4.md")
    assert checked.exit_code == 1
    problem = "notes/note-4.md:18:10: error: analysts[0].sac: "
    reported = lines(result.stdout + result.stderr, "notes/")
    assert reported == lines(checked.stdout + checked.stderr, "notes/")
    assert len(reported) == 1 and reported[0].startswith(problem)
    assert "3 built, 0 skipped, 1 failed" in result.stderr
    assert set(Manifest.load(here / "dist").notes) == {"note-1", "note-2", "note-3"}


def test_github_annotations_are_the_same_as_check_gives(here: Path) -> None:
    (bad,) = make_notes(here, 1)
    edit(bad, "S9901524060001", "X12")
    built = run("build", "notes", "--error-format", "github")
    checked = run("check", "notes", "--format", "github")
    assert built.exit_code == checked.exit_code == 1
    annotations = lines(checked.stdout, "::error ")
    assert annotations and lines(built.stdout, "::")[0].startswith("::error file=notes/note-1.md,")
    assert lines(built.stdout, "::") == annotations
    assert not (here / "dist" / "note-1.pdf").exists()


def test_unchanged_notes_are_skipped_and_changed_ones_rebuilt(here: Path) -> None:
    first, _ = make_notes(here, 2)
    assert run("build", "notes").exit_code == 0
    pdf = here / "dist" / "note-1.pdf"
    stamp = pdf.stat().st_mtime_ns

    again = run("build", "notes")
    assert again.exit_code == 0
    assert lines(again.stdout, "unchanged") == [
        "unchanged notes/note-1.md",
        "unchanged notes/note-2.md",
    ]
    assert "0 built, 2 skipped, 0 failed" in again.stderr
    assert pdf.stat().st_mtime_ns == stamp

    edit(first, "第1篇", "第一篇")
    changed = run("build", "notes")
    assert lines(changed.stdout, "unchanged") == ["unchanged notes/note-2.md"]
    assert "[note changed, " in _line(changed.stdout, "note-1")
    assert pdf.stat().st_mtime_ns != stamp

    house = here / "houses" / "example" / "house.yaml"
    house.write_text(house.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    after_house = run("build", "notes")
    assert "[house changed, " in _line(after_house.stdout, "note-1")
    assert "[house changed, " in _line(after_house.stdout, "note-2")

    # A file added to the house folder feeds its notes too (a template override here).
    override = here / "houses" / "example" / "templates" / "event-commentary.html"
    override.parent.mkdir()
    override.write_text('{% extends "default:event-commentary.html" %}\n', encoding="utf-8")
    assert "[house changed, " in _line(run("build", "notes").stdout, "note-2")

    forced = run("build", "notes", "--force")
    assert "[forced, " in _line(forced.stdout, "note-1")
    assert "2 built, 0 skipped" in forced.stderr


def _line(stdout: str, stem: str) -> str:
    return next(line for line in stdout.splitlines() if f"notes/{stem}.md" in line)


def test_missing_output_or_new_format_rebuilds_and_stale_html_goes(here: Path) -> None:
    (note,) = make_notes(here, 1)
    assert run("build", "notes", "--format", "both").exit_code == 0
    (here / "dist" / "note-1.pdf").unlink()
    assert "[output missing or modified, " in _line(run("build", "notes").stdout, "note-1")
    # Only the PDF is asked for now; a changed note must not leave the old text's HTML behind.
    edit(note, "第1篇", "第一篇")
    assert run("build", "notes").exit_code == 0
    assert not (here / "dist" / "note-1.html").exists()
    assert list(Manifest.load(here / "dist").notes["note-1"].outputs) == [
        "note-1.pdf",
        "note-1.rixml",
    ]
    assert "[output missing or modified, " in _line(
        run("build", "notes", "--format", "both").stdout, "note-1"
    )


def test_a_note_that_breaks_keeps_its_last_good_outputs_recorded(here: Path) -> None:
    (note,) = make_notes(here, 1)
    assert run("build", "notes").exit_code == 0
    published = (here / "dist" / "note-1.pdf").read_bytes()
    edit(note, "S9901524060001", "X12")
    assert run("build", "notes").exit_code == 1
    assert (here / "dist" / "note-1.pdf").read_bytes() == published
    assert not verify(here / "dist").problems
    # Still broken: it is tried again, never skipped as if it were up to date.
    assert "failed notes/note-1.md" in run("build", "notes").stdout


def test_strict_fails_a_note_with_warnings_even_when_it_is_unchanged(here: Path) -> None:
    (note,) = make_notes(here, 1)
    edit(note, "技术迭代不及预期", "稳赚；技术迭代不及预期")  # a forbidden phrase: a warning
    lenient = run("build", "notes")
    assert lenient.exit_code == 0 and "warning: risks" in lenient.stdout
    strict = run("build", "notes", "--strict")
    assert strict.exit_code == 1
    assert "failed notes/note-1.md (warnings with --strict)" in strict.stdout


def test_builds_are_byte_identical_across_runs_and_processes(here: Path) -> None:
    make_notes(here, 2)
    assert run("build", "notes", "-o", "one", "--format", "both").exit_code == 0
    # Another process with another hash seed, as on another machine.
    env = {**os.environ, "PYTHONHASHSEED": "12345", "CI": "true"}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run(
        [str(RENDER), "build", "notes", "-o", "two", "--format", "both", "--today", "2026-11-01"],
        cwd=here,
        env=env,
        check=True,
        capture_output=True,
    )
    one = {p.name: p.read_bytes() for p in (here / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (here / "two").iterdir()}
    assert sorted(one) == [
        MANIFEST_NAME,
        "note-1.html",
        "note-1.pdf",
        "note-1.rixml",
        "note-2.html",
        "note-2.pdf",
        "note-2.rixml",
    ]
    assert one == two
    assert one["note-1.pdf"] != one["note-2.pdf"]


def test_source_date_epoch_sets_the_creation_date(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_notes(here, 1)
    assert run("build", "notes", "--format", "both").exit_code == 0
    created = PdfReader(here / "dist" / "note-1.pdf").metadata["/CreationDate"]
    assert created == "D:20260302000000Z"  # the note's date

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    result = run("build", "notes", "--format", "both")
    assert "[SOURCE_DATE_EPOCH or --pdf-variant changed, " in _line(result.stdout, "note-1")
    assert PdfReader(here / "dist" / "note-1.pdf").metadata["/CreationDate"] == "D:20260101000000Z"
    html = (here / "dist" / "note-1.html").read_text(encoding="utf-8")
    assert '<meta name="dcterms.created" content="2026-01-01T00:00:00Z">' in html
    entry = Manifest.load(here / "dist").notes["note-1"]
    assert entry.inputs.settings.source_date_epoch == "2026-01-01T00:00:00Z"

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    wrong = run("build", "notes")
    assert wrong.exit_code == 2
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in wrong.stderr
    assert "Traceback" not in wrong.output


def test_killed_build_leaves_no_partial_pdf_and_an_honest_manifest(here: Path) -> None:
    make_notes(here, 4)
    env = {**os.environ, "CI": "true"}
    env.pop("SOURCE_DATE_EPOCH", None)
    command = [str(RENDER), "build", "notes", "-o", "dist", "--jobs", "1", "--today", "2026-11-01"]
    process = subprocess.Popen(
        command, cwd=here, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("built "):
                break
        # The build process alone, with no chance to clean up: its workers must notice.
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert _wait_until_gone(process.pid), "the build's workers outlived it"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left, so no test leaks it
        process.wait(timeout=60)
        if process.stdout:
            process.stdout.close()
    dist = here / "dist"
    pdfs = sorted(dist.glob("*.pdf"))
    assert pdfs and len(pdfs) < 4, "the kill should land mid-build"
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.rstrip().endswith(b"%%EOF") and len(PdfReader(pdf).pages) >= 1
    listed = Manifest.load(dist).notes
    assert listed, "the note built before the kill is recorded"
    assert not verify(dist).failed

    finished = subprocess.run(command, cwd=here, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert f"{len(listed)} skipped" in finished.stderr
    assert sorted(p.name for p in dist.iterdir()) == [
        MANIFEST_NAME,
        *(f"note-{n}.{suffix}" for n in range(1, 5) for suffix in ("pdf", "rixml")),
    ]  # and no temporary .part file is left over
    assert not verify(dist).problems


def _wait_until_gone(group: int, seconds: float = 15) -> bool:
    """Whether every process of a process group has ended within the time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_verify_passes_a_fresh_build_and_names_a_tampered_file(here: Path) -> None:
    make_notes(here, 2)
    assert run("build", "notes", "--format", "both").exit_code == 0
    fresh = runner.invoke(app, ["verify", "dist"])
    assert fresh.exit_code == 0, fresh.output
    assert "6 of 6 outputs match dist/manifest.json" in fresh.stderr  # PDF, HTML, RIXML each

    pdf = here / "dist" / "note-2.pdf"
    recorded = Manifest.load(here / "dist").notes["note-2"].outputs["note-2.pdf"].sha256
    pdf.write_bytes(pdf.read_bytes() + b"% a line added after the build\n")
    (here / "dist" / "note-1.html").unlink()
    (here / "dist" / "stray.pdf").write_bytes(b"%PDF-1.7\n")
    tampered = runner.invoke(app, ["verify", "dist"])
    assert tampered.exit_code == 1
    assert lines(tampered.stderr, "dist/") == [
        "dist/note-1.html: error: listed in the manifest but missing [verify.missing]",
        f"dist/note-2.pdf: error: modified since it was built: sha256 {_sha(pdf)}, the manifest "
        f"records {recorded} [verify.modified]",
        "dist/stray.pdf: warning: not in the manifest: not written by a complete build "
        "[verify.unlisted]",
    ]
    github = runner.invoke(app, ["verify", "dist", "--format", "github"])
    assert "::error file=dist/note-2.pdf,title=verify.modified::" in github.stdout


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_verify_without_a_manifest_says_how_to_make_one(here: Path) -> None:
    (here / "dist").mkdir()
    result = runner.invoke(app, ["verify", "dist"])
    assert result.exit_code == 1
    assert "no manifest.json here; build into this folder with `render build -o dist`" in (
        result.stderr
    )


def test_notes_that_would_overwrite_each_other_are_a_usage_error(here: Path) -> None:
    (note,) = make_notes(here, 1)
    (here / "notes" / "more").mkdir()
    shutil.copy(note, here / "notes" / "more" / "note-1.md")
    result = run("build", "notes")
    assert result.exit_code == 2
    assert "notes/more/note-1.md, notes/note-1.md would all be written to dist/note-1.*" in (
        result.stderr
    )
    assert "Traceback" not in result.output


@pytest.fixture
def private_templates(tmp_path: Path) -> Path:
    """A copy of the built-in templates for the build's settings to name (other engineers' edits
    to the real ones must not reach this test)."""
    copy = tmp_path / "templates"
    shutil.copytree(Settings().templates, copy)
    return copy


def test_a_changed_builtin_template_or_font_rebuilds(
    here: Path, private_templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process workers (a thread pool is an Executor too), so they see this test's templates
    # and this test's fontconfig set-up: a font folder of its own beside the system's.
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    make_notes(here, 1)
    settings = Settings(templates=private_templates)
    options = BuildOptions(output=here / "dist", today=TODAY, settings=settings)
    notes = [here / "notes" / "note-1.md"]

    def build_in_process() -> batch.Summary:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return build(notes, options, executor=pool, root=here)

    first = build_in_process()
    assert [o.status for o in first.outcomes] == ["built"]
    assert [o.status for o in build_in_process().outcomes] == ["skipped"]

    before = (here / "dist" / "note-1.pdf").read_bytes()
    css = private_templates / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { color: #123456; }\n", "utf-8")
    changed = build_in_process().outcomes[0]
    assert (changed.status, changed.reason) == ("built", "templates changed")
    assert (here / "dist" / "note-1.pdf").read_bytes() != before

    # Another file of the house's Latin sans family appears (a font package upgrade, say).
    noto = subprocess.run(
        ["fc-match", "--format", "%{file}", "Noto Sans:style=Regular"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    shutil.copy(noto, fonts / "NotoSans-Extra.ttf")
    rebuilt = build_in_process().outcomes[0]
    assert (rebuilt.status, rebuilt.reason) == ("built", "fonts changed")
    recorded = Manifest.load(here / "dist").notes["note-1"].inputs.fonts["Noto Sans"]
    assert "NotoSans-Extra.ttf" in recorded
    assert [o.status for o in build_in_process().outcomes] == ["skipped"]


def test_a_corrupt_manifest_means_a_full_rebuild_not_a_crash(here: Path) -> None:
    make_notes(here, 1)
    (here / "dist").mkdir()
    (here / "dist" / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    result = run("build", "notes")
    assert result.exit_code == 0, result.output
    assert "dist/manifest.json cannot be read" in result.stderr
    assert json.loads((here / "dist" / MANIFEST_NAME).read_text())["notes"]["note-1"]


def _hand_edit(entry: dict) -> None:
    entry["pages"] = "three"


def _old_catalogs(entry: dict) -> None:
    # A manifest of the build before catalogs were recorded by locale.
    del entry["inputs"]["catalogs"]["locale"]


def _unknown_key(entry: dict) -> None:
    entry["reviewer"] = "someone"


def _output_outside(entry: dict) -> None:
    entry["outputs"]["../note-1.pdf"] = entry["outputs"].pop("note-1.pdf")


@pytest.mark.parametrize(
    ("edit_entry", "where"),
    [
        (_hand_edit, "notes.note-1.pages: Input should be a valid integer"),
        (_old_catalogs, "notes.note-1.inputs.catalogs.locale: Field required"),
        (_unknown_key, "notes.note-1.reviewer: Extra inputs are not permitted"),
        (_output_outside, "notes.note-1.outputs: Value error, the output '../note-1.pdf'"),
    ],
    ids=["hand-edited", "old", "unknown-key", "output-outside"],
)
def test_a_manifest_that_does_not_validate_means_a_full_rebuild(
    here: Path, edit_entry: Any, where: str
) -> None:
    make_notes(here, 2)
    assert run("build", "notes").exit_code == 0
    manifest = here / "dist" / MANIFEST_NAME
    honest = manifest.read_bytes()
    data = json.loads(honest)
    edit_entry(data["notes"]["note-1"])
    manifest.write_text(json.dumps(data), encoding="utf-8")
    # A file the edited entry names outside the output folder: no build may delete it.
    (here / "note-1.pdf").write_bytes(b"not an output")
    result = run("build", "notes")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    message = [line for line in result.stderr.splitlines() if "manifest.json" in line]
    assert len(message) == 1 and where in message[0], result.stderr
    assert message[0].endswith("building every note afresh")
    assert "2 built, 0 skipped, 0 failed" in result.stderr
    # Rebuilt from scratch, the manifest is again the one the first build wrote.
    assert manifest.read_bytes() == honest
    assert (here / "note-1.pdf").read_bytes() == b"not an output"


def test_progress_bar_on_a_terminal(here: Path) -> None:
    make_notes(here, 1)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SOURCE_DATE_EPOCH")}
    env.update(COLUMNS="100", TERM="xterm")
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen(
            [str(RENDER), "build", "notes", "--today", "2026-11-01"],
            cwd=here, env=env, stdout=follower, stderr=subprocess.PIPE,
        )  # fmt: skip
        os.close(follower)
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closes when the build exits
                break
            if not chunk:
                break
            screen += chunk
        _, err = process.communicate(timeout=60)
    finally:
        os.close(leader)
    text = screen.decode("utf-8", "replace")
    assert process.returncode == 0
    assert "━" in text  # Rich's bar
    assert "built notes/note-1.md -> dist/note-1.pdf" in text
    assert b"1 built, 0 skipped, 0 failed" in err


def test_a_dask_cluster_runs_the_same_build(here: Path) -> None:
    import distributed  # in the dev extra, so that this runs wherever the tests do

    make_notes(here, 2)
    assert run("build", "notes", "-o", "local").exit_code == 0
    with distributed.LocalCluster(
        host="127.0.0.1",
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=":0",  # any free port: another cluster may hold the usual one
    ) as cluster:
        result = run("build", "notes", "-o", "dask", "--scheduler", cluster.scheduler_address)
        assert result.exit_code == 0, result.output
        with distributed.Client(cluster) as client:
            # The cluster's worker processes did the rendering: they hold warm renderers.
            warm = client.run(lambda: len(worker._RENDERERS))
    assert sum(warm.values()) >= 1
    local = {p.name: p.read_bytes() for p in (here / "local").iterdir()}
    dask = {p.name: p.read_bytes() for p in (here / "dask").iterdir()}
    assert local == dask and len(local) == 5  # the manifest, each note's PDF and RIXML


def test_the_example_ci_workflow_runs_check_build_and_uploads_dist() -> None:
    workflow = (ROOT / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8")
    steps = YAML(typ="safe").load(workflow)["jobs"]["notes"]["steps"]
    assert [s.get("uses", "").split("@")[0] for s in steps if "uses" in s] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/upload-artifact",
    ]
    assert "render check notes --format github" in workflow
    assert "render build notes -o dist --error-format github" in workflow
    assert "actions/upload-artifact" in workflow and "path: dist/" in workflow


def test_a_worker_that_dies_is_reported_and_what_was_built_is_kept(here: Path) -> None:
    notes = make_notes(here, 3)

    class KillTheWorker(batch.Silent):
        """After the first note, the worker is killed, as the kernel's OOM killer would."""

        def finished(self, outcome: batch.Outcome) -> None:
            if outcome.status == "built":
                os.kill(outcome.worker, signal.SIGKILL)

    options = BuildOptions(output=here / "dist", today=TODAY)
    summary = build(notes, options, jobs=1, reporter=KillTheWorker(), root=here)
    statuses = [o.status for o in summary.outcomes]
    # The note the worker had in hand is lost; a fresh worker renders the rest.
    assert statuses.count("built") == 2 and statuses.count("crashed") == 1, statuses
    crashed = next(o for o in summary.outcomes if o.status == "crashed")
    assert crashed.crash and "terminated abruptly" in crashed.crash
    assert len(Manifest.load(here / "dist").notes) == 2
    assert not verify(here / "dist").problems


def test_a_note_over_its_time_limit_fails_alone(here: Path) -> None:
    notes = make_notes(here, 3)
    emphasis_storm(notes[1])
    # Twice a real note's time in a cold worker on a busy machine (ten seconds at worst), far
    # below the storm's minutes.
    limits = Limits(render_seconds=20)
    options = BuildOptions(output=here / "dist", today=TODAY, settings=Settings(limits=limits))
    started = time.monotonic()
    summary = build(notes, options, jobs=2, root=here)
    elapsed = time.monotonic() - started
    assert [o.status for o in summary.outcomes] == ["built", "failed", "built"], summary.problems
    [problem] = summary.outcomes[1].problems
    assert problem.code == "render.timeout" and problem.path == "notes/note-2.md"
    assert sorted(p.name for p in (here / "dist").glob("*.pdf")) == ["note-1.pdf", "note-3.pdf"]
    assert elapsed < 40, elapsed


def test_a_second_build_into_the_same_folder_at_once_is_refused(here: Path) -> None:
    make_notes(here, 1)
    dist = here / "dist"
    dist.mkdir()
    held = os.open(dist, os.O_RDONLY)  # as a build in progress holds it
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("build", "notes")
    finally:
        os.close(held)
    assert result.exit_code == 2
    assert "Error: another build is writing to dist" in result.stderr
    assert list(dist.iterdir()) == []


def test_a_worker_goes_by_the_build_not_by_its_own_environment(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cluster's worker (or a pool's fork server) may have been started with other settings:
    # the job says which creation date to write, here none (so each note's date).
    make_notes(here, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    options = BuildOptions(output=here / "dist", today=TODAY, created=None)
    with ThreadPoolExecutor(max_workers=1) as pool:
        build([here / "notes" / "note-1.md"], options, executor=pool, root=here)
    created = PdfReader(here / "dist" / "note-1.pdf").metadata["/CreationDate"]
    assert created == "D:20260302000000Z"


def test_a_changed_image_rebuilds_the_note_that_shows_it(here: Path) -> None:
    first, _ = make_notes(here, 2)
    shutil.copy(ROOT / "examples" / "notes" / "figures" / "2026-04-revenue.svg", here / "notes")
    edit(first, "## 点评", "![营收](2026-04-revenue.svg)\n资料来源：公司公告\n\n## 点评")
    assert run("build", "notes").exit_code == 0
    recorded = Manifest.load(here / "dist").notes["note-1"].inputs.images
    assert list(recorded) == ["notes/2026-04-revenue.svg"]
    edit(here / "notes" / "2026-04-revenue.svg", "</svg>", "<circle r='1'/></svg>")
    again = run("build", "notes")
    assert "[an image changed, " in _line(again.stdout, "note-1")
    assert "unchanged notes/note-2.md" in again.stdout


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB filesystem: too small for one PDF."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_reported_not_a_bug(note_file: Path, full_disk: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "render",
            "build",
            str(note_file),
            "-o",
            str(full_disk),
            "--today",
            "2026-11-01",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not list(full_disk.glob("*.pdf"))  # no partial output
    assert not list(full_disk.glob(".*.part"))


def test_house_path_reaches_the_workers_and_render_toml_is_an_input(here: Path) -> None:
    # The house moves out of the folder render.toml admits: only --house-path admits it now.
    make_notes(here, 2)
    (here / "houses").rename(here / "elsewhere")
    (here / "houses").mkdir()
    for note in (here / "notes").glob("*.md"):
        edit(note, "house: example", "house: ../elsewhere/example")
    refused = run("build", "notes", "-o", "dist", "--jobs", "2")
    assert refused.exit_code == 1 and refused.output.count("[house.not_admitted]") == 2
    admitted = run("build", "notes", "-o", "dist", "--jobs", "2", "--house-path", "elsewhere")
    assert admitted.exit_code == 0, admitted.output
    entry = Manifest.load(here / "dist").notes["note-1"]
    assert entry.house == "elsewhere/example"
    assert entry.inputs.config.model_dump() == {
        "path": "render.toml",
        "sha256": render.fingerprints.Fingerprints().file(here / "render.toml"),
        "house_paths": ["elsewhere"],
    }
    same = run("build", "notes", "-o", "dist", "--house-path", "elsewhere")
    assert same.exit_code == 0 and same.stderr.startswith("0 built, 2 skipped")
    # Editing render.toml, or building without the option, rebuilds (or refuses) every note.
    (here / "render.toml").write_text('houses = ["houses", "elsewhere"]\n', encoding="utf-8")
    edited = run("build", "notes", "-o", "dist", "--house-path", "elsewhere")
    assert "[render.toml or --house-path changed, " in _line(edited.stdout, "note-1")
    without = run("build", "notes", "-o", "dist")
    assert without.exit_code == 0
    assert "[render.toml or --house-path changed, " in _line(without.stdout, "note-2")


def _hostile_entries(here: Path) -> dict[str, tuple[str, str]]:
    """Paths a hand-edited manifest may name, as (what is edited, the path recorded)."""
    os.mkfifo(here / "notes" / "pipe.svg")  # opening it would wait for a writer for ever
    (here / "notes" / "passwd.svg").symlink_to("/etc/passwd")  # a link out of the notes
    os.mkfifo(here / "houses" / "pipe")
    (here / "houses" / "etc").symlink_to("/etc")
    return {
        "an image that is /dev/zero": ("images", "/dev/zero"),
        "an image that is /dev/zero, relative": ("images", "../" * 40 + "dev/zero"),
        "an image that is a FIFO": ("images", "notes/pipe.svg"),
        "an image that is /etc/passwd": ("images", "/etc/passwd"),
        "an image linked out": ("images", "notes/passwd.svg"),
        "a house that is /dev/zero": ("house", "/dev/zero"),
        "a house that is a FIFO": ("house", "houses/pipe"),
        "a house that is /etc": ("house", "/etc"),
        "a house linked out": ("house", "houses/etc"),
    }


def test_a_hand_edited_manifest_is_trusted_only_inside_the_notes_folders(here: Path) -> None:
    make_notes(here, 2)
    assert run("build", "notes").exit_code == 0
    manifest = here / "dist" / MANIFEST_NAME
    honest = json.loads(manifest.read_text(encoding="utf-8"))
    options = BuildOptions(output=here / "dist", today=TODAY)
    notes = [here / "notes" / "note-1.md", here / "notes" / "note-2.md"]
    for what, (kind, path) in _hostile_entries(here).items():
        edited = json.loads(json.dumps(honest))
        inputs = edited["notes"]["note-1"]["inputs"]
        if kind == "images":
            inputs["images"][path] = "0" * 64
        else:
            inputs["house"]["path"] = path
        manifest.write_text(json.dumps(edited), encoding="utf-8")
        started = time.perf_counter()
        steps = batch.plan(notes, options, Manifest.load(here / "dist"), here)
        assert time.perf_counter() - started < 5, what
        reasons = [step.reason for step in steps]
        assert reasons == ["manifest names a file outside the notes' folders", None], what
    # The house beside the notes was found from the note itself; its honest record is kept.
    manifest.write_text(json.dumps(honest), encoding="utf-8")
    steps = batch.plan(notes, options, Manifest.load(here / "dist"), here)
    assert [step.reason for step in steps] == [None, None]


def test_a_build_with_a_manifest_naming_dev_zero_and_a_fifo_ends_and_rebuilds(here: Path) -> None:
    make_notes(here, 1)
    assert run("build", "notes").exit_code == 0
    hostile = _hostile_entries(here)
    manifest = here / "dist" / MANIFEST_NAME
    edited = json.loads(manifest.read_text(encoding="utf-8"))
    inputs = edited["notes"]["note-1"]["inputs"]
    for kind, path in hostile.values():
        if kind == "images":
            inputs["images"][path] = "0" * 64
    inputs["house"]["path"] = "houses/pipe"
    manifest.write_text(json.dumps(edited), encoding="utf-8")
    (here / "dist" / "note-1.pdf").unlink()
    os.mkfifo(here / "dist" / "note-1.pdf")  # and the recorded output a FIFO too
    started = time.perf_counter()
    result = subprocess.run(
        [str(RENDER), "build", "notes", "--today", "2026-11-01"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[manifest names a file outside the notes' folders, " in _line(result.stdout, "note-1")
    assert time.perf_counter() - started < 60
    rebuilt = Manifest.load(here / "dist").notes["note-1"].inputs
    assert rebuilt.images == {} and rebuilt.house.path == "houses/example"
    assert (here / "dist" / "note-1.pdf").read_bytes().startswith(b"%PDF")


def test_a_manifest_that_is_a_fifo_is_not_waited_on(here: Path) -> None:
    make_notes(here, 1)
    (here / "dist").mkdir()
    os.mkfifo(here / "dist" / MANIFEST_NAME)
    result = subprocess.run(
        [str(RENDER), "build", "notes", "--today", "2026-11-01"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "manifest.json cannot be read: it is not a regular file" in result.stderr
    assert json.loads((here / "dist" / MANIFEST_NAME).read_text())["notes"]["note-1"]


def test_an_output_folder_inside_the_notes_folder_is_not_read_as_notes(here: Path) -> None:
    make_notes(here, 2)
    first = run("build", "notes", "-o", "notes/dist", "--format", "both")
    assert first.exit_code == 0, first.output
    again = run("build", "notes", "-o", "notes/dist")
    assert again.exit_code == 0, again.output
    assert "0 built, 2 skipped, 0 failed" in again.stderr
    # Another build's output folder there is not taken for notes either, nor by check.
    assert run("build", "notes", "-o", "notes/other").exit_code == 0
    checked = run("check", "notes")
    assert checked.exit_code == 0 and "in 2 files" in checked.stderr, checked.output


def test_a_single_note_is_rendered_in_the_calling_process(here: Path) -> None:
    # No pool for one note: its fork server would import everything again (1.6x the render).
    note, *others = make_notes(here, 3)
    options = BuildOptions(output=here / "dist", today=TODAY)
    summary = build([note], options, jobs=2, root=here)
    [outcome] = summary.outcomes
    assert outcome.status == "built" and outcome.worker == os.getpid()
    assert outcome.peak_memory_kib > 0
    assert not verify(here / "dist").problems
    # Two notes still go to worker processes, so one that dies costs only itself.
    two = build(others, BuildOptions(output=here / "two", today=TODAY), root=here)
    assert {o.worker for o in two.outcomes}.isdisjoint({os.getpid()})


def test_a_single_note_over_its_time_limit_is_stopped_in_the_calling_process(
    here: Path,
) -> None:
    [note] = make_notes(here, 1)
    emphasis_storm(note)
    limits = Limits(render_seconds=10)
    options = BuildOptions(output=here / "dist", today=TODAY, settings=Settings(limits=limits))
    started = time.monotonic()
    summary = build([note], options, root=here)
    elapsed = time.monotonic() - started
    [outcome] = summary.outcomes
    assert outcome.status == "failed" and outcome.worker == os.getpid()
    assert [p.code for p in outcome.problems] == ["render.timeout"]
    assert list((here / "dist").glob("*.pdf")) == []
    assert elapsed < 30, elapsed


def _cold_build(here: Path, *args: str, cores: str | None = None) -> tuple[int, str]:
    """``render build`` in a fresh process (``-X importtime``: its imports on stderr), on the
    given cores; returns the exit status and what it printed."""
    # -P: the working folder is not on the path, as for the installed ``render`` script.
    command = [sys.executable, "-P", "-X", "importtime", "-m", "render", "build", *args]
    command += ["--today", TODAY.isoformat()]
    if cores is not None:
        command = ["taskset", "-c", cores, *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(command, cwd=here, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def _imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if "import time:" in line
    }


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a process ahead needs a second core")
def test_a_cold_single_note_build_lays_out_in_a_process_started_ahead(here: Path) -> None:
    # WeasyPrint is imported on the second core while the note is checked; on one core (or in a
    # warm process) the note is laid out in place. Both give the same bytes.
    make_notes(here, 1)
    # A module of the working folder is not imported in its place (the process runs with -P).
    (here / "pydyf.py").write_text("raise SystemExit('the working folder was imported')\n")
    status, ahead = _cold_build(here, "notes/note-1.md", "-o", "ahead")
    assert status == 0, ahead
    assert "render.pdf.ahead" in _imported(ahead) and "weasyprint" not in _imported(ahead)
    status, in_place = _cold_build(here, "notes/note-1.md", "-o", "in-place", cores="0")
    assert status == 0, in_place
    assert "weasyprint" in _imported(in_place)
    pdf = (here / "ahead" / "note-1.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf == (here / "in-place" / "note-1.pdf").read_bytes()
    # Up to date: the process the command line started before it knew is left unused.
    status, again = _cold_build(here, "notes/note-1.md", "-o", "ahead")
    assert status == 0 and "0 built, 1 skipped" in again, again


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a process ahead needs a second core")
def test_a_cold_single_note_over_its_time_limit_stops_its_process_ahead(here: Path) -> None:
    [note] = make_notes(here, 1)
    emphasis_storm(note)
    config = here / "render.toml"
    config.write_text(config.read_text() + "\n[limits]\nrender_seconds = 10\n", "utf-8")
    started = time.monotonic()
    status, output = _cold_build(here, "notes/note-1.md", "-o", "dist")
    assert status == 1, output
    assert "[render.timeout]" in output and "weasyprint" not in _imported(output)
    assert time.monotonic() - started < 60
    assert list((here / "dist").glob("*.pdf")) == []
    # No layout is left running: no process of this test's folder outlives the build.
    leftover = subprocess.run(["pgrep", "-f", "render.pdf.ahead"], capture_output=True, text=True)
    assert leftover.stdout == "", leftover.stdout


def test_a_bug_rendering_a_single_note_exits_3_with_its_traceback(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_notes(here, 1)
    assert run("build", "notes").exit_code == 0
    before = (here / "dist" / "note-1.pdf").read_bytes()
    edit(here / "notes" / "note-1.md", "title: 第1篇", "title: 第一篇")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the PDF stage")

    # The bug is planted in the renderer: this tests how the build reports a bug in a note.
    monkeypatch.setattr(render.renderer.Renderer, "render_checked", broken)
    result = run("build", "notes")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: a bug in the PDF stage" in result.stderr
    # The last good output and its entry stay, as they still match each other.
    assert (here / "dist" / "note-1.pdf").read_bytes() == before
    assert not verify(here / "dist").problems


#: Every kind of file a note reads besides itself, as (the note, the file, an edit of it).
HENGTONG = "2026-04-15-hengtong-upgrade"
EARLIER = "2026-01-22-hengtong-annual-preview"
READ = {
    "prices CSV": (HENGTONG, "notes/data/hengtong-prices.csv", "37.62", "30.62"),
    "chart CSV": (HENGTONG, "notes/data/hengtong-quarterly.csv", "2025Q1,2.1", "2025Q1,2.6"),
    "forecast file": (
        "2026-05-06-lanfeng-earnings",
        "notes/data/lanfeng-forecast.yaml",
        "eps: [0.15",
        "eps: [0.16",
    ),
    "data file": (
        "2026-05-06-lanfeng-earnings-en",
        "notes/data/lanfeng-data-en.json",
        '"target_price": 32.00',
        '"target_price": 33.00',
    ),
    "roster": (HENGTONG, "houses/example/analysts.yaml", "000-0000 1202", "000-0000 1299"),
    "register": (HENGTONG, "houses/example/disclosures.yaml", "重要关系披露", "关系披露"),
    "earlier note": (HENGTONG, f"notes/{EARLIER}.md", "title: ", "title: 修订："),
}


def test_a_note_is_rebuilt_when_any_file_it_reads_changes(here: Path) -> None:
    notes = here / "notes"
    (notes / "note.md").unlink()
    shutil.copytree(ROOT / "examples" / "notes" / "data", notes / "data")
    shutil.copytree(ROOT / "examples" / "notes" / "figures", notes / "figures")
    for key in {key for key, *_ in READ.values()} | {EARLIER}:
        shutil.copy(ROOT / "examples" / "notes" / f"{key}.md", notes / f"{key}.md")
    paths = sorted(notes.glob("*.md"))
    options = BuildOptions(output=here / "dist", formats=("html",), today=TODAY)
    summary = build(paths, options, executor=batch.InProcess(), root=here)
    assert summary.count("built") == len(paths), [o.problems for o in summary.outcomes]

    def reasons() -> dict[str, str | None]:
        steps = batch.plan(paths, options, Manifest.load(here / "dist"), here)
        return {step.job.key: step.reason for step in steps}

    assert set(reasons().values()) == {None}
    for what, (key, name, old, new) in READ.items():
        before = (here / name).read_bytes()
        edit(here / name, old, new)
        assert reasons()[key] is not None, what
        (here / name).write_bytes(before)
        assert reasons()[key] is None, what
