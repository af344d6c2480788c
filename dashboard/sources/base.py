"""What every source shares: its status record and the sink it writes into."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from dashboard.core.event import Event, Rejected


class Sink(Protocol):
    """Where a source puts what it decoded (the EventStore in the app)."""

    def extend(self, items: Iterable[Event | Rejected]) -> None: ...


class ConnectionState(Enum):
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


@dataclass(slots=True)
class ConnectionStatus:
    """A connection's health as the operator sees it; the source updates it in place."""

    name: str
    url: str
    state: ConnectionState = ConnectionState.CONNECTING
    detail: str = ""  # why it stopped, or what it is waiting for
    last_error: str = ""
    reconnects: int = 0
    retry_at: float | None = None  # time.monotonic() of the next attempt
    last_event_id: str = ""
    bytes_received: int = 0
    ever_live: bool = False

    def describe(self, now: float | None = None) -> str:
        """``live``, ``reconnecting in 3 s``, ``stopped: <reason>``..."""
        state = self.state
        if state is ConnectionState.RECONNECTING and self.retry_at is not None:
            now = time.monotonic() if now is None else now
            wait = max(0.0, self.retry_at - now)
            return f"reconnecting in {wait:.0f} s" if wait >= 1 else "reconnecting"
        if state is ConnectionState.STOPPED and self.detail:
            return f"stopped: {self.detail}"
        return state.value
