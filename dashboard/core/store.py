"""The bounded, append-only event store that every panel reads from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from dashboard.core.event import Event, Rejected

DEFAULT_CAPACITY = 1_000_000
DEFAULT_REJECTED_CAPACITY = 10_000


@dataclass(slots=True)
class ConnectionCounts:
    """Per-connection accounting: every frame is either accepted or rejected."""

    accepted: int = 0
    rejected: int = 0

    @property
    def frames(self) -> int:
        return self.accepted + self.rejected


T = TypeVar("T", Event, Rejected)


class _Ring(Generic[T]):
    """A fixed-size ring addressed by a monotonically growing sequence number."""

    __slots__ = ("_items", "capacity", "end")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._items: list[T | None] = [None] * capacity
        self.end = 0

    @property
    def first(self) -> int:
        return max(0, self.end - self.capacity)

    def push(self, item: T) -> None:
        item.seq = self.end
        self._items[self.end % self.capacity] = item
        self.end += 1

    def get(self, seq: int) -> T | None:
        if self.first <= seq < self.end:
            return self._items[seq % self.capacity]
        return None

    def slice(self, start: int, stop: int) -> list[T]:
        start = max(start, self.first)
        stop = min(stop, self.end)
        cap = self.capacity
        items = self._items
        return [items[s % cap] for s in range(start, stop)]  # type: ignore[misc]


class EventStore:
    """Holds the newest *capacity* events and rejected frames, by arrival sequence number.

    Events get ``seq`` 0, 1, 2... in arrival order; when full, the oldest are evicted and
    ``first_seq`` moves on. Sources append; panels read ranges ``[start, end)`` of seqs.
    """

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        rejected_capacity: int = DEFAULT_REJECTED_CAPACITY,
    ) -> None:
        self._events: _Ring[Event] = _Ring(capacity)
        self._rejected: _Ring[Rejected] = _Ring(rejected_capacity)
        self.counts: dict[str, ConnectionCounts] = {}

    # -- writing -----------------------------------------------------------------------
    def add(self, item: Event | Rejected) -> None:
        counts = self.counts.get(item.connection)
        if counts is None:
            counts = self.counts[item.connection] = ConnectionCounts()
        if type(item) is Event:
            self._events.push(item)
            counts.accepted += 1
        else:
            self._rejected.push(item)  # type: ignore[arg-type]
            counts.rejected += 1

    def extend(self, items: Iterable[Event | Rejected]) -> None:
        for item in items:
            self.add(item)

    # -- reading -----------------------------------------------------------------------
    @property
    def capacity(self) -> int:
        return self._events.capacity

    @property
    def first_seq(self) -> int:
        """The oldest retained event's seq."""
        return self._events.first

    @property
    def end_seq(self) -> int:
        """One past the newest event's seq: the total number of events ever stored."""
        return self._events.end

    @property
    def evicted(self) -> int:
        return self._events.first

    def __len__(self) -> int:
        return self._events.end - self._events.first

    def get(self, seq: int) -> Event | None:
        return self._events.get(seq)

    def events(self, start: int, stop: int) -> list[Event]:
        """The retained events with ``start <= seq < stop``."""
        return self._events.slice(start, stop)

    @property
    def rejected_first_seq(self) -> int:
        return self._rejected.first

    @property
    def rejected_total(self) -> int:
        return self._rejected.end

    def rejected(self, start: int = 0, stop: int | None = None) -> list[Rejected]:
        """The retained rejected frames with ``start <= seq < stop``."""
        return self._rejected.slice(start, self._rejected.end if stop is None else stop)
