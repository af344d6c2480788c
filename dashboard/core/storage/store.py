"""The bounded, append-only event store that every panel reads from.

Events are kept as columns, not objects: the raw bytes, the envelope fields (type, source,
severity, times, id) and the connection. That holds a million events in a few hundred
bytes each, and keeps them out of the cyclic garbage collector's scans (a million live
Event objects made its full collections take hundreds of milliseconds, freezing the UI).

The Event objects a source hands in are kept until the bus has shown them to the panels
(:meth:`EventStore.release`); after that an event is rebuilt on demand by decoding its raw
bytes again, with a small cache for the rows on screen.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import SEVERITY_OF, DecodedBatch, Event, Rejected, Severity

DEFAULT_CAPACITY = 1_000_000
DEFAULT_REJECTED_CAPACITY = 10_000  # each keeps at most PREVIEW_BYTES of its frame
RECENT_LIMIT = 200_000  # Event objects kept for the bus at most, if nobody releases them
MATERIALISED_CACHE = 2048  # events rebuilt from their raw bytes and kept, at most...
# ...and at most this many bytes of their raw frames: a decoded payload takes several times
# its frame (a 640 KB object of 50,000 keys is 5 MB of Python objects), so 2,048 rebuilt
# wide events would hold gigabytes. The newest rebuilt event is always kept.
MATERIALISED_BYTES = 4 << 20
_INTERN_LIMIT = 100_000  # distinct type/source names shared; past that, stored as they come
_INTERN_LENGTH = 256  # longer names are stored as they come, never remembered (the shared
# names outlive the events that had them: 100,000 names of a frame's length would be GBs)


@dataclass(slots=True)
class ConnectionCounts:
    """Per-connection accounting: every frame is either accepted or rejected."""

    accepted: int = 0
    rejected: int = 0

    @property
    def frames(self) -> int:
        return self.accepted + self.rejected


T = TypeVar("T")


class _Ring(Generic[T]):
    """A fixed-size ring of objects addressed by a growing sequence number."""

    __slots__ = ("_items", "capacity", "end", "floor")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self._items: list[T | None] = [None] * capacity
        self.end = 0
        self.floor = 0  # nothing below this is held (see clear)

    @property
    def first(self) -> int:
        return max(self.floor, self.end - self.capacity)

    def clear(self) -> None:
        """Let go of every item; numbering goes on from where it was."""
        self.floor = self.end
        self._items = [None] * self.capacity

    def push(self, item: T) -> int:
        seq = self.end
        self._items[seq % self.capacity] = item
        self.end = seq + 1
        return seq

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
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self.end_seq = 0  # one past the newest event: the number of events ever stored
        self._floor = 0  # no event below this seq is held (see clear)
        self._raw: list[bytes | None] = [None] * capacity
        self._type: list[str] = [""] * capacity
        self._source: list[str] = [""] * capacity
        self._declared: list[str | None] = [None] * capacity
        self._id: list[str | None] = [None] * capacity
        self._time = np.zeros(capacity, dtype=np.float64)
        self._received = np.zeros(capacity, dtype=np.float64)
        self._severity = np.zeros(capacity, dtype=np.uint8)
        self._connection = np.zeros(capacity, dtype=np.uint16)
        self._connections: list[str] = []
        self._connection_index: dict[str, int] = {}
        self._decoders: dict[str, Decoder] = {}
        self._names: dict[str, str] = {}
        # The newest Event objects in seq order, live from index _recent_head on.
        self._recent: list[Event] = []
        self._recent_head = 0
        self._cache: OrderedDict[int, Event] = OrderedDict()
        self._cache_bytes = 0  # raw bytes of the events in _cache
        self._rejected: _Ring[Rejected] = _Ring(rejected_capacity)
        self.counts: dict[str, ConnectionCounts] = {}

    # -- writing -----------------------------------------------------------------------
    def register(self, decoder: Decoder) -> None:
        """Use *decoder* to rebuild the events of its connection (custom envelope keys)."""
        self._decoders[decoder.connection] = decoder

    def add(self, item: Event | Rejected) -> None:
        self.extend((item,))

    def extend(self, items: Iterable[Event | Rejected]) -> None:
        """Store events and rejected frames, each kind numbered in the order given."""
        events: list[Event] = []
        for item in items:
            if type(item) is Event:
                events.append(item)
            else:
                self._reject(item)  # type: ignore[arg-type]
        if not events:
            return
        start = self.end_seq
        for seq, event in enumerate(events, start):
            event.seq = seq
        for connection, accepted in Counter(e.connection for e in events).items():
            self._count(connection).accepted += accepted
        self._append(
            events,
            [e.type for e in events],
            [e.time for e in events],
            [e.received for e in events],
            [e.source for e in events],
            [e.severity for e in events],
            [e.raw for e in events],
            [e.id for e in events],
            [e.declared_type for e in events],
            [self._connection_number(e.connection) for e in events],
        )

    def extend_batch(self, batch: DecodedBatch) -> None:
        """What a source decoded from one read: its events, then its rejected frames."""
        if batch.rows:
            self.extend_columns(batch.connection, batch.columns())
        if batch.rejected:
            self.extend(batch.rejected)

    def extend_columns(self, connection: str, columns: Sequence[Sequence[Any]]) -> None:
        """Store one connection's events given as columns, as a feed's process sends them:
        type, time, received, source, severity (a number), data, raw, id, declared type.

        The Events the panels take are made here, with their seq: one pass, no Event made
        only to be taken apart again."""
        types, times, received, sources, severities, _data, raws, ids, declared = columns
        start = self.end_seq
        levels = SEVERITY_OF
        events = [
            Event(t, w, r, s, levels[v], d, raw, connection, i, dt, seq)
            for seq, t, w, r, s, v, d, raw, i, dt in zip(
                range(start, start + len(types)), *columns, strict=True
            )
        ]
        number = self._connection_number(connection)
        self._count(connection).accepted += len(events)
        self._append(
            events, types, times, received, sources, severities, raws, ids, declared,
            [number] * len(events),
        )  # fmt: skip

    def _append(
        self,
        events: list[Event],
        types: Sequence[str],
        times: Sequence[float],
        received: Sequence[float],
        sources: Sequence[str],
        severities: Sequence[int],
        raws: Sequence[bytes],
        ids: Sequence[str | None],
        declared: Sequence[str | None],
        connections: list[int],
    ) -> None:
        """Write the columns of *events* (numbered from ``end_seq`` on) into the ring; the
        caller has counted them."""
        names = self._names
        intern = self._intern
        columns: list[tuple[Any, Sequence[Any]]] = [
            (self._type, [names.get(t) or intern(t) for t in types]),
            (self._source, [names.get(s) or intern(s) for s in sources]),
            (self._raw, raws),
            (self._id, ids),
            (self._declared, declared),
            (self._time, times),
            (self._received, received),
            (self._severity, severities),
            (self._connection, connections),
        ]
        cap = self.capacity
        start = self.end_seq
        skip = max(0, len(events) - cap)  # a batch bigger than the store: its newest fit
        at = (start + skip) % cap
        first = min(len(events) - skip, cap - at)  # up to the ring's end, then from its start
        for column, values in columns:
            column[at : at + first] = values[skip : skip + first]
            column[: len(events) - skip - first] = values[skip + first :]
        self.end_seq = start + len(events)
        self._recent.extend(events)
        self.release(max(self.first_seq, self.end_seq - RECENT_LIMIT))

    def _reject(self, item: Rejected) -> None:
        item = item.preview()  # (10,000 frames of up to 1 MB kept whole would be 10 GB)
        item.seq = self._rejected.push(item)
        self._count(item.connection).rejected += 1

    def _count(self, connection: str) -> ConnectionCounts:
        counts = self.counts.get(connection)
        if counts is None:
            counts = self.counts[connection] = ConnectionCounts()
        return counts

    def release(self, upto: int) -> None:
        """Drop the Event objects of seqs below *upto* (the bus has shown them)."""
        recent = self._recent
        head = self._recent_head
        if head < len(recent) and recent[head].seq < upto:
            head = min(len(recent), head + upto - recent[head].seq)
            # Let go of them once they outnumber those still held (a cost in proportion),
            # however few: released events are dead weight, and the 4,096 kept before
            # were gigabytes when events were wide.
            if head * 2 > len(recent):
                del recent[:head]
                head = 0
            self._recent_head = head

    def _recent_offset(self, seq: int) -> int | None:
        """The index of *seq* in the recent list, if it is still there."""
        head = self._recent_head
        recent = self._recent
        if head < len(recent):
            first = recent[head].seq
            if first <= seq:
                return head + seq - first
        return None

    def _intern(self, name: str) -> str:
        if len(self._names) < _INTERN_LIMIT and len(name) <= _INTERN_LENGTH:
            self._names[name] = name
        return name

    def _connection_number(self, name: str) -> int:
        number = self._connection_index.get(name)
        if number is None:
            number = self._connection_index[name] = len(self._connections)
            self._connections.append(name)
        return number

    # -- reading -----------------------------------------------------------------------
    @property
    def first_seq(self) -> int:
        """The oldest retained event's seq."""
        return max(self._floor, self.end_seq - self.capacity)

    def clear(self) -> None:
        """Forget every event and rejected frame, as if all were evicted at once: seqs go
        on growing, so readers that follow ``first_seq`` need nothing new (a replay that
        seeks back starts again from an empty store)."""
        self._floor = self.end_seq
        self._rejected.clear()
        self._recent = []
        self._recent_head = 0
        self._cache.clear()
        self._cache_bytes = 0
        self.counts = {}

    @property
    def received(self) -> int:
        """Events taken in since the start or the last :meth:`clear` (held or evicted)."""
        return self.end_seq - self._floor

    @property
    def rejected_received(self) -> int:
        """Rejected frames taken in since the start or the last :meth:`clear`."""
        return self._rejected.end - self._rejected.floor

    @property
    def evicted(self) -> int:
        """Events pushed out to make room (not those let go by :meth:`clear`)."""
        return self.first_seq - self._floor

    def __len__(self) -> int:
        return self.end_seq - self.first_seq

    def get(self, seq: int) -> Event | None:
        if not self.first_seq <= seq < self.end_seq:
            return None
        index = self._recent_offset(seq)
        if index is not None:
            return self._recent[index]
        cached = self._cache.get(seq)
        if cached is not None:
            self._cache.move_to_end(seq)
            return cached
        event = self._rebuild(seq)
        cache = self._cache
        cache[seq] = event
        self._cache_bytes += len(event.raw)
        while len(cache) > 1 and (
            len(cache) > MATERIALISED_CACHE or self._cache_bytes > MATERIALISED_BYTES
        ):
            self._cache_bytes -= len(cache.popitem(last=False)[1].raw)
        return event

    def events(self, start: int, stop: int) -> list[Event]:
        """The retained events with ``start <= seq < stop``."""
        start = max(start, self.first_seq)
        stop = min(stop, self.end_seq)
        if start >= stop:
            return []
        index = self._recent_offset(start)
        if index is not None:
            return self._recent[index : index + stop - start]
        return [self.get(s) for s in range(start, stop)]  # type: ignore[misc]

    def type_at(self, seq: int) -> str:
        return self._type[seq % self.capacity]

    def payload(self, seq: int, key: str | None = None) -> Any:
        """The decoded payload of a retained event, without keeping the event around; with
        *key*, possibly the whole object instead, where a path starting at *key* finds the
        same (see Decoder.payload_under: faster for field queries)."""
        index = self._recent_offset(seq)
        if index is not None:
            return self._recent[index].data
        cached = self._cache.get(seq)
        return cached.data if cached is not None else self._decode(seq % self.capacity, key)

    def severities(self, seqs: np.ndarray) -> np.ndarray:
        """The severity of each retained event in *seqs* (an int64 array)."""
        return self._severity[seqs % self.capacity]

    def times(self, seqs: np.ndarray) -> np.ndarray:
        """The event time of each retained event in *seqs* (an int64 array)."""
        return self._time[seqs % self.capacity]

    def columns(self, start: int, stop: int) -> EventColumns:
        """The retained events ``start <= seq < stop`` as columns, for queries."""
        start = max(start, self.first_seq)
        stop = max(start, min(stop, self.end_seq))
        return EventColumns(self, start, stop)

    def _decode(self, i: int, key: str | None = None) -> Any:
        raw = self._raw[i]
        assert raw is not None
        connection = self._connections[self._connection[i]]
        decoder = self._decoders.get(connection)
        if decoder is None:
            decoder = self._decoders[connection] = Decoder(connection)
        if key is not None:
            return decoder.payload_under(raw, self._declared[i], key)
        return decoder.payload(raw, self._declared[i])

    def _rebuild(self, seq: int) -> Event:
        """The event again, from its columns and its raw bytes decoded anew."""
        i = seq % self.capacity
        return Event(
            self._type[i],
            float(self._time[i]),
            float(self._received[i]),
            self._source[i],
            Severity(int(self._severity[i])),
            self._decode(i),
            self._raw[i],  # type: ignore[arg-type]
            self._connections[self._connection[i]],
            self._id[i],
            self._declared[i],
            seq,
        )

    @property
    def rejected_first_seq(self) -> int:
        return self._rejected.first

    @property
    def rejected_total(self) -> int:
        return self._rejected.end

    def rejected(self, start: int = 0, stop: int | None = None) -> list[Rejected]:
        """The retained rejected frames with ``start <= seq < stop``."""
        return self._rejected.slice(start, self._rejected.end if stop is None else stop)


class EventColumns:
    """Stored events ``start <= seq < stop`` as columns (what a query runs over).

    Valid until the store next changes: the numpy columns are views into the ring. A
    column is cut out of the ring only when a query asks for it.
    """

    def __init__(self, store: EventStore, start: int, stop: int) -> None:
        self.start = start
        self.size = stop - start
        self._store = store
        cap = store.capacity
        first = start % cap
        if first + self.size <= cap:
            self._parts = (slice(first, first + self.size),)
        else:
            self._parts = (slice(first, cap), slice(0, first + self.size - cap))

    def _take(self, column: Any) -> Any:
        parts = self._parts
        if len(parts) == 1:
            return column[parts[0]]
        if isinstance(column, np.ndarray):
            return np.concatenate([column[p] for p in parts])
        return column[parts[0]] + column[parts[1]]

    def __len__(self) -> int:
        return self.size

    @cached_property
    def raw(self) -> list[bytes]:
        return self._take(self._store._raw)  # type: ignore[no-any-return]

    @cached_property
    def type(self) -> list[str]:
        return self._take(self._store._type)  # type: ignore[no-any-return]

    @cached_property
    def source(self) -> list[str]:
        return self._take(self._store._source)  # type: ignore[no-any-return]

    @cached_property
    def id(self) -> list[str | None]:
        return self._take(self._store._id)  # type: ignore[no-any-return]

    @cached_property
    def connection(self) -> list[str]:
        names = self._store._connections
        return [names[n] for n in self._take(self._store._connection)]

    @cached_property
    def time(self) -> np.ndarray:
        return self._take(self._store._time)  # type: ignore[no-any-return]

    @cached_property
    def received(self) -> np.ndarray:
        return self._take(self._store._received)  # type: ignore[no-any-return]

    @cached_property
    def severity(self) -> np.ndarray:
        return self._take(self._store._severity)  # type: ignore[no-any-return]

    def payload(self, row: int, key: str | None = None) -> Any:
        return self._store.payload(self.start + row, key)
