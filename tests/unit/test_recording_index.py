"""Opening a recording: indexing by arrival time, imports of other files, their errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from dashboard.core.events.event import Event, Rejected, Severity
from dashboard.core.storage.recordwriter import Recorder
from dashboard.sources.recording import IndexCancelled, open_recording, time_in_recording
from tests.unit.factories import make_event

T0 = 1_795_430_000.0

# What `curl -N http://host/events > capture.sse` leaves behind: comments (heartbeats),
# named events with ids, a data field split over two lines, and one frame that is no JSON.
CAPTURE = (
    b": connected\n\n"
    b"id: 1\nevent: order.placed\n"
    b'data: {"type": "order.placed", "time": 1795430000.5, "source": "orders",\n'
    b'data:  "data": {"order_id": "ord-1", "amount": 42.5}}\n\n'
    b": heartbeat\n\n"
    b'id: 2\ndata: {"type": "payment.failed", "time": 1795430001.25, "source": "payments",'
    b' "severity": "error", "data": {"message": "Card declined"}}\n\n'
    b"id: 3\ndata: {not json\n\n"
    b'id: 4\ndata: {"type": "alert.cpu", "time": 1795430003.0, "source": "web-1",'
    b' "data": {"cpu": 97}}\n\n'
)


def _events(path: Path) -> list[Event | Rejected]:
    recording = open_recording(path)
    return list(recording.items(0, len(recording)))


def test_a_recording_is_indexed_by_arrival_time_with_its_alerts(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path)
    recorder.extend(
        make_event(
            "alert.cpu" if n == 7 else "metrics.update",
            {"n": n},
            time=T0 + n,
            severity=Severity.ERROR if n == 3 else Severity.INFO,
        )
        for n in range(10)
    )
    recorder.close()
    recording = open_recording(path)
    assert (len(recording), recording.events, recording.start, recording.end) == (
        10,
        10,
        T0,
        T0 + 9,
    )
    assert list(recording.alert_times) == [T0 + 3, T0 + 7]
    assert recording.index_at(T0 + 4.5) == 5 and recording.index_at(T0 + 4) == 5
    assert recording.index_at(T0 - 1) == 0 and recording.index_at(T0 + 100) == 10
    assert list(recording.density(3)) == [10]  # 8 events a bin at least


def test_a_recording_of_one_moment_has_one_density_bin(tmp_path: Path) -> None:
    path = tmp_path / "burst.jsonl"
    recorder = Recorder(path)
    recorder.extend(make_event(data={"n": n}, time=T0) for n in range(1000))
    recorder.close()
    recording = open_recording(path)
    assert list(recording.density(240)) == [1000]
    assert recording.index_at(T0) == 1000 and recording.index_at(T0 - 0.001) == 0


def test_progress_is_reported_and_cancel_stops_indexing(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path)
    recorder.extend(make_event(data={"n": n}, time=T0 + n) for n in range(10))
    recorder.close()
    seen: list[float] = []
    open_recording(path, lambda done: seen.append(done) or True)
    assert seen == [0.0, 1.0]
    with pytest.raises(IndexCancelled):
        open_recording(path, lambda done: False)


def test_an_event_stream_capture_opens_as_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "capture.sse"
    path.write_bytes(CAPTURE)
    recording = open_recording(path)
    items = list(recording.items(0, len(recording)))
    events = [i for i in items if isinstance(i, Event)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [(e.type, e.id, e.source, e.received) for e in events] == [
        ("order.placed", "1", "orders", 1795430000.5),
        ("payment.failed", "2", "payments", 1795430001.25),
        ("alert.cpu", "4", "web-1", 1795430003.0),
    ]
    assert events[0].data == {"order_id": "ord-1", "amount": 42.5}
    assert events[1].severity is Severity.ERROR
    assert len(rejected) == 1 and rejected[0].raw == b"{not json"
    assert rejected[0].id == "3" and "JSON" in rejected[0].reason
    assert list(recording.alert_times) == [1795430001.25, 1795430003.0]


def test_plain_json_lines_from_other_tools_play_at_their_own_times(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        {"type": "order.placed", "timestamp": "2026-11-23T10:42:13Z", "data": {"id": 1}},
        {"type": "order.placed", "timestamp": "2026-11-23T10:42:15Z", "data": {"id": 2}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + "\n")
    recording = open_recording(path)
    events = [i for i in recording.items(0, len(recording)) if isinstance(i, Event)]
    moment = datetime.fromisoformat("2026-11-23T10:42:13+00:00").timestamp()
    assert [(e.data, e.time, e.received) for e in events] == [
        ({"id": 1}, moment, moment),
        ({"id": 2}, moment + 2, moment + 2),
    ]
    assert recording.bad == {2: "events.jsonl line 3: a blank line"}


def test_lines_without_a_time_take_the_time_of_the_line_before(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = Recorder(path)
    recorder.extend([make_event(time=T0 + 5), make_event(time=T0 + 2), make_event(time=T0 + 9)])
    recorder.close()
    path.write_bytes(b"garbage\n" + path.read_bytes())
    recording = open_recording(path)
    # never decreasing, so that seeking by time finds one place
    assert list(recording.times) == [T0 + 5, T0 + 5, T0 + 5, T0 + 9]
    assert np.all(np.diff(recording.times) >= 0)


def test_a_typed_time_is_found_on_the_recording_s_own_days() -> None:
    start = datetime(2026, 11, 22, 23, 59, 0).timestamp()
    end = datetime(2026, 11, 23, 0, 10, 0).timestamp()
    assert time_in_recording("00:05", start, end) == datetime(2026, 11, 23, 0, 5).timestamp()
    assert time_in_recording(" 23:59:30.5 ", start, end) == start + 30.5
    assert time_in_recording("2026-11-23 00:01", start, end) == start + 120
    with pytest.raises(ValueError, match=r"^12:00 is outside the recording \(2026-11-22 23:59"):
        time_in_recording("12:00", start, end)
    with pytest.raises(ValueError):
        time_in_recording("soon", start, end)


def test_a_file_of_many_tiny_lines_opens_whole_with_progress_up_to_the_end(
    tmp_path: Path,
) -> None:
    """Each line a plain event with no time of its own (what other tools write): every one
    is counted, progress only goes forward, from 0 to 1, and is told along the way."""
    path = tmp_path / "tiny.jsonl"
    path.write_bytes(b'{"type":"a"}\n' * 200_000)
    seen: list[float] = []
    recording = open_recording(path, lambda done: seen.append(done) or True)
    assert (len(recording), recording.events, recording.bad) == (200_000, 200_000, {})
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert len([done for done in seen if 0.0 < done < 1.0]) >= 3
    first, last = recording.items(0, 1)[0], recording.items(199_999, 200_000)[0]
    assert isinstance(first, Event) and isinstance(last, Event)
    assert (first.type, first.data, first.raw) == ("a", {}, b'{"type":"a"}')  # the line itself
    assert (last.type, last.data) == ("a", {})
    # No line says when: all at the moment the file was last written.
    assert (first.time, last.received) == (path.stat().st_mtime, path.stat().st_mtime)


def test_plain_events_without_a_time_take_the_time_of_the_line_before(tmp_path: Path) -> None:
    """Not the moment the file was opened: the events before them said when they were (the
    first ones, before any time, at the first time there is)."""
    path = tmp_path / "events.jsonl"
    lines = [
        {"type": "started"},
        {"type": "order.placed", "time": T0 + 5, "data": {"id": 1}},
        {"type": "heartbeat"},
        {"type": "order.placed", "time": T0 + 9, "data": {"id": 2}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    recording = open_recording(path)
    events = [i for i in recording.items(0, len(recording)) if isinstance(i, Event)]
    assert [(e.type, e.time, e.received) for e in events] == [
        ("started", T0 + 5, T0 + 5),
        ("order.placed", T0 + 5, T0 + 5),
        ("heartbeat", T0 + 5, T0 + 5),
        ("order.placed", T0 + 9, T0 + 9),
    ]


def test_a_capture_reads_event_message_and_done_as_the_sse_source_does(tmp_path: Path) -> None:
    path = tmp_path / "answer.sse"
    path.write_bytes(
        b'event: message\ndata: {"type": "edit", "time": 1795430000.5, "title": "Page"}\n\n'
        b'data: {"object": "chat.completion.chunk", "time": 1795430001.0}\n\n'
        b"data: [DONE]\n\n"
    )
    items = list(open_recording(path).items(0, 10))
    assert [(type(i).__name__, getattr(i, "type", None)) for i in items] == [
        ("Event", "edit"),  # event: message names no type: the payload's decides
        ("Event", "message"),
    ]  # and [DONE] is no event, nor a rejected frame
