"""WebSocket source (the ``websockets`` library): JSON in text or binary frames.

A frame may carry several newline-delimited JSON events; each line counts as one frame for
the accounting (accepted + rejected). Keepalive pings detect a dead peer within the
heartbeat timeout. A frame over the size limit is refused by the library before it is
buffered: it is recorded as rejected and the connection is opened again.
"""

from __future__ import annotations

import logging

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from dashboard.core.event import DecodedBatch, Rejected
from dashboard.core.inert import inert
from dashboard.core.sourcekind import Option, SourceKind
from dashboard.sources.base import ReconnectingSource, RetryConnection, StopConnection
from dashboard.sources.sse import check_status, retry_after

log = logging.getLogger("dashboard.sources.websocket")

PING_INTERVAL = 20.0
NORMAL, GOING_AWAY, MESSAGE_TOO_BIG, INTERNAL_ERROR = 1000, 1001, 1009, 1011


class WebSocketSource(ReconnectingSource):
    """Reads one WebSocket endpoint into a sink until stopped."""

    async def _stream_once(self) -> str:
        spec = self.spec
        subprotocol = spec.options.get("subprotocol")
        uses_tls = spec.scheme == "wss"
        try:
            connection = await connect(
                self.url,
                additional_headers=self.headers(),
                subprotocols=[subprotocol] if subprotocol else None,  # type: ignore[list-item]
                ssl=self.ssl_context() if uses_tls else None,
                ping_interval=min(PING_INTERVAL, spec.heartbeat_timeout),
                ping_timeout=spec.heartbeat_timeout,
                max_size=spec.max_frame_bytes,
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
            self.went_live()
            decode_row = self.decoder.decode_row
            try:
                async for message in connection:
                    data = message.encode() if isinstance(message, str) else message
                    received = self.clock()
                    lines = data.split(b"\n") if b"\n" in data else [data]
                    batch = DecodedBatch(self.name)
                    for line in lines:
                        if line.strip():
                            batch.add(decode_row(line, received))
                    await self.deliver(batch, len(data))
            except ConnectionClosed as closed:
                return self._closed(closed)
            return self._closed(None)

    def _closed(self, closed: ConnectionClosed | None) -> str:
        """Why the stream ended: a clean close returns, anything else raises to retry."""
        if closed is None:
            return "the server closed the connection"
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
            return f"the server closed the connection with code {rcvd.code}{reason}"
        raise RetryConnection(f"the server closed the connection with code {rcvd.code}{reason}")

    def _describe_error(self, exc: Exception) -> str | None:
        if isinstance(exc, TimeoutError):
            return f"timed out connecting to {self.netloc}"
        if isinstance(exc, WebSocketException):
            return f"WebSocket error: {inert(str(exc))}"
        return super()._describe_error(exc)


def _check_subprotocol(value: str) -> None:
    if any(c.isspace() or c in ',;"' for c in value):
        raise ValueError(f"{value!r} is not a subprotocol name (one token, like chat.v1)")


KIND = SourceKind(
    name="websocket",
    title="WebSocket",
    schemes=("ws", "wss"),
    reader=WebSocketSource,
    url_example="ws(s)://host/path",
    description="the websockets client; JSON per frame (or per line), keepalive pings",
    options=(
        Option(
            "subprotocol",
            str,
            description="the WebSocket subprotocol to ask the server for",
            check=_check_subprotocol,
            placeholder="none",
        ),
    ),
)
