"""Sources: asyncio clients that turn a feed into Events in a sink. No Qt here.

Which transport reads which URL is declared by each transport module (its ``KIND``) and
listed in :mod:`dashboard.sources.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dashboard.core.layouts.names import unique_names as core_unique_names
from dashboard.core.transport.backoff import Backoff
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources.base import (
    ConnectionState,
    ConnectionStatus,
    ReconnectingSource,
    Sink,
)
from dashboard.sources.registry import KINDS
from dashboard.sources.sse import SSESource
from dashboard.sources.websocket import WebSocketSource

__all__ = [
    "KINDS",
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
    kinds: SourceKinds = KINDS,
) -> ReconnectingSource:
    """The source for the spec's URL scheme, as *kinds* declare it (the registry's: SSE for
    http(s)://, WebSocket for ws(s)://, Redis for redis(s)://)."""
    reader = kinds.for_url(spec.url).reader
    kinds.mark_secrets(spec)
    if clock is None:
        return reader(spec, sink, backoff=backoff)  # type: ignore[no-any-return]
    return reader(spec, sink, backoff=backoff, clock=clock)  # type: ignore[no-any-return]


def check_feed_url(url: str, kinds: SourceKinds = KINDS) -> None:
    """Nothing if *url* is a feed this app can read; else ValueError saying what is wrong
    (without the URL: the caller says which)."""
    kinds.for_url(url)


def unique_names(specs: Sequence[ConnectionSpec]) -> None:
    """Make connection names unique in place, by the one rule (core.layouts.names): web-1,
    web-1-2, web-1-3..."""
    for spec, name in zip(specs, core_unique_names(s.name for s in specs), strict=True):
        spec.name = name
