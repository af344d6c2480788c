"""Replay windows: seeking rebuilds what was live, the bar and its keys, log selections."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QProgressDialog

from dashboard.core.layouts.layoutfile import builtin
from dashboard.core.storage.recordwriter import Recorder
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.feed.server import FeedServer, FeedThread
from dashboard.sources.recording import open_recording
from dashboard.ui import indexing
from dashboard.ui.app import Dashboard, Workspace
from dashboard.ui.log_model import clock_text
from tests.unit.factories import make_event
from tests.unit.test_records import WRONG_RECORDS, WRONG_REJECTED, wrong_record, wrong_rejected

T0 = 1_795_430_000.0


@dataclass(frozen=True)
class Seen:
    """What the window showed after one tick."""

    events: int
    rejected: int
    cards: tuple[tuple[str, str], ...]
    alerts: tuple[tuple[object, ...], ...]
    chart: tuple[tuple[str, tuple[float, ...]], ...]
    log_rows: int


def seen(dash: Dashboard) -> Seen:
    window = dash.window
    window.cards.refresh_now()  # (cards show what they folded a few times a second,
    window.log_model.sync()  # the log takes in new rows ten times a second)
    model = window.alerts.model
    entries = [model.entry_at(row) for row in range(model.rowCount())]
    alerts = tuple(
        (e.name, e.key, e.state.value, e.count, e.first_seen, e.last_seen, e.message)
        for e in entries
        if e is not None
    )
    chart = tuple(
        (key, tuple(series.arrays()[1])) for key, series in sorted(window.chart.data.lines.items())
    )
    return Seen(
        dash.store.end_seq - dash.store.first_seq,
        len(dash.store.rejected()),
        tuple((c.value.text(), c.caption.text()) for c in window.cards.cards),
        alerts,
        chart,
        window.log_model.rowCount(),
    )


def replay_window(path: Path, settings: QSettings, qtbot: Any) -> Dashboard:
    dash = Dashboard(
        [],
        settings=settings,
        replay=open_recording(path),
        speed=None,
        tick_ms=10,
        layout=builtin("demo"),
    )
    assert dash.player is not None
    dash.player.playing = False
    qtbot.addWidget(dash.window)
    dash.start()
    return dash


def settle(qtbot: Any, dash: Dashboard, position: int) -> None:
    """Wait until the player stands at *position* with nothing left to fold, and show it."""
    player = dash.player
    assert player is not None
    qtbot.waitUntil(lambda: player.position == position and player._target is None, timeout=20_000)
    dash.window.refresh_now()  # (cards and the log show what came a few times a second)


@pytest.fixture
def live_recording(
    qt_loop: Any, qtbot: Any, tmp_path: Path, settings: QSettings, run_on_loop: Any
) -> Iterator[tuple[Path, list[Seen]]]:
    """The real demo feed watched live and recorded, with what the window showed after
    every tick (when the recording holds exactly what the window had seen)."""
    feed = FeedThread(FeedServer(rate=1500, seed=11, junk=0.02, limit=2500, paused=True)).start()
    live = Dashboard(
        [ConnectionSpec(feed.server.url, "demo")],
        settings=settings,
        tick_ms=10,
        layout=builtin("demo"),
    )
    qtbot.addWidget(live.window)
    path = tmp_path / "live.jsonl.gz"
    assert live.window.start_recording(path)
    ticks: list[Seen] = []
    live.bus.ticked.connect(lambda: ticks.append(seen(live)))
    live.start()
    try:
        qtbot.waitUntil(lambda: feed.server.streams == 1, timeout=10_000)
        feed.server.paused = False  # every event from the first, once the window listens
        qtbot.waitUntil(lambda: live.store.counts.get("demo") is not None, timeout=10_000)
        qtbot.waitUntil(lambda: live.store.counts["demo"].frames == 2500, timeout=30_000)
        live.bus.flush()
    finally:
        run_on_loop(live.aclose())
        feed.close()
    yield path, ticks


def test_seeking_reproduces_the_cards_chart_alerts_and_log_that_were_live(
    live_recording: tuple[Path, list[Seen]], qtbot: Any, settings: QSettings, run_on_loop: Any
) -> None:
    path, ticks = live_recording
    moments = [t for t in ticks if 200 < t.events < 2000 and t.alerts]
    assert len({t.events for t in moments}) > 5, "the feed came in too few ticks to test"
    early, late = moments[len(moments) // 4], moments[-1]
    assert early.cards != late.cards and early.alerts != late.alerts

    dash = replay_window(path, settings, qtbot)
    player = dash.player
    assert player is not None
    try:
        for moment in (late, early, late):  # forward, back (from the start again), forward
            position = moment.events + moment.rejected  # lines recorded by that tick
            player.seek(position)
            settle(qtbot, dash, position)
            assert seen(dash) == moment
    finally:
        run_on_loop(dash.aclose())


def _recording(path: Path, count: int = 100) -> None:
    """*count* CPU reports, one a second from T0; report 50 is an alert."""
    recorder = Recorder(path)
    recorder.extend(
        make_event(
            "alert.cpu" if n == 50 else "metrics.update",
            {"cpu": float(n)},
            source="web-1",
            time=T0 + n,
        )
        for n in range(count)
    )
    recorder.close()


@pytest.fixture
def incident(
    qt_loop: Any, qtbot: Any, tmp_path: Path, settings: QSettings, run_on_loop: Any
) -> Iterator[Dashboard]:
    """A paused replay window on 100 CPU reports, one a second (report 50 an alert)."""
    path = tmp_path / "incident.jsonl"
    _recording(path)
    dash = replay_window(path, settings, qtbot)
    assert dash.player is not None and dash.window.replay_bar is not None
    yield dash
    run_on_loop(dash.aclose())


def test_the_bar_s_keys_step_jump_and_play(qtbot: Any, incident: Dashboard) -> None:
    dash = incident
    window, player = dash.window, dash.player
    assert player is not None and window.replay_bar is not None
    cpu = window.cards.card("CPU")
    assert window.windowTitle() == "Live Dashboard — replay of incident.jsonl"
    player.seek(20)
    settle(qtbot, dash, 20)
    qtbot.keyClick(window.log_view, Qt.Key.Key_Right)  # one more event
    settle(qtbot, dash, 21)
    assert cpu.value.text() == "20.0 %"
    qtbot.keyClick(window.log_view, Qt.Key.Key_Left)  # taken back: the one before again
    settle(qtbot, dash, 20)
    assert cpu.value.text() == "19.0 %" and window.log_model.rowCount() == 20
    qtbot.keyClick(window.log_view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, dash, 30)  # 10 s later: the reports of T0+20 .. T0+29 are in
    assert cpu.value.text() == "29.0 %" and player.time == T0 + 29
    qtbot.keyClick(window.log_view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, dash, 20)
    assert cpu.value.text() == "19.0 %"

    window.replay_bar.refresh()
    assert window.replay_bar.where.text().endswith("· 20 / 100 events · paused")
    qtbot.keyClick(window.log_view, Qt.Key.Key_Space)  # play, as fast as it goes
    qtbot.waitUntil(lambda: player.at_end and not player.playing, timeout=10_000)
    dash.bus.flush()
    window.replay_bar.refresh()
    qtbot.waitUntil(lambda: cpu.value.text() == "99.0 %")  # cards show a few times a second
    model = window.alerts.model
    shown = {(e.name, e.state.value) for e in map(model.entry_at, range(model.rowCount())) if e}
    # the feed's alert, and the layout's High CPU rule: over 90 for 9 s of its 20 s
    assert len(shown) == 2 and ("High CPU", "pending") in shown
    assert window.replay_bar.where.text().endswith("· 100 / 100 events · end")


def test_a_typed_time_goes_there_and_a_wrong_one_says_why(qtbot: Any, incident: Dashboard) -> None:
    dash = incident
    bar = dash.window.replay_bar
    assert bar is not None and dash.player is not None
    target = T0 + 42.5
    qtbot.keyClicks(bar.time_box, clock_text(target))  # 10:42:13.500, local time
    qtbot.keyClick(bar.time_box, Qt.Key.Key_Return)
    settle(qtbot, dash, 43)  # the reports up to T0+42
    assert dash.player.time == target and not bar.time_box.styleSheet()
    assert dash.window.cards.card("CPU").value.text() == "42.0 %"

    status = dash.window.statusBar()
    bar.time_box.setText("half past ten")
    qtbot.keyClick(bar.time_box, Qt.Key.Key_Return)
    assert status.currentMessage() == "Not a time: 'half past ten' (try 10:42:13)"
    assert bar.time_box.toolTip() == status.currentMessage() and bar.time_box.styleSheet()
    bar.time_box.setText("2020-01-01 10:00")
    qtbot.keyClick(bar.time_box, Qt.Key.Key_Return)
    assert status.currentMessage().startswith("2020-01-01 10:00 is outside the recording (")
    assert dash.player.position == 43  # nothing moved


def test_the_timeline_draws_density_and_alerts_and_seeks_on_click(
    qtbot: Any, incident: Dashboard
) -> None:
    dash = incident
    bar = dash.window.replay_bar
    assert bar is not None and dash.player is not None
    timeline = bar.timeline
    assert list(timeline._alerts) == [T0 + 50]
    assert np.allclose(timeline._density, 1.0, atol=0.35)  # one report a second: flat
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=timeline.rect().center())
    middle = timeline.time_at(timeline.rect().center().x())
    settle(qtbot, dash, dash.player.recording.index_at(middle))
    assert dash.player.time == pytest.approx(middle)


def test_replaying_what_the_log_shows_opens_a_window_with_just_those_events(
    qt_loop: Any, qtbot: Any, tmp_path: Path, settings: QSettings, run_on_loop: Any
) -> None:
    workspace = Workspace([], settings=settings, tick_ms=10)
    live = workspace.live
    qtbot.addWidget(live.window)
    live.start()
    live.store.extend(
        make_event("metrics.update", {"cpu": float(n)}, time=T0 + n) for n in range(300)
    )
    live.bus.flush()
    assert live.window.log_panel.set_filter("cpu>=250")
    qtbot.waitUntil(lambda: live.window.log_model.rowCount() == 50)
    live.window.replay_log()
    qtbot.waitUntil(lambda: len(workspace.replays) == 1, timeout=10_000)
    replay = workspace.replays[0]
    assert replay.player is not None
    recording = replay.player.recording
    assert recording.name == "log selection: cpu>=250"
    assert recording.events == 50 and (recording.start, recording.end) == (T0 + 250, T0 + 299)
    assert replay.window.windowTitle() == "Live Dashboard — replay of log selection: cpu>=250"
    replay.player.set_speed(None)  # (opened at 1x: 50 s of recording)
    qtbot.waitUntil(lambda: replay.store.end_seq == 50, timeout=10_000)
    assert [e.data["cpu"] for e in replay.store.events(0, 50)] == [
        float(n) for n in range(250, 300)
    ]
    replay.window.back_to_live.emit()
    qtbot.waitUntil(lambda: not workspace.replays)
    assert live.window.isVisible() and live.store.end_seq == 300  # live never disturbed
    run_on_loop(workspace.aclose())


def test_a_file_that_is_no_recording_is_refused_with_the_reason(
    qt_loop: Any, qtbot: Any, tmp_path: Path, settings: QSettings, run_on_loop: Any
) -> None:
    workspace = Workspace([], settings=settings)
    qtbot.addWidget(workspace.live.window)
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(b"this is not gzip\n")
    with pytest.raises(indexing.CannotOpen) as refused:
        run_on_loop(workspace.open(path))
    assert str(refused.value).startswith(f"cannot replay {path}: not a readable gzip file")
    assert workspace.replays == []
    run_on_loop(workspace.aclose())


def test_a_recording_with_records_of_the_wrong_types_replays_the_rest(
    qt_loop: Any, qtbot: Any, tmp_path: Path, settings: QSettings, run_on_loop: Any
) -> None:
    """Times no clock can show and objects where a name goes used to end the window with
    a traceback (the replay bar's tooltip, the log's time column, the indexing itself)."""
    path = tmp_path / "odd.jsonl"
    good = [wrong_record({"seq": n, "received": T0 + n, "time": T0 + n}) for n in range(3)]
    wrong = [wrong_record(change) for change, _reason in WRONG_RECORDS]
    wrong += [wrong_rejected(change) for change, _reason in WRONG_REJECTED]
    path.write_bytes(good[0] + b"".join(wrong) + good[1] + good[2])
    workspace = Workspace([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(workspace.live.window)
    replay = run_on_loop(workspace.open(path, speed=None))
    assert replay is not None and replay.player is not None
    player = replay.player
    qtbot.waitUntil(lambda: player.at_end and not player.playing, timeout=10_000)
    replay.bus.flush()
    window = replay.window
    window.refresh_now()
    window.grab()  # paints the log's times, the bar and its timeline
    assert window.log_model.rowCount() == 3
    assert [window.log_model.index(r, 0).data() for r in range(3)] == [
        clock_text(T0 + n) for n in range(3)
    ]
    assert window.rejected_model.rowCount() == len(wrong)
    assert window.replay_bar is not None
    window.replay_bar.refresh()
    assert (
        window.replay_bar.where.text()
        == f"{clock_text(T0 + 2)} · 00:02 / 00:02 · 3 / 3 events · end"
    )
    assert player.status.detail == f"finished: 3 events, {len(wrong)} unreadable lines"
    run_on_loop(workspace.aclose())


def test_opening_a_file_of_many_tiny_lines_shows_progress_to_the_end(
    qt_loop: Any,
    qtbot: Any,
    tmp_path: Path,
    settings: QSettings,
    run_on_loop: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window's way in (File > Open, a drop): the file is indexed off the UI thread
    while the progress dialog follows how much has been read, only ever forward, to the
    end; the replay has every line."""
    path = tmp_path / "tiny.jsonl"
    path.write_bytes(b'{"type":"a"}\n' * 200_000)
    shown: list[int] = []

    class WatchedDialog(QProgressDialog):
        def setValue(self, value: int) -> None:
            shown.append(value)
            super().setValue(value)

    monkeypatch.setattr(indexing, "QProgressDialog", WatchedDialog)
    monkeypatch.setattr(indexing, "SHOW_AFTER_MS", 0)
    monkeypatch.setattr(indexing, "POLL_MS", 5)
    workspace = Workspace([], settings=settings, layout=builtin("demo"))
    qtbot.addWidget(workspace.live.window)
    replay = run_on_loop(workspace.open(path, speed=None), timeout=60_000)
    assert replay is not None and replay.player is not None
    replay.player.pause()
    recording = replay.player.recording
    assert (len(recording), recording.events, recording.bad) == (200_000, 200_000, {})
    assert shown and shown == sorted(shown) and shown[-1] == 1000
    run_on_loop(workspace.aclose())


def test_after_a_seek_one_count_everywhere_and_the_sparklines_are_whole(
    qtbot: Any, incident: Dashboard
) -> None:
    dash = incident
    window, player, bar = dash.window, dash.player, dash.window.replay_bar
    assert player is not None and bar is not None
    for position in (80, 30, 60):  # forward, back (from the start again), forward
        player.seek(position)
        settle(qtbot, dash, position)
        bar.refresh()
        assert bar.where.text().endswith(f"· {position} / 100 events · paused")
        assert window.log_panel.counts.text() == f"{position} events"
        assert window.status.totals_label.text() == f"events {position} · rejected 0"
        assert dash.summary() == f"events={position} rejected=0 connections=0"
    assert bar.where.text() == f"{clock_text(T0 + 59)} · 00:59 / 01:39 · 60 / 100 events · paused"
    cpu = window.cards.card("CPU")
    history = [value for _at, value in cpu.state.history]
    assert history[-1] == 59.0  # a figure a second of the reports folded, not one point
    assert len(history) >= 50 and history == sorted(history)
    assert len(cpu.sparkline.points) == len(history)


def test_a_wrong_time_is_said_under_the_box_and_the_arrows_step_from_any_control(
    qtbot: Any, incident: Dashboard
) -> None:
    dash = incident
    window, player, bar = dash.window, dash.player, dash.window.replay_bar
    assert player is not None and bar is not None
    window.show()
    qtbot.waitExposed(window)
    bar.time_box.setText("10:61")
    qtbot.keyClick(bar.time_box, Qt.Key.Key_Return)
    assert not bar.time_problem.isHidden()
    assert bar.time_problem.text() == "Not a time: '10:61' (try 10:42:13)"
    qtbot.keyClicks(bar.time_box, "x")  # typing again: the message goes
    assert bar.time_problem.isHidden()
    bar.time_box.setText(clock_text(T0 + 9))
    qtbot.keyClick(bar.time_box, Qt.Key.Key_Return)
    settle(qtbot, dash, 10)
    assert window.focusWidget() is bar.timeline  # out of the box: the arrows step again
    qtbot.keyClick(bar.timeline, Qt.Key.Key_Right)
    settle(qtbot, dash, 11)
    player.seek(20)
    settle(qtbot, dash, 20)
    controls = (bar.play_button, bar.step_button, bar.speed_box, bar.loop_box, bar.timeline)
    for steps, control in enumerate(controls, start=1):
        control.setFocus()
        qtbot.keyClick(control, Qt.Key.Key_Right)
        settle(qtbot, dash, 20 + steps)
        assert window.focusWidget() is control  # it stepped; the focus stayed
