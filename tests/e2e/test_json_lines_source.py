"""JSON lines over HTTP against real servers on loopback: a Kubernetes-shaped watch that
drops, resumes by resourceVersion and answers 410 Gone; Docker-shaped events resumed with
since=; plain NDJSON and text lines with the bounds."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from dashboard.core.events.event import Event, Severity
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.logline import read_log_line
from dashboard.feed.server import FeedThread
from dashboard.feed.watch import WatchServer
from dashboard.sources.base import ConnectionState
from dashboard.sources.sse import SSESource
from tests.helpers import run, serve, sse_response, wait_for
from tests.unit.factories import nested_text


def fast_backoff() -> Backoff:
    return Backoff(base=0.01, factor=2.0, cap=0.2, jitter=0.0)


async def stop_task(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def seen(store: EventStore) -> list[tuple[str, str]]:
    return [(e.type, e.source) for e in store.events(0, store.end_seq)]


@pytest.mark.parametrize("gone_as", ["event", "status"])
def test_a_kubernetes_watch_resumes_and_relists_after_410_without_duplicates(gone_as: str) -> None:
    async def scenario() -> None:
        server = WatchServer()
        server.gone_as_status = gone_as == "status"
        for name in ("a", "b", "c"):
            server.add(name)  # resourceVersions 101-103
        await server.start()
        store = EventStore()
        spec = ConnectionSpec(server.url() + "?watch=true", "k8s")
        source = SSESource(spec, store, backoff=fast_backoff())
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: store.end_seq == 3)
            assert seen(store) == [("Pod.ADDED", f"demo/{n}") for n in "abc"]
            server.modify("a", "Running")  # 104
            await wait_for(lambda: store.end_seq == 4)
            assert source.checkpoint() == {"resourceVersion": "104"}

            server.drop()  # cut: the watch goes on from 104
            await wait_for(lambda: len(server.watch_versions) == 2 and server.streams == 1)
            assert server.watch_versions == [None, "104"]
            server.modify("b", "Running")  # 105
            await wait_for(lambda: store.end_seq == 5)

            await server.stop()  # meanwhile: changes, and the history is compacted away
            server.modify("c", "Failed")  # 106
            server.delete("b")  # 107
            server.add("d")  # 108
            server.compact()
            await server.start()
            await wait_for(lambda: server.streams == 1 and server.watch_versions[-1] == "108")
            assert store.end_seq == 8  # the relist's news, each once: a (seen at 104) is not
            assert seen(store)[5:] == [
                ("Pod.MODIFIED", "demo/c"),
                ("Pod.ADDED", "demo/d"),
                ("Pod.DELETED", "demo/b"),
            ]
            assert server.lists == [{"limit": "500"}]
            assert server.watch_versions[-2:] == ["105", "108"]
            server.modify("d", "Running")  # 109: the watch from the list's version goes on
            await wait_for(lambda: store.end_seq == 9)
            events = store.events(0, 9)
            # The relist's events carry their object's version; the deletion the list's.
            ids = ["101", "102", "103", "104", "105", "106", "108", "108", "109"]
            assert [e.id for e in events] == ids
            assert events[3].data["object"]["status"] == {"phase": "Running"}
            assert (
                events[3].time == datetime(2026, 12, 6, 8, 44, tzinfo=UTC).timestamp()
            )  # managedFields
            assert store.rejected_total == 0 and source.status.duplicates == 0
            assert "410" in source.status.last_error or "expired" in source.status.last_error
            assert source.status.state is ConnectionState.LIVE
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario())


def test_a_watch_event_sent_again_after_a_resume_is_dropped_and_counted() -> None:
    async def scenario() -> None:
        server = WatchServer()
        server.resend_last = True
        server.add("a")
        await server.start()
        store = EventStore()
        source = SSESource(ConnectionSpec(server.url() + "?watch=1", "k8s"), store)
        source.backoff = fast_backoff()
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: store.end_seq == 1)
            server.modify("a", "Running")
            await wait_for(lambda: store.end_seq == 2)
            server.drop()
            await wait_for(lambda: source.status.duplicates == 1)
            server.modify("a", "Succeeded")
            await wait_for(lambda: store.end_seq == 3)
            assert [e.data["object"]["status"]["phase"] for e in store.events(0, 3)] == [
                "Pending", "Running", "Succeeded",
            ]  # fmt: skip
            assert server.watch_versions == [None, "102"]
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario())


def test_docker_events_resume_with_since_and_drop_what_was_sent_again() -> None:
    async def scenario() -> None:
        server = WatchServer()
        await server.start()
        store = EventStore()
        source = SSESource(ConnectionSpec(server.url("/events"), "docker"), store)
        source.backoff = fast_backoff()
        task = asyncio.create_task(source.run())
        try:
            await wait_for(lambda: server.streams == 1)
            server.docker("start", "web")
            server.docker("die", "web", exit_code="137")
            await wait_for(lambda: store.end_seq == 2)
            server.drop()  # the daemon sends again from since=, the last event included
            await wait_for(lambda: len(server.docker_since) == 2 and server.streams == 1)
            assert server.docker_since == [None, "1700000000.000001000"]
            server.docker("oom", "db")
            server.docker("exec_start: sh -c date", "web")
            await wait_for(lambda: store.end_seq == 4)
            events = store.events(0, 4)
            assert [(e.type, e.source) for e in events] == [
                ("container.start", "web"),
                ("container.die", "web"),
                ("container.oom", "db"),
                ("container.exec_start", "web"),
            ]
            assert [e.severity for e in events] == [
                Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.INFO,
            ]  # fmt: skip
            assert events[1].time == 1_700_000_000.000001
            assert events[0].data["Actor"]["Attributes"]["name"] == "web"
            assert source.status.duplicates == 1 and store.rejected_total == 0
            assert source.checkpoint() == {"since_nanos": 1_700_000_000_000_003_000}
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario())


@pytest.mark.parametrize(
    ("content_type", "text_line"),
    [("application/x-ndjson", "rejected"), ("text/plain; charset=utf-8", "event")],
)
def test_lines_are_events_and_bad_or_long_lines_are_rejected_with_a_reason(
    content_type: str, text_line: str
) -> None:
    body = (
        b'{"type": "order.placed", "data": {"id": 1}}\r\n'
        b"\n"
        b"2026-12-06T07:45:40.250Z ERROR disk full on /var\n"
        + b'{"type": "big", "data": "'
        + b"x" * 5000
        + b'"}\n'
        + b'{"type": "broken"\n'
        b"42\n"
        b'{"type": "order.paid", "data": {"id": 1}}'  # the last line has no line break
    )

    answers = []

    async def handler(request: web.Request) -> web.StreamResponse:
        answers.append(request.path)
        return await sse_response(request, body, content_type)

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            spec = ConnectionSpec(url, "lines", max_frame_bytes=1000)
            source = SSESource(spec, store, backoff=fast_backoff())
            task = asyncio.create_task(source.run())
            try:
                # nothing to resume from: read once (reconnect = auto)
                await wait_for(lambda: source.status.state is ConnectionState.FINISHED)
                assert len(answers) == 1
                events = store.events(0, store.end_seq)
                rejected = [r.reason for r in store.rejected(0, store.rejected_total)]
            finally:
                await stop_task(task)
        types = [e.type for e in events]
        if text_line == "event":  # a text line as from a file: type log, time and level read
            assert types == ["order.placed", "log", "message", "order.paid"]
            line = "2026-12-06T07:45:40.250Z ERROR disk full on /var"
            assert events[1].data == line
            assert events[1].time == datetime(2026, 12, 6, 7, 45, 40, 250000, UTC).timestamp()
            assert events[1].severity is Severity.ERROR
            assert (events[1].time, events[1].severity) == read_log_line(line, 0.0)
        else:
            assert types == ["order.placed", "message", "order.paid"]
            assert rejected[0] == "not JSON (a line of a JSON-lines answer)"
        assert [e.data for e in events if e.type == "message"][-1] == 42
        assert "frame of 5,027 bytes is over the 1,000-byte limit" in rejected
        assert any(r.startswith("invalid JSON") for r in rejected)
        assert len(rejected) == (2 if text_line == "event" else 3)

    run(scenario())


def test_record_reads_a_kubernetes_watch_in_a_reader_process(tmp_path: Path) -> None:
    server = WatchServer()
    for name in ("a", "b", "c"):
        server.add(name)
    feed = FeedThread(server).start()  # type: ignore[arg-type]  (any server with start/stop)
    out = tmp_path / "pods.jsonl"
    url = server.url() + "?watch=true"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "dashboard", "record", url, "-o", str(out), "--count", "3"],
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
    assert [(e.type, e.source, e.id) for e in events] == [
        ("Pod.ADDED", "demo/a", "101"),
        ("Pod.ADDED", "demo/b", "102"),
        ("Pod.ADDED", "demo/c", "103"),
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "events"),
    [
        (b'{\n  "status": "ok",\n  "checks": [1, 2]\n}\n', "application/json", 1),
        (b'{"type": "a"}\n{"type": "b"}\n', "application/json", 2),
        (b'{"type": "a"}\n{"type": "b"}\n{"type": "c"}\n', "application/x-ndjson", 3),
    ],
)
def test_a_whole_answer_is_read_once_and_the_connection_says_to_poll(
    body: bytes, content_type: str, events: int
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type)

    async def scenario() -> None:
        async with serve(handler, "/status") as url:
            store = EventStore()
            source = SSESource(ConnectionSpec(url, "status"), store)
            await source.run()  # it stops by itself
            assert store.end_seq == events and store.rejected_total == 0
            assert source.status.detail == (
                f"the server sent a whole answer ({len(body)} bytes), not a stream: read once "
                "(--poll DURATION fetches a JSON document on an interval)"
            )
            if events == 1:
                assert store.events(0, 1)[0].data == {"status": "ok", "checks": [1, 2]}

    run(scenario())


def test_a_new_source_resumes_from_the_checkpoint_of_the_one_before() -> None:
    """As a restarted reader process does: the watch goes on from the version it had."""

    async def scenario() -> None:
        server = WatchServer()
        server.add("a")
        await server.start()
        url = server.url() + "?watch=true"
        first_store, second_store = EventStore(), EventStore()
        first = SSESource(ConnectionSpec(url, "k8s"), first_store)
        task = asyncio.create_task(first.run())
        try:
            await wait_for(lambda: first_store.end_seq == 1)
        finally:
            await stop_task(task)
        server.modify("a", "Running")  # while no one watches
        second = SSESource(ConnectionSpec(url, "k8s"), second_store)
        second.resume(first.checkpoint())
        task = asyncio.create_task(second.run())
        try:
            await wait_for(lambda: second_store.end_seq == 1)
            [event] = second_store.events(0, 1)
            assert (event.type, event.id) == ("Pod.MODIFIED", "102")
            assert server.watch_versions == [None, "101"]
        finally:
            await stop_task(task)
            await server.stop()

    run(scenario())


def _pod(name: str, version: int, spec: bytes = b"{}") -> bytes:
    """A pod as a list's item, written by hand (no JSON writer writes 300 levels)."""
    metadata = f'{{"name": "{name}", "namespace": "demo", "resourceVersion": "{version}"}}'
    return b'{"metadata": ' + metadata.encode() + b', "spec": ' + spec + b"}"


def _pod_line(watch_type: str, name: str, version: int, spec: bytes = b"{}") -> bytes:
    pod = b'{"kind": "Pod", ' + _pod(name, version, spec)[1:]
    return b'{"type": "' + watch_type.encode() + b'", "object": ' + pod + b"}\n"


def test_a_watch_object_nested_too_deep_is_rejected_in_the_watch_and_in_a_relist() -> None:
    """orjson reads 1,024 levels and writes 254: a watch line nested 100 deep was taken as
    an event no one could write again, and a relisted object 300 deep broke the relist. Each
    is now a rejected frame (received = accepted + rejected), and the watch goes on."""
    deep = nested_text(300)
    watches = []

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.query.get("watch") != "true":  # the relist: a, one too deep, c
            items = b", ".join((_pod("a", 1), _pod("deep", 5, deep), _pod("c", 6)))
            page = b'{"kind": "PodList", "metadata": {"resourceVersion": "7"}, "items": ['
            return web.Response(body=page + items + b"]}", content_type="application/json")
        watches.append(request.query.get("resourceVersion"))
        if len(watches) > 1:  # watching again from the list's version: quiet
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            await response.prepare(request)
            await asyncio.Event().wait()
        gone = b'{"type": "ERROR", "object": {"kind": "Status", "code": 410}}\n'
        body = (
            _pod_line("ADDED", "a", 1)
            + _pod_line("ADDED", "b", 2, nested_text(100))
            + _pod_line("MODIFIED", "a", 3, b'{"lines": ' + deep + b"}")
            + gone
        )
        return await sse_response(request, body, "application/json")

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(ConnectionSpec(url + "?watch=true", "k8s"), store,
                               backoff=fast_backoff())  # fmt: skip
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: watches == [None, "7"])
                await wait_for(lambda: store.end_seq == 2)
                assert seen(store) == [("Pod.ADDED", "demo/a"), ("Pod.ADDED", "demo/c")]
                reasons = [r.reason for r in store.rejected(0, store.rejected_total)]
                too_deep = "JSON nested deeper than 64 levels"
                assert reasons == [too_deep, too_deep, f"a listed Pod: {too_deep}"]
                counts = store.counts["k8s"]
                assert (counts.accepted, counts.rejected) == (2, 3)
                assert source.status.state is ConnectionState.LIVE
            finally:
                await stop_task(task)

    run(scenario())
