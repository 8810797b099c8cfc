"""The preview's routes in process: pages, PDF, files, and what they refuse to serve."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from render.preview.app import house_key
from render.renderer import Renderer
from tests.conftest import TODAY, edit
from tests.pdftools import page_texts, squash

STATE = re.compile(
    r'<script type="application/json" id="render-preview-state">(.*?)</script>'
    r'\s*<script src="/_static/preview.js"></script>'
)


def _state(html: str) -> dict:
    match = STATE.search(html)
    assert match, "no preview state in the page"
    return json.loads(match.group(1))


def test_index_lists_each_note_with_title_date_rating_status(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    page = response.text
    assert '<a class="rp-title" href="/note/note.md">新一代训练框架' in page
    assert '<td class="rp-date">2026-03-02</td>' in page
    assert '<td class="rp-rating">超配</td>' in page
    assert '<td class="rp-status">valid</td>' in page
    assert 'href="/pdf/note.md"' in page


def test_index_shows_errors_and_escapes_what_notes_say(client: TestClient, workspace: Path) -> None:
    hostile = workspace / "notes" / "<img src=x onerror=alert(1)>.md"
    text = (workspace / "notes" / "note.md").read_text(encoding="utf-8")
    hostile.write_text(
        text.replace("title: 新一代", "title: <script>alert(2)</script>新一代").replace(
            "value: 超配", "value: <b>超配</b>"
        ),
        encoding="utf-8",
    )
    page = client.get("/").text
    assert "<script>alert(2)" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;新一代" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.md" in page
    assert 'href="/note/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.md"' in page
    assert '<td class="rp-status">1 error</td>' in page


def test_note_page_is_the_built_html_plus_the_script(client: TestClient, note_file: Path) -> None:
    response = client.get("/note/note.md")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    built = Renderer(today=TODAY).render(note_file, ("html",)).html
    assert STATE.sub("", response.text) == built
    state = _state(response.text)
    assert (state["note"], state["view"], state["status"]) == ("note.md", "html", "valid")
    assert state["version"] == 1 and state["urls"]["pdf"] == "/pdf/note.md"


def test_note_page_is_never_stale(client: TestClient, note_file: Path) -> None:
    client.get("/note/note.md")
    edit(note_file, "技术迭代不及预期", "技术路线变化")
    # Asked straight after the save, before any watcher could act: the page is the new one.
    page = client.get("/note/note.md").text
    assert "技术路线变化" in page and _state(page)["version"] == 2


def test_broken_note_keeps_last_good_render_and_carries_its_errors(
    client: TestClient, note_file: Path
) -> None:
    good = client.get("/note/note.md").text
    edit(note_file, "value: 超配", "value: <img src=x onerror=alert(1)>")
    page = client.get("/note/note.md").text
    assert STATE.sub("", page) == STATE.sub("", good)
    state = _state(page)
    assert state["status"] == "errors" and state["version"] == 1
    [problem] = state["problems"]
    assert problem["text"].startswith(f"{note_file}:13:10: error: rating.value: ")
    assert "<img src=x onerror=alert(1)>" in problem["text"]
    assert "<img src=x" not in STATE.search(page).group(1)  # escaped inside the script data


def test_a_note_that_never_rendered_gets_a_page_with_its_errors(
    client: TestClient, workspace: Path
) -> None:
    (workspace / "notes" / "draft.md").write_text("---\ntitle: <i>draft</i>\n---\n", "utf-8")
    response = client.get("/note/draft.md")
    assert response.status_code == 200
    assert "This note has not rendered yet" in response.text
    state = _state(response.text)
    assert state["status"] == "errors" and state["version"] == 0
    assert state["problems"] and all(p["path"].endswith("draft.md") for p in state["problems"])
    assert "<i>draft</i>" not in response.text


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00\x81 not text",
        b"---\ntitle: [unclosed\n---\n",
        b"---\n- a list\n---\n",
        b"---\n" + b"a: " * 200 + b"\n---\n",
        b"---\ndate: 2026-02-30\n---\n" + b"# " * 5000,
    ],
    ids=["empty", "binary", "unclosed", "list", "nested", "bad-date"],
)
def test_bad_input_never_breaks_the_server(
    client: TestClient, workspace: Path, content: bytes
) -> None:
    (workspace / "notes" / "bad.md").write_bytes(content)
    (workspace / "notes" / "bad.json").write_bytes(content or b"[1, 2]")
    for path in ("/", "/note/bad.md", "/pdf/bad.md", "/note/bad.json", "/note/note.md"):
        assert client.get(path).status_code == 200, path
    assert client.get("/pdf-file/bad.md").status_code == 422
    assert '<td class="rp-status">valid</td>' in client.get("/").text  # the good note still is


def test_pdf_file_is_the_pdf_of_the_current_inputs(client: TestClient, note_file: Path) -> None:
    first = client.get("/pdf-file/note.md")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/pdf"
    assert "etag" not in first.headers  # sent before the PDF exists, it could name the wrong one
    assert len(page_texts(first.content)) >= 2
    assert client.get("/pdf-file/note.md").content == first.content

    edit(note_file, "技术迭代不及预期", "技术路线变化")
    # Asked straight after the save, before any watcher could act: the new PDF.
    fresh = client.get("/pdf-file/note.md")
    assert "技术路线变化" in squash("".join(page_texts(fresh.content)))

    edit(note_file, "value: 超配", "value: 超超配")
    broken = client.get("/pdf-file/note.md")
    assert broken.status_code == 422
    assert broken.headers["content-type"].startswith("text/plain")
    assert f"{note_file}:13:10: error: rating.value:" in broken.text

    edit(note_file, "value: 超超配", "value: 超配")
    assert client.get("/pdf-file/note.md").content.startswith(b"%PDF")  # fixed: known at once


def test_pdf_view_frames_the_pdf_of_the_current_inputs(client: TestClient) -> None:
    page = client.get("/pdf/note.md").text
    state = _state(page)
    assert state["view"] == "pdf" and state["fingerprint"]
    assert f'src="/pdf-file/note.md?v={state["fingerprint"]}"' in page


def test_files_of_the_folder_and_the_house_are_served_sandboxed(
    client: TestClient, workspace: Path
) -> None:
    (workspace / "notes" / "chart.svg").write_text("<svg/>", encoding="utf-8")
    response = client.get("/note/chart.svg")
    assert response.status_code == 200 and response.text == "<svg/>"
    assert response.headers["content-security-policy"].startswith("sandbox")
    client.get("/note/note.md")  # the note's house becomes known
    key = house_key((workspace / "houses" / "example").resolve())
    logo = client.get(f"/house/{key}/logo.svg")
    assert logo.status_code == 200 and logo.content.startswith(b"<svg")
    assert logo.headers["content-security-policy"].startswith("sandbox")


@pytest.fixture
def outside(workspace: Path) -> Path:
    """Files outside the notes folder, and links to them from inside it."""
    (workspace / "secret.txt").write_text("secret", encoding="utf-8")
    (workspace / "outside.md").write_bytes((workspace / "notes" / "note.md").read_bytes())
    (workspace / "private").mkdir()
    (workspace / "private" / "secret.txt").write_text("secret", encoding="utf-8")
    notes = workspace / "notes"
    (notes / "link.txt").symlink_to(workspace / "secret.txt")
    (notes / "link.md").symlink_to(workspace / "outside.md")
    (notes / "linked").symlink_to(workspace / "private")
    (notes / ".hidden.txt").write_text("hidden", encoding="utf-8")
    return workspace


REFUSED = [
    "/note/%2e%2e/secret.txt",
    "/note/%2E%2E%2Fsecret.txt",
    "/note/..%2fsecret.txt",
    "/note/..%2Foutside.md",
    "/note/sub%2f..%2f..%2fsecret.txt",
    "/note/%252e%252e%252fsecret.txt",
    "/note/%2fetc%2fpasswd",
    "/note/%2Fetc/passwd",
    "/note//etc/passwd",
    "/note/..%5csecret.txt",
    "/note/%00",
    "/note/note.md%00.txt",
    "/note/link.txt",
    "/note/link.md",
    "/note/linked/secret.txt",
    "/note/.hidden.txt",
    "/note/",
    "/pdf/%2e%2e/outside.md",
    "/pdf/link.md",
    "/pdf/%2Fetc%2Fpasswd",
    "/pdf-file/%2e%2e/outside.md",
    "/pdf-file/link.md",
    "/pdf-file/..%2Foutside.md",
    "/_static/%2e%2e/app.py",
    "/_static/..%2fapp.py",
    "/_static/%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", REFUSED)
def test_paths_out_of_the_folder_are_not_found(
    client: TestClient, outside: Path, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text[:200]
    assert "secret" not in response.text and "新一代" not in response.text


@pytest.mark.parametrize(
    "tail", ["%2e%2e/secret.txt", "..%2f..%2fsecret.txt", "%2fetc%2fpasswd", "..%2fnotes%2fnote.md"]
)
def test_house_files_stay_in_the_house(
    client: TestClient, outside: Path, workspace: Path, tail: str
) -> None:
    client.get("/note/note.md")
    key = house_key((workspace / "houses" / "example").resolve())
    assert client.get(f"/house/{key}/logo.svg").status_code == 200  # the route works at all
    assert client.get(f"/house/{key}/{tail}").status_code == 404
    assert client.get("/house/000000000000/logo.svg").status_code == 404


def test_other_host_names_are_refused(client: TestClient) -> None:
    # A web page that rebinds its own name to 127.0.0.1 must not read the notes.
    response = client.get("/", headers={"host": "attacker.example:8000"})
    assert response.status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
