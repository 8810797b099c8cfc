"""Run the preview on uvicorn: bind (loopback unless told otherwise), serve, shut down cleanly."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from render.errors import UsageError
from render.preview.app import LOOPBACK_HOSTS, create_app
from render.preview.service import PreviewService
from render.settings import Settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(address: str) -> str:
    """An address as a Host header names it: IPv6 in brackets, lower case, compressed."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address.lower().rstrip(".")
    return f"[{ip.compressed}]" if ip.version == 6 else ip.compressed


def _machine_names() -> set[str]:
    """This machine's host names and the addresses they resolve to."""
    names = {socket.gethostname(), socket.getfqdn()}
    for name in list(names):
        with contextlib.suppress(OSError, UnicodeError):
            names |= {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    return {_host_name(name) for name in names if name}


def allowed_hosts(host: str, extra: Sequence[str] = ()) -> list[str]:
    """The ``Host`` headers the server answers to when it listens on ``host``.

    Loopback: the loopback names and the address itself. A wildcard (``0.0.0.0``, ``::``):
    the machine's own names and addresses as well. Any other address: that address and the
    machine's names. ``extra`` adds names the person running it chose (``--allow-host``).
    Never any name at all: a page from elsewhere whose name is pointed at this machine (DNS
    rebinding) would read the notes.
    """
    allowed = {*LOOPBACK_HOSTS, _host_name(host)}
    if not is_loopback(host):
        allowed |= _machine_names()
    allowed |= {_host_name(name) for name in extra}
    allowed.discard("")
    return sorted(allowed)


class PreviewServer(uvicorn.Server):
    """uvicorn, ending the open event streams first so that stopping never waits on open tabs."""

    def __init__(self, config: uvicorn.Config, service: PreviewService) -> None:
        super().__init__(config)
        self.service = service

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.service.close()
        await super().shutdown(sockets)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a port in use is a clear error before anything starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def build(
    root: Path,
    host: str,
    port: int,
    today: dt.date | None = None,
    lang: str = "en",
    log_config: dict | None = None,
    allow_hosts: Sequence[str] = (),
    settings: Settings | None = None,
) -> tuple[PreviewServer, socket.socket]:
    """The server and its bound socket, answering to the host names :func:`allowed_hosts` gives."""
    allowed = allowed_hosts(host, allow_hosts)
    app = create_app(root, today=today, lang=lang, allowed_hosts=allowed, settings=settings)
    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        lifespan="on",
        ws="none",  # no WebSockets: reload goes over server-sent events
        access_log=False,
        log_level="warning",
        log_config=log_config,
        timeout_graceful_shutdown=3,
    )
    return PreviewServer(config, app.state.service), sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    today: dt.date | None = None,
    lang: str = "en",
    allow_hosts: Sequence[str] = (),
    settings: Settings | None = None,
) -> None:
    """Serve until interrupted; raise :class:`UsageError` if the address cannot be used."""
    server, sock = build(
        root, host, port, today, lang, uvicorn.config.LOGGING_CONFIG, allow_hosts, settings
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("render.preview")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    if not is_loopback(host):
        print(
            f"warning: listening on {host}: anyone who can reach this machine on the network "
            "can read these notes and their renders",
            file=sys.stderr,
        )
    print(f"previewing {server.service.root} at {url_of(sock)} (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@contextmanager
def running(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    today: dt.date | None = None,
    lang: str = "en",
    timeout: float = 30.0,
    allow_hosts: Sequence[str] = (),
    settings: Settings | None = None,
) -> Iterator[str]:
    """A real preview server on a background thread (for tests and benchmarks); yields its URL."""
    server, sock = build(root, host, port, today, lang, allow_hosts=allow_hosts, settings=settings)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="preview-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the preview server did not start")
        time.sleep(0.02)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
