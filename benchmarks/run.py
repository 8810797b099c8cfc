"""Benchmarks run by hand (``make bench``): render stages, our cost over raw WeasyPrint and over
headless Chromium, batch throughput, a no-change rebuild, and the workers' peak memory.

The machine these run on is shared and noisy, so every figure is a median of repeated runs,
and every ratio compares runs interleaved in the same process at the same time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from render.batch.build import BuildOptions, Outcome, Silent, build  # noqa: E402
from render.load.note import load_note  # noqa: E402
from render.pdf.confine import Confinement  # noqa: E402
from render.renderer import Renderer  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TODAY = dt.date(2026, 11, 1)
EXAMPLES = ROOT / "examples"
TEMPLATE_NOTE = EXAMPLES / "notes" / "2026-03-02-ai-training-cost.md"
CHROMIUM_FLAGS = ["--headless", *CHROMIUM_ARGS]
SUBJECTS = ["电子", "计算机", "通信", "传媒", "机械设备", "医药生物", "电力设备", "汽车"]


def median_time(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def interleaved(
    actions: dict[str, Callable[[], object]], repeats: int
) -> dict[str, tuple[float, float]]:
    """Median and fastest time of each action, run in turn so that the machine's noise hits
    all alike. On a shared machine the fastest run is the best estimate of the work itself."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - started)
    return {name: (statistics.median(values), min(values)) for name, values in times.items()}


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        memory = int(info.readline().split()[1]) / 1024 / 1024
    import weasyprint

    chromium = "not installed"
    if CHROMIUM.exists():
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
        chromium = out.strip()
    return (
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}, "
        f"{memory:.1f} GiB memory; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}; {chromium}"
    )


def make_workspace(folder: Path, count: int) -> tuple[list[Path], list[Path]]:
    """The example notes and ``count`` notes made from one of them, titles and dates varied."""
    shutil.copytree(EXAMPLES / "houses", folder / "houses")
    shutil.copytree(EXAMPLES / "notes", folder / "examples")
    from render.cli.discover import find_notes

    examples = find_notes([folder / "examples"])
    generated = folder / "generated"
    generated.mkdir()
    shutil.copytree(EXAMPLES / "notes" / "figures", generated / "figures")
    text = TEMPLATE_NOTE.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", text, re.M)
    assert title is not None
    notes = []
    for i in range(count):
        date = dt.date(2026, 1, 5) + dt.timedelta(days=(i * 3) % 280)
        subject = SUBJECTS[i % len(SUBJECTS)]
        body = text.replace(title.group(0), f"title: 第{i + 1}期：{title.group(1)}")
        body = re.sub(r"^date: .*$", f"date: {date}", body, count=1, flags=re.M)
        body = body.replace("name: 电子", f"name: {subject}", 1)
        path = generated / f"{date}-note-{i + 1:03d}.md"
        path.write_text(body, encoding="utf-8")
        notes.append(path)
    return examples, notes


def stage_times(renderer: Renderer, path: Path, repeats: int) -> dict[str, float]:
    """Each stage of one note's render in a warm process, as the renderer runs them."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    checked = renderer.check(path)
    assert checked.profile is not None and not checked.errors, checked.problems
    titles = checked.profile.section_titles()
    fonts = FontConfiguration()
    confinement = Confinement(path.parent, checked.profile.folder)
    base = path.parent.resolve().as_uri() + "/"
    found: dict[str, list[float]] = {k: [] for k in ("load", "validate", "template", "layout")}
    found["PDF write"] = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        load_note(path, lambda _: titles)
        t1 = time.perf_counter()
        checked = renderer.check(path)
        t2 = time.perf_counter()
        html = renderer.render_checked(checked, ("html",)).html
        t3 = time.perf_counter()
        document = HTML(string=html, base_url=base, url_fetcher=confinement.fetcher()).render(
            font_config=fonts
        )
        t4 = time.perf_counter()
        document.write_pdf(pdf_identifier=False, pdf_tags=False)
        t5 = time.perf_counter()
        if i == 0:
            continue  # the first pass warms the font configuration
        found["load"].append(t1 - t0)
        # The check loads the note again, then validates it against its house.
        found["validate"].append(max(0.0, (t2 - t1) - (t1 - t0)))
        found["template"].append(t3 - t2)
        found["layout"].append(t4 - t3)
        found["PDF write"].append(t5 - t4)
    return {name: statistics.median(values) for name, values in found.items()}


def ours_versus_weasyprint(
    renderer: Renderer, path: Path, repeats: int
) -> dict[str, tuple[float, float]]:
    """Our whole render (check, context, template, layout, PDF) against WeasyPrint alone
    laying out and writing the HTML we made, with a warm font configuration for both."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = renderer.render(path, ("html",)).html
    base = path.parent.resolve().as_uri() + "/"
    fonts = FontConfiguration()
    renderer.render(path, ("pdf",))
    HTML(string=html, base_url=base).write_pdf(font_config=fonts)
    return interleaved(
        {
            "ours": lambda: renderer.render(path, ("pdf",)),
            "weasyprint": lambda: HTML(string=html, base_url=base).write_pdf(font_config=fonts),
        },
        repeats,
    )


def chromium_times(html_file: Path, repeats: int) -> dict[str, float] | None:
    """Headless Chromium printing the same HTML: cold (a new browser each time, as the command
    line does) and warm (one browser kept running, a page printed through DevTools)."""
    if not CHROMIUM.exists():
        return None
    out = html_file.with_suffix(".chromium.pdf")

    def cold() -> None:
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [
                    CHROMIUM,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--print-to-pdf={out}",
                    html_file.as_uri(),
                ],
                capture_output=True,
                check=True,
                timeout=120,
            )

    cold()
    # A cold start is seconds long and varies less than it costs: fewer runs suffice.
    result = {"cold": median_time(cold, max(3, repeats // 2))}
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return result
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()

        def warm() -> None:
            page.goto(html_file.as_uri())
            page.pdf(prefer_css_page_size=True)

        warm()
        result["warm"] = median_time(warm, repeats)
        browser.close()
    return result


def _spin(count: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(count):
        total += i * i
    return time.perf_counter() - started


def _render_loop(path: str, count: int) -> float:
    renderer = Renderer(today=TODAY)
    renderer.render(Path(path), ("pdf",))
    started = time.perf_counter()
    for _ in range(count):
        renderer.render(Path(path), ("pdf",))
    return time.perf_counter() - started


def two_process_ceiling(path: Path, count: int) -> dict[str, float]:
    """What two cores give at best on this machine right now, without the batch builder: a
    pure-Python loop, and a renderer looping on one note, in one process and then two at once."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    found = {}
    for name, work, argument in (
        ("CPU loop", _spin, (20_000_000,)),
        ("render loop", _render_loop, (str(path), count)),
    ):
        with context.Pool(1) as pool:
            one = pool.apply(work, argument)
        with context.Pool(2) as pool:
            two = max(pool.starmap(work, [argument, argument]))
        found[name] = 2 * one / two
    return found


class Collect(Silent):
    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    def finished(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


def batch(notes: list[Path], output: Path, jobs: int, root: Path) -> tuple[float, list[Outcome]]:
    collect = Collect()
    options = BuildOptions(output=output, today=TODAY, force=True)
    started = time.perf_counter()
    summary = build(notes, options, jobs=jobs, reporter=collect, root=root)
    elapsed = time.perf_counter() - started
    failed = [o for o in summary.outcomes if o.status != "built"]
    assert not failed, [(o.display, o.problems, o.crash) for o in failed]
    return elapsed, collect.outcomes


def peak_memory(outcomes: list[Outcome]) -> list[float]:
    """Each worker's peak resident memory in MiB."""
    peaks: dict[int, int] = {}
    for outcome in outcomes:
        peaks[outcome.worker] = max(peaks.get(outcome.worker, 0), outcome.peak_memory_kib)
    return sorted(value / 1024 for value in peaks.values())


def no_change_rebuild(folder: Path, notes_folder: Path, output: Path, repeats: int) -> float:
    """A whole ``render build`` command on notes that are all up to date (wall time)."""
    command = [
        str(Path(sys.executable).with_name("render")),
        "build",
        str(notes_folder),
        "-o",
        str(output),
        "--today",
        TODAY.isoformat(),
    ]
    env = {**os.environ, "CI": "true"}

    def run() -> None:
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr.splitlines()[-1].startswith("0 built"), (
            done.stderr
        )

    run()
    return median_time(run, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=100, help="generated notes (default 100)")
    parser.add_argument("--repeats", type=int, default=7, help="runs per median (default 7)")
    parser.add_argument("--no-chromium", action="store_true", help="skip Chromium")
    parser.add_argument("--no-batch", action="store_true", help="skip the batch builds")
    parser.add_argument("--no-single", action="store_true", help="skip the one-note figures")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
        folder = Path(tmp)
        os.chdir(folder)
        examples, generated = make_workspace(folder, args.notes)
        renderer = Renderer(today=TODAY)

        print("\n## One note in a warm process (median seconds)\n")
        print(
            "| note | load | validate | template | layout | PDF write | own share | ours | "
            "WeasyPrint alone | ratio (fastest) | Chromium cold | ratio | Chromium warm | ratio |"
        )
        print("|" + " --- |" * 14)
        for path in [] if args.no_single else [*examples, generated[0]]:
            stages = stage_times(renderer, path, args.repeats)
            # The ratio of two close figures needs more runs than a single figure does.
            versus = ours_versus_weasyprint(renderer, path, 2 * args.repeats)
            html_file = path.with_suffix(".bench.html")
            html_file.write_text(renderer.render(path, ("html",)).html, encoding="utf-8")
            chromium = None if args.no_chromium else chromium_times(html_file, args.repeats)
            html_file.unlink()
            cells = [f"{stages[k]:.3f}" for k in stages]
            # Our own stages against WeasyPrint's: the share of a render that is ours to speed up.
            own = stages["load"] + stages["validate"] + stages["template"]
            cells.append(f"{own / (stages['layout'] + stages['PDF write']):.1%}")
            (ours, ours_min), (raw, raw_min) = versus["ours"], versus["weasyprint"]
            cells += [f"{ours:.3f}", f"{raw:.3f}", f"{ours / raw:.2f} ({ours_min / raw_min:.2f})"]
            for kind in ("cold", "warm"):
                if chromium and kind in chromium:
                    cells += [f"{chromium[kind]:.3f}", f"{ours / chromium[kind]:.2f}"]
                else:
                    cells += ["–", "–"]
            print(f"| {path.name} | " + " | ".join(cells) + " |", flush=True)

        if args.no_batch:
            return
        print("\n## Batch builds (local process pool, --force)\n")
        print("| notes | jobs | seconds | notes/s | speed-up | worker peak memory (MiB) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name, notes in (("examples", examples), (f"{len(generated)} generated", generated)):
            one = None
            for jobs in (1, 2):
                elapsed, outcomes = batch(notes, folder / f"dist-{jobs}", jobs, folder)
                one = one or elapsed
                memory = ", ".join(f"{m:.0f}" for m in peak_memory(outcomes))
                print(
                    f"| {name} | {jobs} | {elapsed:.1f} | {len(notes) / elapsed:.2f} | "
                    f"{one / elapsed:.2f}× | {memory} |",
                    flush=True,
                )
        ceiling = two_process_ceiling(generated[0], 8)
        print(
            "\ntwo processes against one, without the batch builder: "
            + ", ".join(f"{name} {ratio:.2f}×" for name, ratio in ceiling.items())
        )
        rebuild = no_change_rebuild(folder, folder / "generated", folder / "dist-2", args.repeats)
        print(
            f"\nno-change rebuild of {len(generated)} notes, the whole `render build` "
            f"command: {rebuild:.2f} s (median of {args.repeats})"
        )


if __name__ == "__main__":
    main()
