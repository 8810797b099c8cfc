"""Server-sent events: each open page subscribes, and hears only the latest state it cares about."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

#: A comment line every so often, so a closed tab is noticed and proxies keep the stream open.
KEEP_ALIVE_SECONDS = 15.0


class Subscription:
    """One page's stream: a note page (``note`` set, ``view`` html or pdf) or the index."""

    def __init__(self, note: str | None, view: str) -> None:
        self.note = note
        self.view = view
        self.closed = False
        # Only the newest state matters to a page, so a slow page skips the ones in between.
        self._latest: dict[str, Any] | None = None
        self._ready = asyncio.Event()

    @property
    def kind(self) -> str:
        return "index" if self.note is None else "note"

    def offer(self, payload: dict[str, Any]) -> None:
        self._latest = payload
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    async def stream(self) -> AsyncIterator[str]:
        """The ``text/event-stream`` body; ends when the subscription is closed."""
        yield "retry: 1000\n\n"
        while not self.closed:
            try:
                await asyncio.wait_for(self._ready.wait(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            self._ready.clear()
            payload, self._latest = self._latest, None
            if self.closed:
                break
            if payload is not None:
                # json.dumps escapes newlines, so the data is always a single ``data:`` line.
                yield f"event: {self.kind}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


class Broadcaster:
    """The open pages, by the note they show; lives on the event loop."""

    def __init__(self) -> None:
        self.subscriptions: set[Subscription] = set()
        self.closed = False

    def subscribe(self, note: str | None, view: str = "html") -> Subscription:
        subscription = Subscription(note, view)
        if self.closed:
            subscription.close()
        else:
            self.subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    def watching(self, note: str, view: str | None = None) -> bool:
        """Whether any open page shows this note (in this view, if given)."""
        return any(s.note == note and (view is None or s.view == view) for s in self.subscriptions)

    def note(self, state: dict[str, Any]) -> None:
        for subscription in list(self.subscriptions):
            if subscription.note == state["note"]:
                subscription.offer(state)

    def index(self) -> None:
        for subscription in list(self.subscriptions):
            if subscription.note is None:
                subscription.offer({})

    def close(self) -> None:
        """End every stream, so the server can shut down without waiting for open tabs."""
        self.closed = True
        for subscription in list(self.subscriptions):
            subscription.close()
