"""Recording: what is written, when it reaches the disk, and that it reads back."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from dashboard.core.events.event import Event, Rejected
from dashboard.core.storage.recordformat import BadLine, open_events_file, read_events
from dashboard.core.storage.recordwriter import Recorder, RecordingFailed
from tests.full_disk import dev_full_or_skip, small_disk
from tests.unit.factories import make_event, make_rejected


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def read_all(path: Path) -> list[Event | BadLine]:
    with open_events_file(str(path)) as stream:
        return list(read_events(stream, "rec"))


def _events(n: int) -> list[Event]:
    return [
        make_event("order.placed", {"n": i, "note": "ünïcode"}, time=1000.0 + i) for i in range(n)
    ]


def test_events_and_rejected_frames_read_back(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path)
    events = _events(3)
    bad = make_rejected("invalid JSON: unexpected end")
    bad.raw = b"{\xff"
    recorder.extend([events[0], bad, events[1], events[2]])
    recorder.close()
    back = read_all(path)
    assert [(e.seq, e.type, e.data) for e in back] == [  # type: ignore[union-attr]
        (0, "order.placed", {"n": 0, "note": "ünïcode"}),
        (1, "order.placed", {"n": 1, "note": "ünïcode"}),
        (2, "order.placed", {"n": 2, "note": "ünïcode"}),
    ]
    rejected = json.loads(path.read_text().splitlines()[1])
    assert rejected["rejected"] == "invalid JSON: unexpected end"
    assert base64.b64decode(rejected["raw"]) == b"{\xff" and rejected["seq"] == 0
    assert (recorder.events, recorder.rejected) == (3, 1)


def test_store_seqs_are_kept(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "rec.jsonl")
    event = _events(1)[0]
    event.seq = 41
    recorder.extend([event])
    recorder.close()
    assert json.loads((tmp_path / "rec.jsonl").read_text())["seq"] == 41


def test_what_arrived_is_on_disk_within_a_second(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path, clock=clock)
    recorder.extend(_events(3))
    assert path.read_bytes() == b""  # still in the buffer
    clock.now = 0.5
    recorder.tick()
    assert path.read_bytes() == b""
    clock.now = 1.0
    recorder.tick()
    assert len(path.read_bytes().splitlines()) == 3  # without closing: a crash keeps them
    recorder.close()


def test_a_compressed_recording_reads_up_to_its_last_flush_while_open(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "rec.jsonl.gz"
    recorder = Recorder(path, clock=clock)
    recorder.extend(_events(5))
    clock.now = 1.0
    recorder.tick()
    items = read_all(path)
    assert [i.seq for i in items if isinstance(i, Event)] == [0, 1, 2, 3, 4]
    assert isinstance(items[-1], BadLine) and "ends early" in items[-1].reason
    recorder.close()
    assert [e.seq for e in read_all(path)] == [0, 1, 2, 3, 4]  # type: ignore[union-attr]


def test_rejected_frames_numbered_on_their_own(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "r.jsonl")
    items: list[Event | Rejected] = [make_rejected(), *_events(2), make_rejected()]
    recorder.extend(items)
    recorder.close()
    lines = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [(("rejected" in r), r["seq"]) for r in lines] == [
        (True, 0),
        (False, 0),
        (False, 1),
        (True, 1),
    ]


def test_a_full_disk_stops_the_recording_once_keeping_its_whole_lines(tmp_path: Path) -> None:
    """A 64 KiB disk fills up: the failure is said once, as a write failure; the file keeps
    every line written whole, and none cut in half."""
    with small_disk(tmp_path / "disk") as disk:
        if disk is None:
            pytest.skip("cannot mount a small tmpfs here (needs root on Linux)")
        path = disk / "rec.jsonl"
        recorder = Recorder(path)
        with pytest.raises(RecordingFailed) as failed:
            for n in range(10_000):  # 64 KiB holds a few hundred of these
                recorder.extend(_events(1))
                if n % 10 == 0:
                    recorder.flush()
        assert str(failed.value) == f"cannot write {path}: No space left on device"
        assert recorder.error == str(failed.value) and recorder.closed
        recorder.tick()  # after the failure: nothing more to do, nothing raised
        recorder.close()
        data = path.read_bytes()
        assert data.endswith(b"\n") and len(data) < 64 * 1024
        back = read_all(path)
        assert all(isinstance(e, Event) for e in back) and len(back) == data.count(b"\n")
        assert [e.seq for e in back] == list(range(len(back)))  # type: ignore[union-attr]
        assert 100 < len(back) < recorder.events


def test_writing_to_dev_full_fails_as_a_write_failure(tmp_path: Path) -> None:
    path = dev_full_or_skip()
    recorder = Recorder(path)
    recorder.extend(_events(3))  # in the buffer yet
    with pytest.raises(RecordingFailed, match=f"^cannot write {path}: No space left on device$"):
        recorder.flush()
    with pytest.raises(RecordingFailed):  # and it stays stopped
        recorder.extend(_events(1))
    recorder.tick()
    recorder.close()
