"""Sources: asyncio clients that turn a feed into Events in a sink. No Qt here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    "unique_names",
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


def unique_names(specs: Sequence[ConnectionSpec]) -> None:
    """Make connection names unique in place: web-1, web-1-2, web-1-3..."""
    seen: dict[str, int] = {}
    for spec in specs:
        seen[spec.name] = seen.get(spec.name, 0) + 1
        if seen[spec.name] > 1:
            spec.name = f"{spec.name}-{seen[spec.name]}"
