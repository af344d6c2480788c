"""Replays a producer sends again after a reconnect, recognised by their ids and data."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

DEFAULT_WINDOW = 10_000  # events remembered per connection, at least (an id that came
# again with new data may go with its first batch)


class RecentIds:
    """The last *window* events of a connection, by producer id and a hash of their data.

    An event is a repeat when an id among them comes again with the same data: a server
    resuming from further back than the client asked. The same id with other data is new:
    a producer that restarted and numbers its events from 1 again.

    Ids are remembered and forgotten a batch at a time: checking a whole chunk's ids in one
    set operation is what keeps this cheap at a hundred thousand events a second.
    """

    def __init__(self, window: int = DEFAULT_WINDOW) -> None:
        self.window = window
        self._data_hash: dict[str, int] = {}
        self._batches: deque[list[str]] = deque()  # the ids remembered, oldest batch first
        self._held = 0  # ids in _batches

    def repeats(self, ids: Sequence[str], data: Sequence[bytes]) -> set[int]:
        """The positions of the repeats among a batch of events (*ids* and their *data*);
        the others are remembered."""
        known = self._data_hash
        if known.keys().isdisjoint(ids) and len(set(ids)) == len(ids):  # nearly always
            known.update(zip(ids, map(hash, data), strict=True))
            self._remember(list(ids))
            return set()
        repeated: set[int] = set()
        fresh: list[str] = []
        for position, (event_id, payload) in enumerate(zip(ids, data, strict=True)):
            seen = known.get(event_id)
            digest = hash(payload)
            if seen == digest:
                repeated.add(position)
                continue
            if seen is None:
                fresh.append(event_id)
            known[event_id] = digest
        self._remember(fresh)
        return repeated

    def _remember(self, ids: list[str]) -> None:
        if not ids:
            return
        self._batches.append(ids)
        self._held += len(ids)
        while self._held - len(self._batches[0]) >= self.window:  # window or more remain
            oldest = self._batches.popleft()
            self._held -= len(oldest)
            for event_id in oldest:
                self._data_hash.pop(event_id, None)
