"""Cold single-note commands against raw WeasyPrint: build time, check time, peak memory.

Run from anywhere: ``python benchmarks/cold.py [--rounds 9] [--before /work/main]``. Each
command runs in a fresh process, as a user runs it, and the runs are interleaved round by round
so that the shared machine's noise hits all alike; every figure is a median. It prints:

- ``render build note.md`` (one note, ``--force``) against ``weasyprint note.html out.pdf`` on
  the very HTML our PDF stage lays out (aim ≤ 1.15);
- ``render check note.md`` against ``python -c "import weasyprint"`` (aim ≤ 0.7);
- the peak resident memory of a build's render process against raw WeasyPrint's on the same
  notes: the single-note build (rendered in the calling process) and each worker of a
  ``--jobs 2`` build of the example notes (aim ≤ 1.1).

``--before ROOT`` also runs the same commands from another checkout (the code before a change),
interleaved with these, so the before and after figures come from one run.

Every command runs once before the timed rounds, with Python's bytecode cache on (in a folder of
the run's own, ``PYTHONPYCACHEPREFIX``): the timed runs find every module compiled, as an
installed package's are (pip compiles them) and as WeasyPrint's are. Under
``PYTHONDONTWRITEBYTECODE`` (set on the development machine) render's own modules would be
compiled from source at every start, about 0.1 s that no user pays. Besides wall time, each
command's CPU time (user + system, its children's included) is given: on a shared machine it
moves less with the others' load.
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

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NOTE = "2026-03-02-ai-training-cost.md"
TODAY = "2026-11-01"
PYTHON = sys.executable
WEASYPRINT = str(Path(sys.executable).with_name("weasyprint"))

#: Writes the HTML our PDF stage lays out, beside each note, for raw WeasyPrint to render.
HTML_SCRIPT = """
import datetime as dt, sys
from pathlib import Path
from render.renderer import Renderer
renderer = Renderer(today=dt.date.fromisoformat(sys.argv[1]), created=None)
for name in sys.argv[2:]:
    checked = renderer.check(Path(name))
    assert checked.html is not None, checked.problems
    Path(name).with_suffix(".raw.html").write_text(checked.html, encoding="utf-8")
"""

#: A ``--jobs 2`` build of the given notes; prints each worker's peak memory (KiB) as JSON.
POOL_SCRIPT = """
import datetime as dt, json, sys
from pathlib import Path
from render.batch.build import BuildOptions, build
notes = [Path(p) for p in sys.argv[3:]]
options = BuildOptions(output=Path(sys.argv[2]), today=dt.date.fromisoformat(sys.argv[1]),
                       force=True)
summary = build(notes, options, jobs=2)
assert all(o.status == "built" for o in summary.outcomes), summary.problems
peaks = {}
for outcome in summary.outcomes:
    peaks[outcome.worker] = max(peaks.get(outcome.worker, 0), outcome.peak_memory_kib)
print(json.dumps(sorted(peaks.values())))
"""


def measured(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, float]:
    """Wall time, peak resident memory (KiB) and CPU time of one command, run to its end."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode(errors='replace')}")
    return seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


#: Where the measured commands keep their bytecode (set by :func:`main` for the run).
PYCACHE: list[str] = []


def environment(root: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SOURCE_DATE") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPATH"] = str(root)
    if PYCACHE:
        env["PYTHONPYCACHEPREFIX"] = PYCACHE[0]
    return env


def machine() -> list[str]:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = subprocess.run(
        [PYTHON, "-c", "import weasyprint; print(weasyprint.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return [
        f"nproc {len(os.sched_getaffinity(0))}, {model}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, WeasyPrint {version}",
    ]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def html_of(note: str) -> str:
    """Where :data:`HTML_SCRIPT` writes a note's HTML (beside it, so its figures resolve)."""
    return str(Path(note).with_suffix(".raw.html"))


def ratio(numerator: list[float], denominator: list[float]) -> float:
    """The median of the per-round ratios (each round's pair ran back to back)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--note", default=NOTE, help="the example note timed alone")
    parser.add_argument("--before", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--no-memory", action="store_true", help="skip the pool's memory")
    args = parser.parse_args()

    roots = {"after": ROOT}
    if args.before:
        roots = {"before": args.before.resolve(), "after": ROOT}
    for line in machine():
        print(line)
    print(f"load average at the start: {load()}")

    with tempfile.TemporaryDirectory(prefix="render-cold-") as tmp:
        work = Path(tmp)
        PYCACHE.append(str(work / "pycache"))
        shutil.copytree(EXAMPLES / "houses", work / "houses")
        shutil.copytree(EXAMPLES / "notes", work / "notes")
        shutil.copy(EXAMPLES / "render.toml", work / "render.toml")
        notes = sorted(p.name for p in (work / "notes").iterdir() if p.is_file())
        subprocess.run(
            [PYTHON, "-c", HTML_SCRIPT, TODAY, *(f"notes/{n}" for n in notes)],
            env=environment(ROOT),
            cwd=work,
            check=True,
        )
        note = f"notes/{args.note}"
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "weasyprint note.html": ([WEASYPRINT, html_of(note), "raw.pdf"], environment(ROOT)),
            "import weasyprint": ([PYTHON, "-c", "import weasyprint"], environment(ROOT)),
        }
        for label, root in roots.items():
            env = environment(root)
            build = [PYTHON, "-m", "render", "build", note, "-o", f"out-{label}", "--force"]
            check = [PYTHON, "-m", "render", "check", note]
            commands[f"render build ({label})"] = ([*build, "--today", TODAY], env)
            commands[f"render check ({label})"] = ([*check, "--today", TODAY], env)

        for command, env in commands.values():  # not timed: compiles and caches the bytecode
            measured(command, env, work)
        times: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[int]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (command, env) in commands.items():
                seconds, peak, used = measured(command, env, work)
                times[name].append(seconds)
                peaks[name].append(peak)
                cpu[name].append(used)
        print(f"load average after the timed runs: {load()}")

        print(f"\nCold commands on {note}, medians of {args.rounds} interleaved rounds:\n")
        print("| command | seconds | CPU seconds | peak memory (MiB) |")
        print("| --- | --- | --- | --- |")
        for name in commands:
            seconds = statistics.median(times[name])
            used = statistics.median(cpu[name])
            mib = statistics.median(peaks[name]) / 1024
            print(f"| {name} | {seconds:.3f} | {used:.3f} | {mib:.0f} |")
        print()
        for label in roots:
            build_ratio = ratio(times[f"render build ({label})"], times["weasyprint note.html"])
            check_ratio = ratio(times[f"render check ({label})"], times["import weasyprint"])
            memory_ratio = statistics.median(peaks[f"render build ({label})"]) / statistics.median(
                peaks["weasyprint note.html"]
            )
            # A build that renders in a worker process shows only its planner's memory here.
            memory = f"{memory_ratio:.2f}" if memory_ratio > 0.5 else "n/a (a worker renders)"
            build_cpu = ratio(cpu[f"render build ({label})"], cpu["weasyprint note.html"])
            check_cpu = ratio(cpu[f"render check ({label})"], cpu["import weasyprint"])
            print(
                f"{label}: build / raw WeasyPrint {build_ratio:.2f} (aim ≤ 1.15; CPU "
                f"{build_cpu:.2f}); check / import weasyprint {check_ratio:.2f} (aim ≤ 0.70; "
                f"CPU {check_cpu:.2f}); single-note build peak / raw peak {memory} (aim ≤ 1.10)"
            )

        if args.no_memory:
            return
        # The pool: each worker's peak over the example notes, against raw WeasyPrint's
        # peak on the same notes (the largest of them).
        raw = [
            measured([WEASYPRINT, html_of(f"notes/{n}"), "r.pdf"], environment(ROOT), work)[1]
            for n in notes
        ]
        raw_peak = max(raw) / 1024
        print(f"\nPool of 2 workers over the {len(raw)} example notes (--force):")
        print(f"raw WeasyPrint peak over the same notes: {raw_peak:.0f} MiB")
        for label, root in roots.items():
            paths = [f"notes/{n}" for n in notes]
            out = subprocess.run(
                [PYTHON, "-c", POOL_SCRIPT, TODAY, f"pool-{label}", *paths],
                env=environment(root),
                cwd=work,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            workers = [kib / 1024 for kib in json.loads(out.splitlines()[-1])]
            shown = ", ".join(f"{mib:.0f}" for mib in workers)
            print(
                f"{label}: worker peaks {shown} MiB; "
                f"largest / raw {max(workers) / raw_peak:.2f} (aim ≤ 1.10)"
            )
        print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
