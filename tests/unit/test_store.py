"""The bounded event store: sequence numbers, eviction, ranges and accounting."""

from __future__ import annotations

import pytest

from dashboard.core.store import EventStore
from tests.unit.factories import make_event, make_rejected


def test_events_get_arrival_sequence_numbers() -> None:
    store = EventStore(capacity=10)
    store.extend(make_event(data={"n": n}) for n in range(3))
    assert [e.seq for e in store.events(0, 3)] == [0, 1, 2]
    assert (store.first_seq, store.end_seq, len(store)) == (0, 3, 3)
    assert store.get(1).data == {"n": 1}  # type: ignore[union-attr]
    assert store.get(3) is None


def test_oldest_events_are_evicted_when_full() -> None:
    store = EventStore(capacity=4)
    store.extend(make_event(data={"n": n}) for n in range(10))
    assert (store.first_seq, store.end_seq, len(store), store.evicted) == (6, 10, 4, 6)
    assert [e.data["n"] for e in store.events(0, 100)] == [6, 7, 8, 9]
    assert store.get(5) is None and store.get(6).data == {"n": 6}  # type: ignore[union-attr]
    assert [e.seq for e in store.events(7, 9)] == [7, 8]


def test_rejected_frames_are_kept_apart_and_counted_per_connection() -> None:
    store = EventStore(capacity=10, rejected_capacity=2)
    store.extend(
        [
            make_event(connection="a"),
            make_rejected(connection="a"),
            make_event(connection="b"),
            make_rejected("x", "a"),
            make_rejected("y", "a"),
        ]
    )
    assert store.end_seq == 2
    assert store.rejected_total == 3
    assert [r.reason for r in store.rejected()] == ["x", "y"]  # the ring keeps the newest 2
    assert (store.counts["a"].accepted, store.counts["a"].rejected, store.counts["a"].frames) == (
        1,
        3,
        4,
    )
    assert store.counts["b"].frames == 1


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        EventStore(capacity=0)
