"""Replays a producer sends again after a reconnect, recognised by their ids and data."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

DEFAULT_WINDOW = 10_000  # events remembered per connection, at least (an id that came
# again with new data may go with its first batch)...
DEFAULT_WINDOW_BYTES = 16 << 20  # ...unless their data passes this many bytes: then fewer
# (the newest batch is always held). 10,000 events of 700 KB were 7 GB in the feed's process.


class RecentIds:
    """The last *window* events of a connection (fewer if their data passes *window_bytes*),
    by producer id and their data.

    An event is a repeat when an id among them comes again with the same data: a server
    resuming from further back than the client asked. The same id with other data is new:
    a producer that restarted and numbers its events from 1 again.

    Repeats come at the start of a stream, so that is where they are looked for: after
    :meth:`new_stream`, the next *window* events are checked against the *window* before
    it. In between, remembering an event costs no more than keeping its batch and adding
    up the length of its data (at a hundred thousand events a second, keeping an index of
    ids would cost more than anything else about them).
    """

    def __init__(
        self, window: int = DEFAULT_WINDOW, window_bytes: int = DEFAULT_WINDOW_BYTES
    ) -> None:
        self.window = window
        self.window_bytes = window_bytes
        # (ids, data, bytes of data), oldest first
        self._batches: deque[tuple[Sequence[str], Sequence[bytes], int]] = deque()
        self._held = 0  # ids in _batches
        self._held_bytes = 0  # bytes of data in _batches
        self._checking: dict[str, int] | None = None  # id -> hash of data, while checking
        self._to_check = 0  # events of this stream still to be checked

    def new_stream(self) -> None:
        """A stream starts (a reconnect): check its first events against those held."""
        if not self._held:
            return
        known: dict[str, int] = {}
        for ids, data, _size in self._batches:
            known.update(zip(ids, map(hash, data), strict=True))
        self._checking = known
        self._to_check = self.window

    def repeats(self, ids: Sequence[str], data: Sequence[bytes]) -> set[int]:
        """The positions of the repeats among a batch of events (*ids* and their *data*);
        the others are remembered."""
        known = self._checking
        if known is None:
            self._remember(ids, data)
            return set()
        repeated: set[int] = set()
        for position, (event_id, payload) in enumerate(zip(ids, data, strict=True)):
            digest = hash(payload)
            if known.get(event_id) == digest:
                repeated.add(position)
            else:
                known[event_id] = digest
        if repeated:
            ids = [i for n, i in enumerate(ids) if n not in repeated]
            data = [d for n, d in enumerate(data) if n not in repeated]
        self._remember(ids, data)
        self._to_check -= len(ids)
        if self._to_check <= 0:
            self._checking = None
        return repeated

    @property
    def held(self) -> tuple[int, int]:
        """(events, bytes of their data) remembered now."""
        return self._held, self._held_bytes

    def _remember(self, ids: Sequence[str], data: Sequence[bytes]) -> None:
        if not ids:
            return
        size = sum(map(len, data))
        batches = self._batches
        batches.append((ids, data, size))
        self._held += len(ids)
        self._held_bytes += size
        while len(batches) > 1 and (
            self._held - len(batches[0][0]) >= self.window  # window or more remain
            or self._held_bytes > self.window_bytes
        ):
            ids, _data, size = batches.popleft()
            self._held -= len(ids)
            self._held_bytes -= size
