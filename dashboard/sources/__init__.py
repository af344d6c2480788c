"""Sources: asyncio clients that turn a feed into Events in a sink. No Qt here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

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
from dashboard.sources.redis_streams import REDIS_SCHEMES, RedisSource, parse_redis_url
from dashboard.sources.sse import SSESource
from dashboard.sources.websocket import WebSocketSource

FEED_URL_HELP = (
    "expected http(s)://host/path (Server-Sent Events), ws(s)://host/path (WebSocket) or "
    "redis(s)://host:port/db?stream=NAME or ?channel=NAME (Redis)"
)

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
    "check_feed_url",
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
    """The source for the spec's URL scheme: SSE for http(s)://, WebSocket for ws(s)://,
    Redis for redis(s)://."""
    check_feed_url(spec.url)
    kinds: dict[str, type[ReconnectingSource]] = {
        **dict.fromkeys(SSE_SCHEMES, SSESource),
        **dict.fromkeys(WEBSOCKET_SCHEMES, WebSocketSource),
        **dict.fromkeys(REDIS_SCHEMES, RedisSource),
    }
    kind = kinds[spec.scheme]
    if clock is None:
        return kind(spec, sink, backoff=backoff)
    return kind(spec, sink, backoff=backoff, clock=clock)


def check_feed_url(url: str) -> None:
    """Nothing if *url* is a feed this app can read; else ValueError saying what is wrong
    (without the URL: the caller says which)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in (*SSE_SCHEMES, *WEBSOCKET_SCHEMES, *REDIS_SCHEMES) or not parts.netloc:
        raise ValueError(FEED_URL_HELP)
    if scheme in REDIS_SCHEMES:
        parse_redis_url(url)


def unique_names(specs: Sequence[ConnectionSpec]) -> None:
    """Make connection names unique in place: web-1, web-1-2, web-1-3..."""
    seen: dict[str, int] = {}
    for spec in specs:
        seen[spec.name] = seen.get(spec.name, 0) + 1
        if seen[spec.name] > 1:
            spec.name = f"{spec.name}-{seen[spec.name]}"
