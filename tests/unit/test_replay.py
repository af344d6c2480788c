"""Replay: a recording played back gives the same events, paced by their arrival times."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from dashboard.core.events.decode import Decoder
from dashboard.core.events.event import Event, Rejected
from dashboard.core.storage.recordwriter import Recorder
from dashboard.core.storage.store import EventStore
from dashboard.feed.demo import DemoScenario
from dashboard.sources import replay
from dashboard.sources.recording import open_recording
from dashboard.sources.replay import ReplayPlayer
from tests.unit.test_records import WRONG_RECORDS, WRONG_REJECTED, wrong_record, wrong_rejected

T = 1_795_430_533.0


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


class FakeClock:
    """Time that moves only when the player waits: pacing without real waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now


def _player(
    path: Path, speed: float | None = None, clock: FakeClock | None = None
) -> tuple[ReplayPlayer, EventStore]:
    store = EventStore()
    kwargs = {} if clock is None else {"clock": clock}
    player = ReplayPlayer(open_recording(path), store, speed, rewind=store.clear, **kwargs)
    return player, store


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the player never got there")


def _play_to_end(player: ReplayPlayer) -> None:
    async def run() -> None:
        task = asyncio.ensure_future(player.run())
        await _until(lambda: not player.playing)
        task.cancel()

    asyncio.run(run())


@pytest.mark.parametrize("name", ["rec.jsonl", "rec.jsonl.gz"])
def test_record_then_replay_gives_the_identical_sequence(tmp_path: Path, name: str) -> None:
    received = _received(2000, junk=0.05)
    _record(tmp_path / name, received)
    player, store = _player(tmp_path / name)
    _play_to_end(player)
    events = [i for i in received if isinstance(i, Event)]
    rejected = [i for i in received if isinstance(i, Rejected)]
    assert len(rejected) > 20
    assert [_key(e) for e in store.events(0, store.end_seq)] == [_key(e) for e in events]
    assert [_key(r) for r in store.rejected()] == [_key(r) for r in rejected]
    store.release(store.end_seq)  # rebuilt from their raw bytes: still the same
    assert [_key(e) for e in store.events(0, store.end_seq)] == [_key(e) for e in events]
    assert player.played_events == len(events) and player.at_end
    assert player.status.detail == f"finished: {len(events):,} events"
    assert player.time == events[-1].received


def test_bad_and_cut_lines_are_rejected_by_number_and_the_rest_plays(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    _record(path, _received(5))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"{broken\n" + b"".join(lines[1:]) + lines[0][:40])
    player, store = _player(path)
    _play_to_end(player)
    assert store.end_seq == 5 and len(player.recording.bad) == 2
    reasons = [r.reason for r in store.rejected()]
    assert reasons[0].startswith("rec.jsonl line 2: not JSON")
    assert reasons[1].startswith("rec.jsonl line 7: the last line is cut short")
    assert player.status.detail == "finished: 5 events, 2 unreadable lines"


def test_a_compressed_file_cut_in_the_middle_still_plays_what_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    _record(path, _received(3000))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    player, store = _player(path)
    _play_to_end(player)
    assert 1000 < store.end_seq < 3000
    whole = [_key(e) for e in _received(3000) if isinstance(e, Event)][: store.end_seq]
    assert [_key(e) for e in store.events(0, store.end_seq)] == whole
    assert store.rejected()[-1].reason.startswith(
        f"rec.jsonl.gz line {len(player.recording)}: the compressed file ends early"
    )


def test_pacing_follows_the_arrival_times_divided_by_the_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rec.jsonl"
    _record(path, _received(101))  # 10 ms apart: one second in all
    clock = FakeClock()

    async def fake_wait_for(awaitable: Awaitable[object], timeout: float) -> None:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()
        clock.waits.append(timeout)
        clock.now += timeout
        raise TimeoutError

    monkeypatch.setattr(replay.asyncio, "wait_for", fake_wait_for)
    player, store = _player(path, speed=4.0, clock=clock)
    _play_to_end(player)
    assert store.end_seq == 101
    assert sum(clock.waits) == pytest.approx(0.25, abs=0.003)  # 1 s of recording at 4x
    assert len(clock.waits) == 100  # 2.5 ms between events, each waited for


def _run_until(player: ReplayPlayer, steps: list[tuple[Callable[[], None], Callable[[], bool]]]):
    """Start the player, then do each action and wait for its condition."""

    async def run() -> None:
        task = asyncio.ensure_future(player.run())
        for action, condition in steps:
            action()
            await _until(condition)
        task.cancel()

    asyncio.run(run())


def test_seeking_back_starts_again_from_the_first_event_and_forward_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rec.jsonl"
    received = _received(1000)
    _record(path, received)
    player, store = _player(path)
    player.playing = False
    rewinds: list[int] = []
    player.rewind = lambda: (rewinds.append(store.end_seq), store.clear())  # type: ignore[func-returns-value]
    middle = received[599].received
    _run_until(
        player,
        [
            (lambda: player.seek(800), lambda: player.position == 800),
            (lambda: player.seek_time(middle), lambda: player.position == 600),
        ],
    )
    assert rewinds == [800]  # going back emptied the store once
    assert (store.first_seq, store.end_seq) == (800, 1400)  # then folded 600 events again
    assert [_key(e) for e in store.events(800, 1400)] == [_key(e) for e in received[:600]]
    assert player.time == middle and not player.playing


def test_stepping_plays_one_event_or_takes_the_last_one_back(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    received = _received(300, junk=0.2)  # rejected frames between events are stepped over
    _record(path, received)
    player, store = _player(path)
    player.playing = False
    _run_until(
        player,
        [
            (lambda: player.seek(100), lambda: player.position == 100),
            (lambda: player.step(1), lambda: player.played_events > 0 and not player._target),
        ],
    )
    before = len([i for i in received[:100] if isinstance(i, Event)])
    assert player.played_events == before + 1
    assert store.get(store.end_seq - 1).received == player.time  # type: ignore[union-attr]
    _run_until(player, [(lambda: player.step(-1), lambda: player._target is None)])
    assert player.played_events == before and len(store) == before


def test_at_the_end_a_looping_replay_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    _record(path, _received(50))
    player, store = _player(path)
    player.loop = True
    rounds = []
    player.rewind = lambda: (rounds.append(store.end_seq), store.clear())  # type: ignore[func-returns-value]
    _run_until(player, [(lambda: None, lambda: len(rounds) == 3)])
    assert rounds == [50, 100, 150]  # three times through, each one whole


def test_an_unreadable_file_raises_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        open_recording(tmp_path / "missing.jsonl")
    (tmp_path / "not.gz").write_bytes(b"plain text, not gzip\n")
    with pytest.raises(OSError, match="not a readable gzip file"):
        open_recording(tmp_path / "not.gz")


def test_records_of_the_wrong_types_are_unreadable_lines_and_the_rest_plays(
    tmp_path: Path,
) -> None:
    """Times no clock can show, objects where a name goes...: each such line is played as
    a rejected frame saying which line and why (as bad JSON is), the rest as recorded."""
    path = tmp_path / "rec.jsonl"
    good = [wrong_record({"seq": n, "received": T + n, "time": T + n}) for n in range(3)]
    wrong = [wrong_record(change) for change, _reason in WRONG_RECORDS]
    wrong += [wrong_rejected(change) for change, _reason in WRONG_REJECTED]
    path.write_bytes(good[0] + b"".join(wrong) + good[1] + good[2])
    player, store = _player(path)
    _play_to_end(player)
    assert store.end_seq == 3 and [e.received for e in store.events(0, 3)] == [T, T + 1, T + 2]
    reasons = [r.reason for r in store.rejected()]
    assert reasons == [
        f"rec.jsonl line {n}: not a valid record: {reason}"
        for n, (_change, reason) in enumerate(WRONG_RECORDS, start=2)
    ] + [
        f"rec.jsonl line {n}: not a valid rejected-frame record: {reason}"
        for n, (_change, reason) in enumerate(WRONG_REJECTED, start=2 + len(WRONG_RECORDS))
    ]
    recording = player.recording
    assert (recording.start, recording.end) == (T, T + 2)  # no time from a wrong line
    assert len(recording.bad) == len(wrong) and recording.events == 3
    assert player.status.detail == f"finished: 3 events, {len(wrong)} unreadable lines"
