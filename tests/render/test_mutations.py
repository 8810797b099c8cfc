"""Mutated notes: whatever an analyst's keyboard does, the result is a render or located problems.

Hypothesis deletes lines, retypes values, misspells keys, breaks indentation and inserts odd
Unicode (NUL, bidi controls, escaped lone surrogates, emoji, very long text) into the example
note in each of its formats; and it writes YAML anchors and aliases into the YAML notes (nested,
merged, shared between fields, under unknown keys, now and then an alias bomb or an alias inside
its own anchor). ``Renderer.check`` must never raise, and must answer within seconds; every
problem it reports must be located (a file, a line and column from 1, a rule code) and
printable; a note without errors must render; a note with errors must write nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from render.batch.outputs import write_atomic
from render.context.i18n import translator
from render.errors import UserError
from render.renderer import Format, Renderer
from render.report import ErrorFormat, format_problem
from schemas.problems import Problem
from tests.conftest import EXAMPLE_HOUSE, EXAMPLES

RENDERER = Renderer(today=dt.date(2026, 11, 1))
BASES = {
    ".md": (EXAMPLES / "2026-03-02-ai-training-cost.md").read_text(encoding="utf-8"),
    ".yaml": (EXAMPLES / "2026-03-05-ai-training-cost.yaml").read_text(encoding="utf-8"),
    ".json": (EXAMPLES / "2026-03-06-ai-training-cost.json").read_text(encoding="utf-8"),
}
CODE = re.compile(r"^[a-z]+\.[a-z_]+$")
STYLES: tuple[ErrorFormat, ...] = ("text", "json", "github")

ODD = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\u202e",
        "\u2066",
        "\\ud800",
        "\\udfff",
        "\ufeff",
        "\u2028",
        "\x85",
        "😀👩‍👩‍👧",
        "\U0010fffd",
        "稳赚",
        "a" * 3000,
        "长" * 1500,
        ": ",
        "- ",
        "#",
        "---",
        "**",
        "|",
        "'",
        '"',
        "{",
        "]",
        "&x",
        "*x",
        "!!binary",
        "\t",
        "\n",
        "\n\n## 风险\n\n",
        "\n\n## 事件\n\n",
        "![x](../../../etc/passwd)",
        "\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n",
    ]
)
VALUES = st.sampled_from(
    ["[]", "[1, 2]", "123", "1.5", "null", "~", "{a: 1}", "true", '""', "2026-13-45", "-", "|"]
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    suffix = draw(st.sampled_from(sorted(BASES)))
    text = BASES[suffix]
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["delete", "insert", "misspell", "retype", "indent"]))
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        if kind == "delete":
            del lines[index]
        elif kind == "insert":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(ODD) + line[at:]
        elif kind == "misspell":
            keys = [m for m in re.finditer(r'[A-Za-z_]{2,}(?="?:)', line)]
            if keys:
                key = draw(st.sampled_from(keys))
                name = key.group(0)
                cut = draw(st.integers(0, len(name) - 1))
                wrong = draw(
                    st.sampled_from(
                        [
                            name[:cut] + name[cut + 1 :],
                            name[:cut] + name[cut] + name[cut:],
                            name[:cut]
                            + name[cut + 1 : cut + 2]
                            + name[cut : cut + 1]
                            + name[cut + 2 :],
                            name.upper(),
                        ]
                    )
                )
                lines[index] = line[: key.start()] + wrong + line[key.end() :]
        elif kind == "retype":
            found = re.match(r'^(\s*(?:- )?"?[\w$-]+"?\s*:\s*)(.+?)(,?)$', line)
            if found:
                value = draw(VALUES)
                if suffix == ".json":
                    value = {"~": "null", "{a: 1}": '{"a": 1}', "-": '"-"', "|": '"|"'}.get(
                        value, value
                    )
                lines[index] = found.group(1) + value + found.group(3)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            lines[index] = " " * draw(st.integers(0, spaces + 3)) + line.lstrip(" ")
        text = "\n".join(lines)
    return suffix, text


SCALARS = st.sampled_from(["ha", "1", "2.5", "稳赚", "'a: b'", "null", "true", "S9901524060001"])


@st.composite
def _flow(draw: st.DrawFn, anchors: list[str], depth: int = 0) -> str:
    """A flow list or mapping of scalars, aliases of earlier anchors, and nested flows."""
    items = []
    for _ in range(draw(st.integers(1, 10))):
        pick = draw(st.integers(0, 9))
        if anchors and pick < 6:
            item = f"*{draw(st.sampled_from(anchors))}"
        elif pick < 8 or depth >= 2:
            item = draw(SCALARS)
        else:
            item = draw(_flow(anchors, depth + 1))
        items.append(item)
    if draw(st.booleans()):
        return "[" + ", ".join(items) + "]"
    pairs = [f"k{i}: {item}" for i, item in enumerate(items)]
    if anchors and draw(st.booleans()):  # a merge key: of one anchor, or of a list of them
        merged = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=3))
        pairs.insert(
            0, "<<: " + (f"*{merged[0]}" if len(merged) == 1 else f"[*{', *'.join(merged)}]")
        )
    return "{" + ", ".join(pairs) + "}"


@st.composite
def aliased(draw: st.DrawFn) -> tuple[str, str]:
    """A YAML note (or a Markdown one's front matter) with anchors and aliases written into it."""
    suffix = draw(st.sampled_from([".md", ".yaml"]))
    text = BASES[suffix]
    head, tail = ("", text) if suffix == ".yaml" else text.split("\n---\n", 1)
    lines = (tail if suffix == ".yaml" else head).split("\n")
    # Share one field's value with a later field: a scalar anchored, then aliased.
    simple = [i for i, line in enumerate(lines) if re.match(r"^\s*(?:- )?\w+: [^&*|>]+$", line)]
    if len(simple) >= 2 and draw(st.booleans()):
        first, later = sorted(draw(st.lists(st.sampled_from(simple), min_size=2, max_size=2)))
        if first != later:
            lines[first] = re.sub(r": ", ": &shared ", lines[first], count=1)
            lines[later] = re.sub(r": .*$", ": *shared", lines[later])
    # A block of definitions under a key: each a flow of aliases of the ones before it (with
    # ten of ten of ... a bomb), now and then an alias of itself or of an anchor not defined.
    # Under a key the note has not, mostly; or one it has, which is then given twice.
    if draw(st.integers(0, 3)):
        anchors: list[str] = []
        key = draw(st.sampled_from(["extra", "extra", "x_unknown", "title", "rating"]))
        block = [f"{key}:"]
        # Aliases of any anchor before, or a chain of each of the last (a "billion laughs").
        chain = draw(st.integers(0, 1)) and draw(st.integers(5, 10))
        for n in range(draw(st.integers(1, 12))):
            name = f"a{n}"
            if chain and anchors:
                flow = "[" + ", ".join([f"*{anchors[-1]}"] * chain) + "]"
            else:
                flow = draw(_flow(anchors))
            odd = draw(st.integers(0, 30))
            if odd == 0:
                flow = flow.replace("ha", f"*{name}", 1)  # inside its own anchor
            elif odd == 1:
                flow = flow.replace("ha", "*nowhere", 1)
            block.append(f"  d{n}: &{name} {flow}")
            anchors.append(name)
        if draw(st.booleans()):
            block.append(f"  last: *{draw(st.sampled_from(anchors))}")
        at = draw(st.integers(0, len(lines)))
        # At the top level: between two top-level keys, or at the end.
        while at < len(lines) and lines[at].startswith((" ", "\t")):
            at += 1
        lines[at:at] = block
    joined = "\n".join(lines)
    return suffix, joined if suffix == ".yaml" else joined + "\n---\n" + tail


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mutations")
    shutil.copytree(EXAMPLE_HOUSE, root / "houses" / "example")
    (root / "notes").mkdir()
    return root


def _assert_located(problems: list[Problem], note: Path) -> None:
    for problem in problems:
        assert problem.path, problem
        assert problem.line >= 1 and problem.column >= 1, problem
        assert CODE.match(problem.code), problem
        assert problem.message.strip() and problem.message_in(translator("zh_CN")).strip(), problem
        for style in STYLES:
            for lang in ("en", "zh"):
                line = format_problem(problem, style, lang)
                line.encode("utf-8")  # printable, whatever the note holds
                assert "\n" not in line


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under a folder, with its size and modification time."""
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _check_then_render(workspace: Path, suffix: str, text: str, pdf: bool) -> None:
    """Check a note within seconds; render it if it has no errors, else write nothing."""
    path = workspace / "notes" / f"note{suffix}"
    out = workspace / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    for old in (workspace / "notes").iterdir():
        old.unlink()
    path.write_text(text, encoding="utf-8")
    before = _files(workspace)

    started = time.perf_counter()
    checked = RENDERER.check(path, path.name)
    # Whatever a note writes, it cannot hold render for long (a second, with room for load).
    assert time.perf_counter() - started < 10
    _assert_located(checked.problems, path)
    if checked.errors:
        assert checked.note is None
        with pytest.raises(UserError) as raised:
            RENDERER.render(path, ("html",), path.name)
        _assert_located(raised.value.problems, path)
        # A note with errors writes nothing: no file appears or changes, in the output folder,
        # beside the note or in the house (no cache, no half-written page).
        assert _files(workspace) == before
        return
    # A rare few go all the way to PDF: it takes most of a second each.
    formats: tuple[Format, ...] = ("html", "pdf") if pdf else ("html",)
    rendered = RENDERER.render_checked(checked, formats)
    write_atomic(out / "note.html", rendered.html.encode("utf-8"))
    assert (out / "note.html").read_text(encoding="utf-8") == rendered.html
    if rendered.pdf is not None:
        assert rendered.pdf.startswith(b"%PDF") and rendered.pages >= 1
    assert sorted(p.name for p in out.iterdir()) == ["note.html"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(note=mutated(), pdf=st.integers(0, 19))
def test_a_mutated_note_renders_or_reports_located_problems(
    workspace: Path, note: tuple[str, str], pdf: int
) -> None:
    _check_then_render(workspace, *note, pdf == 0)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(note=aliased())
def test_anchors_and_aliases_render_or_report_located_problems_in_time(
    workspace: Path, note: tuple[str, str]
) -> None:
    _check_then_render(workspace, *note, False)


@pytest.mark.parametrize("suffix", sorted(BASES))
def test_the_unmutated_notes_render(workspace: Path, suffix: str) -> None:
    path = workspace / "notes" / f"base{suffix}"
    path.write_text(BASES[suffix], encoding="utf-8")
    checked = RENDERER.check(path, path.name)
    assert checked.problems == [] and checked.note is not None
    path.unlink()
