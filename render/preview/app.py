"""The preview's routes: index, note (HTML and PDF views), files of the folder, events, static."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from render.load.note import NOTE_SUFFIXES
from render.preview import pages
from render.preview.service import PreviewService
from render.preview.state import PdfEntry
from render.preview.watch import watch
from render.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"

#: Host names a browser uses for a server on this machine's loopback. Whatever the address the
#: server listens on, a request naming a host it was not told of is refused, so that a web page
#: cannot reach it by DNS rebinding (its own name, pointed at this machine).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

#: Our pages run only our script; a note's HTML has inline styles and data: images, nothing else.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
#: A file of the folder opened on its own (an SVG, an HTML attachment) runs nothing in our origin.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def not_found() -> Response:
    return PlainTextResponse("not found", status_code=404)


def inside(root: Path, rel: str) -> Path | None:
    """The file ``rel`` names in ``root``, or None.

    Refused: ``..`` and ``.`` segments, absolute paths, empty segments, backslashes, NUL, hidden
    files and folders, anything that is not a regular file, and links leading out of ``root``
    (the path is resolved before it is checked). The request path was percent-decoded exactly
    once by the server, so an encoded ``%2e%2e`` arrives here as ``..`` and is refused too.
    """
    if not rel or len(rel) > 4096 or "\0" in rel or "\\" in rel or rel.startswith("/"):
        return None
    parts = rel.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    try:
        resolved = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return resolved


def house_key(folder: Path) -> str:
    return hashlib.sha256(str(folder).encode("utf-8", "surrogateescape")).hexdigest()[:12]


class DefaultHeaders:
    """Every response: revalidate before reuse (nothing shown is ever stale), no type sniffing."""

    HEADERS = (
        (b"cache-control", b"no-cache"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, sending)


def create_app(
    root: Path,
    *,
    today: dt.date | None = None,
    lang: str = "en",
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    settings: Settings | None = None,
) -> Starlette:
    """The preview application over a folder of notes (its watcher runs while the app does)."""
    if "*" in allowed_hosts:
        raise ValueError("the preview names the hosts it answers to; '*' would admit any")
    service = PreviewService(root, today, lang, settings)

    def service_of(request: Request) -> PreviewService:
        return request.app.state.service

    def html(text: str) -> HTMLResponse:
        return HTMLResponse(text, headers={"content-security-policy": PAGE_POLICY})

    async def index(request: Request) -> Response:
        service = service_of(request)
        states = [view.state for view in await service.everything()]
        return html(pages.index_page(service.root, states))

    async def note(request: Request) -> Response:
        service = service_of(request)
        rel = request.path_params["rel"]
        view = await service.view(rel) if _may_be_note(rel) else None
        if view is None:
            # Not a note: another file of the folder (an image, an attachment), or nothing.
            return _file(service.root, rel)
        page = view.page
        data = pages.page_data(view.state, "html", page[0] if page else 0, view.fingerprint)
        if page is None:
            return html(pages.pending_page(data))
        return html(pages.inject(page[1], data))

    async def pdf_view(request: Request) -> Response:
        service = service_of(request)
        rel = request.path_params["rel"]
        view = await service.view(rel) if _may_be_note(rel) else None
        if view is None:
            return not_found()
        page = view.page
        data = pages.page_data(view.state, "pdf", page[0] if page else 0, view.fingerprint)
        src = pages.pdf_file_url(rel) + "?v=" + quote(view.fingerprint or "")
        return html(pages.pdf_page(data, src))

    async def pdf_file(request: Request) -> Response:
        service = service_of(request)
        rel = request.path_params["rel"]
        if not _may_be_note(rel):
            return not_found()
        view = service.notes.views.get(rel)
        # Checked without waiting for the render thread (it may be busy with this very PDF):
        # what is known of the note must be of its files as they are now, or it is rendered.
        if view is None or not await anyio.to_thread.run_sync(service.notes.is_current, rel):
            view = await service.view(rel)
            if view is None:
                return not_found()
        if view.state["status"] == "errors":
            errors = [p["text"] for p in view.state["problems"] if p["severity"] == "error"]
            return PlainTextResponse("\n".join(errors) + "\n", status_code=422)

        async def body() -> AsyncIterator[bytes]:
            # Checked and rendered now (or found in the cache for exactly these inputs). Should
            # the note have broken since, the body stays empty and the page shows why.
            result = await service.pdf(rel)
            if isinstance(result, PdfEntry):
                yield result.data

        # Headers go out at once: the browser starts its PDF viewer while the PDF is rendered.
        # No ETag: it would be sent before the content it names is known.
        name = quote(Path(rel).stem + ".pdf")
        return StreamingResponse(
            body(),
            media_type="application/pdf",
            headers={"content-disposition": f"inline; filename*=UTF-8''{name}"},
        )

    async def house_file(request: Request) -> Response:
        service = service_of(request)
        folders = {house_key(f): f for f in service.notes.house_folders()}
        folder = folders.get(request.path_params["key"])
        return _file(folder, request.path_params["rel"]) if folder else not_found()

    async def events(request: Request) -> Response:
        service = service_of(request)
        note = request.query_params.get("note")
        view = "pdf" if request.query_params.get("view") == "pdf" else "html"
        if note is not None and len(note) > 4096:
            return not_found()
        subscription = service.events.subscribe(note, view)
        # The state as it is now, so a page that missed an event while (re)connecting catches up.
        subscription.offer(service.state(note) if note is not None else {})
        if note is not None and view == "pdf":
            service.poke()

        async def stream() -> AsyncIterator[str]:
            try:
                async for chunk in subscription.stream():
                    yield chunk
            finally:
                service.events.unsubscribe(subscription)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"x-accel-buffering": "no"}
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            group.start_soon(service.work)
            group.start_soon(service.pdf_work)
            group.start_soon(watch, service)
            service.poke()
            try:
                yield
            finally:
                service.close()
                group.cancel_scope.cancel()

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/note/{rel:path}", note),
            Route("/pdf/{rel:path}", pdf_view),
            Route("/pdf-file/{rel:path}", pdf_file),
            Route("/house/{key}/{rel:path}", house_file),
            Route("/_events", events),
            # Browsers ask for it on every note page; an empty answer keeps their consoles clean.
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/_static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)),
            Middleware(DefaultHeaders),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    return app


def _may_be_note(rel: str) -> bool:
    """Cheap screening before a folder scan: a note's path has a note suffix and no odd parts."""
    parts = rel.split("/")
    return (
        bool(rel)
        and len(rel) <= 4096
        and rel.lower().endswith(NOTE_SUFFIXES)
        and not any(p in ("", ".", "..") or p.startswith(".") for p in parts)
    )


def _file(root: Path, rel: str) -> Response:
    path = inside(root, rel)
    if path is None:
        return not_found()
    return FileResponse(path, headers={"content-security-policy": FILE_POLICY})
