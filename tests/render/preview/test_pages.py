"""The preview's pages: data for the script cannot break out of it; the note's HTML is untouched."""

from __future__ import annotations

import json
import re
from pathlib import Path

from render.preview.pages import index_page, inject, review_label, state_script, status_label

HOSTILE = '</script><script>alert(1)</script><!-- & "quotes"'


def _data(text: str) -> dict:
    return {"note": "a.md", "problems": [{"text": text}]}


def test_state_script_cannot_end_its_element() -> None:
    script = str(state_script(_data(HOSTILE)))
    inner = script.removeprefix(
        '<script type="application/json" id="render-preview-state">'
    ).removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner)["problems"][0]["text"] == HOSTILE


def test_inject_adds_only_the_script_before_the_last_body_end() -> None:
    html = "<html><body><p>&lt;/body&gt; in text</p></body>\n</html>"
    out = inject(html, _data("x"))
    assert out.startswith("<html><body><p>&lt;/body&gt; in text</p>")
    assert re.fullmatch(
        r'<html><body><p>&lt;/body&gt; in text</p><script type="application/json" '
        r'id="render-preview-state">.*</script><script src="/_static/preview.js"></script>'
        r"</body>\n</html>",
        out,
    )


def test_inject_appends_when_there_is_no_body_end() -> None:
    assert inject("<p>fragment</p>", _data("x")).startswith("<p>fragment</p><script ")


def test_status_labels() -> None:
    assert status_label({"status": "errors", "errors": 1}) == "1 error"
    assert status_label({"status": "warnings", "warnings": 3}) == "3 warnings"
    assert status_label({"status": "pending"}) == "checking…"
    assert status_label({"status": "valid"}) == "valid"


def test_review_labels_and_the_index_column() -> None:
    approved = {"status": "approved", "by": "王书仪", "at": "2026-04-15T16:20:00+08:00"}
    assert review_label({"review": approved}) == "approved by 王书仪 at 2026-04-15T16:20:00+08:00"
    stale = {**approved, "status": "stale"}
    assert review_label({"review": stale}) == "stale: changed after 王书仪 approved it"
    assert review_label({"review": {"status": "draft", "by": None, "at": None}}) == "draft"
    assert review_label({}) == ""  # a note the registers could not judge (it has errors)
    states = [
        {"note": "a.md", "status": "valid", "review": approved},
        {"note": "b.md", "status": "errors", "errors": 1},
    ]
    page = index_page(Path("/notes"), states)
    assert '<td class="rp-review rp-review-approved">approved by 王书仪 at' in page
    assert '<td class="rp-review rp-review-none"></td>' in page
