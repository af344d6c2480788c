"""The SSE source against real servers on loopback (our demo feed and small aiohttp apps)."""

from __future__ import annotations

import asyncio
import gc
import socket
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from dashboard.core.events.event import Event, Rejected
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer
from dashboard.sources import open_source
from dashboard.sources.base import ConnectionState
from dashboard.sources.sse import SSESource
from tests.helpers import run, serve, sse_response, wait_for


@dataclass(eq=False)
class RecordingBackoff(Backoff):
    """A backoff without jitter that remembers the delays it handed out."""

    delays: list[float] = field(default_factory=list)

    def next_delay(self) -> float:
        delay = super().next_delay()
        self.delays.append(delay)
        return delay


def fast_backoff() -> RecordingBackoff:
    return RecordingBackoff(base=0.01, factor=2.0, cap=1.0, jitter=0.0)


async def stop_task(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_events_match_what_the_demo_feed_sent() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=2000, seed=1, paused=True, limit=400)
        await server.start()
        store = EventStore()
        source = SSESource(ConnectionSpec(server.url, "demo"), store)
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: server.streams == 1)
            assert source.status.state is ConnectionState.LIVE
            server.paused = False
            await wait_for(lambda: store.end_seq == 400)
            sent = list(server.history)
            received = store.events(0, 400)
            assert [e.id for e in received] == [str(s.id) for s in sent]
            assert [e.type for e in received] == [s.type for s in sent]
            for got, want in zip(received, sent, strict=True):
                if want.type == "metrics.update":
                    body = dict(want.body)
                    assert got.source == body.pop("source")
                    body.pop("time")
                    assert got.data == body
                elif "data" in want.body:
                    assert got.data == want.body["data"]
            assert store.rejected_total == 0
            assert store.counts["demo"].frames == 400
            assert source.status.last_event_id == "400"
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario())


def test_reconnects_after_a_restart_and_resumes_with_last_event_id() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=400, seed=2, retry_ms=20)
        await server.start()
        store = EventStore()
        source = SSESource(ConnectionSpec(server.url, "demo"), store, backoff=fast_backoff())
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: store.end_seq >= 50)
            await server.stop()
            await wait_for(lambda: source.status.state is not ConnectionState.LIVE)
            last_seen = store.get(store.end_seq - 1).id  # type: ignore[union-attr]
            seen_before = store.end_seq
            await server.start()
            await wait_for(lambda: store.end_seq >= seen_before + 50)
            assert server.last_event_ids[0] is None
            assert server.last_event_ids[1] == last_seen
            assert source.status.reconnects >= 1
            assert source.backoff.base == 0.02  # the feed's retry: 20
            ids = [int(e.id) for e in store.events(0, store.end_seq)]  # type: ignore[arg-type]
            assert ids == list(range(ids[0], ids[0] + len(ids)))  # nothing lost, no duplicate
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario())


def test_server_errors_back_off_then_recover() -> None:
    requests = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal requests
        requests += 1
        if requests <= 3:
            return web.Response(status=500, text="boom")
        return await sse_response(request, b'id: 1\ndata: {"n": 1}\n\nid: 2\ndata: {"n": 2}\n\n')

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            backoff = fast_backoff()
            source = SSESource(ConnectionSpec(url, "flaky"), store, backoff=backoff)
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq == 2)
                assert backoff.delays[:3] == [0.01, 0.02, 0.04]  # exponential
                assert source.status.reconnects >= 3
                assert [e.data for e in store.events(0, 2)] == [{"n": 1}, {"n": 2}]
            finally:
                await stop_task(task)

    run(scenario())


def _stopping_case(status: int, body: str, content_type: str, expected: str) -> None:
    requests = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal requests
        requests += 1
        return web.Response(status=status, text=body or None, content_type=content_type)

    async def scenario() -> None:
        async with serve(handler) as url:
            source = SSESource(ConnectionSpec(url, "s"), EventStore(), backoff=fast_backoff())
            await asyncio.wait_for(source.run(), 5)  # run() returns: no retry loop
            assert source.status.state is ConnectionState.STOPPED
            assert source.status.detail == expected
            assert source.status.describe() == f"stopped: {expected}"
            assert requests == 1

    run(scenario())


def test_204_finishes_the_connection_without_reconnecting() -> None:
    """The spec's "do not reconnect": the server's word, so finished, not stopped (an error
    with a connection-down alert), whatever the reconnect rule."""
    requests: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        requests.append(1)
        return web.Response(status=204)

    async def scenario() -> None:
        async with serve(handler) as url:
            for rule in ("auto", "always"):
                spec = ConnectionSpec(url, "s", options={"reconnect": rule})
                source = SSESource(spec, EventStore(), backoff=fast_backoff())
                await asyncio.wait_for(source.run(), 5)  # run() returns: no retry loop
                status = source.status
                assert status.describe() == (
                    "finished: the server answered 204 No Content (do not reconnect)"
                )
                assert status.last_error == "" and status.down_since is None
        assert len(requests) == 2

    run(scenario())


def test_401_stops_and_says_the_credentials_were_refused() -> None:
    _stopping_case(401, "no", "text/plain", "the credentials were refused (401 Unauthorized)")


def test_404_says_not_found() -> None:
    _stopping_case(404, "no", "text/plain", "not found (404 Not Found): check the URL path")


def test_wrong_content_type_names_what_came_back() -> None:
    _stopping_case(
        200,
        "<html></html>",
        "text/html",
        "expected Content-Type text/event-stream, got 'text/html; charset=utf-8'",
    )


def test_stream_is_utf8_whatever_the_charset_with_bom_and_cr_line_ends() -> None:
    body = "\ufeffid: 9\revent: note\rdata: café ☕\r\r".encode()

    async def handler(request: web.Request) -> web.StreamResponse:
        return await sse_response(request, body, "text/event-stream; charset=iso-8859-1")

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(ConnectionSpec(url, "s"), store, backoff=fast_backoff())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 1)
                event = store.get(0)
                assert event is not None
                assert (event.type, event.data, event.id) == ("note", "café ☕", "9")
            finally:
                await stop_task(task)

    run(scenario())


def test_bad_frames_are_counted_rejected_with_reasons_and_good_ones_kept() -> None:
    frames = [
        b'data: {"type": "order.placed", "data": {"order_id": "ord-1"}}\n\n',
        b'data: {"type": "order.placed", "data": {"order_id": \n\n',
        b'data: {"who": "\xff\xfe"}\n\n',
        b"data: " + b"x" * (2 << 20) + b"\n\n",
        b"data: just some text\n\n",
        b'data: {"type": "email.sent", "data": {"order_id": "ord-1"}}\n\n',
    ]

    async def handler(request: web.Request) -> web.StreamResponse:
        return await sse_response(request, b"".join(frames))

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(ConnectionSpec(url, "mixed"), store, backoff=fast_backoff())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(
                    lambda: store.counts.get("mixed") and store.counts["mixed"].frames >= 6
                )
                counts = store.counts["mixed"]
                assert (counts.accepted, counts.rejected) == (4, 2)
                events: list[Event] = store.events(0, 4)
                assert [e.type for e in events] == [
                    "order.placed",
                    "message",
                    "message",
                    "email.sent",
                ]
                # invalid UTF-8 is repaired as browsers do, the event kept with its bytes
                assert events[1].data == {"who": "\ufffd\ufffd"}
                assert events[1].raw == b'{"who": "\xff\xfe"}'
                assert source.status.repaired == 1
                assert events[2].data == "just some text"
                rejected: list[Rejected] = store.rejected()
                assert [r.reason.split(":")[0] for r in rejected] == [
                    "invalid JSON",
                    "frame of 2,097,152 bytes is over the 1,048,576-byte limit",
                ]
                assert rejected[1].size == 2_097_152 and len(rejected[1].raw) <= 4096
                assert source.status.state is not ConnectionState.STOPPED
            finally:
                await stop_task(task)

    run(scenario())


def test_a_stalled_stream_is_detected_and_reconnected() -> None:
    requests = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal requests
        requests += 1
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"id: %d\ndata: %d\n\n" % (requests, requests))
        await asyncio.Event().wait()  # then silence, socket left open
        return response

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(
                ConnectionSpec(url, "stall", heartbeat_timeout=0.3), store, backoff=fast_backoff()
            )
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: requests >= 2 and store.end_seq >= 2)
                assert source.status.last_error == "no data for 0.3 s (stalled)"
                assert [e.data for e in store.events(0, 2)] == [1, 2]
            finally:
                await stop_task(task)

    run(scenario())


def test_refused_connection_keeps_retrying_with_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends

    async def scenario() -> None:
        source = SSESource(
            ConnectionSpec(f"http://127.0.0.1:{port}/events", "gone"),
            EventStore(),
            backoff=fast_backoff(),
        )
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: source.status.reconnects >= 2)
            assert source.status.last_error == (
                f"cannot connect to 127.0.0.1:{port}: connection refused or unreachable"
            )
            assert source.status.state in (ConnectionState.RECONNECTING, ConnectionState.CONNECTING)
        finally:
            await stop_task(task)

    run(scenario())


def test_a_non_ascii_event_id_is_sent_back_as_utf8_on_reconnect() -> None:
    seen: list[bytes] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        raw = dict(request.raw_headers).get(b"Last-Event-ID")
        seen.append(raw or b"")
        body = f'retry: 10\nid: café-{len(seen)}\ndata: {{"n": {len(seen)}}}\n\n'
        # (a new id each time: the same one again would be a duplicate, and dropped)
        return await sse_response(request, body.encode())

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(ConnectionSpec(url, "utf8"), store, backoff=fast_backoff())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 2)
                assert seen[:2] == [b"", "café-1".encode()]
                assert source.backoff.base == 0.01
            finally:
                await stop_task(task)

    run(scenario())


async def stream_until(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]], name: str, count: int
) -> tuple[EventStore, SSESource]:
    """An SSE source on *handler*'s server until the store holds *count* events."""
    async with serve(handler) as url:
        store = EventStore()
        source = SSESource(ConnectionSpec(url, name), store, backoff=fast_backoff())
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: store.end_seq >= count)
        finally:
            await stop_task(task)
    return store, source


def test_events_a_server_sends_again_after_a_reconnect_are_dropped_once() -> None:
    requests: list[str | None] = []

    def frames(ids: range) -> bytes:
        return b"".join(b'id: %d\ndata: {"type": "n", "n": %d}\n\n' % (i, i) for i in ids)

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(request.headers.get("Last-Event-ID"))
        if len(requests) == 1:
            return await sse_response(request, frames(range(1, 11)))
        if len(requests) == 2:  # from too far back: 6..10 again, one with no id, 11..15
            body = frames(range(6, 11)) + b'data: {"type": "no.id"}\n\n' + frames(range(11, 16))
            return await sse_response(request, body)
        return web.Response(status=204)  # and that is all

    store, source = run(stream_until(handler, "again", 16))
    events = store.events(0, store.end_seq)
    assert [e.data.get("n") for e in events if e.type == "n"] == list(range(1, 16))
    assert [e.type for e in events].count("no.id") == 1  # no id of its own: kept
    assert source.status.duplicates == 5 and requests[:2] == [None, "10"]
    assert store.counts["again"].accepted == 16


def test_a_restarted_producer_numbering_from_one_again_is_not_taken_for_repeats() -> None:
    requests: list[str | None] = []

    def frames(ids: range, run: str) -> bytes:
        return b"".join(
            b'id: %d\ndata: {"type": "n", "run": "%s", "n": %d}\n\n' % (i, run.encode(), i)
            for i in ids
        )

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(request.headers.get("Last-Event-ID"))
        if len(requests) == 1:
            return await sse_response(request, frames(range(1, 6), "first"))
        if len(requests) == 2:  # the producer restarted: ids 1..5 again, other events
            return await sse_response(request, frames(range(1, 6), "second"))
        return web.Response(status=204)  # and that is all

    store, source = run(stream_until(handler, "restarted", 10))
    runs = [(e.data["run"], e.data["n"]) for e in store.events(0, store.end_seq)]
    assert runs == [("first", n) for n in range(1, 6)] + [("second", n) for n in range(1, 6)]
    assert source.status.duplicates == 0 and requests[:2] == [None, "5"]


def test_reconnects_reuse_the_connection_s_tls_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the CA certificates costs 30-50 ms of CPU: made once per connection, not
    once per attempt (twenty connections after a server restart paid it twenty times)."""
    import ssl

    made: list[object] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)

    async def ends_at_once(request: web.Request) -> web.StreamResponse:
        return await sse_response(request, b"data: {}\n\n")

    async def scenario() -> None:
        async with serve(ends_at_once) as url:
            store = EventStore()
            spec = ConnectionSpec(url, "again", options={"reconnect": "always"})
            source = SSESource(spec, store, backoff=fast_backoff())
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: source.status.reconnects >= 4 and store.end_seq >= 4)
            finally:
                await stop_task(task)

    run(scenario())
    assert len(made) == 1


@pytest.mark.parametrize("kind", ["sse", "poll"])
def test_a_source_stopped_mid_tls_handshake_closes_its_connection(kind: str) -> None:
    """httpcore closes a connection whose TLS handshake fails, not one whose handshake is
    cancelled: a source stopped then left its socket for the garbage collector
    ("unclosed transport"; dashboard.sources.http_client works around it)."""
    hellos: list[bytes] = []
    closed: list[bool] = []

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hellos.append(await reader.read(1))  # the client's hello has begun
        await reader.read()  # the rest of it, to the end: the client closed the connection
        closed.append(reader.at_eof())
        writer.close()

    async def scenario() -> None:
        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        options = {"poll": "1s"} if kind == "poll" else {}
        spec = ConnectionSpec(f"https://127.0.0.1:{port}/events", "tls", options=options)
        source = open_source(spec, EventStore(), backoff=fast_backoff())
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: hellos)
        finally:
            await stop_task(task)  # in the middle of the handshake
        await wait_for(lambda: closed)
        server.close()
        await server.wait_closed()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(scenario())
        gc.collect()
    assert hellos == [b"\x16"] and closed == [True]  # a TLS handshake record, then the end
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
