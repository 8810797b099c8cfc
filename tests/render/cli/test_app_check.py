"""``render check``: output formats, languages, strictness and exit statuses 0, 1, 2 and 3."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from render.cli import app as cli
from render.cli.app import app
from render.errors import EXIT_BUG, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR
from render.renderer import Renderer
from tests.conftest import EXAMPLES, ROOT, edit, fresh_python

TODAY = "2026-11-01"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["check", "--today", TODAY, *args])


@pytest.fixture
def broken(note_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example note with an error (a bad SAC number) and a warning (a forbidden phrase)."""
    edit(note_file, "sac: S9901524060001", "sac: S03405")
    edit(note_file, "海外出口管制政策变化。", "海外出口管制政策变化。稳赚")
    monkeypatch.chdir(note_file.parent)
    return note_file


def test_clean_notes_exit_0() -> None:
    result = run(str(EXAMPLES))
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout == ""
    assert result.stderr.strip().startswith("0 errors, 0 warnings in ")


def test_text_lists_every_problem_then_a_summary(broken: Path) -> None:
    result = run("note.md")
    assert result.exit_code == EXIT_USER_ERROR
    assert result.stdout.splitlines() == [
        "note.md:18:10: error: analysts[0].sac: 'S03405' is not a SAC certificate number "
        "(S followed by 13 digits) [schema.sac]",
        "note.md:45:43: warning: risks: '稳赚' is a promissory phrase the house forbids "
        "[schema.promise]",
    ]
    assert result.stderr == "1 error, 1 warning in 1 file\n"


def test_lang_zh_prints_the_chinese_messages(broken: Path) -> None:
    result = run("--lang", "zh", "note.md")
    assert result.stdout.splitlines() == [
        "note.md:18:10: error: analysts[0].sac: “S03405”不是有效的执业证书编号（S 加 13 位数字） "
        "[schema.sac]",
        "note.md:45:43: warning: risks: “稳赚”属于本机构禁止使用的承诺性用语 [schema.promise]",
    ]
    assert result.stderr == "1 个文件：1 个错误，1 个警告\n"


def test_json_is_one_object_per_problem_in_the_language_asked_for(broken: Path) -> None:
    result = run("--format", "json", "note.md")
    assert result.exit_code == EXIT_USER_ERROR
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert objects[0] == {
        "file": "note.md",
        "line": 18,
        "column": 10,
        "severity": "error",
        "field": "analysts[0].sac",
        "code": "schema.sac",
        "message": "'S03405' is not a SAC certificate number (S followed by 13 digits)",
    }
    assert [o["severity"] for o in objects] == ["error", "warning"]
    chinese = [
        json.loads(line)
        for line in run("--format", "json", "--lang", "zh_CN", "note.md").stdout.splitlines()
    ]
    assert chinese[0]["message"] == "“S03405”不是有效的执业证书编号（S 加 13 位数字）"
    assert {**chinese[0], "message": ""} == {**objects[0], "message": ""}


def test_a_language_without_a_catalog_is_refused_naming_those_there_are(broken: Path) -> None:
    result = run("--lang", "fr", "note.md")
    assert result.exit_code == EXIT_USAGE
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # out of rich's box
    assert "no catalog of problem messages for 'fr' (there are: en, zh_CN);" in said
    assert "docs/locales.md says how to add one" in said
    # Any spelling of a locale that has a catalog is accepted.
    Path("open.md").write_text("---\ntitle: x\n", encoding="utf-8")
    for spelling, words in [
        ("zh", "前置数据块缺少结尾的“---”行"),
        ("zh-CN", "前置数据块缺少结尾的“---”行"),
        ("zh_cn", "前置数据块缺少结尾的“---”行"),
        ("en_US", "the front matter has no closing '---' line"),
    ]:
        result = run("--lang", spelling, "open.md")
        assert result.exit_code == EXIT_USER_ERROR
        assert result.stdout == f"open.md:1:1: error: {words} [syntax.front_matter]\n"


def test_github_prints_workflow_annotations(broken: Path) -> None:
    result = run("--format", "github", "note.md")
    assert result.stdout.splitlines() == [
        "::error file=note.md,line=18,col=10,title=schema.sac::analysts[0].sac: 'S03405' is not "
        "a SAC certificate number (S followed by 13 digits)",
        "::warning file=note.md,line=45,col=43,title=schema.promise::risks: '稳赚' is a "
        "promissory phrase the house forbids",
    ]


def test_warnings_pass_unless_strict(note_file: Path) -> None:
    edit(note_file, "海外出口管制政策变化。", "海外出口管制政策变化。稳赚")
    assert run(str(note_file)).exit_code == EXIT_OK
    assert run("--strict", str(note_file)).exit_code == EXIT_USER_ERROR


def test_a_house_problem_is_printed_once_for_all_its_notes(workspace: Path) -> None:
    notes = workspace / "notes"
    (notes / "second.md").write_text((notes / "note.md").read_text(encoding="utf-8"))
    house = workspace / "houses" / "example" / "house.yaml"
    edit(house, "    max_risk_level: R5", "    max_risk_level: R9")
    result = run(str(notes))
    assert result.exit_code == EXIT_USER_ERROR
    assert len(result.stdout.splitlines()) == 1 and "[house.risk_level]" in result.stdout
    assert result.stderr == "1 error, 0 warnings in 2 files\n"


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-note.md"],
        ["--format", "xml", "note.md"],
        ["--lang", "fr", "note.md"],
        ["--today", "tomorrow", "note.md"],
        ["--no-such-option", "note.md"],
    ],
    ids=["missing path", "bad format", "bad lang", "bad today", "unknown option"],
)
def test_misuse_exits_2(note_file: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.chdir(note_file.parent)
    result = run(*args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "Traceback" not in result.output


def test_an_empty_folder_is_misuse(tmp_path: Path) -> None:
    assert run(str(tmp_path)).exit_code == EXIT_USAGE


def _main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["render", *args])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    return int(exited.value.code or 0)


def test_a_bug_says_so_shows_the_traceback_and_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_check(
        self: Renderer, path: Path, display: str | None = None, batch: object = ()
    ) -> None:
        raise RuntimeError("a bug in the checker")

    # The bug is planted in the renderer, so this tests the command's handling of bugs.
    monkeypatch.setattr(Renderer, "check", broken_check)
    assert _main(monkeypatch, "check", str(EXAMPLES)) == EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: a bug in the checker" in err
    assert "this is a bug in render, not a problem with your notes" in err


def test_main_keeps_the_statuses_of_user_errors_and_misuse(
    broken: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(monkeypatch, "check", "--today", TODAY, "note.md") == EXIT_USER_ERROR
    assert _main(monkeypatch, "check", "missing.md") == EXIT_USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_the_installed_command(tmp_path: Path) -> None:
    """The real entry point, in its own process: statuses and streams as CI sees them."""
    render = Path(sys.executable).parent / "render"
    command = [str(render), "check", "--today", TODAY, "--format", "github"]
    clean = subprocess.run([*command, str(EXAMPLES)], capture_output=True, text=True, cwd=ROOT)
    assert clean.returncode == EXIT_OK and clean.stdout == "", clean.stderr
    broken = ROOT / "tests" / "render" / "broken" / "sac-format.md"
    result = subprocess.run([*command, str(broken)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == EXIT_USER_ERROR
    assert result.stdout.startswith(
        "::error file=tests/render/broken/sac-format.md,line=15,col=10,title=schema.sac::"
    )
    missing = subprocess.run([*command, "nothing-here.md"], capture_output=True, text=True)
    assert missing.returncode == EXIT_USAGE and "Traceback" not in missing.stderr


#: Modules ``render check`` has no use for, each costing its start-up time: WeasyPrint (most of
#: a second), what ``xml.sax.saxutils`` pulls in (HTTP, SSL), the build's manifest and its
#: models, and the process pool.
LAZY = (
    "weasyprint",
    "urllib.request",
    "http.client",
    "ssl",
    "concurrent.futures",
    "multiprocessing",
    "render.batch.manifest",
    "schemas.manifest",
)


def after_check(
    note: Path, watched: tuple[str, ...] = LAZY, temporary: Path | None = None
) -> dict[str, Any]:
    """What a fresh interpreter holds after checking ``note``: of the modules ``watched`` (by
    name prefix; :data:`LAZY` unless given), those imported; whether Pillow is; of the Pydantic models, those built; the Pydantic
    plugins looked for (None: never looked for)."""
    script = (
        "import json, sys\n"
        "from pydantic import BaseModel\n"
        "from render.cli.app import main\n"
        f"sys.argv = ['render', 'check', '--today', '{TODAY}', {str(note)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        f"lazy = {watched!r}\n"
        "models = [m for m in sys.modules.values() if getattr(m, '__name__', '')"
        ".startswith('schemas.')]\n"
        "built = {f'{c.__module__}.{c.__qualname__}' for m in models for c in vars(m).values()\n"
        "         if isinstance(c, type) and issubclass(c, BaseModel) and c is not BaseModel\n"
        "         and c.__pydantic_complete__}\n"
        "print(json.dumps({'modules': sorted(m for m in sys.modules if m.startswith(lazy)),\n"
        "                  'pillow': 'PIL.Image' in sys.modules,\n"
        "                  'plugins': sys.modules['pydantic.plugin._loader']._plugins,\n"
        "                  'built': sorted(built)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
            # The temporary folder, where render keeps what it read (the user's own if None).
            **({"TMPDIR": str(temporary)} if temporary else {}),
        },
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_check_lays_nothing_out_and_never_imports_weasyprint(tmp_path: Path) -> None:
    """``render check`` runs the HTML stage and opens figures, but WeasyPrint's import alone
    takes longer than the whole check; Pillow is imported only for a raster figure, and the
    modules of :data:`LAZY` never."""
    from PIL import Image

    shutil.copytree(EXAMPLES.parent, tmp_path / "examples")
    notes = tmp_path / "examples" / "notes"
    plain = notes / "2026-03-02-ai-training-cost.md"  # no figure, but a chart from its prices
    Image.new("RGB", (40, 20), "white").save(notes / "figures" / "bars.png")
    shown = notes / "figure.md"
    shown.write_text(
        plain.read_text(encoding="utf-8").replace(
            "## 投资建议", "![图 1：示意](figures/bars.png)\n\n资料来源：示例\n\n## 投资建议", 1
        ),
        encoding="utf-8",
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with_figure = after_check(shown, temporary=temporary)
    assert with_figure["pillow"], "the check opens the figures"
    assert with_figure["modules"] == []
    without = after_check(plain, temporary=temporary)
    assert not without["pillow"] and without["modules"] == []
    # Models are built when first used (defer_build): only those a check validates with.
    assert "schemas.note.NoteBase" not in without["built"]
    assert "schemas.manifest.Entry" not in without["built"]
    assert "schemas.note.Note" in without["built"]
    # The house as validated is kept between processes (render/load/house_cache.py): the first
    # check read and validated it, the second validates no house and none of its registers.
    assert "schemas.house.House" in with_figure["built"]
    assert not {"schemas.house.House", "schemas.registers.Roster"} & set(without["built"])
    # Looking for Pydantic plugins reads every installed package's metadata: render has none.
    assert without["plugins"] is None


def test_the_command_line_imports_with_the_collector_paused() -> None:
    """``python -m render`` (and the ``render`` script) imports its modules with the cyclic
    garbage collector paused, then sets them aside and runs the command with it working."""
    script = (
        "import gc, json, runpy, sys\n"
        "seen = {}\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'render.cli.app':\n"
        "            seen['importing'] = gc.isenabled()\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
        "import render.cli.discover\n"
        "seen['package'] = gc.isenabled()\n"
        "sys.argv = ['render', '--version']\n"
        "try:\n"
        "    runpy.run_module('render', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "seen['after'] = gc.isenabled()\n"
        "seen['frozen'] = gc.get_freeze_count()\n"
        "print(json.dumps(seen))\n"
    )
    seen = json.loads(fresh_python(script).splitlines()[-1])
    # Importing a module of the command line alone (the preview's) leaves the collector be.
    assert seen["package"] is True
    assert seen["importing"] is False
    assert seen["after"] is True and seen["frozen"] > 10_000
