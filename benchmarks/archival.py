"""Cost of the archival PDF (tagged PDF/A-3u, files attached) against a plain untagged PDF.

Run from the repository: ``python benchmarks/archival.py [--rounds 9]``. One warm process
renders each example note both ways, the two interleaved note by note and round by round so
that the shared machine's noise hits both alike. It prints, per note and overall, the median
seconds of a render (check, HTML, layout and PDF: what ``render build`` does per note) and the
ratio archival / plain (aim ≤ 1.15), and the file sizes.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from render.renderer import Renderer  # noqa: E402
from render.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    notes = sorted((ROOT / "examples" / "notes").glob("*.md"))
    kinds = {"plain": "none", "archival": "pdf/a-3u"}
    renderers = {
        kind: Renderer(created=None, settings=Settings(pdf_variant=variant))
        for kind, variant in kinds.items()
    }
    times: dict[tuple[str, str], list[float]] = {}
    sizes: dict[tuple[str, str], int] = {}
    for renderer in renderers.values():  # warm: fonts, templates, imports
        renderer.render(notes[0])
    for round_ in range(args.rounds):
        order = list(renderers) if round_ % 2 == 0 else list(reversed(renderers))
        for note in notes:
            for kind in order:
                start = time.perf_counter()
                pdf = renderers[kind].render(note).pdf
                times.setdefault((note.name, kind), []).append(time.perf_counter() - start)
                sizes[(note.name, kind)] = len(pdf or b"")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, {args.rounds} rounds, medians"
    )
    ratios = []
    for note in notes:
        plain = statistics.median(times[(note.name, "plain")])
        archival = statistics.median(times[(note.name, "archival")])
        ratios.append(archival / plain)
        print(
            f"{note.name:45} plain {plain:.3f}s  archival {archival:.3f}s  "
            f"×{archival / plain:.2f}  size {sizes[(note.name, 'plain')] // 1024} → "
            f"{sizes[(note.name, 'archival')] // 1024} KiB"
        )
    print(f"median ratio ×{statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
