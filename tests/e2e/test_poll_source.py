"""Polled endpoints against a real server on loopback: answers that change every few polls,
failed polls rejected with their reason while polling goes on, only changes if asked."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from dashboard.core.events.event import Event
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedThread
from dashboard.feed.watch import WatchServer
from dashboard.sources import open_source
from dashboard.sources.base import ConnectionState
from dashboard.sources.poll import PollSource
from tests.helpers import run, serve, wait_for


def health(status: str, second: int, **more: Any) -> web.Response:
    body = {"status": status, "time": f"2026-12-06T08:00:{second:02d}Z", **more}
    return web.Response(body=orjson.dumps(body), content_type="application/json")


# What the endpoint answers, poll by poll: "ok" three times, "degraded" twice, a 503, text
# that is not JSON, "degraded" again, "ok" twice. Every answer has a new time.
ANSWERS = ["ok", "ok", "ok", "degraded", "degraded", 503, "text", "degraded", "ok", "ok"]


@pytest.mark.parametrize("only_changes", [False, True])
def test_each_answer_is_an_event_and_failed_polls_are_rejected(only_changes: bool) -> None:
    requests: list[dict[str, str]] = []
    forever = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(dict(request.headers))
        index = len(requests) - 1
        if index >= len(ANSWERS):
            await forever.wait()  # the poll after the last answer waits: counts stay still
        answer = ANSWERS[index]
        if answer == 503:
            return web.json_response({"status": "down"}, status=503, reason="Service Unavailable")
        if answer == "text":
            return web.Response(text="everything is fine")
        return health(str(answer), index)

    async def scenario() -> None:
        async with serve(handler, "/health") as url:
            store = EventStore()
            options: dict[str, Any] = {"poll": "100ms"}
            if only_changes:
                options["poll_changes"] = True
            spec = ConnectionSpec(url, "health", headers={"X-Team": "ops"}, options=options)
            source = open_source(spec, store)
            assert isinstance(source, PollSource)
            source.failures = Backoff(base=0.1, cap=0.2, jitter=0.0)
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: len(requests) == len(ANSWERS) + 1)
                events = store.events(0, store.end_seq)
                rejected = store.rejected(0, store.rejected_total)
                status = source.status
                assert status.state is ConnectionState.LIVE and status.last_error == ""
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                forever.set()
        good = [i for i, a in enumerate(ANSWERS) if isinstance(a, str) and a != "text"]
        if only_changes:
            good = [0, 3, 8]  # ok, degraded (the one after the failures is no change), ok
            assert source.status.duplicates == 5
        assert [e.data["status"] for e in events] == [ANSWERS[i] for i in good]
        assert {e.type for e in events} == {"poll"} and {e.source for e in events} == {"health"}
        assert [e.time % 60 for e in events] == [float(i) for i in good]  # the answers' times
        assert [r.reason for r in rejected] == [
            "the poll was answered 503 Service Unavailable",
            "the answer is not JSON",
        ]
        assert rejected[0].raw == b'{"status": "down"}' and rejected[1].raw == b"everything is fine"
        assert all(r["X-Team"] == "ops" for r in requests)

    run(scenario())


def test_a_poll_sends_the_method_and_body_of_the_connection(tmp_path: Path) -> None:
    """A JSON-RPC or GraphQL status query is a POST with a body: each poll sends it (a
    @FILE body read again at each poll), with its JSON Content-Type."""
    asked: list[tuple[str, str, bytes]] = []
    query = tmp_path / "query.json"
    query.write_bytes(b'{"query": "{ health }", "n": 1}')

    async def handler(request: web.Request) -> web.Response:
        asked.append((request.method, request.content_type, await request.read()))
        if len(asked) == 2:
            query.write_bytes(b'{"query": "{ health }", "n": 2}')
        return web.json_response({"type": "health", "poll": len(asked)})

    async def scenario() -> None:
        async with serve(handler, "/graphql", method="POST") as url:
            store = EventStore()
            spec = ConnectionSpec(url, "q", options={"poll": "100ms", "body": f"@{query}"})
            source = open_source(spec, store)
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 3)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            assert [e.data["poll"] for e in store.events(0, 3)] == [1, 2, 3]

    run(scenario())
    assert asked[:3] == [
        ("POST", "application/json", b'{"query": "{ health }", "n": 1}'),
        ("POST", "application/json", b'{"query": "{ health }", "n": 1}'),
        ("POST", "application/json", b'{"query": "{ health }", "n": 2}'),
    ]


def test_an_answer_over_the_size_limit_is_rejected_without_reading_it_all() -> None:
    calls = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(1)
        if len(calls) == 1:
            return web.Response(body=b'{"type": "huge", "data": "' + b"x" * 50_000 + b'"}')
        return web.json_response({"type": "health.ok"})

    async def scenario() -> None:
        async with serve(handler, "/health") as url:
            store = EventStore()
            spec = ConnectionSpec(url, "h", max_frame_bytes=1000, options={"poll": "0.1"})
            source = open_source(spec, store)
            source.failures = Backoff(base=0.1, jitter=0.0)  # type: ignore[attr-defined]
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 1)  # (polls go on: 2 if the loop was slow)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            [rejected] = store.rejected(0, store.rejected_total)
            assert rejected.reason == "frame of 50,028 bytes is over the 1,000-byte limit"
            assert len(rejected.raw) <= 4096
            assert store.events(0, 1)[0].type == "health.ok"

    run(scenario())


RECORD = [sys.executable, "-m", "dashboard", "record"]
POLL_CHANGES = ["--poll", "100ms", "--poll-changes"]


def test_record_polls_an_endpoint_in_a_reader_process(tmp_path: Path) -> None:
    server = WatchServer()
    feed = FeedThread(server).start()  # type: ignore[arg-type]  (any server with start/stop)
    out = tmp_path / "health.jsonl"
    url = server.url("/health")
    try:
        result = subprocess.run(
            [*RECORD, url, "-o", str(out), "--count", "3", *POLL_CHANGES],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        feed.close()
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Recorded 3 events and 0 rejected")
    with open_events_file(str(out)) as stream:
        events = [e for e in read_events(stream, out.name) if isinstance(e, Event)]
    assert [(e.type, e.data["status"]) for e in events] == [
        ("health", "ok"),
        ("health", "degraded"),
        ("health", "ok"),
    ]
    assert [e.time % 60 for e in events] == [0.0, 3.0, 6.0]  # polls 1, 4 and 7
