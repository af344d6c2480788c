"""The window's side tabs: alerts, rejected frames, connections and silences, with counts
in their titles."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QTabWidget

from dashboard.core.events.event import Rejected
from dashboard.core.monitor import Monitor
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.panels import alerts, rejected, silences
from dashboard.ui.panels.connections import ConnectionsPanel

ALERTS, REJECTED, CONNECTIONS, SILENCES = range(4)


class SideTabs(QTabWidget):
    """The alert, rejected, connections and silences panels, one tab each."""

    def __init__(
        self, monitor: Monitor, clock: Callable[[], float], connections: ConnectionManager
    ) -> None:
        super().__init__()
        self.alerts = alerts.AlertPanel(monitor, clock)
        self.silences = silences.SilencesPanel(monitor, clock)
        self.rejected_model = rejected.RejectedListModel(parent=self)
        self.rejected_view = rejected.make_view(self.rejected_model)
        self.connections_panel = ConnectionsPanel(connections)
        self.addTab(self.alerts, "Alerts")
        self.addTab(self.rejected_view, "Rejected")
        self.addTab(self.connections_panel, "Connections")
        self.addTab(self.silences, "Silences")
        self.setTabToolTip(REJECTED, "Frames that could not be decoded, with the reason")
        self.setTabToolTip(CONNECTIONS, "Every feed's health; add, edit, connect, disconnect")
        self.setTabToolTip(SILENCES, "What is silenced, until when and why; Unsilence")

    def explain_alerts(self, conventions: AlertConventions, rules: int) -> None:
        self.setTabToolTip(
            ALERTS,
            "Alerts from the feed (types "
            + ", ".join(conventions.types)
            + f", or severity {conventions.min_severity} and up), from the layout's "
            f"{rules} rule(s), and feeds down for over "
            f"{conventions.connection_down:g} s; the count is those firing and not "
            "acknowledged",
        )

    def _set_text(self, index: int, text: str) -> bool:
        if self.tabText(index) == text:  # a new text lays the whole window out again
            return False
        self.setTabText(index, text)
        return True

    def show_alert_count(self) -> None:
        waiting = self.alerts.book.unacknowledged
        self._set_text(ALERTS, f"Alerts ({waiting:,})" if waiting else "Alerts")

    def refresh_silences(self) -> None:
        self.silences.refresh()  # (ended silences leave the list)
        running = self.silences.model.row_total()
        if self._set_text(SILENCES, f"Silences ({running:,})" if running else "Silences"):
            self.alerts.refresh(force=True)  # a silence ran out: its alerts lose the mark

    def add_rejected(self, items: Sequence[Rejected], received: int) -> None:
        self.rejected_model.add_items(items)
        self.setTabText(REJECTED, f"Rejected ({received:,})")

    def reset(self) -> None:
        self.alerts.refresh(force=True)
        self.rejected_model.clear()
        self.setTabText(REJECTED, "Rejected")
