"""WebSocket source (the ``websockets`` library): JSON in text or binary frames.

A frame may carry several newline-delimited JSON events; each line counts as one frame for
the accounting (accepted + rejected). Keepalive pings detect a dead peer within the
heartbeat timeout. A frame over the size limit is refused by the library before it is
buffered: it is recorded as rejected and the connection is opened again.

After connecting, and again after every reconnect, the connection's steps run before any
event is counted (``dashboard.core.transport.wssteps``: messages to send, messages to wait for; a
preset's first, ``dashboard.core.transport.wspresets``). What they receive is the handshake, not
events. A step that fails is a connection error, retried with backoff.

The ``reconnect`` option (declared with the SSE source's) says what follows a normal end:
see :func:`reopens`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from dashboard.core.events.event import DecodedBatch, Rejected
from dashboard.core.events.nesting import too_deep
from dashboard.core.lang.duration import SETTINGS
from dashboard.core.text.inert import inert
from dashboard.core.text.redact import mark_secret
from dashboard.core.transport.sourcekind import ItemFlag, Option, SourceKind
from dashboard.core.transport.wspresets import (
    GRAPHQL,
    HOME_ASSISTANT,
    NONE,
    PRESETS,
    check_preset,
    check_variables,
    interpret,
)
from dashboard.core.transport.wspresets import steps as preset_steps
from dashboard.core.transport.wssteps import (
    Send,
    carries_secret,
    check_step,
    expect_item,
    read_step,
    read_steps,
    send_item,
)
from dashboard.sources.base import (
    ReconnectingSource,
    RetryConnection,
    StopConnection,
    StreamFinished,
    describe_tls_failure,
    find_tls_error,
)
from dashboard.sources.http_request import CrossOriginGuard
from dashboard.sources.sse import RECONNECT, REFUSED, check_status, retry_after
from dashboard.sources.ws_handshake import keep_alive, run_steps

log = logging.getLogger("dashboard.sources.websocket")

PING_INTERVAL = 20.0
NORMAL, GOING_AWAY, MESSAGE_TOO_BIG, INTERNAL_ERROR = 1000, 1001, 1009, 1011
DEFAULT_STEP_TIMEOUT = 10.0
DEFAULT_KEEPALIVE_EVERY = 20.0
DELIVER_ROWS = 256  # events of one message handed over at a time


class _Connect(connect):
    """websockets' ``connect``, which on a redirect to another origin drops only
    Authorization and Cookie: this drops every header *guard* names as the connection's
    own (an API key, a tenant) too, and the guard says so in the log."""

    def __init__(self, *args: Any, guard: CrossOriginGuard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = guard

    def process_redirect(self, exc: Exception) -> Exception | str:
        target = super().process_redirect(exc)
        if isinstance(target, str) and self.guard.leaves(target) and self.additional_headers:
            own = {name.lower() for name in self.guard.own}
            self.additional_headers = Headers(
                (name, value)
                for name, value in Headers(self.additional_headers).raw_items()
                if name.lower() not in own
            )
        return target


class WebSocketSource(ReconnectingSource):
    """Reads one WebSocket endpoint into a sink until stopped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.spec.options
        self.decoder.id_keys = ("id",)  # a message's own top-level id is the event's id
        self.preset: str = options.get("preset", NONE)
        try:
            self.steps = [*preset_steps(options), *read_steps(options.get("send"))]
        except (KeyError, ValueError):
            self.steps = []  # what is wrong is said as the connection starts
        self.split_arrays = bool(options.get("split_arrays"))
        self.redirects = CrossOriginGuard(self.name, self.url, self.spec.headers)
        for step in self.steps:  # (in a reader process, the spec came unpickled)
            if isinstance(step, Send) and carries_secret(step.text):
                mark_secret(step.text)

    async def _stream_once(self) -> str:
        if self.spec.options.get("reconnect") != "never":
            return await self._read_stream()
        try:  # a failure ends it too: said as it would be before a retry
            return await self._read_stream()
        except RetryConnection as failure:
            raise StopConnection(str(failure)) from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            tls = find_tls_error(exc)  # a refused certificate says which and what to do
            reason = describe_tls_failure(tls, self.netloc) if tls else self._describe_error(exc)
            raise StopConnection(reason or type(exc).__name__) from None

    async def _read_stream(self) -> str:
        spec = self.spec
        try:
            KIND.checked(spec.options)  # (a layout's connection is not checked as a whole)
        except ValueError as exc:
            raise StopConnection(str(exc)) from None
        subprotocol = spec.options.get("subprotocol") or (
            GRAPHQL if self.preset == GRAPHQL else None
        )
        uses_tls = spec.scheme == "wss"
        try:
            connection = await _Connect(
                self.url,
                guard=self.redirects,
                additional_headers=self.headers(),
                subprotocols=[subprotocol] if subprotocol else None,  # type: ignore[list-item]
                ssl=self.ssl_context() if uses_tls else None,
                ping_interval=min(PING_INTERVAL, spec.heartbeat_timeout),
                ping_timeout=spec.heartbeat_timeout,
                max_size=spec.max_frame_bytes,
                # No permessage-deflate: its zlib states were 90 KB a connection here, each
                # message inflated is one more copy of it, and the server spends its CPU
                # compressing what a dashboard, on the feed's LAN, reads at once.
                compression=None,
                open_timeout=10,
                close_timeout=min(5.0, spec.heartbeat_timeout),
            )
        except InvalidStatus as refused:
            response = refused.response
            phrase = f"{response.status_code} {inert(response.reason_phrase)}".strip()
            check_status(
                response.status_code, phrase, retry_after(response.headers.get("Retry-After", ""))
            )
            raise StopConnection(f"the server did not accept a WebSocket here ({phrase})") from None
        except InvalidURI as bad:
            raise StopConnection(f"not a WebSocket URL: {bad}") from None
        async with connection:
            try:
                return await self._converse(connection)
            except ConnectionClosed as closed:
                return self._closed(closed)
            except (asyncio.CancelledError, StopConnection, RetryConnection):
                # The app or `record` is done, or a step failed: a normal close all the same.
                with contextlib.suppress(Exception):
                    await connection.close(NORMAL)
                raise

    async def _converse(self, connection: ClientConnection) -> str:
        """The steps, then the messages as events (and the keepalive) until the end."""
        options = self.spec.options
        timeout = options.get("step_timeout", DEFAULT_STEP_TIMEOUT)
        await run_steps(connection, self.steps, self.decoder, timeout, self._count_bytes)
        self.went_live()
        keepalive = options.get("keepalive")
        beat = None
        if keepalive:
            every = options.get("keepalive_every", DEFAULT_KEEPALIVE_EVERY)
            beat = asyncio.create_task(keep_alive(connection, keepalive, every))
        try:
            async for message in connection:
                data = message.encode() if isinstance(message, str) else message
                ended = await self._receive(connection, data)
                if ended is not None:
                    await connection.close(NORMAL)
                    return self._ended(ended, completed=True, code=NORMAL)
        finally:
            if beat is not None:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)
        return self._closed(connection.protocol.close_exc)

    def _count_bytes(self, nbytes: int) -> None:
        self.hand_over(None, nbytes)

    async def _receive(self, connection: ClientConnection, data: bytes) -> str | None:
        """One message as events (or a preset's protocol message); a reason when it ends
        the stream."""
        received = self.clock()
        batch = DecodedBatch(self.name)
        outcome = interpret(self.preset, data)
        if outcome is None:
            # A line at a time, DELIVER_ROWS events handed over at a time: a message of
            # thousands of events never has all its lines split out, nor all its rows, at
            # once (3,500 demo events in one message peaked at 4.5 MB of Python objects,
            # now 0.3 MB: such bursts left the reader's memory higher).
            for line in io.BytesIO(data) if b"\n" in data else (data,):
                if line[-1:] == b"\n":
                    line = line[:-1]
                if line and not line.isspace():
                    self._add(batch, line, received)
                    if len(batch) >= DELIVER_ROWS:
                        await self.deliver(batch)
                        batch = DecodedBatch(self.name)
        elif outcome.frame is not None:
            batch.add(self.decoder.decode_row(outcome.frame, received, None, None,
                                              outcome.default_type))  # fmt: skip
        elif outcome.rejected is not None:
            batch.rejected.append(Rejected(outcome.rejected, data, received, self.name, len(data)))
        elif outcome.reply is not None:
            await connection.send(outcome.reply.decode())
        elif outcome.stop is not None:
            raise StopConnection(outcome.stop)
        await self.deliver(batch, len(data))
        return outcome.ended if outcome is not None else None

    def _add(self, batch: DecodedBatch, line: bytes, received: float) -> None:
        """One line as an event; a JSON array as one per element when splitting."""
        decode_row = self.decoder.decode_row
        if self.split_arrays and line.lstrip()[:1] == b"[":
            try:
                elements = orjson.loads(line)
            except orjson.JSONDecodeError:
                pass  # rejected below, with the reason (as an array nested too deep is)
            else:
                if isinstance(elements, list) and not too_deep(elements, line):
                    for element in elements:
                        batch.add(decode_row(orjson.dumps(element), received))
                    return
        batch.add(decode_row(line, received))

    def _closed(self, closed: ConnectionClosed) -> str:
        """Why the stream ended: a clean close returns (or finishes, as the reconnect rule
        says), anything else raises to retry."""
        sent, rcvd = closed.sent, closed.rcvd
        if closed.rcvd_then_sent:  # the server closed first: what we sent was its echo
            sent = None
        if sent is not None and sent.code == MESSAGE_TOO_BIG:
            # The library refused a frame over the limit without buffering it.
            limit = self.spec.max_frame_bytes
            reason = f"a frame over the {limit:,}-byte limit (not read; the connection reopens)"
            rejected = Rejected(reason, b"", self.clock(), self.name, limit + 1)
            self.hand_over(DecodedBatch(self.name, rejected=[rejected]))
            raise RetryConnection(reason, delay=0.0)
        if sent is not None and sent.code == INTERNAL_ERROR and "ping" in sent.reason:
            raise RetryConnection(
                f"no answer to keepalive pings for {self.spec.heartbeat_timeout:g} s (stalled)"
            )
        if rcvd is None:
            raise RetryConnection("the connection broke without a close frame")
        reason = f" ({inert(rcvd.reason)})" if rcvd.reason else ""  # the server's words
        if rcvd.code in (NORMAL, GOING_AWAY):
            said = f"the server closed the connection with code {rcvd.code}{reason}"
            return self._ended(said, completed=False, code=rcvd.code)
        raise RetryConnection(f"the server closed the connection with code {rcvd.code}{reason}")

    def _ended(self, reason: str, completed: bool, code: int) -> str:
        """*reason*, to reopen after a normal end; StreamFinished when the connection's
        reconnect rule does not reopen it."""
        if not reopens(self.spec.options.get("reconnect", "auto"), completed, code):
            raise StreamFinished(reason)
        return reason

    def _describe_error(self, exc: Exception) -> str | None:
        if isinstance(exc, TimeoutError):
            return f"timed out connecting to {self.netloc}"
        if isinstance(exc, WebSocketException):
            return f"WebSocket error: {inert(str(exc))}"
        if isinstance(exc, ConnectionRefusedError) or str(exc).startswith("Multiple exceptions"):
            # asyncio's words are "Connect call failed ('127.0.0.1', 1)": said as SSE says it
            return f"cannot connect to {self.netloc}: {REFUSED}"
        return super()._describe_error(exc)


def reopens(rule: str, completed: bool, code: int) -> bool:
    """Whether a WebSocket that ended normally is opened again: closed by the server with
    *code* 1000 or 1001, or with the subscription over (a GraphQL ``complete``: *completed*).

    ``always``: yes; ``never``: no. ``auto`` (the default) reopens after a close (servers
    close 1000, 1001 or 1012 as they restart or deploy) but not after ``complete``: the
    subscription is over. ``on-error`` reopens only after 1001 (going away: the server is
    leaving, not the stream ending). Errors and other codes are retried by every rule but
    ``never``.
    """
    if rule == "always":
        return True
    if rule == "auto":
        return not completed
    if rule == "on-error":
        return not completed and code == GOING_AWAY
    return False


def _check_message(text: str) -> None:
    if not isinstance(read_step(text), Send):
        raise ValueError("a message to send, not a step")


def _check_subprotocol(value: str) -> None:
    if any(c.isspace() or c in ',;"' for c in value):
        raise ValueError(f"{value!r} is not a subprotocol name (one token, like chat.v1)")


KIND = SourceKind(
    name="websocket",
    title="WebSocket",
    schemes=("ws", "wss"),
    reader=WebSocketSource,
    url_example="ws(s)://host/path",
    description="the websockets client; JSON per frame (or per line), keepalive pings; "
    "messages to send and expect after connecting",
    options=(
        RECONNECT,
        Option(
            "subprotocol",
            str,
            description="the WebSocket subprotocol to ask the server for",
            check=_check_subprotocol,
            placeholder="none",
        ),
        Option(
            "send",
            list,
            description="a message to send after connecting (repeatable, in order; again "
            "after every reconnect; ${ENV_VAR} inside; JSON if it starts with { or [)",
            label="Messages to send after connecting",
            check=check_step,
            secret_item=carries_secret,
            flag_item=send_item,
            item_flags=(
                ItemFlag(
                    "expect",
                    expect_item,
                    "a query the next message must match before the next message is sent: "
                    "a step among the sends, in command-line order; `expect QUERY` in the list",
                    metavar="QUERY",
                ),
            ),
            placeholder='one per line: {"op":"subscribe"} or expect type:ready',
            metavar="MESSAGE",
        ),
        Option(
            "step_timeout",
            float,
            DEFAULT_STEP_TIMEOUT,
            "how long an expect step waits for its message",
            duration=SETTINGS,
            metavar="DURATION",
        ),
        Option(
            "keepalive",
            str,
            description="a message sent every --keepalive-every while connected "
            "(an application-level ping)",
            check=_check_message,
        ),
        Option(
            "keepalive_every",
            float,
            DEFAULT_KEEPALIVE_EVERY,
            "the time between keepalive messages",
            duration=SETTINGS,
            metavar="DURATION",
        ),
        Option(
            "split_arrays",
            bool,
            False,
            "a JSON array in a message is one event per element (off: one event of type "
            "message holding the array)",
        ),
        Option(
            "preset",
            str,
            NONE,
            "steps written for you: graphql-transport-ws (GraphQL subscriptions) or home-assistant",
            choices=PRESETS,
        ),
        Option(
            "graphql_query",
            str,
            description="graphql-transport-ws: the subscription query",
            label="GraphQL query",
            shown_with=("preset", GRAPHQL),
        ),
        Option(
            "graphql_variables",
            str,
            description="graphql-transport-ws: the query's variables, a JSON object",
            label="GraphQL variables",
            check=check_variables,
            shown_with=("preset", GRAPHQL),
        ),
        Option(
            "ha_token",
            str,
            description="home-assistant: a long-lived access token (or ${ENV_VAR})",
            label="Home Assistant token",
            secret=True,
            shown_with=("preset", HOME_ASSISTANT),
        ),
        Option(
            "ha_event_types",
            list,
            description="home-assistant: the event types to subscribe to (repeatable; none: "
            "every event)",
            label="Home Assistant event types",
            shown_with=("preset", HOME_ASSISTANT),
        ),
    ),
    check_options=check_preset,
)
