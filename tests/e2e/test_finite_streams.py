"""Finite streams, POST bodies and [DONE], against real servers on loopback: our feed's
POST-only completion endpoint and small aiohttp apps."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from dashboard.core.storage.store import EventStore
from dashboard.core.transport.backoff import Backoff
from dashboard.feed.completion import PATH
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources.base import ConnectionState
from dashboard.sources.registry import KINDS
from dashboard.sources.sse import SSESource
from tests.e2e.test_record_cli import events_in
from tests.helpers import run, serve, sse_response, wait_for


def fast() -> Backoff:
    return Backoff(base=0.01, factor=2.0, cap=0.05, jitter=0.0)


def completion_url(server: FeedServer) -> str:
    return server.url.replace("/events", PATH)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_a_post_stream_ending_with_done_is_fetched_once_and_finishes() -> None:
    async def scenario() -> None:
        server = FeedServer(paused=True)
        await server.start()
        spec = KINDS.spec(
            completion_url(server),
            "llm",
            options={"method": "POST", "body": '{"model":"m","stream":true,"chunks":7}'},
        )
        store = EventStore()
        source = SSESource(spec, store, backoff=fast())
        try:
            await asyncio.wait_for(source.run(), 10)  # it ends by itself
            assert source.status.state is ConnectionState.FINISHED
            assert source.status.describe() == "finished: the stream ended with [DONE]"
            assert source.status.last_error == ""
            assert source.status.reconnects == 0
            [(method, headers, body)] = server.completion.requests
            assert method == "POST"
            assert headers["Content-Type"] == "application/json"
            assert body == {"model": "m", "stream": True, "chunks": 7}
            events = store.events(0, store.end_seq)
            assert len(events) == 7 and store.rejected_total == 0
            assert [e.data["choices"][0]["delta"]["content"] for e in events] == [
                f"word{i} " for i in range(7)
            ]
            assert {e.type for e in events} == {"message"}
        finally:
            await server.stop()

    run(scenario())


def test_a_body_file_is_read_at_connect_time_and_a_header_keeps_its_content_type(
    tmp_path: Path,
) -> None:
    body = tmp_path / "request.json"

    async def scenario() -> None:
        server = FeedServer(paused=True)
        await server.start()
        spec = KINDS.spec(
            completion_url(server),
            "llm",
            headers={"Content-Type": "application/vnd.test+json"},
            options={"body": f"@{body}"},
        )
        body.write_text('{"chunks": 2, "model": "later"}')  # written after the spec: read late
        store = EventStore()
        try:
            await asyncio.wait_for(SSESource(spec, store, backoff=fast()).run(), 10)
            [(method, headers, sent)] = server.completion.requests
            assert method == "POST"  # a body without a method is POSTed
            assert headers["Content-Type"] == "application/vnd.test+json"
            assert sent == {"chunks": 2, "model": "later"}
            assert [e.data["model"] for e in store.events(0, store.end_seq)] == ["later"] * 2
        finally:
            await server.stop()

    run(scenario())


def test_a_body_file_gone_at_connect_time_stops_with_a_clear_reason(tmp_path: Path) -> None:
    body = tmp_path / "request.json"
    body.write_text("{}")
    spec = KINDS.spec("http://127.0.0.1:9/x", "llm", options={"body": f"@{body}"})
    body.unlink()
    source = SSESource(spec, EventStore(), backoff=fast())
    run(asyncio.wait_for(source.run(), 10))
    assert source.status.state is ConnectionState.STOPPED
    assert source.status.last_error == (f"body: cannot read {body}: No such file or directory")


def stream_handler(body: bytes, counter: list[int]):  # type: ignore[no-untyped-def]
    async def handler(request: web.Request) -> web.StreamResponse:
        counter.append(1)
        return await sse_response(request, body)

    return handler


@pytest.mark.parametrize(
    ("body", "rule", "fetched_again"),
    [
        (b"data: 1\n\ndata: 2\n\n", "auto", False),  # no ids: nothing to resume from
        (b"id: 1\ndata: 1\n\ndata: [DONE]\n\n", "auto", False),
        (b"data: 1\n\ndata: 2\n\n", "on-error", False),
        (b"data: 1\n\ndata: 2\n\n", "never", False),
        (b"id: 1\ndata: 1\n\nid: 2\ndata: 2\n\n", "on-error", False),
    ],
)
def test_a_stream_that_ends_normally_is_fetched_once(
    body: bytes, rule: str, fetched_again: bool
) -> None:
    requests: list[int] = []

    async def scenario() -> None:
        async with serve(stream_handler(body, requests)) as url:
            store = EventStore()
            spec = KINDS.spec(url, "finite", options={"reconnect": rule})
            source = SSESource(spec, store, backoff=fast())
            await asyncio.wait_for(source.run(), 10)
            assert source.status.state is ConnectionState.FINISHED
            assert len(requests) == 1
            assert store.end_seq == (1 if b"[DONE]" in body else 2)
            assert store.rejected_total == 0

    run(scenario())


def test_a_stream_with_ids_resumes_and_always_fetches_again() -> None:
    """The old behaviour, where it is right: a GET stream with ids resumes from them."""
    requests: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(1)
        n = len(requests)
        return await sse_response(request, b"id: %d\ndata: %d\n\n" % (n, n))

    async def scenario() -> None:
        async with serve(handler) as url:
            for rule in ("auto", "always"):
                requests.clear()
                kept = EventStore()
                source = SSESource(
                    KINDS.spec(url, "resuming", options={"reconnect": rule}), kept, backoff=fast()
                )
                task = asyncio.create_task(source.run())
                try:
                    await wait_for(lambda s=kept: len(requests) >= 3 and s.end_seq >= 3)
                    assert [e.data for e in kept.events(0, 3)] == [1, 2, 3]
                finally:
                    await stop(task)

    run(scenario())


def test_always_fetches_a_done_stream_again_and_on_error_retries_a_failure() -> None:
    requests: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(1)
        if len(requests) == 1:
            return web.Response(status=503, text="busy")
        return await sse_response(request, b"data: x\n\ndata: [DONE]\n\n")

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(KINDS.spec(url, "llm"), store, backoff=fast())
            await asyncio.wait_for(source.run(), 10)  # auto: a failure is retried, [DONE] ends
            assert len(requests) == 2 and store.end_seq == 1
            assert source.status.state is ConnectionState.FINISHED
            requests.clear()
            requests.append(1)  # the next answer is the stream
            store = EventStore()
            source = SSESource(
                KINDS.spec(url, "llm", options={"reconnect": "always"}), store, backoff=fast()
            )
            task = asyncio.create_task(source.run())
            try:
                await wait_for(lambda: store.end_seq >= 3)
            finally:
                await stop(task)

    run(scenario())


def test_never_stops_at_the_first_failure() -> None:
    requests: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(1)
        return web.Response(status=503, reason="Busy", text="busy")

    async def scenario() -> None:
        async with serve(handler) as url:
            source = SSESource(
                KINDS.spec(url, "once", options={"reconnect": "never"}),
                EventStore(),
                backoff=fast(),
            )
            await asyncio.wait_for(source.run(), 10)
            assert source.status.state is ConnectionState.STOPPED
            assert source.status.last_error == "server error: 503 Busy"
            assert len(requests) == 1

    run(scenario())


def test_record_ends_when_its_finite_streams_finish_and_records_each_event_once(
    tmp_path: Path,
) -> None:
    """Before: a finished stream was fetched about once a second, every copy recorded."""
    thread = FeedThread(FeedServer(paused=True)).start()
    try:
        out = tmp_path / "llm.jsonl"
        body = '{"model":"m","stream":true,"chunks":4}'
        url = completion_url(thread.server)
        args = ["record", url, "--method", "POST", "--body", body, "-o", str(out)]
        result = subprocess.run(
            [sys.executable, "-m", "dashboard", *args, "--duration", "60"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "(every connection finished)" in result.stderr
        assert len(thread.server.completion.requests) == 1
        assert len(events_in(out)) == 4
    finally:
        thread.close()


def test_record_reads_the_connections_of_a_layout_with_their_request_options(
    tmp_path: Path,
) -> None:
    thread = FeedThread(FeedServer(paused=True)).start()
    try:
        layout = tmp_path / "llm.toml"
        layout.write_text(
            "[[connections]]\n"
            f"name = 'llm'\nurl = '{completion_url(thread.server)}'\n"
            'method = \'POST\'\nbody = \'{"model": "from-layout", "chunks": 3}\'\n'
            "keys = { type = ['object'] }\n"
        )
        out = tmp_path / "llm.jsonl"
        args = ["record", "--layout", str(layout), "-o", str(out), "--duration", "60"]
        result = subprocess.run(
            [sys.executable, "-m", "dashboard", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "(every connection finished)" in result.stderr
        [(method, _headers, body)] = thread.server.completion.requests
        assert (method, body) == ("POST", {"model": "from-layout", "chunks": 3})
        events = events_in(out)
        assert [(e.connection, e.type) for e in events] == [("llm", "chat.completion.chunk")] * 3
    finally:
        thread.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--body", '{"model": "m"'], "argument --body: not valid JSON at column 14"),
        (["--body", "@missing.json"], "argument --body: cannot read missing.json"),
        (["--method", "GRAB"], "argument --method: 'GRAB' is not an HTTP method"),
        (["--reconnect", "sometimes"], "argument --reconnect: 'sometimes' is not one"),
    ],
)
@pytest.mark.parametrize("command", [["record", "-o", "x.jsonl"], []])
def test_bad_request_options_are_named_with_exit_code_2(
    tmp_path: Path, command: list[str], args: list[str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", *command, "http://127.0.0.1:9/chat", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "x.jsonl").exists()


@pytest.mark.parametrize(
    "pieces",
    [
        [b"data: 1\n\ndata: [DONE]\n\n"],
        [b"data: 1\n\ndata: [DO", b"NE]\n\n"],
        [b"data: 1\n\ndata: [DONE]\n", b": a comment\n", b"\n"],
        [b"data: 1\n\n", b"data: [DONE]", b"\n\ndata: 2\n\n"],  # nothing after it is read
    ],
)
def test_done_ends_the_stream_however_it_is_cut(pieces: list[bytes]) -> None:
    requests: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(1)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in pieces:
            await response.write(piece)
            await asyncio.sleep(0.01)  # (each piece its own read, as far as it goes)
        await response.write_eof()
        return response

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            source = SSESource(KINDS.spec(url, "cut"), store, backoff=fast())
            await asyncio.wait_for(source.run(), 10)
            assert source.status.describe() == "finished: the stream ended with [DONE]"
            assert [e.data for e in store.events(0, store.end_seq)] == [1]
            assert store.rejected_total == 0 and len(requests) == 1

    run(scenario())


@pytest.mark.parametrize("rule", ["auto", "on-error", "never", "always"])
def test_a_json_lines_stream_that_ends_follows_its_reconnect_rule(rule: str) -> None:
    """Plain JSON lines have nothing to resume from: fetched once unless ``always`` (they
    were fetched again after every end, whatever the rule, each copy recorded)."""
    requests: list[int] = []
    lines = b'{"type": "line", "n": 1}\n{"type": "line", "n": 2}\n'

    async def handler(request: web.Request) -> web.StreamResponse:
        requests.append(1)
        return await sse_response(request, lines, "application/x-ndjson")

    async def scenario() -> None:
        async with serve(handler) as url:
            store = EventStore()
            spec = KINDS.spec(url, "lines", options={"reconnect": rule})
            source = SSESource(spec, store, backoff=fast())
            if rule == "always":
                task = asyncio.create_task(source.run())
                try:
                    await wait_for(lambda: len(requests) >= 3 and store.end_seq >= 6)
                finally:
                    await stop(task)
                return
            await asyncio.wait_for(source.run(), 10)  # it ends by itself
            assert source.status.describe() == "finished: the server ended the stream"
            assert [e.data["n"] for e in store.events(0, store.end_seq)] == [1, 2]
            assert len(requests) == 1 and source.status.reconnects == 0

    run(scenario())
