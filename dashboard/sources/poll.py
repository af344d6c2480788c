"""Polled endpoints: an http(s):// URL fetched every ``poll`` interval, each JSON answer an
event (its type from the answer's envelope keys, else ``poll``), or with ``poll_changes``
only an answer that changed (``core.transport.polling``; the others count as duplicates).

It sends the connection's method, body, headers and authentication and uses its TLS
settings, as the SSE source does (``--method POST --body ...`` polls a JSON-RPC or GraphQL
status query). A poll that fails (an answer other than 2xx, not JSON, over the frame size
limit) is rejected with its reason and polling goes on, the next poll backing off from the
interval; a connection that cannot be made is retried like any other.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from dashboard.core.events.decode import PREVIEW_BYTES
from dashboard.core.events.event import DecodedBatch, Rejected
from dashboard.core.text.inert import inert
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.polling import POLL_INTERVALS, ChangedAnswers
from dashboard.sources.base import ConnectionState, ReconnectingSource, status_text
from dashboard.sources.http_request import (
    CrossOriginGuard,
    answered_at,
    http_client,
    request_content,
    request_method,
)
from dashboard.sources.sse import describe_transport_error

log = logging.getLogger("dashboard.sources.poll")

FAILED_POLL_CAP = 300.0  # seconds: failed polls back off up to this (or twice the interval)


class PollSource(ReconnectingSource):
    """Polls one endpoint into a sink until stopped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interval = POLL_INTERVALS.read(self.spec.options["poll"], "poll")
        self.changes = ChangedAnswers() if self.spec.options.get("poll_changes") else None
        # After a failed poll the next waits longer: about twice the interval, then twice
        # that each time (shortened by up to 30 % at random, as reconnects are).
        self.failures = Backoff(base=2 * self.interval, cap=max(FAILED_POLL_CAP, 2 * self.interval))
        self.polls = 0  # answers received, good or not
        self.redirects = CrossOriginGuard(self.name, self.url, self.spec.headers)

    async def _stream_once(self) -> str:
        headers = {"Accept": "application/json", "Cache-Control": "no-store", **self.headers()}
        method = request_method(self.spec.options)
        timeout = httpx.Timeout(10.0, read=self.spec.heartbeat_timeout)
        async with http_client(self.redirects, timeout, self.ssl_context()) as client:
            while True:
                started = time.monotonic()
                if await self._poll(client, method, headers):
                    self.failures.reset()
                    delay = self.interval
                else:
                    delay = self.failures.next_delay()
                await asyncio.sleep(max(0.0, started + delay - time.monotonic()))

    async def _poll(self, client: httpx.AsyncClient, method: str, headers: dict[str, str]) -> bool:
        """Fetch the endpoint once (a ``@FILE`` body read again); whether the answer was a
        good one."""
        limit = self.spec.max_frame_bytes
        content, headers = request_content(self.spec.options, headers)
        async with client.stream(method, self.url, headers=headers, content=content) as response:
            body, size = await _read_at_most(response, limit)
        self.polls += 1
        received = self.clock()
        if self.status.state is not ConnectionState.LIVE:  # it answers: live, good or not
            self.went_live()
        code = response.status_code
        decoder = self.decoder
        if not 200 <= code < 300:
            phrase = f"{code} {inert(response.reason_phrase)}".strip()
            where = answered_at(response)
            return self._failed(f"the poll was answered {phrase}{where}", body, received, size)
        if size > limit:
            return self._failed("", body, received, size, decoder.oversized(body, size, received))
        row = decoder.decode_row(body, received, default_type="poll")
        if type(row) is not tuple:
            return self._failed("", body, received, size, row)  # type: ignore[arg-type]
        if type(row[5]) is str and body.lstrip()[:1] != b'"':
            return self._failed("the answer is not JSON", body, received, size)
        self.status.last_error = ""
        if self.changes is not None and not self.changes.is_news(row):
            self.status.duplicates += 1
            self.hand_over(None, size)
            return True
        await self.deliver(DecodedBatch(self.name, rows=[row]), size)
        return True

    def _failed(
        self,
        reason: str,
        body: bytes,
        received: float,
        size: int,
        rejected: Rejected | None = None,
    ) -> bool:
        """Reject a poll's answer with *reason* (or as *rejected* says), and say so."""
        if rejected is None:
            rejected = Rejected(reason, body[:PREVIEW_BYTES], received, self.name, size)
        self.status.last_error = status_text(f"poll {self.polls:,}: {rejected.reason}")
        log.warning("%s: %s", self.name, self.status.last_error)
        self.hand_over(DecodedBatch(self.name, rejected=[rejected]), size)
        return False

    def _describe_error(self, exc: Exception) -> str | None:
        if isinstance(exc, httpx.TransportError):
            return describe_transport_error(exc, self.spec.heartbeat_timeout, self.netloc)
        return super()._describe_error(exc)


async def _read_at_most(response: httpx.Response, limit: int) -> tuple[bytes, int]:
    """The body, or its first PREVIEW_BYTES if it is over *limit* (then not read further),
    and its size (as far as it was read, or as its Content-Length says)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            declared = response.headers.get("content-length", "")
            preview = b"".join(parts)[:PREVIEW_BYTES]
            return preview, max(size, int(declared) if declared.isdigit() else 0)
        parts.append(chunk)
    return b"".join(parts), size
