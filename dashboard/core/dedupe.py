"""Replays a producer sends again after a reconnect, recognised by their ids and data."""

from __future__ import annotations

from collections import deque

DEFAULT_WINDOW = 10_000  # events remembered per connection


class RecentIds:
    """The last *window* events of a connection, by producer id and a hash of their data.

    An event is a duplicate when an id among them comes again with the same data: a server
    resuming from further back than the client asked. The same id with other data is new:
    a producer that restarted and numbers its events from 1 again.
    """

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        self.window = window
        self._order: deque[str] = deque()
        self._data_hash: dict[str, int] = {}

    def is_new(self, event_id: str, data: bytes) -> bool:
        """False when *event_id* was seen recently with this *data*; else it is remembered."""
        seen = self._data_hash.get(event_id)
        digest = hash(data)
        if seen == digest:
            return False
        if seen is None:
            self._order.append(event_id)
            if len(self._order) > self.window:
                del self._data_hash[self._order.popleft()]
        self._data_hash[event_id] = digest
        return True
