"""The preview's pages: data for the script cannot break out of it; the note's HTML is untouched."""

from __future__ import annotations

import json
import re

from render.preview.pages import inject, state_script, status_label

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
