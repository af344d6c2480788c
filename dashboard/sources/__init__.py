"""Sources: asyncio clients that turn a feed into Events in a sink. No Qt here."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.core.backoff import Backoff
from dashboard.sources.base import (
    SSE_SCHEMES,
    WEBSOCKET_SCHEMES,
    ConnectionSpec,
    ConnectionState,
    ConnectionStatus,
    ReconnectingSource,
    Sink,
)
from dashboard.sources.sse import SSESource
from dashboard.sources.websocket import WebSocketSource

__all__ = [
    "SSE_SCHEMES",
    "WEBSOCKET_SCHEMES",
    "ConnectionSpec",
    "ConnectionState",
    "ConnectionStatus",
    "ReconnectingSource",
    "SSESource",
    "Sink",
    "WebSocketSource",
    "open_source",
]


def open_source(
    spec: ConnectionSpec,
    sink: Sink,
    *,
    backoff: Backoff | None = None,
    clock: Callable[[], float] | None = None,
) -> ReconnectingSource:
    """The source for the spec's URL scheme: SSE for http(s)://, WebSocket for ws(s)://."""
    kind = WebSocketSource if spec.scheme in WEBSOCKET_SCHEMES else SSESource
    if spec.scheme not in (*SSE_SCHEMES, *WEBSOCKET_SCHEMES):
        raise ValueError(f"{spec.url!r}: expected http(s):// or ws(s)://")
    if clock is None:
        return kind(spec, sink, backoff=backoff)
    return kind(spec, sink, backoff=backoff, clock=clock)
