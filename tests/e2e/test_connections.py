"""WebSocket, several feeds at once, auth, TLS and dead letters, against real loopback servers."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trustme
from aiohttp import web

from dashboard.core.events.event import DecodedBatch
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer
from dashboard.listening import close_runner
from dashboard.sources import ConnectionState, WebSocketSource, open_source
from dashboard.sources.websocket import DELIVER_ROWS
from tests.helpers import run, serve, sse_response, wait_for

WsHandler = Callable[[web.WebSocketResponse, int], Awaitable[None]]


def fast() -> Backoff:
    return Backoff(base=0.01, factor=2.0, cap=0.2, jitter=0.0)


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@asynccontextmanager
async def ws_server(handler: WsHandler) -> AsyncIterator[str]:
    """A WebSocket endpoint; *handler* gets the socket and the connection's number (1, 2...)."""
    connections = 0

    async def endpoint(request: web.Request) -> web.WebSocketResponse:
        nonlocal connections
        connections += 1
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        await handler(ws, connections)
        return ws

    async with serve(endpoint, "/ws") as url:
        yield url.replace("http://", "ws://")


async def demo_events_over(url: str, count: int = 300) -> tuple[FeedServer, EventStore]:
    """Connect a WebSocket source to a paused demo feed, let *count* events go, collect them."""
    server = FeedServer(rate=3000, seed=4, paused=True, limit=count)
    await server.start()
    store = EventStore()
    source = open_source(ConnectionSpec(url.format(port=server.port), "ws"), store, backoff=fast())
    assert isinstance(source, WebSocketSource)
    task = asyncio.create_task(source.run())
    try:
        await wait_for(lambda: server.streams == 1)
        server.paused = False
        await wait_for(lambda: store.end_seq == count)
        return server, store
    finally:
        await stop(task)
        await server.stop()


@pytest.mark.parametrize(
    "query", ["", "?binary=1", "?batch=0"], ids=["text-batched", "binary-batched", "one-per-frame"]
)
def test_websocket_carries_the_same_events_as_sse(query: str) -> None:
    async def scenario() -> None:
        server, store = await demo_events_over("ws://127.0.0.1:{port}/ws" + query)
        sent = list(server.history)
        got = store.events(0, store.end_seq)
        assert [e.type for e in got] == [s.type for s in sent]
        for event, want in zip(got, sent, strict=True):
            if want.type == "metrics.update":
                body = dict(want.body)
                assert event.source == body.pop("source")
                body.pop("time")
                assert event.data == body  # the type rode inside the JSON and was taken out
        assert store.counts["ws"].frames == len(sent) and store.rejected_total == 0

    run(scenario())


def test_websocket_frames_good_bad_and_batched_are_counted_exactly() -> None:
    async def handler(ws: web.WebSocketResponse, n: int) -> None:
        if n > 1:
            await ws.receive()  # later connections: nothing more to say
            return
        await ws.send_str('{"type": "order.placed", "data": {"order_id": "ord-1"}}')
        await ws.send_str('{"type": "a"}\n{"type": "b", "data": 2}\n\n{"type": "c"}')
        await ws.send_str('{"type": "broken", "data": ')
        await ws.send_bytes(b'{"type": "x", "who": "\xff"}')
        await ws.send_bytes(b"not json at all")
        await ws.close(code=1000, message=b"done")

    async def scenario() -> None:
        async with ws_server(handler) as url:
            store = EventStore()
            source = open_source(ConnectionSpec(url, "mixed"), store, backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(
                    lambda: "mixed" in store.counts and store.counts["mixed"].frames == 7
                )
                counts = store.counts["mixed"]
                assert (counts.accepted, counts.rejected) == (6, 1)
                assert [e.type for e in store.events(0, 6)] == [
                    "order.placed",
                    "a",
                    "b",
                    "c",
                    "x",  # its invalid UTF-8 repaired, as for SSE
                    "message",
                ]
                assert store.events(4, 5)[0].data == {"who": "\ufffd"}
                assert [r.reason.split(":")[0] for r in store.rejected()] == ["invalid JSON"]
                await wait_for(lambda: source.status.reconnects >= 1)
                assert source.status.last_error == ""  # a clean close is not an error
            finally:
                await stop(task)

    run(scenario())


class BatchSizes(EventStore):
    """A store that also notes how many events each batch handed to it held."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def extend_batch(self, batch: DecodedBatch) -> None:
        self.sizes.append(len(batch))
        super().extend_batch(batch)


def test_a_message_of_thousands_of_events_is_handed_over_a_few_hundred_at_a_time() -> None:
    """A server that fell behind sent 3,500 events in one message: their rows were all made
    at once, a burst that left the reader's memory higher."""
    lines = [b'{"type": "tick", "n": %d}' % n for n in range(1000)]
    lines[500] = b'{"type": "broken", '

    async def handler(ws: web.WebSocketResponse, n: int) -> None:
        if n == 1:
            await ws.send_bytes(b"\n".join(lines[:700]) + b"\n\n  \n" + b"\n".join(lines[700:]))
        await ws.receive()

    async def scenario() -> None:
        async with ws_server(handler) as url:
            store = BatchSizes()
            source = open_source(ConnectionSpec(url, "big"), store, backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: "big" in store.counts and store.counts["big"].frames == 1000)
                counts = store.counts["big"]
                assert (counts.accepted, counts.rejected) == (999, 1)
                assert [e.data["n"] for e in store.events(0, 999)] == [
                    n for n in range(1000) if n != 500
                ]
                assert store.sizes == [DELIVER_ROWS] * 3 + [1000 - 3 * DELIVER_ROWS]
            finally:
                await stop(task)

    run(scenario())


def test_the_websocket_handshake_offers_no_compression() -> None:
    """permessage-deflate costs a zlib state per connection and a copy of every message."""

    async def scenario() -> None:
        server = FeedServer(rate=100, seed=1)
        await server.start()
        store = EventStore()
        spec = ConnectionSpec(f"ws://127.0.0.1:{server.port}/ws", "ws")
        task = asyncio.create_task(open_source(spec, store).run())
        try:
            await wait_for(lambda: server.request_headers and store.end_seq > 0)
            (headers,) = server.request_headers
            assert headers["Upgrade"] == "websocket"
            assert "Sec-WebSocket-Extensions" not in headers
        finally:
            await stop(task)
            await server.stop()

    run(scenario())


def test_websocket_frame_over_the_limit_is_rejected_unread_and_the_feed_goes_on() -> None:
    async def handler(ws: web.WebSocketResponse, n: int) -> None:
        if n == 1:
            await ws.send_str('{"type": "before"}')
            await ws.send_str('{"type": "huge", "data": "' + "x" * 5000 + '"}')
        else:
            await ws.send_str('{"type": "after"}')
        await ws.receive()

    async def scenario() -> None:
        async with ws_server(handler) as url:
            store = EventStore()
            spec = ConnectionSpec(url, "big", max_frame_bytes=1000)
            source = open_source(spec, store, backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq == 2)
                assert [e.type for e in store.events(0, 2)] == ["before", "after"]
                [rejected] = store.rejected()
                assert rejected.reason == (
                    "a frame over the 1,000-byte limit (not read; the connection reopens)"
                )
                assert store.counts["big"].frames == 3
            finally:
                await stop(task)

    run(scenario())


def test_websocket_that_stops_answering_pings_is_reconnected() -> None:
    async def handler(ws: web.WebSocketResponse, n: int) -> None:
        await ws.send_str(f'{{"type": "hello", "data": {n}}}')
        await asyncio.Event().wait()  # never answers a ping (autoping is off)

    async def scenario() -> None:
        async with ws_server(handler) as url:
            store = EventStore()
            spec = ConnectionSpec(url, "stall", heartbeat_timeout=0.3)
            source = open_source(spec, store, backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 2)
                assert [e.data for e in store.events(0, 2)] == [1, 2]
                assert source.status.last_error == (
                    "no answer to keepalive pings for 0.3 s (stalled)"
                )
            finally:
                await stop(task)

    run(scenario())


def test_two_connections_at_once_tag_their_events() -> None:
    def handler(body: bytes) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def send(request: web.Request) -> web.StreamResponse:
            return await sse_response(request, body)

        return send

    async def scenario() -> None:
        async with (
            serve(handler(b'data: {"type": "t", "n": 1}\n\n')) as first,
            serve(handler(b'data: {"type": "t", "n": 2, "source": "named"}\n\n')) as second,
        ):
            store = EventStore()
            tasks = [
                asyncio.create_task(
                    open_source(ConnectionSpec(url, name), store, backoff=Backoff(base=60)).run()
                )
                for url, name in ((first, "alpha"), (second, "beta"))
            ]
            try:
                await wait_for(lambda: store.end_seq == 2)
                by_n = {e.data["n"]: e for e in store.events(0, 2)}
                assert (by_n[1].connection, by_n[1].source) == ("alpha", "alpha")
                assert (by_n[2].connection, by_n[2].source) == ("beta", "named")
            finally:
                for task in tasks:
                    await stop(task)

    run(scenario())


def test_headers_reach_the_server_with_env_references_expanded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEED_TOKEN", "s3cret")

    async def scenario() -> None:
        server = FeedServer(rate=100, seed=1)
        await server.start()
        store = EventStore()
        specs = [
            ConnectionSpec(server.url, "sse", headers={"Authorization": "Bearer ${FEED_TOKEN}"}),
            ConnectionSpec(
                f"ws://127.0.0.1:{server.port}/ws",
                "ws",
                headers={"X-Team": "ops"},
                options={"subprotocol": "dashboard.v1"},
            ),
        ]
        tasks = [asyncio.create_task(open_source(s, store).run()) for s in specs]
        try:
            await wait_for(lambda: len(server.request_headers) == 2 and store.end_seq > 0)
            headers = {h.get("Upgrade", "sse"): h for h in server.request_headers}
            assert headers["sse"]["Authorization"] == "Bearer s3cret"
            assert headers["websocket"]["X-Team"] == "ops"
            assert server.ws_protocols == ["dashboard.v1"]
        finally:
            for task in tasks:
                await stop(task)
            await server.stop()

    run(scenario())


def test_a_missing_env_reference_stops_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)

    async def scenario() -> None:
        spec = ConnectionSpec(
            "http://127.0.0.1:9/events",
            "x",
            headers={"Authorization": "Bearer ${NOT_SET_ANYWHERE}"},
        )
        source = open_source(spec, EventStore())
        await asyncio.wait_for(source.run(), 5)
        assert source.status.detail == (
            "header refers to ${NOT_SET_ANYWHERE}, which is not set in the environment"
        )

    run(scenario())


@pytest.mark.parametrize("scheme", ["http", "ws"])
def test_401_stops_retrying(scheme: str) -> None:
    requests = 0

    async def refuse(request: web.Request) -> web.StreamResponse:
        nonlocal requests
        requests += 1
        return web.Response(status=401, text="who are you?")

    async def scenario() -> None:
        async with serve(refuse, "/feed") as url:
            url = url.replace("http://", f"{scheme}://")
            source = open_source(ConnectionSpec(url, "locked"), EventStore(), backoff=fast())
            await asyncio.wait_for(source.run(), 5)
            assert source.status.state is ConnectionState.STOPPED
            assert source.status.detail == "the credentials were refused (401 Unauthorized)"
            assert requests == 1

    run(scenario())


# -- TLS with a throwaway CA ------------------------------------------------------------


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for 127.0.0.1 from a CA made for this test."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_context, ca_file


@asynccontextmanager
async def tls_feed(context: ssl.SSLContext) -> AsyncIterator[FeedServer]:
    server = FeedServer(rate=200, seed=2)
    await server.start()  # plain, for the port and the producer; then TLS on another site
    app = web.Application()
    app.router.add_get("/events", server._sse)
    app.router.add_get("/ws", server._ws)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    server.tls_port = site._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined,union-attr]
    try:
        yield server
    finally:
        await close_runner(runner)
        await server.stop()


@pytest.mark.parametrize("scheme,path", [("https", "events"), ("wss", "ws")])
def test_tls_with_the_right_ca_works(
    tls: tuple[ssl.SSLContext, Path], scheme: str, path: str
) -> None:
    context, ca_file = tls

    async def scenario() -> None:
        async with tls_feed(context) as server:
            url = f"{scheme}://127.0.0.1:{server.tls_port}/{path}"  # type: ignore[attr-defined]
            store = EventStore()
            source = open_source(ConnectionSpec(url, "tls", ca_file=str(ca_file)), store)
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 5)
                assert source.status.state is ConnectionState.LIVE
                assert not source.status.insecure
            finally:
                await stop(task)

    run(scenario())


@pytest.mark.parametrize("scheme,path", [("https", "events"), ("wss", "ws")])
def test_tls_with_an_unknown_ca_stops_and_says_why(
    tls: tuple[ssl.SSLContext, Path], scheme: str, path: str
) -> None:
    context, _ = tls

    async def scenario() -> None:
        async with tls_feed(context) as server:
            port = server.tls_port  # type: ignore[attr-defined]
            source = open_source(
                ConnectionSpec(f"{scheme}://127.0.0.1:{port}/{path}", "tls"),
                EventStore(),
                backoff=fast(),
            )
            await asyncio.wait_for(source.run(), 10)
            assert source.status.state is ConnectionState.STOPPED
            assert source.status.detail == (
                f"the TLS certificate of 127.0.0.1:{port} was not accepted: unable to get local "
                "issuer certificate (give its CA with --ca FILE, or --insecure to skip the check)"
            )

    run(scenario())


def test_insecure_connects_and_is_marked(tls: tuple[ssl.SSLContext, Path]) -> None:
    context, _ = tls

    async def scenario() -> None:
        async with tls_feed(context) as server:
            url = f"https://127.0.0.1:{server.tls_port}/events"  # type: ignore[attr-defined]
            store = EventStore()
            source = open_source(ConnectionSpec(url, "tls", verify=False), store)
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 5)
                assert source.status.insecure
            finally:
                await stop(task)

    run(scenario())


def test_close_codes_are_reported() -> None:
    async def handler(ws: web.WebSocketResponse, n: int) -> None:
        await ws.close(code=1011, message=b"internal trouble")

    async def scenario() -> None:
        async with ws_server(handler) as url:
            source = open_source(ConnectionSpec(url, "closing"), EventStore(), backoff=fast())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: source.status.reconnects >= 1)
                assert source.status.last_error == (
                    "the server closed the connection with code 1011 (internal trouble)"
                )
            finally:
                await stop(task)

    run(scenario())


def test_a_refused_port_is_said_in_the_same_words_by_sse_and_websocket() -> None:
    """WebSocket said asyncio's "Connect call failed ('127.0.0.1', 1)" where SSE said
    "connection refused or unreachable"."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def scenario() -> list[str]:
        details = []
        for scheme in ("http", "ws"):
            spec = ConnectionSpec(
                f"{scheme}://127.0.0.1:{port}/feed", scheme, options={"reconnect": "never"}
            )
            source = open_source(spec, EventStore(), backoff=fast())
            await asyncio.wait_for(source.run(), 10)
            details.append(source.status.detail)
        return details

    assert (
        run(scenario())
        == [f"cannot connect to 127.0.0.1:{port}: connection refused or unreachable"] * 2
    )
