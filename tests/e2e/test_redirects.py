"""Redirects of HTTP connections, against two real servers on loopback: one redirects, the
other records the headers it got. The connection's own headers (tokens, API keys, cookies)
go to its URL's origin only; an error after a redirect names the URL that answered."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiohttp import web

from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources import ConnectionState, open_source
from dashboard.sources.jsonlines import ACCEPT
from tests.helpers import run, serve, sse_response, wait_for

OWN_HEADERS = {
    "Authorization": "Bearer ${REDIRECT_TOKEN}",
    "X-Api-Key": "ApiKey2",
    "X-Tenant": "Tenant3",
    "Cookie": "session=Cookie4",
}
# What httpx sends of itself, besides Host, Accept and Cache-Control
LIBRARY_HEADERS = {"Accept-Encoding", "Connection", "User-Agent"}
SAID = (
    "{name}: redirected to {target}/, another origin: the connection's headers are not "
    "sent there (Authorization, X-Api-Key, X-Tenant, Cookie)"
)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIRECT_TOKEN", "Token1")


def fast() -> Backoff:
    return Backoff(base=0.01, factor=2.0, cap=0.05, jitter=0.0)


def redirect_to(url: str) -> Any:
    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(url + ("?" + request.query_string if request.query_string else ""))

    return redirect


def recording(answer: Any) -> tuple[list[dict[str, str]], Any]:
    """A handler that keeps each request's headers, then answers as *answer* does."""
    received: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        received.append(dict(request.headers))
        return await answer(request)

    return received, handler


async def not_found(request: web.Request) -> web.StreamResponse:
    return web.Response(status=404, text="no such feed")


def said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "dashboard.sources.http" and r.levelno == logging.WARNING
    ]


def test_a_redirect_to_another_origin_gets_none_of_the_connection_s_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 302 to another port received X-Api-Key and X-Tenant (httpx drops Authorization
    only), and the 404 there was said as if the connection's own URL had answered it."""
    received, answer = recording(not_found)

    async def scenario() -> None:
        async with (
            serve(answer, "/elsewhere") as target,
            serve(redirect_to(target), "/events") as url,
        ):
            spec = ConnectionSpec(url, "moved", headers=OWN_HEADERS)
            source = open_source(spec, EventStore(), backoff=fast())
            await asyncio.wait_for(source.run(), 10)
        assert len(received) == 1
        headers = received[0]
        assert set(headers) == {"Host", "Accept", "Cache-Control"} | LIBRARY_HEADERS
        assert (headers["Accept"], headers["Cache-Control"]) == (ACCEPT, "no-store")
        assert source.status.state is ConnectionState.STOPPED
        assert source.status.detail == (
            f"not found (404 Not Found) at {target}: check the URL path"
        )
        origin = target.removesuffix("/elsewhere")
        assert said(caplog) == [SAID.format(name="moved", target=origin)]

    run(scenario())


def test_a_redirect_within_the_origin_keeps_the_headers(caplog: pytest.LogCaptureFixture) -> None:
    received: list[dict[str, str]] = []

    async def scenario() -> None:
        async def events(request: web.Request) -> web.StreamResponse:
            received.append(dict(request.headers))
            return await sse_response(request, b'data: {"type": "t"}\n\n')

        async def old_or_new(request: web.Request) -> web.StreamResponse:
            if request.path == "/old":
                raise web.HTTPMovedPermanently("/events")
            return await events(request)

        async with serve(old_or_new, "/{path}") as base:
            url = base.replace("/{path}", "/old")
            store = EventStore()
            spec = ConnectionSpec(url, "same", headers=OWN_HEADERS, options={"reconnect": "never"})
            source = open_source(spec, store, backoff=fast())
            await asyncio.wait_for(source.run(), 10)
        assert store.end_seq == 1 and len(received) == 1
        own = {k: v for k, v in received[0].items() if k in OWN_HEADERS}
        # (httpx sends a Cookie header only from its cookie jar after any redirect)
        expected = {**OWN_HEADERS, "Authorization": "Bearer Token1"}
        del expected["Cookie"]
        assert own == expected
        assert said(caplog) == []

    run(scenario())


def test_it_is_said_once_however_often_the_connection_is_redirected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stream that reconnects is redirected at each reconnect: one warning, and every
    request there without the headers."""

    async def unavailable(request: web.Request) -> web.StreamResponse:
        return web.Response(status=503, reason="Busy")

    received, answer = recording(unavailable)

    async def scenario() -> None:
        async with (
            serve(answer, "/elsewhere") as target,
            serve(redirect_to(target), "/events") as url,
        ):
            spec = ConnectionSpec(url, "busy", headers=OWN_HEADERS)
            source = open_source(spec, EventStore(), backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: len(received) >= 4)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        assert all(set(h) & set(OWN_HEADERS) == set() for h in received)
        assert source.status.last_error == f"server error: 503 Busy at {target}"
        origin = target.removesuffix("/elsewhere")
        assert said(caplog) == [SAID.format(name="busy", target=origin)]

    run(scenario())


def test_json_lines_after_a_redirect_are_read_without_the_headers() -> None:
    async def lines(request: web.Request) -> web.StreamResponse:
        return await sse_response(
            request, b'{"type": "a"}\n{"type": "b"}\n', "application/x-ndjson"
        )

    received, answer = recording(lines)

    async def scenario() -> None:
        async with (
            serve(answer, "/elsewhere") as target,
            serve(redirect_to(target), "/events") as url,
        ):
            store = EventStore()
            spec = ConnectionSpec(url, "lines", headers=OWN_HEADERS)
            source = open_source(spec, store, backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq == 2)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        assert [e.type for e in store.events(0, 2)] == ["a", "b"]
        assert set(received[0]) == {"Host", "Accept", "Cache-Control"} | LIBRARY_HEADERS

    run(scenario())


def test_a_poll_redirected_to_another_origin_sends_none_of_its_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = iter([web.json_response({"type": "health", "ok": True})])

    async def first_good_then_missing(request: web.Request) -> web.StreamResponse:
        return next(answers, web.Response(status=404, text="gone"))

    received, answer = recording(first_good_then_missing)

    async def scenario() -> None:
        async with serve(answer, "/health") as target, serve(redirect_to(target), "/status") as url:
            store = EventStore()
            spec = ConnectionSpec(url, "poll", headers=OWN_HEADERS, options={"poll": "100ms"})
            source = open_source(spec, store, backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.rejected_total >= 1)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        assert [e.data["ok"] for e in store.events(0, store.end_seq)] == [True]
        for headers in received:
            assert set(headers) == {"Host", "Accept", "Cache-Control"} | LIBRARY_HEADERS
            assert headers["Accept"] == "application/json"
        assert (
            source.status.last_error == f"poll 2: the poll was answered 404 Not Found at {target}"
        )
        origin = target.removesuffix("/health")
        assert said(caplog) == [SAID.format(name="poll", target=origin)]

    run(scenario())


def test_a_websocket_redirected_to_another_origin_gets_none_of_the_connection_s_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """websockets drops only Authorization and Cookie: X-Api-Key and X-Tenant went along."""
    received: list[dict[str, str]] = []

    async def socket(request: web.Request) -> web.StreamResponse:
        received.append(dict(request.headers))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str('{"type": "hello"}')
        await ws.close()
        return ws

    async def scenario() -> None:
        async with (
            serve(socket, "/ws") as target,
            serve(redirect_to(target.replace("http://", "ws://")), "/old") as url,
        ):
            store = EventStore()
            spec = ConnectionSpec(
                url.replace("http://", "ws://"),
                "socket",
                headers=OWN_HEADERS,
                options={"reconnect": "never"},
            )
            source = open_source(spec, store, backoff=fast())
            await asyncio.wait_for(source.run(), 10)
        assert [e.type for e in store.events(0, store.end_seq)] == ["hello"]
        assert len(received) == 1
        assert set(received[0]) & {*OWN_HEADERS, "Authorization", "Cookie"} == set()
        origin = target.removesuffix("/ws").replace("http://", "ws://")
        assert said(caplog) == [SAID.format(name="socket", target=origin)]

    run(scenario())
