"""Server-sent event streams: the newest state only, one data line each, ended on close."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from render.preview import events
from render.preview.events import Broadcaster, Subscription


async def _next(stream: AsyncIterator[str]) -> str:
    return await asyncio.wait_for(anext(stream), 5)


def test_a_stream_opens_with_its_retry_then_sends_only_the_newest_state() -> None:
    async def scenario() -> list[str]:
        subscription = Subscription("a.md", "html")
        stream = subscription.stream()
        first = await _next(stream)
        for version in (1, 2, 3):
            subscription.offer({"note": "a.md", "version": version})
        second = await _next(stream)
        subscription.close()
        rest = [chunk async for chunk in stream]
        return [first, second, *rest]

    assert asyncio.run(scenario()) == [
        "retry: 1000\n\n",
        'event: note\ndata: {"note": "a.md", "version": 3}\n\n',
    ]


def test_data_is_one_line_of_json_whatever_the_text() -> None:
    async def scenario() -> str:
        subscription = Subscription(None, "html")
        stream = subscription.stream()
        await _next(stream)
        subscription.offer({"title": "第一行\n\nevent: forged\ndata: x"})
        return await _next(stream)

    chunk = asyncio.run(scenario())
    head, data, blank, end = chunk.split("\n")
    assert (head, blank, end) == ("event: index", "", "")
    assert json.loads(data.removeprefix("data: ")) == {"title": "第一行\n\nevent: forged\ndata: x"}
    assert "第一行" in data


def test_a_quiet_stream_sends_keep_alive_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "KEEP_ALIVE_SECONDS", 0.01)

    async def scenario() -> list[str]:
        subscription = Subscription("a.md", "pdf")
        stream = subscription.stream()
        return [await _next(stream), await _next(stream), await _next(stream)]

    assert asyncio.run(scenario())[1:] == [": keep-alive\n\n", ": keep-alive\n\n"]


def test_closing_ends_the_stream_and_drops_an_unsent_state() -> None:
    async def scenario() -> list[str]:
        subscription = Subscription("a.md", "html")
        stream = subscription.stream()
        await _next(stream)
        subscription.offer({"note": "a.md"})
        subscription.close()
        return [chunk async for chunk in stream]

    assert asyncio.run(scenario()) == []


def test_states_reach_the_pages_of_their_note_and_the_index_its_own() -> None:
    async def scenario() -> None:
        hub = Broadcaster()
        a_html, a_pdf = hub.subscribe("a.md"), hub.subscribe("a.md", "pdf")
        b, index = hub.subscribe("b.md"), hub.subscribe(None)
        assert (a_html.kind, index.kind, a_html.view) == ("note", "index", "html")
        hub.note({"note": "a.md", "status": "ok"})
        hub.index()
        assert a_html._latest == a_pdf._latest == {"note": "a.md", "status": "ok"}
        assert b._latest is None and index._latest == {}

    asyncio.run(scenario())


def test_watching_by_note_and_view() -> None:
    async def scenario() -> None:
        hub = Broadcaster()
        pdf = hub.subscribe("a.md", "pdf")
        assert hub.watching("a.md") and hub.watching("a.md", "pdf")
        assert not hub.watching("a.md", "html") and not hub.watching("b.md")
        hub.unsubscribe(pdf)
        hub.unsubscribe(pdf)  # twice is harmless
        assert not hub.watching("a.md")

    asyncio.run(scenario())


def test_close_ends_every_stream_and_a_late_subscriber_gets_a_closed_one() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        hub = Broadcaster()
        early = hub.subscribe("a.md").stream()
        await _next(early)
        hub.close()
        ended = [chunk async for chunk in early]
        late = hub.subscribe("a.md")
        assert late.closed and late not in hub.subscriptions
        return ended, [chunk async for chunk in late.stream()]

    assert asyncio.run(scenario()) == ([], ["retry: 1000\n\n"])
