"""The reader pool: many connections in one reader process, each with its own fate."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from aiohttp import web

from dashboard.core.storage.store import EventStore
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer
from dashboard.sources.base import ConnectionState
from dashboard.sources.pool import ReaderPool
from dashboard.sources.process import ProcessSource
from tests.helpers import run, serve, wait_for

START = 30.0  # a reader process takes a moment to start (a fresh interpreter)
KILLED = "the reader process ended unexpectedly (signal 9); resumed"


async def stop_task(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def ids(store: EventStore, name: str) -> list[int]:
    return [int(e.id) for e in store.events(0, store.end_seq) if e.connection == name]


def accepted(store: EventStore, name: str) -> int:
    counts = store.counts.get(name)
    return counts.accepted if counts else 0


@asynccontextmanager
async def dropping_feed(total: int, per_stream: int) -> AsyncIterator[str]:
    """SSE events 1..*total* (about 1,000/s), resumed after Last-Event-ID; each stream is
    dropped after *per_stream* events."""

    async def handler(request: web.Request) -> web.StreamResponse:
        last = request.headers.get("Last-Event-ID")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"retry: 20\n\n")
        first = int(last or 0) + 1
        for n in range(first, min(total, first + per_stream - 1) + 1):
            await response.write(b'id: %d\ndata: {"type": "drop", "n": %d}\n\n' % (n, n))
            if n % 10 == 0:
                await asyncio.sleep(0.01)
        await response.write_eof()
        return response

    async with serve(handler) as url:
        yield url


@asynccontextmanager
async def refusing_feed() -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=401)

    async with serve(handler) as url:
        yield url


@asynccontextmanager
async def running(pool: ReaderPool, *sources: ProcessSource) -> AsyncIterator[list[asyncio.Task]]:
    tasks = [asyncio.create_task(s.run()) for s in sources]
    try:
        yield tasks
    finally:
        for task in tasks:
            await stop_task(task)
        await pool.aclose()


def test_a_killed_reader_resumes_every_connection_and_each_keeps_its_own_fate() -> None:
    total = 4000

    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            server = FeedServer(rate=1000, seed=7, paused=True, limit=total)
            await server.start()
            stack.push_async_callback(server.stop)
            drop_url = await stack.enter_async_context(dropping_feed(total, 300))
            refused_url = await stack.enter_async_context(refusing_feed())
            store, pool = EventStore(), ReaderPool(1)
            healthy = [
                ProcessSource(ConnectionSpec(server.url, f"healthy-{i}"), store, pool)
                for i in (1, 2)
            ]
            dropped = ProcessSource(ConnectionSpec(drop_url, "dropped"), store, pool)
            refused = ProcessSource(ConnectionSpec(refused_url, "refused"), store, pool)
            sources = [*healthy, dropped, refused]
            await stack.enter_async_context(running(pool, *sources))
            await wait_for(lambda: server.streams == 2, START)
            await wait_for(lambda: refused.status.state is ConnectionState.STOPPED)
            refused_status = (refused.status.detail, refused.status.last_error)
            assert "401" in refused_status[0] and refused_status[0] == refused_status[1]
            server.paused = False
            await wait_for(lambda: min(accepted(store, s.name) for s in sources[:3]) >= 500)
            pid = pool.pids()[0]
            assert pid is not None and all(s.pid == pid for s in sources[:3])
            os.kill(pid, signal.SIGKILL)
            await wait_for(lambda: pool.pids()[0] not in (None, pid), START)
            for source in sources[:3]:
                await wait_for(lambda s=source: accepted(store, s.name) == total, START)
                assert ids(store, source.name) == list(range(1, total + 1)), source.name
                assert source.status.last_error in (KILLED, "")  # (cleared by a later drop)
                assert source.pid == pool.pids()[0]
            for source in healthy:
                assert source.status.last_error == KILLED
                assert source.status.state is ConnectionState.LIVE
            assert store.rejected_total == 0
            assert len(server.last_event_ids) == 4  # two streams each: before and after
            assert None not in server.last_event_ids[2:]  # resumed where each was
            assert refused.status.state is ConnectionState.STOPPED
            assert (refused.status.detail, refused.status.last_error) == refused_status
            assert accepted(store, "refused") == 0

    run(scenario(), timeout=120)


def test_adding_and_removing_a_connection_leaves_the_others_alone() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=500, seed=8)
        await server.start()
        store, pool = EventStore(), ReaderPool(1)
        first = ProcessSource(ConnectionSpec(server.url, "first"), store, pool)
        try:
            async with running(pool, first):
                await wait_for(lambda: first.status.state is ConnectionState.LIVE, START)
                pid = first.pid
                requests = len(server.last_event_ids)
                second = ProcessSource(ConnectionSpec(server.url, "second"), store, pool)
                task = asyncio.create_task(second.run())
                await wait_for(lambda: accepted(store, "second") >= 20, START)
                assert second.pid == pid == first.pid
                seen = accepted(store, "first")
                await stop_task(task)  # the operator disconnects the second
                await wait_for(lambda: server.streams == 1)
                await wait_for(lambda: accepted(store, "first") >= seen + 50)
                assert first.pid == pid and pool.pids() == [pid]
                assert len(server.last_event_ids) == requests + 1  # only the second's
                assert first.status.state is ConnectionState.LIVE
                assert (first.status.reconnects, first.status.last_error) == (0, "")
                assert ids(store, "first") == list(
                    range(ids(store, "first")[0], ids(store, "first")[-1] + 1)
                )
        finally:
            await server.stop()

    run(scenario(), timeout=90)


def test_two_readers_share_the_connections_out() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=200, seed=9)
        await server.start()
        store, pool = EventStore(), ReaderPool(2)
        pool.prepare()  # both start loading at once
        sources = [
            ProcessSource(ConnectionSpec(server.url, f"c{i}"), store, pool) for i in range(4)
        ]
        try:
            async with running(pool, *sources):
                for source in sources:
                    await wait_for(lambda s=source: accepted(store, s.name) >= 5, START)
                pids = [s.pid for s in sources]
                assert None not in pids and len(set(pids)) == 2
                assert sorted(pids.count(p) for p in set(pids)) == [2, 2]
                assert set(pids) == set(pool.pids()) and os.getpid() not in pids
        finally:
            await server.stop()

    run(scenario(), timeout=90)


def test_a_reader_that_keeps_dying_is_not_started_again_for_ever() -> None:
    """A connection that crashes the interpreter would have its reader restarted in a loop:
    past CRASH_LIMIT ends within CRASH_WINDOW its connections stop, saying why."""
    from dashboard.sources.pool import CRASH_LIMIT

    async def scenario() -> None:
        async with AsyncExitStack() as stack:
            server = FeedServer(rate=200, seed=7)
            await server.start()
            stack.push_async_callback(server.stop)
            store, pool = EventStore(), ReaderPool(1)
            source = ProcessSource(ConnectionSpec(server.url, "doomed"), store, pool)
            await stack.enter_async_context(running(pool, source))
            pids: list[int] = []
            for _death in range(CRASH_LIMIT):
                await wait_for(lambda: pool.pids()[0] not in (None, *pids), START)
                await wait_for(lambda: source.status.state is ConnectionState.LIVE, START)
                pid = pool.pids()[0]
                assert pid is not None
                pids.append(pid)
                os.kill(pid, signal.SIGKILL)
            await wait_for(lambda: source.status.state is ConnectionState.STOPPED, START)
            assert source.status.last_error == (
                f"the reader process ended unexpectedly {CRASH_LIMIT} times within 60 s "
                "(last: signal 9); stopped: connect again to retry"
            )
            assert pool.pids() == [None] and source.status.reconnects == CRASH_LIMIT - 1

    run(scenario(), timeout=180)
