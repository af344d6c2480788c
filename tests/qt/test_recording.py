"""Recording from the window: the bus's batches go to the file, the status bar says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from dashboard.core.events.event import Event
from dashboard.core.layouts.layoutfile import builtin
from dashboard.core.storage.recordformat import open_events_file, read_events
from dashboard.core.storage.recordwriter import Recorder
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources import ConnectionState
from dashboard.ui.app import Dashboard, Workspace
from dashboard.ui.bus import EventBus
from dashboard.ui.recording import RecordingController
from tests.full_disk import full_disk
from tests.unit.factories import make_event, make_rejected


def test_each_tick_is_recorded_with_its_store_seqs(qtbot: Any, tmp_path: Path) -> None:
    store = EventStore()
    bus = EventBus(store)
    controller = RecordingController(store, bus)
    store.extend(make_event(data={"n": n}) for n in range(3))
    bus.flush()  # before recording: not in the file
    path = tmp_path / "rec.jsonl"
    with qtbot.waitSignal(controller.changed):
        controller.start(path)
    store.extend([make_event(data={"n": 3}), make_rejected("bad frame"), make_event(data={"n": 4})])
    bus.flush()
    controller.stop()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r.get("rejected"), r["seq"]) for r in lines] == [
        (None, 3),
        (None, 4),
        ("bad frame", 0),
    ]
    with open_events_file(str(path)) as stream:
        assert [e.data for e in read_events(stream, "rec")] == [{"n": 3}, {"n": 4}]  # type: ignore[union-attr]


def test_a_write_failure_stops_the_recording_and_says_why(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EventStore()
    bus = EventBus(store)
    controller = RecordingController(store, bus)
    controller.start(tmp_path / "rec.jsonl")
    assert controller.recorder is not None

    def disk_full(_items: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(controller.recorder, "extend", disk_full)
    store.extend([make_event()])
    with qtbot.waitSignal(controller.failed) as failure:
        bus.flush()
    assert failure.args == [f"cannot write {tmp_path / 'rec.jsonl'}: No space left on device"]
    assert not controller.active


def test_the_window_shows_that_it_records(qtbot: Any, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dashboard = Dashboard([], settings=settings, layout=builtin("demo"))
    window = dashboard.window
    qtbot.addWidget(window)
    assert window.start_recording(tmp_path / "incident.jsonl.gz")
    assert window.record_action.isChecked() and not window.recording_label.isHidden()
    dashboard.store.extend(make_event(data={"n": n}) for n in range(7))
    dashboard.bus.flush()
    window._refresh_status()
    assert window.recording_label.text() == "● REC incident.jsonl.gz · 7 events"
    window.record_action.trigger()  # the menu's Record… again: stop
    assert not window.recording.active and window.recording_label.isHidden()
    with open_events_file(str(tmp_path / "incident.jsonl.gz")) as stream:
        assert len([e for e in read_events(stream, "r") if isinstance(e, Event)]) == 7


def test_a_dropped_recording_replays_in_a_window_of_its_own(
    qt_loop: Any, qtbot: Any, tmp_path: Path
) -> None:
    path = tmp_path / "incident.jsonl"
    recorder = Recorder(path)
    recorder.extend(
        make_event("metrics.update", {"cpu": 50.0 + n}, source="web-1", time=1_000_000.0 + n)
        for n in range(20)
    )
    recorder.close()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    workspace = Workspace([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(workspace.live.window)
    workspace.live.window.open_recording(path)  # what a drop or File > Open does
    qtbot.waitUntil(lambda: len(workspace.replays) == 1)
    replay = workspace.replays[0]
    assert replay.player is not None
    replay.player.set_speed(None)
    qtbot.waitUntil(lambda: replay.store.end_seq == 20 and not replay.player.playing)
    replay.bus.flush()  # the tick that shows the last batch
    replay.window.cards.refresh_now()
    window = replay.window
    assert window.chart.clock() == 1_000_000.0 + 19  # the chart shows the recording's time
    assert window.cards.card("CPU").value.text() == "69.0 %"  # the last report, as live
    assert workspace.live.store.end_seq == 0  # the live dashboard saw none of it
    assert not window.record_action.isEnabled()  # a replay is not recorded again
    window.close()
    qtbot.waitUntil(lambda: not workspace.replays)


def test_a_full_disk_is_a_banner_and_the_live_view_goes_on(
    qt_loop: Any, qtbot: Any, tmp_path: Path, run_on_loop: Any
) -> None:
    """The real recorder on a disk that fills, fed by a real feed over loopback: the window
    says so once, in a banner, and goes on showing the feed without recording."""
    feed = FeedThread(FeedServer(rate=400, seed=7)).start()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    dashboard = Dashboard([ConnectionSpec(feed.server.url, "demo")], settings=settings, tick_ms=10)
    window = dashboard.window
    qtbot.addWidget(window)
    failures: list[str] = []
    window.recording.failed.connect(failures.append)
    try:
        with full_disk(tmp_path) as (path, readable):
            dashboard.start()
            source = dashboard.connections.source("demo")
            qtbot.waitUntil(lambda: source.status.state is ConnectionState.LIVE, timeout=10_000)
            assert window.start_recording(path)
            qtbot.waitUntil(lambda: failures != [], timeout=20_000)
            failed_at = dashboard.store.end_seq
            qtbot.waitUntil(lambda: dashboard.store.end_seq > failed_at + 200, timeout=10_000)
            window.refresh_now()
            assert failures == [f"cannot write {path}: No space left on device"]
            assert window.banner.isVisible()
            assert window.banner.text() == (
                f"Recording stopped: cannot write {path}: No space left on device. "
                "The live view goes on, without recording."
            )
            assert source.status.state is ConnectionState.LIVE
            assert source.status.last_error == "" and source.status.reconnects == 0
            assert window.log_model.rowCount() > failed_at + 200  # the log kept taking them
            assert not window.recording.active and window.recording_label.isHidden()
            assert not window.record_action.isChecked()
            if readable:
                assert path.read_bytes().endswith(b"\n")
            window.banner.dismiss_button.click()
            assert not window.banner.isVisible()
    finally:
        run_on_loop(dashboard.aclose())
        feed.close()
