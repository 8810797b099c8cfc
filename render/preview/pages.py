"""The preview's own pages (index, PDF view, not-yet-rendered) and the script injected into notes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPT = Markup('<script src="/_static/preview.js"></script>')

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    # Everything a note or a problem says is escaped in our pages, whatever the file extension.
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def note_url(rel: str) -> str:
    return "/note/" + quote(rel)


def pdf_url(rel: str) -> str:
    return "/pdf/" + quote(rel)


def pdf_file_url(rel: str) -> str:
    return "/pdf-file/" + quote(rel)


_env.filters.update(note_url=note_url, pdf_url=pdf_url)


def page_data(state: dict[str, Any], view: str, version: int, fingerprint: str | None) -> dict:
    """What the page script starts from: the note's state and what this page shows."""
    rel = state["note"]
    return {
        **state,
        "view": view,
        "version": version,
        "fingerprint": fingerprint,
        "urls": {
            "index": "/",
            "html": note_url(rel),
            "pdf": pdf_url(rel),
            "pdf_file": pdf_file_url(rel),
        },
    }


def state_script(data: dict[str, Any]) -> Markup:
    """Data for the page script, as JSON that cannot end the ``<script>`` element early."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup('<script type="application/json" id="render-preview-state">%s</script>') % Markup(
        text
    )


_BODY_END = re.compile(r"</body\s*>", re.I)


def inject(html: str, data: dict[str, Any]) -> str:
    """The rendered note as built, with the live-reload script and its data before ``</body>``."""
    # A plain str: adding Markup to the note's HTML would escape the whole note.
    snippet = str(state_script(data) + SCRIPT)
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + snippet
    at = ends[-1].start()
    return html[:at] + snippet + html[at:]


def status_label(state: dict[str, Any]) -> str:
    status = state["status"]
    if status == "errors":
        n = state["errors"]
        return f"{n} error{'s' * (n != 1)}"
    if status == "warnings":
        n = state["warnings"]
        return f"{n} warning{'s' * (n != 1)}"
    return {"pending": "checking…", "valid": "valid"}.get(status, status)


def review_label(state: dict[str, Any]) -> str:
    """The note's review status in words: approved (by whom, when), stale, or draft."""
    review = state.get("review")
    if not review:
        return ""
    if review["status"] == "approved":
        return f"approved by {review['by']} at {review['at']}"
    if review["status"] == "stale":
        return f"stale: changed after {review['by']} approved it"
    return "draft"


def index_page(root: Path, states: list[dict[str, Any]]) -> str:
    return _env.get_template("index.html").render(
        root=str(root),
        notes=states,
        status_label=status_label,
        review_label=review_label,
        script=SCRIPT,
    )


def pdf_page(data: dict[str, Any], src: str) -> str:
    return _env.get_template("pdf.html").render(
        note=data, src=src, state=state_script(data), script=SCRIPT
    )


def pending_page(data: dict[str, Any]) -> str:
    """Shown for a note that has never rendered: the overlay lists why."""
    return _env.get_template("pending.html").render(
        note=data, state=state_script(data), script=SCRIPT
    )
