"""Replays a producer sends again after a reconnect, recognised by their ids."""

from __future__ import annotations

from collections import deque

DEFAULT_WINDOW = 10_000  # ids remembered per connection


class RecentIds:
    """The last *window* producer ids of a connection: an id seen among them again is a
    duplicate (a server resuming from further back than the client asked)."""

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        self.window = window
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def is_new(self, event_id: str) -> bool:
        """True the first time *event_id* is offered (it is then remembered)."""
        if event_id in self._ids:
            return False
        self._ids.add(event_id)
        self._order.append(event_id)
        if len(self._order) > self.window:
            self._ids.discard(self._order.popleft())
        return True
