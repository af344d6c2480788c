"""The demo feed's history: a client far behind takes it in bounded slices, in order."""

from __future__ import annotations

from dashboard.feed import server as feed_server
from dashboard.feed.server import SEND_CHUNK, FeedServer


def _feed_with(events: int, history: int) -> FeedServer:
    feed = FeedServer(seed=3, history=history)
    feed.history.extend(feed.scenario.next(1_795_430_000.0 + n / 1000) for n in range(events))
    feed.produced = events
    return feed


def test_a_client_far_behind_takes_the_history_in_slices_of_send_chunk_in_order() -> None:
    feed = _feed_with(35_000, history=30_000)  # the newest 30,000 kept
    oldest = feed.history[0].id
    assert oldest == feed.history[-1].id - 30_000 + 1
    next_id, sizes, ids = oldest, [], []
    while events := feed._events_from(next_id):
        sizes.append(len(events))
        ids += [e.id for e in events]
        next_id += len(events)
    assert sizes == [SEND_CHUNK, SEND_CHUNK, SEND_CHUNK] and SEND_CHUNK == 10_000
    assert ids == list(range(oldest, oldest + 30_000))


def test_a_client_in_the_middle_gets_the_events_from_its_id_and_none_past_the_newest(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(feed_server, "SEND_CHUNK", 7)
    feed = _feed_with(100, history=100)
    first = feed.history[0].id
    assert [e.id for e in feed._events_from(first + 40)] == list(range(first + 40, first + 47))
    assert [e.id for e in feed._events_from(first + 97)] == [first + 97, first + 98, first + 99]
    assert feed._events_from(first + 100) == []
