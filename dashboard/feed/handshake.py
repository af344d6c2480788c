"""WebSocket endpoints that must be spoken to before they send anything (aiohttp).

What the tests of the WebSocket steps and presets connect to, on loopback:

* ``/ws/subscribe``: silent until it receives ``{"op": "subscribe", ...}``; then it sends
  numbered events (``{"id": "ev-1", "type": "tick", "n": 1}``). ``?array=1``: all of a
  connection's events in one frame, as a JSON array.
* ``/ws/homeassistant``: Home Assistant's WebSocket API as far as a dashboard uses it:
  ``auth_required``, ``auth`` (``auth_invalid`` and a close for a wrong token),
  ``auth_ok``, ``subscribe_events`` answered with a ``result``, then ``event`` messages
  of the subscribed types, ``ping`` answered with ``pong``.
* ``/ws/graphql``: ``graphql-transport-ws``: ``connection_init`` -> ``connection_ack``,
  ``subscribe`` -> a ``ping``, then ``next`` messages (a query naming ``broken``:
  ``error`` instead; ``?complete=1``: ``complete`` after them).

Events carry one numbering across connections (the ``n`` of the server's whole life), so
a test can check that nothing is lost or doubled over reconnects. Each connection sends
``per_connection`` events and closes with code 1012 (service restart), or, with
``per_connection=None``, sends ``total`` events and stays open. What each connection
received (its first 1,000 text messages), how many subscriptions it had and the close code
the client sent are kept in ``connections`` (the newest 1,000 connections).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from dashboard.listening import close_runner

RESTART = 1012
GRAPHQL_PROTOCOL = "graphql-transport-ws"
KEPT_CONNECTIONS = 1_000
KEPT_MESSAGES = 1_000  # of what each connection received, the first ones
CLOSED = object()  # what _next gives once the client closed
Frame = str | bytes


@dataclass
class Conversation:
    """One connection as the server saw it."""

    path: str
    protocol: str | None = None
    received: list[str] = field(default_factory=list)  # the text messages, in order
    subscribes: int = 0
    close_code: int | None = None  # the code of the client's close frame, if it sent one


class HandshakeFeed:
    """The three endpoints on one port. Start and stop it on a running asyncio loop."""

    def __init__(
        self,
        *,
        per_connection: int | None = 3,
        total: int = 10,
        token: str = "good-token",
        host: str = "127.0.0.1",
        rate: float | None = None,
    ) -> None:
        self.per_connection = per_connection
        self.total = total
        self.token = token
        self.rate = rate  # events per second per connection (None: as fast as they go)
        self.host = host
        self.port = 0
        self.sent = 0  # events sent, over every connection
        self.connections: deque[Conversation] = deque(maxlen=KEPT_CONNECTIONS)
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"ws://{self.host}:{self.port}{path}"

    async def start(self) -> None:
        app = web.Application()
        for path, handler in (
            ("/ws/subscribe", self._subscribe),
            ("/ws/homeassistant", self._home_assistant),
            ("/ws/graphql", self._graphql),
        ):
            app.router.add_get(path, _client_may_leave(handler))
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await close_runner(runner)

    # -- what every endpoint shares ----------------------------------------------------
    async def _open(
        self, request: web.Request, protocols: tuple[str, ...] = ()
    ) -> tuple[web.WebSocketResponse, Conversation]:
        ws = request["ws"] = web.WebSocketResponse(protocols=protocols)
        await ws.prepare(request)
        conversation = Conversation(request.path, ws.ws_protocol)
        self.connections.append(conversation)
        return ws, conversation

    async def _next(self, ws: web.WebSocketResponse, conversation: Conversation) -> Any:
        """The next text message as JSON; None when it is not JSON, and CLOSED once the
        client closed (its close code kept)."""
        message = await ws.receive()
        if message.type is WSMsgType.TEXT:
            if len(conversation.received) < KEPT_MESSAGES:
                conversation.received.append(message.data)
            try:
                return orjson.loads(message.data)
            except orjson.JSONDecodeError:
                return None
        if message.type is WSMsgType.CLOSE:
            conversation.close_code = message.data
        elif conversation.close_code is None:
            conversation.close_code = ws.close_code
        return CLOSED

    async def _pace(self) -> None:
        if self.rate is not None:
            await asyncio.sleep(1 / self.rate)

    def _numbers(self) -> Iterator[int]:
        """The numbers of the events this connection sends, each taken as it is sent (so
        connections at once share the numbering)."""
        most = self.total if self.per_connection is None else self.per_connection
        here = 0
        while self.sent < self.total and here < most:
            self.sent += 1
            here += 1
            yield self.sent

    async def _stream(
        self, ws: web.WebSocketResponse, conversation: Conversation, frames: Iterable[Frame]
    ) -> None:
        """Send *frames* (text or binary), reading what the client says meanwhile, as a
        real server does (a server that only writes answers a close frame late); then
        close with 1012, or stay open (answering pings) until the client closes."""
        reader = asyncio.create_task(self._read_on(ws, conversation))
        try:
            for frame in frames:
                if reader.done():
                    break
                await self._pace()
                await (ws.send_str(frame) if isinstance(frame, str) else ws.send_bytes(frame))
            if self.per_connection is None:
                await reader
                return
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        await ws.close(code=RESTART, message=b"restarting")

    async def _read_on(self, ws: web.WebSocketResponse, conversation: Conversation) -> None:
        while (message := await self._next(ws, conversation)) is not CLOSED:
            if isinstance(message, dict) and message.get("type") == "ping":
                await ws.send_json({"id": message.get("id"), "type": "pong"})

    # -- the endpoints -------------------------------------------------------------------
    async def _subscribe(self, request: web.Request) -> web.WebSocketResponse:
        ws, conversation = await self._open(request)
        while True:
            message = await self._next(ws, conversation)
            if message is CLOSED:
                return ws
            if isinstance(message, dict) and message.get("op") == "subscribe":
                conversation.subscribes += 1
                break
        events = ({"id": f"ev-{n}", "type": "tick", "n": n} for n in self._numbers())
        if request.query.get("array") == "1":
            await self._stream(ws, conversation, [orjson.dumps(list(events))])
        else:
            await self._stream(ws, conversation, map(orjson.dumps, events))
        return ws

    async def _home_assistant(self, request: web.Request) -> web.WebSocketResponse:
        ws, conversation = await self._open(request)
        await ws.send_json({"type": "auth_required", "ha_version": "2026.12.0"})
        auth = await self._next(ws, conversation)
        if not isinstance(auth, dict) or auth.get("access_token") != self.token:
            await ws.send_json({"type": "auth_invalid", "message": "Invalid access token"})
            await ws.close()
            return ws
        await ws.send_json({"type": "auth_ok", "ha_version": "2026.12.0"})
        subscriptions: dict[int, str | None] = {}
        while len(subscriptions) < int(request.query.get("subscriptions", "1")):
            message = await self._next(ws, conversation)
            if not isinstance(message, dict):
                return ws
            if message.get("type") == "subscribe_events":
                conversation.subscribes += 1
                subscriptions[message["id"]] = message.get("event_type")
                await ws.send_json({"id": message["id"], "type": "result", "success": True})
        ids = list(subscriptions)

        def message(n: int) -> bytes:
            sub = ids[(n - 1) % len(ids)]
            event = {
                "event_type": subscriptions[sub] or "state_changed",
                "data": {"entity_id": f"sensor.s{n}", "n": n},
                "origin": "LOCAL",
                "time_fired": f"2026-12-06T08:00:{n % 60:02d}.000000+00:00",
                "context": {"id": f"ctx-{n}", "parent_id": None, "user_id": None},
            }
            return orjson.dumps({"id": sub, "type": "event", "event": event})

        await self._stream(ws, conversation, (message(n).decode() for n in self._numbers()))
        return ws

    async def _graphql(self, request: web.Request) -> web.WebSocketResponse:
        ws, conversation = await self._open(request, (GRAPHQL_PROTOCOL,))
        init = await self._next(ws, conversation)
        if not isinstance(init, dict) or init.get("type") != "connection_init":
            await ws.close(code=4400, message=b"connection_init expected")
            return ws
        await ws.send_json({"type": "connection_ack"})
        subscribe = await self._next(ws, conversation)
        if not isinstance(subscribe, dict) or subscribe.get("type") != "subscribe":
            await ws.close(code=4400, message=b"subscribe expected")
            return ws
        conversation.subscribes += 1
        sub = subscribe["id"]
        if "broken" in subscribe["payload"]["query"]:
            errors = [{"message": 'Cannot query field "broken" on type "Subscription".'}]
            await ws.send_json({"id": sub, "type": "error", "payload": errors})
            await self._stream(ws, conversation, [])
            return ws
        await ws.send_json({"type": "ping"})
        pong = await self._next(ws, conversation)
        if not isinstance(pong, dict) or pong.get("type") != "pong":
            await ws.close(code=4400, message=b"pong expected")
            return ws
        room = (subscribe["payload"].get("variables") or {}).get("room")
        ticks = ({"id": f"t-{n}", "n": n, "room": room} for n in self._numbers())
        nexts = ({"id": sub, "type": "next", "payload": {"data": {"tick": t}}} for t in ticks)
        done = [{"id": sub, "type": "complete"}] if request.query.get("complete") == "1" else []
        frames = (orjson.dumps(m).decode() for m in itertools.chain(nexts, done))
        await self._stream(ws, conversation, frames)
        return ws

    async def __aenter__(self) -> HandshakeFeed:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


Handler = Callable[[web.Request], Awaitable[web.WebSocketResponse]]


def _client_may_leave(handler: Handler) -> Handler:
    """A client that goes while it is sent events is no error of the server's."""

    async def guarded(request: web.Request) -> web.WebSocketResponse:
        try:
            return await handler(request)
        except ConnectionResetError:
            return request["ws"]  # type: ignore[no-any-return]

    return guarded


async def _main() -> None:  # pragma: no cover - by hand: python -m dashboard.feed.handshake
    async with HandshakeFeed(per_connection=None, total=1_000_000, rate=5) as feed:
        print(*(feed.url(p) for p in ("/ws/subscribe", "/ws/homeassistant", "/ws/graphql")))
        await asyncio.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(_main())
