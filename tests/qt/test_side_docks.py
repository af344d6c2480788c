"""The side docks: the alert rows hold still while the operator aims at one, the alert's
name has a column, and the dead-letter reason gets the width."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication

from dashboard.core.events.event import Rejected, Severity
from dashboard.core.monitor import Monitor
from dashboard.ui.panels.alerts import ALERT, ALERT_SHOWN_AT, AlertPanel
from dashboard.ui.panels.rejected import REASON, RejectedListModel, make_view
from tests.unit.factories import make_event

SOURCE = 5


def _alert(name: str, source: str) -> Any:
    return make_event(name, {"message": f"{name} on {source}"}, source=source, time=5.0,
                      severity=Severity.CRITICAL)  # fmt: skip


def _add(panel: AlertPanel, events: list[Any]) -> None:
    panel.monitor.feed(events)  # as the window does each batch: the monitor, then the panel
    panel.refresh()


def _sources(panel: AlertPanel) -> list[str]:
    model = panel.model
    return [model.index(r, SOURCE).data() for r in range(model.rowCount())]


def test_the_alert_name_has_a_column_after_the_state(qtbot: Any) -> None:
    panel = AlertPanel(Monitor(), lambda: 1_000.0)
    qtbot.addWidget(panel)
    _add(panel, [_alert("alert.cpu", "db-1"), _alert("alert.memory", "db-1")])
    model = panel.model
    assert model.headerData(ALERT, panel.view.horizontalHeader().orientation()) == "Alert"
    assert panel.view.horizontalHeader().visualIndex(ALERT) == ALERT_SHOWN_AT
    assert [model.index(r, ALERT).data() for r in range(2)] == ["alert.memory", "alert.cpu"]


def test_rows_hold_still_while_hovered_or_selected(qtbot: Any) -> None:
    panel = AlertPanel(Monitor(), lambda: 1_000.0)
    qtbot.addWidget(panel)
    _add(panel, [_alert("alert.cpu", "web-1"), _alert("alert.cpu", "web-2")])
    assert _sources(panel) == ["web-2", "web-1"]
    viewport = panel.view.viewport()
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Enter))  # the pointer comes in
    _add(panel, [_alert("alert.cpu", "db-1")])
    assert _sources(panel) == ["web-2", "web-1", "db-1"]  # not pushed down under the pointer
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert _sources(panel) == ["db-1", "web-2", "web-1"]

    panel.view.selectRow(1)
    _add(panel, [_alert("alert.cpu", "db-2")])
    assert _sources(panel) == ["db-1", "web-2", "web-1", "db-2"]
    assert panel.selected() is not None and panel.selected().key == "web-2"
    panel.view.selectionModel().clearCurrentIndex()
    assert _sources(panel) == ["db-2", "db-1", "web-2", "web-1"]


def test_the_rejected_reason_takes_the_width_left(qtbot: Any) -> None:
    model = RejectedListModel()
    view = make_view(model)
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    model.add_items([Rejected("not JSON: unexpected character at column 1", b"{x", 5.0, "demo")])
    others = sum(view.columnWidth(c) for c in range(model.columnCount()) if c != REASON)
    qtbot.waitUntil(lambda: view.columnWidth(REASON) == view.viewport().width() - others)
    assert view.columnWidth(REASON) > 300


def test_a_rejected_frame_cut_to_its_preview_says_its_size_and_what_was_kept(qtbot: Any) -> None:
    model = RejectedListModel()
    big = b"{" + b"x" * 899_999
    model.add_items([Rejected("invalid JSON", big, 5.0, "demo", len(big)).preview()])
    model.add_items([Rejected("invalid JSON", b"{x", 6.0, "demo", 2)])
    tips = [model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole) for row in (0, 1)]
    assert "\n2 bytes; producer id -\n" in tips[0]
    assert "\n900,000 bytes, the first 4,096 kept; producer id -\n" in tips[1]
