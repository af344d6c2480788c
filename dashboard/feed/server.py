"""The demo feed server (aiohttp): the demo operation over Server-Sent Events.

Every client sees the same events with the same ids. A recent history is kept so that a
client reconnecting with ``Last-Event-ID`` resumes exactly after the last event it saw.
Used by ``dashboard feed``, embedded by ``dashboard --demo``, and started by the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import time
from collections import deque
from typing import Any

from aiohttp import web

from dashboard.feed.completion import CompletionEndpoint
from dashboard.feed.demo import DemoScenario, FeedEvent, iso
from dashboard.listening import close_runner

log = logging.getLogger("dashboard.feed")

DEFAULT_RATE = 50.0
TICK = 0.02  # how often the producer makes the events that are due
BENCH_TICK = 0.002  # the paced bench mode's send interval
BENCH_BATCH = 2000  # events per write in the fast bench mode
SEND_CHUNK = 10_000  # events of the history written to a client at a time
EPOCH_ISO = b"1970-01-01T00:00:00.000Z"


class FeedServer:
    """Serves ``/events`` (SSE). Start and stop it on a running asyncio loop.

    Attributes the tests read: ``history`` (the events sent, newest last, bounded),
    ``last_event_ids`` (the ``Last-Event-ID`` header of each SSE request, None if absent)
    and ``streams`` (how many SSE responses are open).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate: float = DEFAULT_RATE,
        seed: int | None = None,
        junk: float = 0.0,
        history: int = 100_000,
        retry_ms: int | None = 1000,
        heartbeat: float = 15.0,
        limit: int | None = None,
        paused: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.rate = rate
        self.scenario = DemoScenario(seed=seed, junk=junk)
        self.history: deque[FeedEvent] = deque(maxlen=history)
        self.retry_ms = retry_ms
        self.heartbeat = heartbeat
        self.limit = limit  # stop producing after this many events
        self.paused = paused  # while True, no events are made (tests connect first)
        self.publisher: Any = None  # a RedisPublisher also given every event, if set
        self.last_event_ids: list[str | None] = []
        self.request_headers: list[dict[str, str]] = []  # of every /events and /ws request
        self.ws_protocols: list[str | None] = []  # the subprotocol agreed per WebSocket
        self.streams = 0
        self.sockets: set[web.WebSocketResponse] = set()  # the open WebSockets
        self.produced = 0
        self._new_events = asyncio.Event()
        self._producer: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._bench_pool: BenchPool | None = None
        self.completion = CompletionEndpoint()  # POST /v1/chat/completions, ends with [DONE]

    @property
    def bench_pool(self) -> BenchPool:
        if self._bench_pool is None:
            self._bench_pool = BenchPool()
        return self._bench_pool

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/events"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/events", self._sse)
        app.router.add_get("/ws", self._ws)
        self.completion.add_to(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._new_events = asyncio.Event()
        if self._producer is None or self._producer.done():
            self._producer = asyncio.create_task(self._produce())
        log.info("demo feed on %s at %g events/s", self.url, self.rate)

    async def stop(self) -> None:
        """Close the port and every open stream (the history is kept for a restart)."""
        if self._producer is not None:
            self._producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._producer
            self._producer = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._new_events.set()  # every stream sees it is over, and ends at once
            await close_runner(runner)
        self._new_events.set()

    async def close(self) -> None:
        """Stop for good (a subclass may have more than the port to close)."""
        await self.stop()

    # -- producing ---------------------------------------------------------------------
    async def _produce(self) -> None:
        started = time.monotonic()
        made_at_start = self.produced
        while True:  # (at the limit it idles: a test may raise the limit and go on)
            await asyncio.sleep(TICK)
            if self.paused or (self.limit is not None and self.produced >= self.limit):
                started, made_at_start = time.monotonic(), self.produced
                continue
            due = int((time.monotonic() - started) * self.rate) + made_at_start - self.produced
            due = min(due, max(1, int(self.rate)))  # after a stall, do not burst more than 1 s
            if self.limit is not None:
                due = min(due, self.limit - self.produced)
            if due <= 0:
                continue
            now = time.time()
            made = [self.scenario.next(now) for _ in range(due)]
            self.history.extend(made)
            self.produced += due
            if self.publisher is not None:
                await self.publisher.publish(made)
            self._new_events.set()
            self._new_events = asyncio.Event()

    # -- serving -----------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.Response:
        text = (
            "Live dashboard demo feed\n\n"
            f"GET /events  Server-Sent Events, {self.rate:g} events/s "
            "(send Last-Event-ID to resume)\n"
            "GET /ws  the same events over WebSocket, a frame of JSON lines per tick "
            "(?batch=0: one event per frame; ?binary=1: binary frames)\n"
            "GET /events?count=N[&rate=R]  N events for this client only, as fast as the "
            "socket takes them or paced at R/s, then the end (benchmarks)\n"
            'POST /v1/chat/completions  {"model": "m", "stream": true, "chunks": 5}: an '
            "LLM-style stream of that many chunks, then data: [DONE]\n"
        )
        return web.Response(text=text)

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        """The same events over WebSocket: each tick's events as one frame of JSON lines
        (``?batch=0``: one event per frame; ``?binary=1``: binary frames). A broken or
        oversized demo event always travels in a frame of its own."""
        self.request_headers.append(dict(request.headers))
        ws = web.WebSocketResponse(protocols=("dashboard.v1",), heartbeat=self.heartbeat)
        await ws.prepare(request)
        self.ws_protocols.append(ws.ws_protocol)
        self.sockets.add(ws)
        binary = request.query.get("binary") == "1"
        batch = request.query.get("batch", "1") != "0"
        send = (
            ws.send_bytes if binary else (lambda data: ws.send_str(data.decode("utf-8", "replace")))
        )
        next_id = self._resume_point(None)
        self.streams += 1
        # Read what the client sends (pings, its close frame) so a close is answered at once.
        reader = asyncio.create_task(self._drain(ws))
        try:
            while not ws.closed:
                events = self._events_from(next_id)
                if not events:
                    waiter = asyncio.create_task(self._new_events.wait())
                    await asyncio.wait(
                        (waiter, reader),
                        timeout=self.heartbeat,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    waiter.cancel()
                    if self._runner is None or reader.done():
                        break
                    continue
                next_id += len(events)
                good = [e.line for e in events if not e.junk]
                if batch and good:
                    await send(b"\n".join(good))
                elif good:
                    for line in good:
                        await send(line)
                for junk in (e for e in events if e.junk):
                    await ws.send_bytes(junk.line)  # bytes as they are, even invalid UTF-8
        except ConnectionResetError:
            pass
        finally:
            self.streams -= 1
            self.sockets.discard(ws)
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        return ws

    @staticmethod
    async def _drain(ws: web.WebSocketResponse) -> None:
        async for _message in ws:
            pass

    async def _sse(self, request: web.Request) -> web.StreamResponse:
        self.request_headers.append(dict(request.headers))
        if "count" in request.query:
            return await self._bench_stream(request)
        last_id = request.headers.get("Last-Event-ID")
        self.last_event_ids.append(last_id)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        try:  # a client gone before its answer started (a window closing) is no error
            await response.prepare(request)
            if self.retry_ms is not None:
                await response.write(b"retry: %d\n\n" % self.retry_ms)
        except ConnectionResetError:
            return response
        next_id = self._resume_point(last_id)
        self.streams += 1
        try:
            while True:
                events = self._events_from(next_id)
                if events:
                    next_id += len(events)
                    await response.write(b"".join(e.frame for e in events))
                    continue
                waiter = self._new_events
                try:
                    await asyncio.wait_for(waiter.wait(), self.heartbeat)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                if self._runner is None:
                    break
        except ConnectionResetError:
            pass
        finally:
            self.streams -= 1
        return response

    async def _bench_stream(self, request: web.Request) -> web.StreamResponse:
        """``?count=N[&rate=R]``: N demo events for this client alone, then the end.

        Without a rate they go as fast as the socket takes them; with one, paced at R per
        second and stamped with the time they are sent (for latency measurements).
        """
        try:
            count = int(request.query["count"])
            rate = float(request.query.get("rate", 0))
            if count < 0 or rate < 0:
                raise ValueError
        except ValueError:
            raise web.HTTPBadRequest(text="count and rate must be non-negative numbers") from None
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        frames = self.bench_pool.frames
        size = len(frames)
        sent = 0
        started = time.monotonic()
        while sent < count:
            if rate:
                await asyncio.sleep(BENCH_TICK)
                due = min(count, int((time.monotonic() - started) * rate)) - sent
                if due <= 0:
                    continue
                stamp = iso(time.time()).encode()
                batch = b"".join(
                    b"id: %d\n%s" % (i + 1, frames[i % size].replace(EPOCH_ISO, stamp))
                    for i in range(sent, sent + due)
                )
            else:
                due = min(BENCH_BATCH, count - sent)
                batch = b"".join(
                    b"id: %d\n%s" % (i + 1, frames[i % size]) for i in range(sent, sent + due)
                )
            try:
                await response.write(batch)
            except ConnectionResetError:  # the client had enough: not the server's problem
                return response
            sent += due
        await response.write_eof()
        return response

    def _resume_point(self, last_id: str | None) -> int:
        """The id of the first event to send: after *last_id* when known, else from now."""
        newest = self.history[-1].id if self.history else self.produced
        if last_id is not None and last_id.isdigit():
            wanted = int(last_id) + 1
            oldest = self.history[0].id if self.history else wanted
            if oldest <= wanted <= newest + 1:
                return wanted
        return newest + 1

    def _events_from(self, first_id: int) -> list[FeedEvent]:
        """The events from *first_id* on, at most SEND_CHUNK of them (a client far behind
        takes them in several writes). A slice of the deque, not an index per event: a
        deque's index walks from its nearer end, and a client 400,000 events behind cost
        the feed 1.7 s a call, stalling every stream and the producer on its loop (the
        soak's connections then fell further and further behind)."""
        history = self.history
        if not history or history[-1].id < first_id:
            return []
        start = max(0, first_id - history[0].id)
        return list(itertools.islice(history, start, start + SEND_CHUNK))


class BenchPool:
    """Demo event frames made once (without their id line), replayed by the bench mode.

    Their time fields hold EPOCH_ISO so that the paced mode can stamp the send time.
    """

    def __init__(self, size: int = 20_000, seed: int = 1) -> None:
        scenario = DemoScenario(seed=seed)
        self.frames = [scenario.next(0.0).frame.split(b"\n", 1)[1] for _ in range(size)]


class FeedThread:
    """Runs a FeedServer on its own asyncio loop in a background thread.

    This is how ``--demo`` embeds the feed and how tests get a real server that they can
    stop and restart while the client under test keeps running on another loop.
    """

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="demo-feed", daemon=True
        )
        self._thread.start()

    def _call(self, coro_factory, timeout: float = 10.0):  # type: ignore[no-untyped-def]
        future = asyncio.run_coroutine_threadsafe(coro_factory(), self._loop)
        return future.result(timeout)

    def start(self) -> FeedThread:
        self._call(self.server.start)
        return self

    def stop(self) -> None:
        self._call(self.server.stop)

    def close(self) -> None:
        """Stop the server and end the thread."""
        if self._loop.is_closed():
            return
        self._call(self._shutdown)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        await self.server.stop()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def snapshot(self) -> list[FeedEvent]:
        """A consistent copy of the history, taken on the server's own loop."""

        async def copy() -> list[FeedEvent]:
            return list(self.server.history)

        return self._call(copy)
