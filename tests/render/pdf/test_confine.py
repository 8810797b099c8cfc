"""Rendering reads only the note's and the house's folders and never touches the network."""

from __future__ import annotations

import http.server
import threading
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from weasyprint.urls import FatalURLFetchingError

from render.errors import UserError
from render.pdf.confine import Confinement, Refused, note_data_file
from render.renderer import Renderer
from tests.conftest import edit

# A 1x1 PNG, so an allowed image is a real image (one that decodes: its checksums are right).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f64540"
    "0000000049454e44ae426082"
)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback that records every request it gets."""
    hits: ClassVar[list[str]] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def _add_image(note: Path, reference: str) -> None:
    edit(note, "## 风险提示\n", f"## 风险提示\n\n![chart]({reference})\n资料来源：示例\n\n")


def _problems(renderer: Renderer, note: Path) -> list[str]:
    return [p.text() for p in renderer.check(note, "note.md").problems]


@pytest.mark.parametrize(
    "reference",
    ["file:///etc/passwd", "../../secret.png", "/etc/passwd", "..%2F..%2Fsecret.png"],
)
def test_files_outside_are_refused_with_a_location(
    renderer: Renderer, note_file: Path, reference: str
) -> None:
    (note_file.parent.parent.parent / "secret.png").write_bytes(PNG)
    _add_image(note_file, reference)
    problems = _problems(renderer, note_file)
    assert len(problems) == 1
    assert problems[0].startswith("note.md:")
    assert "[render.resource]" in problems[0] and "outside" in problems[0]
    line = int(problems[0].split(":")[1])
    assert note_file.read_text().splitlines()[line - 1].startswith("![chart]")


def test_symlink_out_of_the_folder_is_refused(renderer: Renderer, note_file: Path) -> None:
    outside = note_file.parent.parent.parent / "outside.png"
    outside.write_bytes(PNG)
    (note_file.parent / "chart.png").symlink_to(outside)
    _add_image(note_file, "chart.png")
    assert "outside" in _problems(renderer, note_file)[0]


def test_image_inside_the_folder_is_inlined(renderer: Renderer, note_file: Path) -> None:
    (note_file.parent / "chart.png").write_bytes(PNG)
    _add_image(note_file, "chart.png")
    rendered = renderer.render(note_file, ("html",))
    assert f'url("data:image/png;base64,{b64encode(PNG).decode()}")' in rendered.html


def test_network_image_is_refused_and_never_fetched(
    renderer: Renderer, note_file: Path, web: tuple[str, list[str]]
) -> None:
    url, hits = web
    _add_image(note_file, f"{url}/chart.png")
    problems = _problems(renderer, note_file)
    assert "network" in problems[0]
    with pytest.raises(UserError):
        renderer.render(note_file, ("pdf",))
    assert hits == []


def test_house_template_cannot_fetch_from_the_network(
    renderer: Renderer, note_file: Path, web: tuple[str, list[str]]
) -> None:
    url, hits = web
    templates = note_file.parent.parent / "houses" / "example" / "templates"
    templates.mkdir()
    (templates / "_contact.html").write_text(f'<img src="{url}/tracker.png">', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        Renderer().render(note_file, ("pdf",))
    assert "[render.resource]" in caught.value.problems[0].text()
    assert hits == []


def test_house_template_cannot_read_other_files(note_file: Path) -> None:
    templates = note_file.parent.parent / "houses" / "example" / "templates"
    templates.mkdir()
    (templates / "_contact.html").write_text('<img src="file:///etc/hostname">', encoding="utf-8")
    with pytest.raises(UserError, match="outside"):
        Renderer().render(note_file, ("pdf",))


def test_confinement_resolves_inside_roots(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG)
    confinement = Confinement(tmp_path)
    assert confinement.resolve("a.png", tmp_path) == (tmp_path / "a.png").resolve()
    assert confinement.resolve((tmp_path / "a.png").as_uri(), tmp_path).name == "a.png"
    with pytest.raises(Refused, match="does not exist"):
        confinement.resolve("b.png", tmp_path)
    with pytest.raises(Refused, match="unsupported scheme"):
        confinement.resolve("javascript:alert(1)", tmp_path)


def test_file_url_naming_a_host_is_on_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.png").write_bytes(PNG)
    lookups: list[str] = []
    monkeypatch.setattr("socket.gethostbyname", lambda host: lookups.append(host) or "127.0.0.1")
    confinement = Confinement(tmp_path)
    remote = f"file://files.example{(tmp_path / 'a.png').resolve()}"
    with pytest.raises(Refused, match="network"):
        confinement.resolve(remote, tmp_path)
    with pytest.raises(FatalURLFetchingError, match="network"):
        confinement.fetcher().fetch(remote)
    assert lookups == []
    local = f"file://localhost{(tmp_path / 'a.png').resolve()}"
    assert confinement.resolve(local, tmp_path).name == "a.png"


def test_a_note_data_file_lies_in_the_notes_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "prices.csv").write_text("date,close,benchmark\n", encoding="utf-8")
    assert note_data_file("data/prices.csv", tmp_path) == tmp_path / "data" / "prices.csv"
    with pytest.raises(Refused) as outside:
        note_data_file("../house/prices.csv", tmp_path)
    # In a data file's words: only the note's folder is named, not the house's.
    assert str(outside.value) == (
        "'../house/prices.csv' is outside the note's folder: a data file lies beside its note"
    )
    with pytest.raises(Refused) as fetched:
        note_data_file("https://example.com/prices.csv", tmp_path)
    assert "outside" not in str(fetched.value)
