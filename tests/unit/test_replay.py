"""Replay: a recording played back gives the same events, paced by their arrival times."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dashboard.core.decode import Decoder
from dashboard.core.event import Event, Rejected
from dashboard.core.recorder import Recorder
from dashboard.core.store import EventStore
from dashboard.feed.demo import DemoScenario
from dashboard.sources import replay
from dashboard.sources.base import ConnectionState
from dashboard.sources.replay import ReplaySource


def _received(count: int, junk: float = 0.0) -> list[Event | Rejected]:
    """What the app receives from the demo feed's frames (bad ones included), 10 ms apart."""
    scenario = DemoScenario(seed=3, junk=junk)
    decoder = Decoder("demo")
    items = []
    for n in range(count):
        at = 1_795_430_000.0 + n * 0.01
        frame = scenario.next(at)
        items.append(decoder.decode(frame.line, received=at, event_id=str(frame.id)))
    return items


def _key(item: Event | Rejected) -> tuple[object, ...]:
    if isinstance(item, Rejected):
        return ("rejected", item.reason, item.raw, item.connection, item.received)
    return (
        item.type,
        item.time,
        item.received,
        item.source,
        item.severity,
        item.data,
        item.id,
        item.connection,
    )


def _record(path: Path, items: list[Event | Rejected]) -> None:
    recorder = Recorder(path)
    recorder.extend(items)
    recorder.close()


def _replay(path: Path, speed: float | None = None) -> tuple[ReplaySource, EventStore]:
    store = EventStore()
    source = ReplaySource(path, store, speed)
    asyncio.run(source.run())
    return source, store


@pytest.mark.parametrize("name", ["rec.jsonl", "rec.jsonl.gz"])
def test_record_then_replay_gives_the_identical_sequence(tmp_path: Path, name: str) -> None:
    received = _received(2000, junk=0.05)
    _record(tmp_path / name, received)
    source, store = _replay(tmp_path / name)
    events = [i for i in received if isinstance(i, Event)]
    rejected = [i for i in received if isinstance(i, Rejected)]
    assert len(rejected) > 20
    assert [_key(e) for e in store.events(0, store.end_seq)] == [_key(e) for e in events]
    assert [_key(r) for r in store.rejected()] == [_key(r) for r in rejected]
    store.release(store.end_seq)  # rebuilt from their raw bytes: still the same
    assert [_key(e) for e in store.events(0, store.end_seq)] == [_key(e) for e in events]
    assert (source.played, source.status.state) == (len(events), ConnectionState.STOPPED)
    assert source.status.detail == f"finished: {len(events):,} events"
    assert source.position == events[-1].received


def test_bad_and_cut_lines_are_rejected_by_number_and_the_rest_plays(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    _record(path, _received(5))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"{broken\n" + b"".join(lines[1:]) + lines[0][:40])
    source, store = _replay(path)
    assert store.end_seq == 5 and source.bad_lines == 2
    reasons = [r.reason for r in store.rejected()]
    assert reasons[0].startswith("rec.jsonl line 2: not JSON")
    assert reasons[1].startswith("rec.jsonl line 7: the last line is cut short")
    assert source.status.detail == "finished: 5 events, 2 unreadable lines"


def test_pacing_follows_the_arrival_times_divided_by_the_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rec.jsonl"
    _record(path, _received(101))  # 10 ms apart: one second in all
    now = [0.0]
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        if seconds:
            waits.append(seconds)
            now[0] += seconds

    monkeypatch.setattr(replay.asyncio, "sleep", fake_sleep)
    store = EventStore()
    source = ReplaySource(path, store, speed=4.0, clock=lambda: now[0])
    asyncio.run(source.run())
    assert store.end_seq == 101
    assert sum(waits) == pytest.approx(0.25, abs=0.003)  # 1 s of recording at 4x
    assert len(waits) == 100  # 2.5 ms between events, each waited for


def test_an_unreadable_file_stops_with_the_reason(tmp_path: Path) -> None:
    source, store = _replay(tmp_path / "missing.jsonl")
    assert source.status.state is ConnectionState.STOPPED and store.end_seq == 0
    assert source.status.detail.startswith(f"cannot read {tmp_path / 'missing.jsonl'}:")
