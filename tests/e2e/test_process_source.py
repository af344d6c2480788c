"""A feed read in a child process: what reaches the app, status, resume, and how it ends."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from dashboard.core.storage.store import EventStore
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer
from dashboard.sources.base import ConnectionState
from dashboard.sources.process import ProcessSource
from dashboard.sources.sse import SSESource
from tests.helpers import run, serve, sse_response, wait_for

# A child process takes a moment to start (a fresh interpreter importing the sources).
START = 30.0


async def stop_task(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


@dataclass
class Reading:
    """The demo feed, and a ProcessSource reading it into a store (``task`` runs it)."""

    server: FeedServer
    store: EventStore
    source: ProcessSource
    task: asyncio.Task

    def connect(self) -> None:
        self.task = asyncio.create_task(self.source.run())


@asynccontextmanager
async def demo_feed_in_a_child(rate: float, seed: int) -> AsyncIterator[Reading]:
    server = FeedServer(rate=rate, seed=seed)
    await server.start()
    store = EventStore()
    source = ProcessSource(ConnectionSpec(server.url, "demo"), store)
    reading = Reading(server, store, source, asyncio.create_task(source.run()))
    try:
        yield reading
    finally:
        await stop_task(reading.task)
        await server.stop()


def child_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_events_are_those_the_same_source_decodes_in_process() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=5000, seed=3, paused=True, limit=1500, junk=0.02)
        await server.start()
        here, there = EventStore(), EventStore()
        in_process = SSESource(ConnectionSpec(server.url, "demo"), here)
        in_child = ProcessSource(ConnectionSpec(server.url, "demo"), there)
        tasks = [asyncio.create_task(s.run()) for s in (in_process, in_child)]
        try:
            await wait_for(lambda: server.streams == 2, START)
            await wait_for(lambda: in_child.status.state is ConnectionState.LIVE)
            assert in_child.pid is not None and in_child.pid != os.getpid()
            server.paused = False
            await wait_for(lambda: there.counts.get("demo") and there.counts["demo"].frames == 1500)
            await wait_for(lambda: here.counts["demo"].frames == 1500)
            assert there.end_seq == here.end_seq > 1400  # the junk is rejected in both
            both = zip(here.events(0, here.end_seq), there.events(0, there.end_seq), strict=True)
            for mine, theirs in both:
                assert (mine.type, mine.time, mine.source, mine.severity, mine.data) == (
                    theirs.type,
                    theirs.time,
                    theirs.source,
                    theirs.severity,
                    theirs.data,
                )
                assert (mine.raw, mine.id, mine.declared_type, mine.connection) == (
                    theirs.raw,
                    theirs.id,
                    theirs.declared_type,
                    "demo",
                )
            rejected = there.rejected(0, there.rejected_total)
            assert [r.reason for r in rejected] == [
                r.reason for r in here.rejected(0, here.rejected_total)
            ]
            assert rejected and all(r.connection == "demo" for r in rejected)
            assert in_child.status.last_event_id == "1500"
            assert in_child.status.bytes_received == in_process.status.bytes_received
        finally:
            for task in tasks:
                await stop_task(task)
            await server.stop()

    run(scenario(), timeout=60)


def test_a_new_run_resumes_after_the_last_event_of_the_one_before() -> None:
    async def scenario() -> None:
        async with demo_feed_in_a_child(rate=1000, seed=4) as feed:
            source = feed.source
            await wait_for(lambda: feed.store.end_seq >= 50, START)
            pid = source.pid
            await stop_task(feed.task)  # the operator disconnects
            assert pid is not None and source.pid is None
            await wait_for(lambda: not child_alive(pid))
            seen = source.status.last_event_id
            assert seen and int(seen) >= 50
            feed.connect()  # ... and connects again
            await wait_for(lambda: len(feed.server.last_event_ids) == 2, START)
            assert feed.server.last_event_ids == [None, seen]

    run(scenario(), timeout=60)


def test_a_server_that_says_stop_stops_the_run_with_its_reason() -> None:
    async def gone(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    async def scenario() -> None:
        async with serve(gone) as url:
            source = ProcessSource(ConnectionSpec(url, "gone"), EventStore())
            await asyncio.wait_for(source.run(), START)
        assert source.status.state is ConnectionState.STOPPED
        assert source.status.detail == "not found (404 Not Found): check the URL path"

    run(scenario(), timeout=60)


def test_status_between_batches_reaches_the_app() -> None:
    """A stream that ends is retried: 'reconnecting', with the count, comes across."""
    calls = 0

    async def short(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        return await sse_response(request, b"retry: 60000\nid: 1\ndata: {}\n\n")  # (ids: resumed)

    async def scenario() -> None:
        async with serve(short) as url:
            store = EventStore()
            source = ProcessSource(ConnectionSpec(url, "short"), store)
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: source.status.state is ConnectionState.RECONNECTING, START)
                assert source.status.retry_at is not None
                assert source.status.ever_live and calls == 1 and store.end_seq == 1
            finally:
                await stop_task(task)

    run(scenario(), timeout=60)


def test_a_reader_that_dies_is_restarted_and_the_feed_resumes_after_its_last_event() -> None:
    async def scenario() -> None:
        async with demo_feed_in_a_child(rate=500, seed=5) as feed:
            source, store = feed.source, feed.store
            await wait_for(lambda: store.end_seq >= 20, START)
            pid = source.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            await wait_for(lambda: len(feed.server.last_event_ids) == 2, START)
            assert source.pid not in (None, pid)
            seen = feed.server.last_event_ids[1]
            assert seen is not None and int(seen) >= 20  # the last one stored
            await wait_for(lambda: store.end_seq >= int(seen) + 20)
            got = [int(e.id) for e in store.events(0, store.end_seq)]
            assert got == list(range(got[0], got[0] + len(got)))  # none lost, none twice
            assert source.status.state is ConnectionState.LIVE
            assert source.status.last_error == (
                "the reader process ended unexpectedly (signal 9); resumed"
            )
            assert not feed.task.done()

    run(scenario(), timeout=60)


def test_a_prepared_reader_is_the_one_that_reads_and_a_discarded_one_ends() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=200, seed=6)
        await server.start()
        try:
            store = EventStore()
            used = ProcessSource(ConnectionSpec(server.url, "used"), store)
            unused = ProcessSource(ConnectionSpec(server.url, "unused"), store)
            used.prepare()
            unused.prepare()
            (prepared_pid,) = used.pool.pids()
            unused_reader = unused.pool.readers[0].process
            assert prepared_pid is not None and unused_reader is not None
            task = asyncio.create_task(used.run())
            try:
                await wait_for(lambda: store.end_seq >= 20, START)
                assert used.pid == prepared_pid
                assert server.streams == 1  # the unused reader never connected
                unused.discard()
                await wait_for(lambda: not unused_reader.is_alive(), 10)  # (and reaped)
                assert unused_reader.exitcode == 0
            finally:
                await stop_task(task)
            assert not child_alive(prepared_pid)
            assert "unused" not in store.counts
        finally:
            await server.stop()

    run(scenario(), timeout=60)


def test_a_prepared_reader_that_died_waiting_is_started_again_when_run() -> None:
    async def scenario() -> None:
        server = FeedServer(rate=200, seed=7)
        await server.start()
        store = EventStore()
        source = ProcessSource(ConnectionSpec(server.url, "early"), store)
        source.prepare()
        reader = source.pool.readers[0].process
        assert reader is not None and reader.pid is not None
        os.kill(reader.pid, signal.SIGKILL)
        await wait_for(lambda: not reader.is_alive(), 10)
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: store.end_seq >= 5, START)
            assert source.pid not in (None, reader.pid)
            assert source.status.last_error == (
                "the reader process ended unexpectedly (signal 9); resumed"
            )
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario(), timeout=60)
