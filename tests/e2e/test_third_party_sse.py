"""The SSE source against a server library nobody here wrote: sse-starlette under uvicorn
on loopback, serving an LLM-style POST stream that ends with ``data: [DONE]`` and a
Wikimedia-shaped stream that names every event ``message``."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from sse_starlette import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard.core.events.decode import EnvelopeKeys
from dashboard.core.storage.store import EventStore
from dashboard.sources.base import ConnectionState
from dashboard.sources.registry import KINDS
from dashboard.sources.sse import SSESource
from tests.e2e.test_finite_streams import fast
from tests.helpers import run, wait_for

EDITS = 12


class ThirdPartyServer:
    """The Starlette app and what it was asked."""

    def __init__(self) -> None:
        self.chat_requests: list[tuple[str, str, Any]] = []  # method, content type, body
        self.wiki_requests: list[str | None] = []  # the Last-Event-ID of each
        self.app = Starlette(
            routes=[
                Route("/v1/chat", self.chat, methods=["POST"]),
                Route("/wiki", self.wiki, methods=["GET"]),
            ]
        )

    async def chat(self, request: Request) -> Any:
        body = await request.json()
        self.chat_requests.append((request.method, request.headers.get("content-type", ""), body))
        if not isinstance(body, dict) or body.get("stream") is not True:
            return JSONResponse({"error": "stream must be true"}, status_code=400)

        async def tokens() -> AsyncIterator[dict[str, str]]:
            for index, word in enumerate(("Hello", " from", " a", " model")):
                delta = {"role": "assistant", "content": word} if index == 0 else {"content": word}
                chunk = {"object": "chat.completion.chunk", "model": body["model"],
                         "choices": [{"index": 0, "delta": delta}]}  # fmt: skip
                yield {"data": json.dumps(chunk)}
            yield {"data": "[DONE]"}

        return EventSourceResponse(tokens())

    async def wiki(self, request: Request) -> Any:
        last = request.headers.get("last-event-id")
        self.wiki_requests.append(last)
        first = int(last) + 1 if last else 1

        async def edits() -> AsyncIterator[dict[str, str]]:
            for n in range(first, EDITS + 1):
                kind = "edit" if n % 3 else "log"
                payload = {"$schema": "/mediawiki/recentchange/1.0.0", "type": kind,
                           "kind": f"wiki.{kind}", "title": f"Page {n}", "id": n}  # fmt: skip
                yield {"event": "message", "id": str(n), "data": json.dumps(payload)}

        return EventSourceResponse(edits())


@asynccontextmanager
async def uvicorn_server(app: Any) -> AsyncIterator[str]:
    """*app* served by uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await wait_for(lambda: server.started or task.done())
        assert server.started
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


def test_an_llm_stream_answering_a_post_is_read_once_to_its_done() -> None:
    app = ThirdPartyServer()

    async def scenario() -> None:
        async with uvicorn_server(app.app) as base:
            store = EventStore()
            spec = KINDS.spec(
                f"{base}/v1/chat",
                "llm",
                options={"method": "POST", "body": '{"model":"m","stream":true}'},
            )
            source = SSESource(spec, store, backoff=fast())
            await asyncio.wait_for(source.run(), 10)
            assert source.status.state is ConnectionState.FINISHED
            assert app.chat_requests == [
                ("POST", "application/json", {"model": "m", "stream": True})
            ]
            events = store.events(0, store.end_seq)
            words = [e.data["choices"][0]["delta"]["content"] for e in events]
            assert words == ["Hello", " from", " a", " model"]
            assert store.rejected_total == 0 and store.counts["llm"].frames == 4

    run(scenario())


def test_a_bad_request_is_answered_and_stops_with_the_server_s_words() -> None:
    app = ThirdPartyServer()

    async def scenario() -> None:
        async with uvicorn_server(app.app) as base:
            spec = KINDS.spec(f"{base}/v1/chat", "llm", options={"body": '{"model":"m"}'})
            source = SSESource(spec, EventStore(), backoff=fast())
            await asyncio.wait_for(source.run(), 10)
            assert source.status.state is ConnectionState.STOPPED
            assert source.status.last_error == "the server answered 400 Bad Request"
            assert len(app.chat_requests) == 1

    run(scenario())


def test_event_message_lets_the_payload_s_own_type_decide() -> None:
    """Wikimedia's EventStreams send ``event: message`` on every event: it means the same
    as no event name, so the payload's type decides, with a layout's type key too."""
    app = ThirdPartyServer()

    async def scenario() -> None:
        async with uvicorn_server(app.app) as base:
            for keys, prefix in ((EnvelopeKeys(), ""), (EnvelopeKeys(type=("kind",)), "wiki.")):
                store = EventStore()
                app.wiki_requests.clear()
                spec = KINDS.spec(f"{base}/wiki", "wiki", keys=keys)
                source = SSESource(spec, store, backoff=fast())
                task = asyncio.create_task(source.run())
                try:
                    await wait_for(lambda s=store: s.end_seq >= EDITS)
                    events = store.events(0, EDITS)
                    assert [e.id for e in events] == [str(n) for n in range(1, EDITS + 1)]
                    assert [e.type for e in events] == [
                        f"{prefix}{'edit' if n % 3 else 'log'}" for n in range(1, EDITS + 1)
                    ]
                    assert {e.declared_type for e in events} == {None}
                    assert store.rejected_total == 0
                    # a stream with ids resumes where it ended (auto): after the last one
                    await wait_for(lambda: len(app.wiki_requests) >= 2)
                    assert app.wiki_requests[:2] == [None, str(EDITS)]
                    assert store.end_seq == EDITS  # nothing twice
                finally:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)

    run(scenario())
