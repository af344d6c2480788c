"""The demo feed misbehaving on purpose: ``dashboard feed --chaos MODE,...``.

Every few seconds (``every``) each open stream suffers one of the chosen faults, and with
``restart`` the whole server goes down and comes back on the same port. The events keep
their ids, so a client that resumes with ``Last-Event-ID`` can show it lost nothing and
doubled nothing; the frames that are broken on purpose carry no id and are counted in
``junk_sent``, so a client can show that every frame it got was either accepted or
rejected (and those that are not UTF-8, in ``repaired_sent``: they come out as events with
their text repaired, as browsers read an event stream).

Modes (SSE unless said):

- ``restart``: the server stops (every stream cut) and starts again a moment later (from
  when a stream has been sent its first event); with
  stream faults chosen too, only every ``RESTART_SPACING`` x *every* seconds, since a
  stream cut before its first fault was due would never suffer one;
- ``cut``: half of the next event is written, then the connection is dropped;
- ``stall``: nothing more is written, the socket left open, until the client gives up;
- ``huge``: a 100 MB event (written in 1 MB pieces; never meant to be held whole);
- ``endless``: a line that never ends (50 MB with no line end), then the connection drops;
- ``utf8``: an event that is not UTF-8 (a client repairs it, as browsers do);
- ``trickle``: the next event at one byte every 20 ms;
- ``http``: a new request gets an error (500, 502, 503, 429 with ``Retry-After``) or a
  redirect to ``/events`` instead of the stream;
- ``close`` (WebSocket): the socket is closed with the next close code of a list;
- ``tls``: a second port (``tls_url``, ``https://``) where every TLS handshake fails: it
  answers in plain text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence

from aiohttp import WSCloseCode, web

from dashboard.feed.server import FeedServer
from dashboard.listening import stop_accepting

log = logging.getLogger("dashboard.feed.chaos")

MODES = ("restart", "cut", "stall", "huge", "endless", "utf8", "trickle", "http", "close", "tls")
STREAM_FAULTS = ("cut", "stall", "huge", "endless", "utf8", "trickle")
HUGE_BYTES = 100 * 1024 * 1024
ENDLESS_BYTES = 50 * 1024 * 1024
PIECE = 1024 * 1024
TRICKLE_S = 0.02
RESTART_DOWN_S = 0.2
RESTART_SPACING = 4  # restarts this many times rarer than stream faults, when both are on
HTTP_FAULTS = ((500, {}), (502, {}), (503, {}), (429, {"Retry-After": "1"}), (307, {}))
CLOSE_CODES = (
    WSCloseCode.OK,
    WSCloseCode.GOING_AWAY,
    WSCloseCode.PROTOCOL_ERROR,
    WSCloseCode.UNSUPPORTED_DATA,
    WSCloseCode.POLICY_VIOLATION,
    WSCloseCode.MESSAGE_TOO_BIG,
    WSCloseCode.INTERNAL_ERROR,
    WSCloseCode.SERVICE_RESTART,
    WSCloseCode.TRY_AGAIN_LATER,
    4000,
)


def parse_modes(text: str) -> frozenset[str]:
    """``cut,stall`` or ``all``; ValueError naming a mode that does not exist."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if names == ["all"]:
        return frozenset(MODES)
    unknown = [n for n in names if n not in MODES]
    if unknown or not names:
        raise ValueError(f"{unknown[0] if unknown else text!r} is not a chaos mode "
                         f"(known: {', '.join(MODES)}, or all)")  # fmt: skip
    return frozenset(names)


class ChaosFeedServer(FeedServer):
    """A FeedServer whose streams fail on purpose, every *every* seconds.

    What the tests read besides FeedServer's: ``faults`` (each fault done, in order),
    ``junk_sent`` (frames broken on purpose: each should come out rejected),
    ``repaired_sent`` (events that are not UTF-8: each should come out repaired),
    ``restarts`` and ``close_codes`` (the WebSocket closes sent).
    """

    def __init__(
        self,
        modes: Sequence[str] | frozenset[str],
        *,
        every: float = 3.0,
        stall_s: float = 60.0,
        chaos_seed: int | None = None,
        **options: object,
    ) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.modes = frozenset(modes)
        self.every = every
        self.restart_every = every * (RESTART_SPACING if self.modes & set(STREAM_FAULTS) else 1)
        self.stall_s = stall_s
        self.rng = random.Random(chaos_seed)
        self.faults: list[str] = []
        self.junk_sent = 0
        self.repaired_sent = 0
        self.restarts = 0
        self.close_codes: list[int] = []
        self.trickled = 0  # whole events sent slowly (valid, without ids)
        self._loops: dict[str, asyncio.Task[None]] = {}
        self._sent_events = asyncio.Event()  # a stream has been sent an event
        self._not_tls: asyncio.Server | None = None
        self.tls_url = ""  # with ``tls``: an https:// URL whose handshakes all fail

    async def start(self) -> None:
        await super().start()
        if "tls" in self.modes and self._not_tls is None:
            self._not_tls = await asyncio.start_server(self._answer_in_plain_text, self.host, 0)
            port = self._not_tls.sockets[0].getsockname()[1]
            self.tls_url = f"https://{self.host}:{port}/events"
        loops = {"restart": self._restart_loop, "close": self._close_loop}
        for mode, loop in loops.items():
            task = self._loops.get(mode)
            if mode in self.modes and (task is None or task.done()):
                self._loops[mode] = asyncio.create_task(loop())

    async def close(self) -> None:
        """Stop for good (:meth:`stop` alone is what a restart does)."""
        for task in self._loops.values():
            task.cancel()
        await asyncio.gather(*self._loops.values(), return_exceptions=True)
        self._loops.clear()
        if self._not_tls is not None:
            await stop_accepting(self._not_tls)
            self._not_tls.close()
            await self._not_tls.wait_closed()
            self._not_tls = None
        await self.stop()

    async def calm(self) -> None:
        """Make no more faults from now on (the streams go on): a run's last events then
        arrive whole, and what was sent can be compared with what was received."""
        self.modes = frozenset(self.modes & {"tls"})  # the TLS port stays as it is
        for task in self._loops.values():
            task.cancel()
        await asyncio.gather(*self._loops.values(), return_exceptions=True)
        self._loops.clear()

    async def _answer_in_plain_text(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """A TLS client's hello gets plain HTTP back: its handshake fails."""
        self.faults.append("tls")
        try:
            with contextlib.suppress(ConnectionError):
                await reader.read(1024)
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        finally:  # cancelled too (a client that never said hello, at the loop's end)
            writer.close()

    async def _restart_loop(self) -> None:
        """Restarts, once a stream has been sent an event: a client cut before its first
        event has no id to resume from, and would rightly start from "now" (a test that
        counts every event from the first one failed on that under load)."""
        await self._sent_events.wait()
        while True:
            await asyncio.sleep(self.restart_every)
            await self.stop()
            self.faults.append("restart")
            await asyncio.sleep(RESTART_DOWN_S)
            await FeedServer.start(self)  # (not ours: this loop goes on as it is)
            self.restarts += 1

    def _stream_fault(self) -> str | None:
        chosen = sorted(self.modes & set(STREAM_FAULTS))
        return self.rng.choice(chosen) if chosen else None

    # -- SSE ---------------------------------------------------------------------------
    async def _sse(self, request: web.Request) -> web.StreamResponse:
        """The demo stream, with a fault every *every* seconds (a fault that breaks the
        connection ends it; one in the content lets it go on)."""
        if "count" in request.query:
            return await super()._sse(request)
        if "http" in self.modes and self.rng.random() < 0.5:
            return self._http_fault()
        last_id = request.headers.get("Last-Event-ID")
        self.last_event_ids.append(last_id)
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        if self.retry_ms is not None:
            await response.write(b"retry: %d\n\n" % self.retry_ms)
        next_id = self._resume_point(last_id)
        loop = asyncio.get_running_loop()
        due = loop.time() + self.every
        self.streams += 1
        try:
            while self._runner is not None:
                fault = self._stream_fault() if loop.time() >= due else None
                if fault is not None:
                    self.faults.append(fault)
                    if not await self._do(fault, response, next_id):
                        if request.transport is not None:
                            request.transport.close()  # abruptly: no end of the body
                        break
                    due = loop.time() + self.every
                    continue
                events = self._events_from(next_id)
                if events:
                    next_id += len(events)
                    await response.write(b"".join(e.frame for e in events))
                    self._sent_events.set()
                    continue
                waiter = self._new_events
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), min(self.heartbeat, self.every))
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            self.streams -= 1
        return response

    def _http_fault(self) -> web.StreamResponse:
        status, headers = self.rng.choice(HTTP_FAULTS)
        self.faults.append(f"http {status}")
        if status == 307:
            raise web.HTTPTemporaryRedirect("/events", headers=headers)
        return web.Response(status=status, headers=headers, text="chaos\n")

    async def _do(self, fault: str, response: web.StreamResponse, next_id: int) -> bool:
        """Do *fault* on the stream; False when the connection is to be dropped after."""
        if fault == "cut":
            while not self._events_from(next_id) and self._runner is not None:
                await asyncio.sleep(0.01)
            pending = self._events_from(next_id)
            if pending:
                frame = pending[0].frame
                await response.write(frame[: len(frame) // 2])
            return False
        if fault == "stall":
            await asyncio.sleep(self.stall_s)
            return False
        if fault in ("huge", "endless"):
            size = HUGE_BYTES if fault == "huge" else ENDLESS_BYTES
            await response.write(b'data: "')
            for _ in range(size // PIECE):
                await response.write(b"x" * PIECE)
            if fault == "endless":
                return False
            await response.write(b'"\n\n')
            self.junk_sent += 1
            return True
        if fault == "utf8":
            await response.write(b'data: {"type": "bad.\xff\xfe", "note": "\xc3\x28"}\n\n')
            self.repaired_sent += 1
            return True
        if fault == "trickle":  # a whole, valid event without an id, slowly
            for byte in b'data: {"type": "slow.event", "source": "trickle"}\n\n':
                await response.write(bytes([byte]))
                await asyncio.sleep(TRICKLE_S)
            self.trickled += 1
            return True
        raise ValueError(f"not a stream fault: {fault}")

    # -- WebSocket ---------------------------------------------------------------------
    async def _close_loop(self) -> None:
        """Every *every* seconds, close the open WebSockets, each code of the list in turn."""
        codes = 0
        while True:
            await asyncio.sleep(self.every)
            for ws in list(self.sockets):
                code = int(CLOSE_CODES[codes % len(CLOSE_CODES)])
                codes += 1
                self.faults.append(f"close {code}")
                self.close_codes.append(code)
                await ws.close(code=code, message=b"chaos")
