"""The silences list and the muted mark: data -> widget and the operator's actions ->
the monitor; silences kept in the settings between starts."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QSettings, Qt

from dashboard.core.events.event import Severity
from dashboard.core.monitor import Monitor
from dashboard.ui.log_model import full_time_text
from dashboard.ui.panels.alerts import MUTED, AlertPanel
from dashboard.ui.panels.silences import NOTE, SilencesPanel, until_text
from tests.unit.factories import make_event

NOW = 1_795_430_000.0


def cpu_alert(source: str) -> Any:
    return make_event("alert.cpu", {"message": f"CPU on {source}"}, source=source, time=NOW,
                      severity=Severity.CRITICAL)  # fmt: skip


def test_a_silence_is_listed_marked_noted_and_ended_early(qtbot: Any, qtmodeltester: Any) -> None:
    now = [NOW]
    monitor = Monitor()
    alerts = AlertPanel(monitor, lambda: now[0])
    silences = SilencesPanel(monitor, lambda: now[0])
    qtbot.addWidget(alerts)
    qtbot.addWidget(silences)
    monitor.feed([cpu_alert("web-1"), cpu_alert("web-2")])
    alerts.refresh()
    rows = {alerts.model.index(r, 5).data(): r for r in range(2)}
    alerts.view.selectRow(rows["web-1"])
    entry = alerts.selected()
    assert entry is not None
    with qtbot.waitSignal(alerts.silenced):
        alerts.silence(entry, whole_rule=False, seconds=900)
    silences.refresh()
    model = silences.model
    assert [[model.index(0, c).data() for c in range(4)]] == [
        ["alert.cpu", "key = web-1", until_text(NOW + 900, NOW), ""]
    ]
    marks = {alerts.model.index(r, 5).data(): alerts.model.index(r, 0).data() for r in range(2)}
    assert marks == {"web-1": MUTED, "web-2": "●"}
    tip = alerts.model.index(rows["web-1"], 0).data(Qt.ItemDataRole.ToolTipRole)
    assert f"silenced until {full_time_text(NOW + 900)}" in tip
    assert full_time_text(NOW + 900) in model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)

    with qtbot.waitSignal(silences.changed):
        assert model.setData(model.index(0, NOTE), "ana: known, deploying")
    assert [s.note for s in monitor.book.silences] == ["ana: known, deploying"]
    assert model.index(0, NOTE).data() == "ana: known, deploying"
    assert not model.index(0, 0).flags() & Qt.ItemFlag.ItemIsEditable
    qtmodeltester.check(model)

    silences.view.selectRow(0)
    with qtbot.waitSignal(silences.changed):
        silences.unsilence_button.click()
    assert model.rowCount() == 0 and monitor.book.silences == []
    alerts.refresh(force=True)
    assert alerts.model.index(rows["web-1"], 0).data() == "●"
    monitor.feed([cpu_alert("web-1")])  # shown again
    assert entry.count == 2

    monitor.book.silence("alert.cpu", None, until=NOW + 60)
    silences.refresh()
    assert model.index(0, 1).data() == "every key"
    now[0] = NOW + 61  # it ran out: it leaves the list
    silences.refresh()
    assert model.rowCount() == 0


def test_until_says_the_day_only_when_it_is_another() -> None:
    today = time.mktime((2026, 11, 23, 10, 0, 0, 0, 0, -1))
    assert until_text(today + 3600, today) == "11:00"
    assert until_text(today + 86_400, today) == "2026-11-24 10:00"


def test_the_window_keeps_silences_between_starts(qtbot: Any, settings: QSettings) -> None:
    from dashboard.ui.app import Dashboard

    dash = Dashboard([], settings=settings)
    window = dash.window
    qtbot.addWidget(window)
    dash.store.extend([cpu_alert("db-1")])
    dash.bus.flush()
    window.alerts.view.selectRow(0)
    entry = window.alerts.selected()
    assert entry is not None
    window.alerts.silence(entry, whole_rule=True, seconds=3600)
    index = window.side_tabs.indexOf(window.silences)
    assert window.side_tabs.tabText(index) == "Silences (1)"
    assert window.silences.model.rowCount() == 1

    again = Dashboard([], settings=settings)
    qtbot.addWidget(again.window)
    (kept,) = again.window.monitor.book.silences
    assert (kept.name, kept.key) == ("alert.cpu", None)
    assert kept.until > time.time() + 3000
    assert again.window.silences.model.rowCount() == 1
    again.window.silences.view.selectRow(0)
    again.window.silences.unsilence_selected()
    assert str(settings.value("alerts/silences")) == "[]"
    tab = again.window.side_tabs.indexOf(again.window.silences)
    assert again.window.side_tabs.tabText(tab) == "Silences"


def test_a_named_feed_alert_filters_the_log_to_its_own_events() -> None:
    from dashboard.core.lang.query import parse
    from dashboard.core.monitor.alertbook import AlertBook
    from dashboard.ui.panels.alerts import events_query

    book = AlertBook()
    cpu = make_event("alert", {"alertname": "HighCPU"}, source="checkout", time=NOW,
                     severity=Severity.CRITICAL)  # fmt: skip
    memory = make_event("alert", {"alertname": "HighMemory"}, source="checkout", time=NOW,
                        severity=Severity.CRITICAL)  # fmt: skip
    book.add_feed_events([cpu, memory])
    entry = next(e for e in book.shown() if e.name == "HighCPU")
    query = events_query(entry, {})
    assert query == "type=alert source=checkout data.alertname=HighCPU"
    assert [e for e in (cpu, memory) if parse(query).matches(e, NOW)] == [cpu]
