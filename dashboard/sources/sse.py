"""Server-Sent Events source: httpx streaming, our spec parser, the shared decoder.

It reconnects with exponential backoff and jitter (the server's ``retry:`` sets the base),
sends ``Last-Event-ID`` on reconnect, and stops for good where retrying cannot help (4xx
answers and a wrong content type); 204 No Content (the spec's "do not reconnect") finishes
the connection, as the end of a finite stream does.

A request may be a POST with a body (an LLM streaming API). A finite stream is not
fetched again in a loop: ``data: [DONE]`` ends a stream (it is no event), and the
``reconnect`` option says what follows an end (see :func:`fetches_again`).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from dashboard.core.events.dedupe import RecentIds
from dashboard.core.events.event import DecodedBatch
from dashboard.core.text.inert import inert
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.polling import POLL_INTERVALS
from dashboard.core.transport.sourcekind import Option, SourceKind
from dashboard.sources.base import (
    ReconnectingSource,
    RetryConnection,
    Sink,
    StopConnection,
    StreamFinished,
)
from dashboard.sources.http_request import (
    BODY,
    METHOD,
    CrossOriginGuard,
    answered_at,
    http_client,
    request_content,
    request_method,
)
from dashboard.sources.jsonlines import ACCEPT, JsonLinesReader
from dashboard.sources.sse_protocol import DONE, SSEParser, declared_type

log = logging.getLogger("dashboard.sources.sse")

# The server's retry: is honoured within these bounds (seconds): never a busy loop of
# reconnects, never a wait of days.
MIN_RETRY = 0.01
MAX_RETRY = 300.0
RECONNECT_RULES = ("auto", "always", "on-error", "never")
REFUSED = "connection refused or unreachable"  # one wording, whatever the transport's library
# Declared once, by both stream transports (SSE and WebSocket): one flag, one dialog field.
RECONNECT = Option(
    "reconnect",
    str,
    default="auto",
    description="after the stream ends: always, on-error or never open it again; auto: "
    "HTTP fetches again only a GET stream it can resume (SSE with ids that did not end "
    "with [DONE], a Kubernetes watch, Docker events), WebSocket reopens after a close "
    "but not after a GraphQL complete",
    choices=RECONNECT_RULES,
)


class SSESource(ReconnectingSource):
    """Reads one SSE endpoint into a sink until stopped; ``status`` tells how it goes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One parser for the connection's life: it keeps the last event id across reconnects.
        self.parser = SSEParser(self.spec.max_frame_bytes)
        self.recent_ids = RecentIds()  # events seen: one sent again (same id, same data) is dropped
        self.json_lines = JsonLinesReader(self)  # answers of JSON lines (Kubernetes, Docker...)
        self.redirects = CrossOriginGuard(self.name, self.url, self.spec.headers)

    def checkpoint(self) -> object:
        return self.json_lines.checkpoint() or self.parser.last_event_id

    def resume(self, checkpoint: object) -> None:
        if isinstance(checkpoint, str):
            self.parser.last_event_id = checkpoint
        elif isinstance(checkpoint, dict):
            self.json_lines.resume(checkpoint)

    @property
    def method(self) -> str:
        return request_method(self.spec.options)

    def _stream_ended(self, done: bool, resumable: bool) -> str:
        """What follows a stream's normal end (after ``[DONE]`` when *done*; *resumable*:
        it can go on where it stopped): the reason to reconnect, or StreamFinished."""
        reason = "the stream ended with [DONE]" if done else "the server ended the stream"
        rule = self.spec.options.get("reconnect", "auto")
        if not fetches_again(rule, self.method, done, resumable):
            raise StreamFinished(reason)
        return reason

    async def _stream_once(self) -> str:
        if self.spec.options.get("reconnect") != "never":
            return await self._read_stream()
        try:  # a failure ends it too: said as it would be before a retry
            return await self._read_stream()
        except RetryConnection as failure:
            raise StopConnection(str(failure)) from None
        except (httpx.TransportError, OSError) as exc:
            raise StopConnection(self._describe_error(exc) or type(exc).__name__) from None

    async def _read_stream(self) -> str:
        headers = {"Accept": ACCEPT, "Cache-Control": "no-store", **self.headers()}
        content, headers = request_content(self.spec.options, headers)
        parser = self.parser
        if parser.last_event_id:  # UTF-8, as the spec says (httpx would insist on ASCII)
            headers["Last-Event-ID"] = parser.last_event_id.encode()  # type: ignore[assignment]
        timeout = httpx.Timeout(10.0, read=self.spec.heartbeat_timeout)
        async with (
            http_client(self.redirects, timeout, self.ssl_context()) as client,
            client.stream(
                self.method, self.json_lines.url(self.url), headers=headers, content=content
            ) as response,
        ):
            if self.json_lines.takes(response):  # JSON lines, not an event stream
                await self.json_lines.read(client, response)
                return self._stream_ended(False, self.json_lines.checkpoint() is not None)
            check_response(response)
            self.went_live()
            parser.new_stream()
            self.recent_ids.new_stream()
            status = self.status
            decoder = self.decoder
            decode_row = decoder.decode_row
            recent = self.recent_ids
            # The messages are scanned for [DONE] only once its bytes came by (a scan of
            # every message costs per event); they may come in two pieces, and the message
            # may end chunks later.
            tail = b""
            seen_done = False
            async for chunk in response.aiter_bytes():
                messages = parser.feed(chunk)
                seen_done = seen_done or DONE in chunk or DONE in tail + chunk[: len(DONE)]
                tail = chunk[-len(DONE) :]
                done = seen_done and any(m.data == DONE for m in messages)
                status.last_event_id = parser.last_event_id
                if parser.reconnection_time is not None:
                    self.backoff.base = min(
                        max(parser.reconnection_time / 1000, MIN_RETRY), MAX_RETRY
                    )
                if not messages:  # a heartbeat, or part of a message
                    self.hand_over(None, len(chunk))
                    continue
                if done:  # the end of the stream: what came before it counts, nothing after
                    at = next(i for i, m in enumerate(messages) if m.data == DONE)
                    messages = messages[:at]
                received = self.clock()
                owned = [m for m in messages if m.own_id]
                if owned:  # sent again by a server resuming too early: dropped
                    repeats = recent.repeats([m.id for m in owned], [m.data for m in owned])
                    if repeats:
                        status.duplicates += len(repeats)
                        dropped = {id(owned[i]) for i in repeats}
                        messages = [m for m in messages if id(m) not in dropped]
                batch = DecodedBatch(self.name)
                add = batch.add
                for m in messages:
                    event_id = m.id or None
                    if m.oversized:
                        add(decoder.oversized(m.data, m.oversized, received, event_id))
                    else:
                        add(decode_row(m.data, received, declared_type(m.event), event_id))
                await self.deliver(batch, len(chunk))
                if done:
                    return self._stream_ended(True, bool(parser.last_event_id))
        return self._stream_ended(False, bool(parser.last_event_id))

    def _describe_error(self, exc: Exception) -> str | None:
        if isinstance(exc, httpx.TransportError):
            return describe_transport_error(exc, self.spec.heartbeat_timeout, self.netloc)
        return super()._describe_error(exc)


def fetches_again(rule: str, method: str, done: bool, resumable: bool) -> bool:
    """Whether a stream that ended normally (with ``[DONE]`` when *done*) is fetched again.

    ``always``: yes; ``on-error`` and ``never``: no. ``auto`` (the default) fetches again
    only what can be resumed and the server meant to go on: a GET stream that sent event
    ids (or a Kubernetes watch, Docker's events: *resumable*) and did not end with
    ``[DONE]``. A POST (an answer to a request), a stream that ended with ``[DONE]`` and
    one with nothing to resume from (it would start over and send the same events again)
    are fetched once.
    """
    if rule == "always":
        return True
    if rule != "auto":
        return False
    return method == "GET" and not done and resumable


def check_response(response: httpx.Response) -> None:
    """Raise StreamFinished (204), StopConnection or RetryConnection unless this is a 200
    event stream."""
    code = response.status_code
    phrase = f"{code} {inert(response.reason_phrase)}".strip()  # the server's words
    where = answered_at(response)
    if code == 204:  # the server's word that there is nothing (more): no failure
        raise StreamFinished(f"the server answered 204 No Content{where} (do not reconnect)")
    check_status(code, phrase, retry_after(response.headers.get("retry-after", "")), where)
    content_type = response.headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() != "text/event-stream":
        shown = f"'{inert(content_type)}'" if content_type else "no Content-Type"
        raise StopConnection(f"expected Content-Type text/event-stream, got {shown}{where}")


def check_status(code: int, phrase: str, delay: float | None = None, where: str = "") -> None:
    """What an HTTP status means for a feed: fine (2xx), stop, or retry. *where*: `` at
    URL`` when another URL than the connection's answered (after a redirect)."""
    if code in (401, 403):
        raise StopConnection(f"the credentials were refused ({phrase}){where}")
    if code == 404:
        raise StopConnection(f"not found ({phrase}){where}: check the URL path")
    if code in (408, 425, 429) or code >= 500:
        raise RetryConnection(f"server error: {phrase}{where}", delay)
    if not 200 <= code < 300:
        raise StopConnection(f"the server answered {phrase}{where}")


def retry_after(value: str) -> float | None:
    """The Retry-After delay in seconds when given as a number (capped at 5 minutes)."""
    value = value.strip()
    return min(float(value), 300.0) if value.isdigit() else None


def describe_transport_error(
    exc: httpx.TransportError, heartbeat_timeout: float, netloc: str
) -> str:
    """A one-line reason an operator can act on."""
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {heartbeat_timeout:g} s (stalled)"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to {netloc}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke mid-stream ({inert(str(exc))})"
    text = inert(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        if text == "All connection attempts failed":  # anyio's words for "refused" everywhere
            text = REFUSED
        return f"cannot connect to {netloc}: {text}"
    return text


def open_http(spec: ConnectionSpec, sink: Sink, **kwargs: Any) -> ReconnectingSource:
    """The reader of an http(s):// connection: a poll of it with the ``poll`` option, else
    its stream (events, or JSON lines)."""
    if spec.options.get("poll"):
        from dashboard.sources.poll import PollSource  # it builds on this module

        return PollSource(spec, sink, **kwargs)
    return SSESource(spec, sink, **kwargs)


KIND = SourceKind(
    name="sse",
    title="Server-Sent Events",
    schemes=("http", "https"),
    reader=open_http,
    url_example="http(s)://host/path",
    description="HTTP streaming (httpx): SSE (resumes with Last-Event-ID, honours retry:; "
    "`data: [DONE]` ends a stream) or JSON lines (Kubernetes watches and Docker events "
    "resumed); or a polled JSON endpoint",
    options=(
        METHOD,
        BODY,
        RECONNECT,
        # polled endpoints (dashboard.sources.poll)
        Option(
            "poll",
            float,
            description="fetch the URL every DURATION (5s, 500ms, 2m), each JSON answer an "
            "event, instead of reading a stream",
            duration=POLL_INTERVALS,
            placeholder="off: read a stream",
            metavar="DURATION",
        ),
        Option(
            "poll_changes",
            bool,
            False,
            description="with --poll: an answer is an event only when it changed",
            label="Only answers that changed",
        ),
    ),
    bundle_imports=("dashboard.sources.poll",),  # imported when a poll is opened
)
