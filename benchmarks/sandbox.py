"""The sandbox's cost: the example note's HTML with the sandboxed vs a plain Jinja environment.

Run from the project root: ``python benchmarks/sandbox.py``. Interleaved, median of 40 runs each,
warm (templates compiled) and cold (a new environment, compiling every template).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import jinja2

import render.html.environment as html
from render.context.i18n import translations
from render.context.resolve import build_context
from render.renderer import Renderer

NOTE = Path("examples/notes/2026-03-02-ai-training-cost.md")
RUNS = 40


def main() -> None:
    checked = Renderer().check(NOTE)
    profile, note = checked.profile, checked.note
    assert profile is not None and note is not None
    context = build_context(note, profile, NOTE.parent, translations("zh_CN"))
    context["stylesheet"] = html.stylesheet(profile)

    def make(plain: bool) -> jinja2.Environment:
        sandbox = html.Sandbox
        if plain:
            html.Sandbox = jinja2.Environment  # type: ignore[misc]
        try:
            return html.environment(profile, "zh_CN", translations("zh_CN"))
        finally:
            html.Sandbox = sandbox  # type: ignore[misc]

    def page(env: jinja2.Environment) -> str:
        return html.render_html(env, note.template, context, profile)

    envs = {"sandbox": make(False), "plain": make(True)}
    assert page(envs["sandbox"]) == page(envs["plain"])
    warm: dict[str, list[float]] = {name: [] for name in envs}
    cold: dict[str, list[float]] = {name: [] for name in envs}
    for i in range(RUNS):
        for name in ("sandbox", "plain") if i % 2 else ("plain", "sandbox"):
            started = time.perf_counter()
            page(envs[name])
            warm[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            page(make(name == "plain"))
            cold[name].append(time.perf_counter() - started)
    for name in envs:
        print(
            f"{name:8} warm {statistics.median(warm[name]) * 1000:.2f} ms, "
            f"cold {statistics.median(cold[name]) * 1000:.1f} ms (median of {RUNS})"
        )


if __name__ == "__main__":
    main()
