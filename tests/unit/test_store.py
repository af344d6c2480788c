"""The bounded event store: sequence numbers, eviction, ranges and accounting."""

from __future__ import annotations

import copy
import weakref
from dataclasses import replace
from typing import Any

import pytest

from dashboard.core.events.decode import Decoder, EnvelopeKeys
from dashboard.core.events.event import PREVIEW_BYTES, DecodedBatch, Event, Rejected, Severity
from dashboard.core.storage.store import MATERIALISED_BYTES, EventStore
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


def test_a_rejected_frame_keeps_a_preview_and_its_size_so_the_ring_is_bounded_in_bytes() -> None:
    """10,000 rejected frames of up to 1 MB each were 10 GB; now at most 10,000 previews."""
    store = EventStore(capacity=1, rejected_capacity=100)
    big = b"{" + b"x" * 899_999
    store.extend(Rejected("invalid JSON", big, 1.0, "bad", len(big)) for _ in range(250))
    store.add(Rejected("invalid JSON", b"{small", 2.0, "bad", 6))
    store.add(Rejected("invalid JSON", b"[" * 5000, 3.0, "bad"))  # no size given: its length
    kept = store.rejected(0, store.rejected_total)
    assert len(kept) == 100 and [r.seq for r in kept] == list(range(152, 252))
    assert sum(len(r.raw) for r in kept) == 99 * PREVIEW_BYTES + 6
    assert (kept[0].raw, kept[0].size, kept[0].cut) == (big[:PREVIEW_BYTES], 900_000, True)
    assert (kept[-2].raw, kept[-2].size, kept[-2].cut) == (b"{small", 6, False)
    assert (kept[-1].raw, kept[-1].size, kept[-1].cut) == (b"[" * PREVIEW_BYTES, 5000, True)
    # Every frame is counted, whatever was kept of it.
    assert (store.counts["bad"].rejected, store.rejected_received, store.end_seq) == (252, 252, 0)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        EventStore(capacity=0)


def test_released_events_are_rebuilt_from_their_raw_bytes() -> None:
    decoder = Decoder("feed", EnvelopeKeys(type=("kind",)))
    store = EventStore(capacity=10)
    store.register(decoder)
    frames = [
        b'{"kind": "order.placed", "data": {"order_id": "ord-1"}}',
        b'{"source": "web-1", "cpu": 41.5, "severity": "warn"}',
        b"plain text",
    ]
    originals = [
        decoder.decode(
            f, received=100.0 + n, event_type="metrics.update" if n == 1 else None, event_id=str(n)
        )
        for n, f in enumerate(frames)
    ]
    store.extend(originals)
    store.release(store.end_seq)  # as the bus does after a tick: only columns are left
    rebuilt = store.events(0, 3)
    assert all(r is not o for r, o in zip(rebuilt, originals, strict=True))
    assert rebuilt == originals  # every field, payload included, seq too
    assert store.get(1) is store.get(1)  # rows on screen come from a small cache


def test_unreleased_events_are_the_objects_the_source_made() -> None:
    store = EventStore(capacity=10)
    events = [make_event(data={"n": n}) for n in range(3)]
    store.extend(events)
    assert store.events(0, 3) == events and store.events(1, 2)[0] is events[1]
    store.release(2)
    assert store.get(2) is events[2] and store.get(0) is not events[0]
    assert store.get(0) == events[0]


def test_type_and_source_names_are_shared_not_copied() -> None:
    store = EventStore(capacity=10)
    store.extend(make_event("".join(["order", ".placed"])) for _ in range(3))
    assert store.type_at(0) is store.type_at(2)


def test_long_names_are_stored_as_they_come_not_remembered() -> None:
    """Shared names outlive their events: only short ones are remembered."""
    store = EventStore(capacity=10)
    long_type = "t" * 300
    store.extend(make_event("".join([long_type, str(n % 2)])) for n in range(4))
    assert store.type_at(2) == long_type + "0" and store.type_at(2) is not store.type_at(0)
    assert store._names.keys() == {"web-1"}  # the source, not the long types


def test_clear_lets_go_of_everything_and_numbering_goes_on() -> None:
    store = EventStore(capacity=10, rejected_capacity=5)
    store.extend([*(make_event(data={"n": n}) for n in range(15)), make_rejected()])
    assert (store.first_seq, store.evicted) == (5, 5)
    store.clear()
    assert (len(store), store.first_seq, store.end_seq, store.evicted) == (0, 15, 15, 0)
    assert store.events(0, 15) == [] and store.get(14) is None
    assert store.rejected() == [] and store.rejected_total == 1 and store.counts == {}
    store.extend(make_event(data={"n": n}) for n in range(12))
    assert [e.seq for e in store.events(0, 100)] == list(range(17, 27))
    assert store.evicted == 2 and store.get(26).data == {"n": 11}  # type: ignore[union-attr]


def _as_columns(events: list[Event]) -> list[list[Any]]:
    """Events as a feed's process sends them (see ProcessSource)."""
    return [
        [e.type for e in events],
        [e.time for e in events],
        [e.received for e in events],
        [e.source for e in events],
        [int(e.severity) for e in events],
        [e.data for e in events],
        [e.raw for e in events],
        [e.id for e in events],
        [e.declared_type for e in events],
    ]


@pytest.mark.parametrize("batches", [[3, 4], [3, 6, 2], [13]], ids=["fits", "wraps", "bigger"])
def test_events_given_as_columns_are_stored_as_events_given_whole(batches: list[int]) -> None:
    # 11 or 13 events through a ring of 5: written across its end, and past its size at once
    events = [
        make_event(
            "order.placed" if n % 3 else "metrics.update",
            {"n": n},
            source=f"web-{n % 2}",
            time=1_000.0 + n,
            severity=Severity.WARNING if n % 4 == 0 else Severity.INFO,
        )
        for n in range(sum(batches))
    ]
    whole, columns = EventStore(capacity=5), EventStore(capacity=5)
    start = 0
    for size in batches:
        batch = events[start : start + size]
        whole.extend(copy.copy(e) for e in batch)
        columns.extend_columns("conn", _as_columns(batch))
        start += size
    assert (columns.first_seq, columns.end_seq) == (whole.first_seq, whole.end_seq)
    assert columns.counts == whole.counts and columns.counts["conn"].accepted == len(events)
    assert columns.events(0, 100) == whole.events(0, 100)  # the objects made, seq and all
    columns.release(columns.end_seq)
    whole.release(whole.end_seq)
    assert columns.events(0, 100) == whole.events(0, 100)  # and rebuilt from the columns
    assert [e.data["n"] for e in columns.events(0, 100)] == list(range(len(events)))[-5:]
    assert [e.severity for e in columns.events(0, 100)] == [e.severity for e in events[-5:]]


def test_a_decoded_batch_is_stored_as_the_decoder_would_make_each_event() -> None:
    frames = [
        b'{"source":"web-1","time":"2026-11-23T10:42:07.250Z","cpu":91.5}',
        b"{broken",
        b'{"type":"order.placed","source":"orders","severity":"warn","data":{"total":9.5}}',
        b'{"specversion":"1.0","id":"pay-6","source":"payments","type":"payment.processed"}',
        b"plain text",
        b"\xff\xfe",
    ]
    decoder = Decoder("conn")
    batch = DecodedBatch("conn")
    for n, frame in enumerate(frames):
        batch.add(decoder.decode_row(frame, 1_000.0 + n, "metrics.update" if n == 0 else None))
    assert (len(batch.rows), len(batch.rejected), len(batch)) == (5, 1, 6)

    store = EventStore(capacity=10)
    store.extend_batch(batch)
    expected = [
        decoder.decode(frame, received=1_000.0 + n, event_type="metrics.update" if n == 0 else None)
        for n, frame in enumerate(frames)
    ]
    events = [e for e in expected if isinstance(e, Event)]
    for seq, event in enumerate(events):
        event.seq = seq
    assert store.events(0, 10) == events
    assert [e.type for e in events] == [
        "metrics.update", "order.placed", "payment.processed", "message", "message",
    ]  # fmt: skip
    assert events[4].data == "\ufffd\ufffd" and events[4].raw == b"\xff\xfe"  # repaired
    assert events[1].severity is Severity.WARNING and events[2].id == "pay-6"
    assert [(r.seq, r.raw, r.reason[:12]) for r in store.rejected()] == [
        (0, b"{broken", "invalid JSON"),
    ]
    assert (store.counts["conn"].accepted, store.counts["conn"].rejected) == (5, 1)
    assert batch.items()[:5] == [replace(e, seq=-1) for e in events]  # (objects, for a file)


def test_an_empty_batch_or_one_of_rejected_frames_only_stores_no_event() -> None:
    store = EventStore(capacity=10)
    store.extend_batch(DecodedBatch("conn"))
    assert DecodedBatch("conn").columns() == [()] * 9
    store.extend_batch(DecodedBatch("conn", rejected=[make_rejected(connection="conn")]))
    assert (store.end_seq, store.rejected_total, store.counts["conn"].rejected) == (0, 1, 1)


class _Payload:
    """A payload object a test can hold a weak reference to."""


def test_released_events_are_let_go_at_once_however_few() -> None:
    """The bus releases each tick's events: the store holds none of them after that (it
    held up to 4,096 released ones, gigabytes when events were wide)."""
    store = EventStore(capacity=100)
    payloads = [_Payload() for _ in range(3)]
    refs = [weakref.ref(p) for p in payloads]
    store.extend(replace(make_event(), data=p) for p in payloads)  # raw: b"{}"
    del payloads
    assert all(ref() is not None for ref in refs)  # not yet shown: held for the bus
    store.release(2)
    assert [ref() is None for ref in refs] == [True, True, False]
    store.release(store.end_seq)
    assert [ref() is None for ref in refs] == [True, True, True]
    assert len(store) == 3 and store.get(2).data == {}  # type: ignore[union-attr]


def test_rebuilt_events_are_cached_within_a_byte_budget() -> None:
    """Events rebuilt from their frames are kept by count and by the bytes of their frames:
    the newest MATERIALISED_BYTES' worth of wide ones, at least one."""
    width = 1 << 20  # a frame of 1 MiB
    store = EventStore(capacity=20)
    store.extend(make_event(data={"blob": f"{n:02d}" + "x" * width}) for n in range(12))
    store.release(store.end_seq)
    first = [store.get(seq) for seq in range(12)]
    fits = MATERIALISED_BYTES // (width + 20)  # whole frames in the budget
    assert fits == 3
    kept = [seq for seq in reversed(range(12)) if store.get(seq) is first[seq]]
    assert kept == [11, 10, 9]  # the newest three; the rest are rebuilt again when asked
    assert store.get(0).data["blob"][:2] == "00"  # type: ignore[union-attr]
    huge = EventStore(capacity=2)
    huge.extend([make_event(data={"blob": "y" * (MATERIALISED_BYTES + 1)})])
    huge.release(huge.end_seq)
    assert huge.get(0) is huge.get(0)  # one over the budget is still kept: the newest
