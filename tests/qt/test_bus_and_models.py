"""The frame-tick bus and the table models, with pytest-qt's model tester."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from dashboard.core.events.event import Severity
from dashboard.core.monitor import Monitor
from dashboard.core.storage.store import EventStore
from dashboard.ui.bus import EventBus
from dashboard.ui.log_model import SEVERITY, SOURCE, SUMMARY, TYPE, EventLogModel
from dashboard.ui.panels.alerts import AlertPanel
from dashboard.ui.panels.chart_axes import joined
from dashboard.ui.panels.rejected import RejectedListModel
from tests.unit.factories import make_event, make_rejected


def test_bus_emits_once_per_tick_whatever_arrived(qtbot: Any) -> None:
    store = EventStore()
    bus = EventBus(store)
    seen: list[tuple[int, int]] = []
    bus.events_appended.connect(lambda a, b: seen.append((a, b)))
    store.extend(make_event() for _ in range(1000))
    bus.flush()
    bus.flush()  # nothing new: no signal
    store.extend(make_event() for _ in range(5))
    bus.flush()
    assert seen == [(0, 1000), (1000, 1005)]


def test_bus_timer_delivers_batches(qtbot: Any) -> None:
    store = EventStore()
    bus = EventBus(store, interval_ms=5)
    store.extend(make_event() for _ in range(10))
    with qtbot.waitSignal(bus.events_appended, timeout=2000) as blocker:
        bus.start()
    bus.stop()
    assert blocker.args == [0, 10]


def test_log_model_follows_the_store_through_eviction(qtmodeltester: Any) -> None:
    store = EventStore(capacity=50)
    model = EventLogModel(store)
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    store.extend(make_event(data={"n": n}, source=f"s{n}") for n in range(30))
    model.sync()
    store.extend(make_event(data={"n": n}, source=f"s{n}") for n in range(30, 100))
    model.sync()
    assert inserted == [(0, 29), (0, 49)]  # one insert per sync
    assert removed == [(0, 29)]  # the first 30 rows went, then 50 of the 70 new fit
    assert model.rowCount() == 50
    assert model.event_at(0).seq == 50  # type: ignore[union-attr]
    assert model.index(0, SOURCE).data() == "s50"
    assert model.index(49, SUMMARY).data() == "n=99"
    assert model.row_of(99) == 49 and model.row_of(10) == -1
    qtmodeltester.check(model)


def test_log_model_cells(qtmodeltester: Any) -> None:
    store = EventStore()
    store.extend(
        [
            make_event(
                "payment.failed",
                {"reason": "card declined"},
                severity=Severity.WARNING,
                source="payments",
            )
        ]
    )
    model = EventLogModel(store)
    model.sync()
    assert [model.index(0, c).data() for c in (TYPE, SOURCE, SEVERITY, SUMMARY)] == [
        "payment.failed",
        "payments",
        "warning",
        "card declined",
    ]
    assert model.index(0, SEVERITY).data(Qt.ItemDataRole.ForegroundRole).name() == "#f0b429"
    qtmodeltester.check(model)


def feed(panel: AlertPanel, events: list[Any]) -> None:
    """What the window does each tick: the monitor takes the events in, the panel shows."""
    panel.monitor.feed(events)
    panel.refresh()


def test_the_alert_panel_groups_acknowledges_silences_and_filters(
    qtbot: Any, qtmodeltester: Any
) -> None:
    now = [1_000.0]
    panel = AlertPanel(Monitor(), lambda: now[0])
    qtbot.addWidget(panel)
    model = panel.model

    def alert(source: str, at: float, severity: Severity = Severity.CRITICAL):  # type: ignore[no-untyped-def]
        return make_event("alert.cpu", {"message": f"CPU on {source}"}, source=source,
                          time=at, severity=severity)  # fmt: skip

    feed(panel, [alert("web-1", 1), make_event("order.placed"), alert("web-1", 2)])
    feed(panel, [alert("web-2", 3)])
    rows = [(model.index(r, 5).data(), model.index(r, 3).data()) for r in range(2)]
    assert rows == [("web-2", "1"), ("web-1", "2")]  # newest first alert on top, repeats counted
    assert model.index(0, 2).data() == "firing •" and panel.book.unacknowledged == 2

    panel.view.selectRow(1)
    panel.acknowledge_selected()
    assert model.index(1, 2).data() == "firing" and panel.book.unacknowledged == 1
    feed(panel, [alert("web-2", 4, Severity.INFO)])  # back to normal
    assert model.index(0, 2).data() == "resolved •" and panel.book.unacknowledged == 0

    panel.state_box.setCurrentIndex(1)  # firing only
    assert [model.index(r, 5).data() for r in range(model.rowCount())] == ["web-1"]
    panel.state_box.setCurrentIndex(0)
    panel.clear_resolved()
    assert [model.index(r, 5).data() for r in range(model.rowCount())] == ["web-1"]

    panel.view.selectRow(0)
    entry = panel.selected()
    assert entry is not None
    panel.silence(entry, whole_rule=False, seconds=900)
    feed(panel, [alert("web-1", 5)])
    assert entry.count == 2 and panel.book.silenced == 1  # silenced: not counted, not shown
    with qtbot.waitSignal(panel.filter_requested) as asked:
        panel.view.doubleClicked.emit(model.index(0, 6))
    assert asked.args == ["type=alert.cpu source=web-1"]
    qtmodeltester.check(model)


def test_alert_rows_first_seen_at_the_same_time_stay_put_as_they_repeat(qtbot: Any) -> None:
    panel = AlertPanel(Monitor(), lambda: 1_000.0)
    qtbot.addWidget(panel)
    model = panel.model
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))

    def alert(source: str) -> Any:
        return make_event("alert.cpu", {"message": "hot"}, source=source, time=5.0,
                          severity=Severity.CRITICAL)  # fmt: skip

    feed(panel, [alert("web-1"), alert("web-2")])
    order = [model.index(r, 5).data() for r in range(model.rowCount())]
    for _ in range(5):  # each repeat moves its entry to the book's end: rows must not follow
        feed(panel, [alert("web-1")])
        feed(panel, [alert("web-2")])
        assert [model.index(r, 5).data() for r in range(model.rowCount())] == order
    feed(panel, [alert("db-1")])
    assert [model.index(r, 5).data() for r in range(model.rowCount())] == ["db-1", *order]
    assert [model.index(r, 3).data() for r in range(3)] == ["1", "6", "6"]
    assert resets == []  # a reset would lose the selection and scroll: never for repeats


def test_rejected_model_shows_reason_and_safe_preview(qtmodeltester: Any) -> None:
    model = RejectedListModel()
    rejected = make_rejected("invalid UTF-8 at byte 2")
    rejected.raw = b'{"\xff\n<b>x</b>'
    model.add_items([rejected])
    assert model.index(0, 2).data() == "invalid UTF-8 at byte 2"
    assert model.index(0, 3).data() == '{"\\xff <b>x</b>'
    assert "&lt;b&gt;" in model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    qtmodeltester.check(model)


def test_the_chart_does_not_join_points_across_a_gap() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0, 300.0, 301.0, 302.0])
    assert list(joined(t)) == [True, True, True, False, True, True, True]
    assert joined(np.array([0.0, 1.0])) == "all"


def test_a_storm_in_the_window_is_one_summary_notification(qtbot: Any, settings: Any) -> None:
    from dashboard.ui.app import Dashboard

    dash = Dashboard([], settings=settings)
    window = dash.window
    qtbot.addWidget(window)
    storm = [
        make_event("alert.cpu", {"message": f"CPU on host-{i % 40}"}, source=f"host-{i % 40}",
                   time=1_000.0 + i / 10_000, severity=Severity.CRITICAL)
        for i in range(10_000)
    ]  # fmt: skip
    for start in range(0, 10_000, 1_000):  # ten ticks' worth
        dash.store.extend(storm[start : start + 1_000])
        dash.bus.flush()
    notifier = window.notifier
    # The first tick's forty new alerts make one notice at once; the repeats none.
    assert [(n.title, n.text) for n in notifier.shown] == [
        ("40 new alerts (40 critical)", "alert.cpu on host-0, alert.cpu on host-1, "
         "alert.cpu on host-10…"),
    ]  # fmt: skip
    assert notifier.gate.due(time.time() + 60) == []
    assert window.alerts.model.rowCount() == 40 and window.side_tabs.tabText(0) == "Alerts (40)"
