"""The frame-tick bus and the table models, with pytest-qt's model tester."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt

from dashboard.core.event import Severity
from dashboard.core.store import EventStore
from dashboard.ui.bus import EventBus
from dashboard.ui.log_model import SEVERITY, SOURCE, SUMMARY, TYPE, EventLogModel
from dashboard.ui.panels.alerts import AlertListModel
from dashboard.ui.panels.chart import joined
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


def test_alert_model_keeps_newest_first_and_caps(qtmodeltester: Any) -> None:
    model = AlertListModel(capacity=3)
    events = [make_event("alert", {"message": f"m{n}"}) for n in range(5)]
    events.insert(2, make_event("order.placed"))  # not an alert
    assert model.add_events(events) == 5
    assert model.rowCount() == 3 and model.total == 5
    assert [model.index(r, 3).data() for r in range(3)] == ["m4", "m3", "m2"]
    model.add_events([make_event("x", {"message": "late"}, severity=Severity.CRITICAL)])
    assert [model.index(r, 3).data() for r in range(3)] == ["late", "m4", "m3"]
    qtmodeltester.check(model)


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
