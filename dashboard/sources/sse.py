"""Server-Sent Events source: httpx streaming, our spec parser, the shared decoder.

It reconnects with exponential backoff and jitter (the server's ``retry:`` sets the base),
sends ``Last-Event-ID`` on reconnect, and stops for good where retrying cannot help:
204 No Content (the spec's "do not reconnect"), 4xx answers and a wrong content type.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping

import httpx

from dashboard.core.backoff import Backoff
from dashboard.core.decode import DEFAULT_MAX_FRAME_BYTES, Decoder, EnvelopeKeys
from dashboard.core.event import Event, Rejected
from dashboard.sources.base import ConnectionState, ConnectionStatus, Sink
from dashboard.sources.sse_protocol import SSEParser

log = logging.getLogger("dashboard.sources.sse")

DEFAULT_HEARTBEAT_TIMEOUT = 45.0


class StopConnection(Exception):
    """Retrying cannot help; the message says why, for the operator."""


class RetryConnection(Exception):
    """A failure worth retrying; *delay* overrides the backoff when the server named one."""

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class SSESource:
    """Reads one SSE endpoint into a sink until stopped; ``status`` tells how it goes."""

    def __init__(
        self,
        url: str,
        sink: Sink,
        *,
        name: str | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool | str = True,
        backoff: Backoff | None = None,
        heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        keys: EnvelopeKeys | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.name = name or httpx.URL(url).host or url
        self.sink = sink
        self.headers = dict(headers or {})
        self.verify = verify
        self.backoff = backoff or Backoff()
        self.heartbeat_timeout = heartbeat_timeout
        self.decoder = Decoder(self.name, keys or EnvelopeKeys(), max_frame_bytes)
        register = getattr(sink, "register", None)
        if register is not None:
            register(self.decoder)  # so the store can rebuild events with the same keys
        self.parser = SSEParser(max_frame_bytes)
        self.clock = clock
        self.status = ConnectionStatus(self.name, url)

    async def run(self) -> None:
        """Connect, stream, and reconnect until told to stop or retrying cannot help."""
        timeout = httpx.Timeout(10.0, read=self.heartbeat_timeout)
        status = self.status
        async with httpx.AsyncClient(
            timeout=timeout, verify=self.verify, follow_redirects=True
        ) as client:
            while True:
                status.retry_at = None
                try:
                    ended = await self._stream_once(client)
                    retry_delay: float | None = None
                    status.last_error = ""
                    log.info("%s: %s; reconnecting", self.name, ended)
                except StopConnection as stop:
                    log.warning("%s: stopped: %s", self.name, stop)
                    status.state = ConnectionState.STOPPED
                    status.detail = str(stop)
                    status.last_error = str(stop)
                    return
                except RetryConnection as failure:
                    retry_delay = failure.delay
                    status.last_error = str(failure)
                except httpx.TransportError as exc:
                    retry_delay = None
                    status.last_error = describe_transport_error(
                        exc, self.heartbeat_timeout, self.url
                    )
                if status.last_error:
                    log.warning("%s: %s", self.name, status.last_error)
                delay = self.backoff.next_delay() if retry_delay is None else retry_delay
                status.state = ConnectionState.RECONNECTING
                status.detail = status.last_error
                status.retry_at = time.monotonic() + delay
                await asyncio.sleep(delay)
                status.reconnects += 1

    async def _stream_once(self, client: httpx.AsyncClient) -> str:
        status = self.status
        status.state = (
            ConnectionState.RECONNECTING if status.ever_live else ConnectionState.CONNECTING
        )
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store", **self.headers}
        if self.parser.last_event_id:
            headers["Last-Event-ID"] = self.parser.last_event_id
        async with client.stream("GET", self.url, headers=headers) as response:
            check_response(response)
            status.state = ConnectionState.LIVE
            status.detail = ""
            status.ever_live = True
            self.backoff.reset()
            parser = self.parser
            parser.new_stream()
            decode = self.decoder.decode
            async for chunk in response.aiter_bytes():
                status.bytes_received += len(chunk)
                messages = parser.feed(chunk)
                if parser.reconnection_time is not None:
                    self.backoff.base = parser.reconnection_time / 1000.0
                if not messages:
                    continue
                received = self.clock()
                items: list[Event | Rejected] = []
                for m in messages:
                    event_id = m.id or None
                    if m.oversized:
                        items.append(
                            self.decoder.oversized(m.data, m.oversized, received, event_id)
                        )
                    else:
                        items.append(
                            decode(
                                m.data,
                                received=received,
                                event_type=m.event or None,
                                event_id=event_id,
                            )
                        )
                self.sink.extend(items)
                status.last_event_id = parser.last_event_id
                # When data keeps coming, reading the next chunk may not suspend: yield so
                # the UI's frame ticks are not held up behind a long burst.
                await asyncio.sleep(0)
        return "the server ended the stream"


def check_response(response: httpx.Response) -> None:
    """Raise StopConnection or RetryConnection unless this is a 200 event stream."""
    code = response.status_code
    phrase = f"{code} {response.reason_phrase}".strip()
    if code == 204:
        raise StopConnection("the server answered 204 No Content (do not reconnect)")
    if code in (401, 403):
        raise StopConnection(f"the credentials were refused ({phrase})")
    if code == 404:
        raise StopConnection(f"not found ({phrase}): check the URL path")
    if code in (408, 425, 429) or code >= 500:
        raise RetryConnection(f"server error: {phrase}", retry_after(response))
    if code != 200:
        raise StopConnection(f"the server answered {phrase}")
    content_type = response.headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() != "text/event-stream":
        shown = content_type or "no Content-Type"
        raise StopConnection(f"expected Content-Type text/event-stream, got {shown!r}")


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After delay in seconds when given as a number (capped at 5 minutes)."""
    value = response.headers.get("retry-after", "").strip()
    return min(float(value), 300.0) if value.isdigit() else None


def describe_transport_error(
    exc: httpx.TransportError, heartbeat_timeout: float, url: str = ""
) -> str:
    """A one-line reason an operator can act on."""
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {heartbeat_timeout:g} s (stalled)"
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke mid-stream ({exc})"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        where = httpx.URL(url).netloc.decode() if url else ""
        if text == "All connection attempts failed":  # anyio's words for "refused" everywhere
            text = "connection refused or unreachable"
        return f"cannot connect to {where}: {text}" if where else f"cannot connect: {text}"
    return text
