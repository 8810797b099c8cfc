"""Cost of the check after layout (``render/pdf/fidelity.py``) against the layout it checks.

Run from the repository: ``python benchmarks/fidelity.py [--rounds 5] [NOTE ...]`` (default:
every example note). One warm process lays out each note's HTML with WeasyPrint and runs the
fidelity check on the laid-out pages, interleaved round by round; it prints, per note, the median
layout and check times and the check's share, then the median share over the notes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from pathlib import Path

from weasyprint import HTML

from render.pdf.fidelity import FidelityCheck
from render.pdf.writer import captured
from render.renderer import Renderer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "notes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("notes", nargs="*", type=Path)
    args = parser.parse_args()
    notes = args.notes or sorted(
        p for p in EXAMPLES.iterdir() if p.suffix in (".md", ".yaml", ".json")
    )
    renderer = Renderer(today=datetime.date(2026, 11, 1))
    print(f"{platform.node()}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    shares = []
    for note in notes:
        checked = renderer.check(note)
        html = renderer.render_checked(checked, ("html",)).html
        assert checked.source is not None and checked.note is not None and html is not None
        source = HTML(string=html, base_url=note.parent.resolve().as_uri() + "/")
        check = FidelityCheck(checked.source.text, checked.note.model_dump(), note.name)
        layouts, checks = [], []
        for _ in range(args.rounds):
            with captured():
                start = time.perf_counter()
                document = source.render()
                layouts.append(time.perf_counter() - start)
            start = time.perf_counter()
            problems = check(source, document, [])
            checks.append(time.perf_counter() - start)
            assert problems == [], problems
        layout, checking = statistics.median(layouts), statistics.median(checks)
        shares.append(checking / layout)
        print(
            f"{note.name:45} layout {layout * 1000:7.1f} ms  check {checking * 1000:5.2f} ms"
            f"  {checking / layout:6.2%}"
        )
    print(f"median share: {statistics.median(shares):.2%}")


if __name__ == "__main__":
    main()
