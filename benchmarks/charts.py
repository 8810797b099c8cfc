"""Cost of ```chart blocks against the same charts as prepared SVG files, and of matplotlib.

Run from the repository: ``python benchmarks/charts.py [--rounds 15] [--matplotlib PYTHON]``.

- One warm process renders two copies of the example company note (check, HTML, layout and PDF:
  what ``render build`` does per note): one with two ```chart blocks (a column chart from a CSV,
  a line chart inline), one with the same two charts as SVG files drawn beforehand and shown as
  image figures. The two are interleaved round by round so the shared machine's noise hits both
  alike; it prints the medians and their ratio (aim ≤ 1.15).
- ``render check`` of the note with charts in a fresh interpreter: the plotting modules it
  imported (none), and its time.
- Our engine's time for one line chart (12 points, two series) as SVG text.
- With ``--matplotlib`` (a Python that has matplotlib, e.g. a scratch venv:
  ``python3 -m venv /tmp/mplvenv && /tmp/mplvenv/bin/pip install matplotlib``): the import time
  and resident memory of ``import matplotlib.pyplot``, and its time for the same line chart as
  SVG (``svg.fonttype: none``, a fixed hash salt), in a fresh interpreter each run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.data.chart import body_chart  # noqa: E402
from render.renderer import Renderer  # noqa: E402

NOTE = ROOT / "examples" / "notes" / "2026-04-15-hengtong-upgrade.md"
#: Where the charts go: after the commentary's first paragraph.
ANCHOR = "**新产线提前通线"
LINE_CHART = """```chart
type: line
title: 分业务毛利率
unit: "%"
categories: [2025Q1, 2025Q2, 2025Q3, 2025Q4, 2026Q1]
series:
  - {name: 先进封装, values: [26.5, 27.8, 29.0, 30.2, 31.0]}
  - {name: 传统封装, values: [14.2, 14.0, 13.6, 13.9, 13.5]}
source: 公司公告，澄川证券研究院整理（示例数据）
```

"""
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
SERIES = [
    ("衡通微电子", [1.0, 1.4, 0.8, 2.2, 3.1, 2.9, 3.8, 4.4, 4.0, 5.2, 6.1, 5.8]),
    ("沪深 300 指数", [0.2, 0.5, 0.1, 0.9, 1.1, 0.8, 1.4, 1.6, 1.2, 1.9, 2.0, 2.3]),
]
#: Peak resident memory of this process (MiB), from /proc: ``ru_maxrss`` would include the
#: parent's, as Linux keeps it across the fork and exec that start the process.
PEAK = """
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""
MATPLOTLIB = (
    PEAK
    + """
import io, sys, time
base = peak()
start = time.perf_counter()
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt
imported = time.perf_counter() - start
rss_import = peak()
plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["svg.hashsalt"] = "research-notes"
months = {months!r}
series = {series!r}
def draw():
    fig, ax = plt.subplots(figsize=(4.8, 2.5))
    for name, values in series:
        ax.plot(months, values, label=name)
    ax.set_ylabel("%")
    ax.legend()
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={{"Date": None}})
    plt.close(fig)
    return out.getvalue()
start = time.perf_counter()
first = draw()
chart_first = time.perf_counter() - start
times = []
for _ in range(20):
    start = time.perf_counter()
    again = draw()
    times.append(time.perf_counter() - start)
times.sort()
import json
print(json.dumps({{
    "import": imported, "rss_base": base, "rss_import": rss_import, "rss_after": peak(),
    "chart_first": chart_first, "chart_warm": times[len(times) // 2],
    "same_bytes": first == again, "version": matplotlib.__version__,
}}))
"""
)


def notes(folder: Path) -> tuple[Path, Path]:
    """The note with two chart blocks, and the same note with the charts as prepared SVG files."""
    # The examples' folder with its render.toml (its houses, its limits), the notes in it.
    shutil.copytree(NOTE.parent.parent, folder.parent, dirs_exist_ok=True)
    text = NOTE.read_text(encoding="utf-8")
    charted = text.replace(ANCHOR, LINE_CHART + ANCHOR, 1)
    with_charts = folder / "with-charts.md"
    with_charts.write_text(charted, encoding="utf-8")
    # The same charts drawn beforehand (by the same engine) and shown as image figures.
    renderer = Renderer(created=None)
    html = renderer.render(with_charts, ("html",)).html
    figures = []
    start = 0
    while (start := html.find("<svg", html.find('<figure class="figure chart', start))) > 0:
        end = html.index("</svg>", start) + len("</svg>")
        figures.append(html[start:end])
        start = end
    assert len(figures) == 2, len(figures)
    prepared = charted
    for i, (svg, block) in enumerate(zip(figures, _blocks(charted), strict=True), start=1):
        (folder / "figures" / f"chart-{i}.svg").write_text(svg, encoding="utf-8")
        title = next(line[7:] for line in block.splitlines() if line.startswith("title: "))
        source = next(line[8:] for line in block.splitlines() if line.startswith("source: "))
        figure = f"![图{i}：{title}](figures/chart-{i}.svg)\n\n资料来源：{source}\n\n"
        prepared = prepared.replace(block, figure, 1)
    with_files = folder / "with-files.md"
    with_files.write_text(prepared, encoding="utf-8")
    return with_charts, with_files


def _blocks(text: str) -> list[str]:
    """The note's chart blocks, each with its fences and the blank line after it."""
    found, start = [], 0
    while (start := text.find("```chart\n", start)) >= 0:
        end = text.index("```\n", start + 9) + 4
        if text[end : end + 1] == "\n":
            end += 1
        found.append(text[start:end])
        start = end
    return found


def check_modules(note: Path) -> tuple[list[str], float]:
    """The plotting modules ``render check`` imports in a fresh interpreter, and its time."""
    script = (
        "import sys, time\n"
        "start = time.perf_counter()\n"
        "from render.cli.app import main\n"
        f"sys.argv = ['render', 'check', {str(note)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "elapsed = time.perf_counter() - start\n"
        "plotting = ('matplotlib', 'plotly', 'pygal', 'vl_convert', 'altair', 'bokeh')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in plotting}))\n"
        "print(elapsed)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    modules, elapsed = done.stdout.strip().splitlines()[-2:]
    return json.loads(modules.replace("'", '"')), float(elapsed)


OURS = (
    PEAK
    + """
import render.renderer  # what every render process (check, build worker, preview) loads
base = peak()
from render.data.chart import body_chart
for _ in range(21):
    body_chart("line", {months!r}, {series!r}, "%", "a", "zh_CN", "sans-serif")
print(base, peak())
"""
)


def engine_memory() -> tuple[float, float]:
    """Peak RSS (MiB) of a fresh render process (``render.renderer`` imported, and our engine
    with it) before and after drawing the line chart 21 times: nothing more is imported."""
    done = subprocess.run(
        [sys.executable, "-c", OURS.format(months=MONTHS, series=SERIES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    base, after = (float(x) for x in done.stdout.split())
    return base, after


def engine_time() -> float:
    """Median seconds of our engine drawing the 12-point, two-series line chart."""
    times = []
    for _ in range(200):
        start = time.perf_counter()
        body_chart("line", MONTHS, SERIES, "%", "a", "zh_CN", '"Noto Sans CJK SC", sans-serif')
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--matplotlib", help="a Python with matplotlib installed", default=None)
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        with_charts, with_files = notes(Path(scratch) / "examples" / "notes")
        renderer = Renderer(created=None)
        kinds = {"chart blocks": with_charts, "SVG files": with_files}
        for note in kinds.values():  # warm: fonts, templates, imports
            renderer.render(note)
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for round_ in range(args.rounds):
            order = list(kinds) if round_ % 2 == 0 else list(reversed(kinds))
            for kind in order:
                start = time.perf_counter()
                renderer.render(kinds[kind])
                times[kind].append(time.perf_counter() - start)
        blocks = statistics.median(times["chart blocks"])
        files = statistics.median(times["SVG files"])
        print(
            f"warm render, {args.rounds} rounds, medians: chart blocks {blocks:.3f}s, "
            f"SVG files {files:.3f}s, ratio ×{blocks / files:.3f} (aim ≤ 1.15)"
        )
        modules, elapsed = check_modules(with_charts)
        print(f"render check (fresh process) {elapsed:.2f}s; plotting modules imported: {modules}")
    base, after = engine_memory()
    print(
        f"our engine, one 12-point two-series line chart: {engine_time() * 1000:.3f} ms; "
        f"a fresh render process: peak RSS {base:.0f} MiB, {after:.0f} MiB after 21 charts "
        "(no import: the renderer loads the engine)"
    )
    if args.matplotlib:
        runs = []
        for _ in range(5):
            done = subprocess.run(
                [args.matplotlib, "-c", MATPLOTLIB.format(months=MONTHS, series=SERIES)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout))
        keys = ("import", "rss_base", "rss_import", "rss_after", "chart_first", "chart_warm")
        median = {k: statistics.median(r[k] for r in runs) for k in keys}
        print(
            f"matplotlib {runs[0]['version']} (fresh process, medians of 5): import pyplot "
            f"{median['import']:.3f}s; peak RSS {median['rss_base']:.0f} MiB before, "
            f"{median['rss_import']:.0f} MiB after the import, {median['rss_after']:.0f} MiB after "
            f"21 charts; the line chart as "
            f"SVG: first {median['chart_first'] * 1000:.1f} ms, warm "
            f"{median['chart_warm'] * 1000:.1f} ms; same bytes twice: "
            f"{all(r['same_bytes'] for r in runs)}"
        )


if __name__ == "__main__":
    main()
