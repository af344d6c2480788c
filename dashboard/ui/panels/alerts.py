"""The alert panel's model: alert events by the feed's conventions, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from dashboard.core.alerts import alert_message, is_alert
from dashboard.core.event import Event
from dashboard.core.summary import one_line
from dashboard.ui.log_model import clock_text, full_time_text
from dashboard.ui.recent_model import RecentItemsModel
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import severity_colour

COLUMN_WIDTHS = (92, 64, 72)


class AlertListModel(RecentItemsModel[tuple[Event, str]]):
    """The newest alerts (event, message), newest in row 0."""

    columns = ("Time", "Severity", "Source", "Message")

    def add_events(self, events: list[Event]) -> int:
        """Keep the alerts among *events*; answers how many there were."""
        alerts = [(e, alert_message(e)) for e in events if is_alert(e)]
        self.add_items(alerts)
        return len(alerts)

    def cell(self, item: tuple[Event, str], column: int, role: int) -> Any:
        event, message = item
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return clock_text(event.time)
            if column == 1:
                return event.severity.label
            if column == 2:
                return one_line(event.source, 80)
            return message
        if role == Qt.ItemDataRole.ForegroundRole and column in (1, 3):
            return severity_colour(event.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(
                f"{full_time_text(event.time)}  {event.type}  {event.source}\n{message}"
            )
        return None
