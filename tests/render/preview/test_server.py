"""A real preview server (uvicorn on a loopback port): pushed updates, raw requests, shutdown."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from render.batch.worker import GRACE_SECONDS
from render.preview import watch
from render.preview.server import allowed_hosts, running
from render.settings import Limits, Settings
from tests.conftest import ROOT, TODAY, edit, emphasis_storm

WAIT = 15.0  # generous: a shared two-core machine may be busy


class Events:
    """A server-sent event stream read on a thread, as an EventSource in a page reads it."""

    def __init__(self, url: str) -> None:
        self.received: queue.Queue[tuple[str, dict]] = queue.Queue()
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=None))
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()

    def _read(self, url: str) -> None:
        kind = "message"
        try:
            with self._client.stream("GET", url) as response:
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        self.received.put((kind, json.loads(line.removeprefix("data: "))))
        except httpx.HTTPError:
            pass
        self.received.put(("closed", {}))

    def next(self, kind: str, test: Callable[[dict], bool] = lambda _: True) -> dict:
        """The first event of this kind that passes the test, waiting up to WAIT seconds."""
        deadline = time.monotonic() + WAIT
        while (left := deadline - time.monotonic()) > 0:
            try:
                got, data = self.received.get(timeout=left)
            except queue.Empty:
                break
            if got == kind and test(data):
                return data
            assert got != "closed", "the stream ended"
        raise AssertionError(f"no {kind} event passing the test within {WAIT}s")

    def close(self) -> None:
        self._client.close()


@pytest.fixture
def server(workspace: Path) -> Iterator[str]:
    with running(workspace / "notes", today=TODAY) as url:
        yield url


@pytest.fixture
def events(server: str) -> Iterator[Callable[[str], Events]]:
    opened: list[Events] = []

    def open_stream(query: str) -> Events:
        opened.append(Events(f"{server}_events{query}"))
        return opened[-1]

    yield open_stream
    for stream in opened:
        stream.close()


def test_saves_are_pushed_to_the_open_page(
    server: str, events: Callable[[str], Events], note_file: Path
) -> None:
    stream = events("?note=note.md")
    first = stream.next("note", lambda s: s["status"] == "valid")
    version = first["version"]

    edit(note_file, "技术迭代不及预期", "技术路线变化")
    stream.next("note", lambda s: s["version"] > version)
    assert "技术路线变化" in httpx.get(f"{server}note/note.md").text

    edit(note_file, "value: 超配", "value: 超超配")
    broken = stream.next("note", lambda s: s["status"] == "errors")
    assert broken["version"] == version + 1  # the last good render stays
    [problem] = broken["problems"]
    assert problem["text"].startswith(f"{note_file}:13:10: error: rating.value:")

    edit(note_file, "value: 超超配", "value: 超配")
    fixed = stream.next("note", lambda s: s["status"] == "valid")
    assert fixed["problems"] == []


def test_a_house_change_reaches_the_notes_using_it(
    server: str, events: Callable[[str], Events], workspace: Path
) -> None:
    stream = events("?note=note.md")
    version = stream.next("note", lambda s: s["status"] == "valid")["version"]
    (workspace / "houses" / "example" / "style.css").write_text(
        "h1 { letter-spacing: 1px; }", encoding="utf-8"
    )
    stream.next("note", lambda s: s["version"] > version)
    assert "letter-spacing: 1px" in httpx.get(f"{server}note/note.md").text


def test_the_index_hears_of_notes_that_come_and_go(
    server: str, events: Callable[[str], Events], workspace: Path, note_file: Path
) -> None:
    stream = events("")
    stream.next("index")  # on connecting
    second = workspace / "notes" / "second.md"
    second.write_bytes(
        note_file.read_bytes().replace("title: 新一代".encode(), "title: 第二篇".encode())
    )
    stream.next("index")
    deadline = time.monotonic() + WAIT
    while "第二篇" not in httpx.get(server).text:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    second.unlink()
    stream.next("index")
    assert "第二篇" not in httpx.get(server).text


def test_a_deleted_note_says_so_on_its_page(
    server: str, events: Callable[[str], Events], note_file: Path
) -> None:
    stream = events("?note=note.md")
    stream.next("note", lambda s: s["status"] == "valid")
    note_file.unlink()
    stream.next("note", lambda s: s["status"] == "missing")


def _raw_get(url: str, target: str, host: str = "127.0.0.1") -> int:
    """Send a request line exactly as written (clients normalise ``..`` away; attackers do not)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=WAIT) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        head = sock.recv(1024).decode("latin-1")
    return int(head.split()[1])


@pytest.mark.parametrize(
    "target",
    [
        "/note/../secret.txt",
        "/note/../../../../../../etc/passwd",
        "/note/sub/../../secret.txt",
        "/note/%2e%2e/secret.txt",
        "/note/%2e%2e%2fsecret.txt",
        "/note/%252e%252e%252fsecret.txt",
        "/note//etc/passwd",
        "/pdf-file/../outside.md",
        "/pdf/../outside.md",
        "/_static/../app.py",
        "/_static/%2e%2e/app.py",
        "/note/link.txt",
    ],
)
def test_raw_requests_out_of_the_folder_are_not_found(
    server: str, workspace: Path, target: str
) -> None:
    (workspace / "secret.txt").write_text("secret", encoding="utf-8")
    (workspace / "outside.md").write_bytes((workspace / "notes" / "note.md").read_bytes())
    (workspace / "notes" / "link.txt").symlink_to(workspace / "secret.txt")
    assert _raw_get(server, "/note/note.md") == 200
    assert _raw_get(server, target) == 404


def test_stopping_does_not_wait_for_open_pages(workspace: Path) -> None:
    with running(workspace / "notes", today=TODAY) as url:
        stream = Events(f"{url}_events?note=note.md")
        stream.next("note")
        started = time.monotonic()
    # Open event streams are ended at once; uvicorn's own grace period (3 s) is never reached.
    assert time.monotonic() - started < 2.5
    assert stream.next("closed") == {}
    stream.close()


def _start_cli(*args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "render", "preview", *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        if match := re.search(r" at (http://\S+/) ", line):
            return process, match.group(1), lines
    process.kill()
    raise AssertionError(f"no URL printed: {lines}")


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()


def test_cli_binds_loopback_by_default(workspace: Path) -> None:
    process, url, lines = _start_cli(str(workspace / "notes"), "--port", "0")
    try:
        assert url.startswith("http://127.0.0.1:")
        assert not any("warning" in line for line in lines)
        assert "新一代训练框架" in httpx.get(url, timeout=WAIT).text
    finally:
        assert _stop(process) == 130  # interrupted, as Ctrl+C does


def test_cli_warns_when_the_notes_become_visible_to_the_network(workspace: Path) -> None:
    process, url, lines = _start_cli(str(workspace / "notes"), "--port", "0", "--host", "0.0.0.0")
    try:
        assert url.startswith("http://0.0.0.0:")
        assert any(
            line.startswith("warning: listening on 0.0.0.0") and "network" in line for line in lines
        )
        port = urlsplit(url).port
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=WAIT).status_code == 200
    finally:
        assert _stop(process) == 130  # interrupted, as Ctrl+C does


def test_rapid_saves_are_debounced(
    workspace: Path, note_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A wide debounce, so that saves 30 ms apart fall well inside it even on a busy machine.
    monkeypatch.setattr(watch, "STEP_MS", 300)
    monkeypatch.setattr(watch, "DEBOUNCE_MS", 5000)
    with running(workspace / "notes", today=TODAY) as url:
        stream = Events(f"{url}_events?note=note.md")
        version = stream.next("note", lambda s: s["status"] == "valid")["version"]
        time.sleep(1)  # the watcher is armed, and its first catch-up pass has run
        text = note_file.read_text(encoding="utf-8")
        for i in range(20):  # an editor autosaving every 30 ms: slower than a render takes
            note_file.write_text(
                text.replace("title: 新一代", f"title: 第{i:02d}稿新一代"), "utf-8"
            )
            time.sleep(0.03)
        last = stream.next("note", lambda s: s.get("title", "").startswith("第19稿"))
        # One render for the twenty saves when the machine is idle, a few when it is busy (a
        # stalled writer, a catch-up pass); never one per save. The page ends on the last save.
        assert last["version"] - version <= 4
        # Nothing after it shows another page. One state may still follow with the same page: a
        # pass that ran during the saves saw the file change under every attempt and left the
        # fingerprint unknown, and the next pass records it (the PDF view needs it).
        time.sleep(2)
        later = [stream.received.get_nowait() for _ in range(stream.received.qsize())]
        assert len(later) == (last["fingerprint"] is None)
        assert all(state == {**last, "fingerprint": state["fingerprint"]} for _, state in later)
        assert all(kind == "note" and state["fingerprint"] for kind, state in later)
        # A save that changes nothing (an editor's touch) is heard, and changes nothing at all.
        os.utime(note_file)
        time.sleep(2)
        assert stream.received.empty()
        stream.close()


def test_a_pdf_render_does_not_hold_up_the_server(server: str) -> None:
    done: dict[str, float] = {}

    def fetch(name: str, path: str) -> None:
        httpx.get(f"{server}{path}", timeout=WAIT)
        done[name] = time.monotonic()

    pdf = threading.Thread(target=fetch, args=("pdf", "pdf-file/note.md"))
    pdf.start()
    time.sleep(0.15)  # the PDF is being laid out now (it takes half a second or more)
    fetch("static", "_static/preview.js")
    pdf.join()
    assert done["static"] < done["pdf"]


def test_cli_house_path_admits_the_houses_of_a_folder(workspace: Path) -> None:
    (workspace / "houses").rename(workspace / "elsewhere")
    (workspace / "render.toml").unlink()  # it admitted houses/, which is gone
    edit(workspace / "notes" / "note.md", "house: example", "house: ../elsewhere/example")
    process, url, _ = _start_cli(str(workspace / "notes"), "--port", "0")
    try:
        page = httpx.get(f"{url}note/note.md", timeout=WAIT).text
        assert "house.not_admitted" in page
    finally:
        _stop(process)
    process, url, _ = _start_cli(
        str(workspace / "notes"), "--port", "0", "--house-path", str(workspace / "elsewhere")
    )
    try:
        page = httpx.get(f"{url}note/note.md", timeout=WAIT).text
        assert "house.not_admitted" not in page
        pdf = httpx.get(f"{url}pdf-file/note.md", timeout=60)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    finally:
        assert _stop(process) == 130


def test_cli_refuses_to_start_on_a_broken_render_toml(workspace: Path) -> None:
    (workspace / "render.toml").write_text("houses = 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "render", "preview", str(workspace / "notes"), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "render.toml:1:1: error: houses: Input should be a valid list" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_slow_pdf_holds_up_neither_the_index_nor_other_notes(
    workspace: Path, note_file: Path
) -> None:
    slow = note_file.with_name("slow.md")
    slow.write_bytes(note_file.read_bytes())
    emphasis_storm(slow)  # minutes of layout, cut short by the limit
    # Time for the storm's check and HTML on a busy machine, far below its layout's minutes.
    limit = 15.0
    settings = Settings(limits=Limits(render_seconds=limit))
    with running(workspace / "notes", today=TODAY, settings=settings) as url:
        assert httpx.get(url, timeout=WAIT).status_code == 200
        stream = Events(f"{url}_events?note=slow.md&view=pdf")  # a PDF view is open on it
        fetched: dict[str, object] = {}

        def fetch_pdf() -> None:
            started = time.monotonic()
            response = httpx.get(f"{url}pdf-file/slow.md", timeout=60)
            fetched.update(response=response, seconds=time.monotonic() - started)

        thread = threading.Thread(target=fetch_pdf)
        thread.start()
        time.sleep(1)  # the slow PDF is being laid out now
        answered = {}
        for path in ("", "note/note.md", "pdf/note.md", "note/slow.md"):
            started = time.monotonic()
            assert httpx.get(f"{url}{path}", timeout=WAIT).status_code == 200
            answered[path] = time.monotonic() - started
        assert max(answered.values()) < 2, answered
        assert "pdf" not in fetched  # all that while, the slow PDF was still being rendered
        thread.join(60)
        state = stream.next("note", lambda s: s["status"] == "errors")
        stream.close()
    assert [p["code"] for p in state["problems"]] == ["render.timeout"]
    assert state["problems"][0]["path"] == str(slow)
    response = fetched["response"]
    assert isinstance(response, httpx.Response) and response.content == b""  # the page says why
    assert fetched["seconds"] < 2 * limit + GRACE_SECONDS, fetched


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1"])
def test_every_bind_address_checks_the_host_header(workspace: Path, address: str) -> None:
    if ":" in address and not _ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback")
    with running(workspace / "notes", host=address, today=TODAY) as url:
        port = urlsplit(url).port
        name = f"[{address}]" if ":" in address else address
        # A page of evil.example whose name is pointed at this address (DNS rebinding).
        assert _raw_get(url, "/", "evil.example") == 400
        assert _raw_get(url, "/", f"evil.example:{port}") == 400
        assert _raw_get(url, "/note/note.md", f"{name}:{port}") == 200
        assert _raw_get(url, "/", name) == 200
        assert _raw_get(url, "/", f"localhost:{port}") == 200


def test_allow_host_admits_a_chosen_name(workspace: Path) -> None:
    with running(workspace / "notes", host="127.0.0.2", allow_hosts=["Notes.Internal"]) as url:
        assert _raw_get(url, "/", "notes.internal") == 200
        assert _raw_get(url, "/", "other.internal") == 400


def test_a_wildcard_bind_answers_to_this_machines_names_only() -> None:
    allowed = allowed_hosts("0.0.0.0")
    assert "*" not in allowed and "evil.example" not in allowed
    assert socket.gethostname().lower() in allowed
    assert {"127.0.0.1", "localhost", "[::1]"} <= set(allowed)
    assert "[::1]" in allowed_hosts("::") and "[::1]" in allowed_hosts("0:0::1")
