"""The dead-letter view's model: frames that could not be decoded, with why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView

from dashboard.core.events.event import Rejected
from dashboard.core.events.summary import one_line
from dashboard.core.panels.panelkind import PanelKind
from dashboard.ui.log_model import clock_text, full_time_text
from dashboard.ui.panels.tables import make_table
from dashboard.ui.recent_model import RecentItemsModel
from dashboard.ui.text import plain_tooltip

COLUMN_WIDTHS = (96, 80, 0, 140)  # the reason takes what the others leave
REASON = 2


def preview(raw: bytes, limit: int = 160) -> str:
    """The raw bytes as safe one-line text: invalid UTF-8 shown as \\x escapes."""
    return one_line(raw[: limit * 4].decode("utf-8", "backslashreplace"), limit)


def size_text(item: Rejected) -> str:
    """The frame's size, and how much of it is kept when it was cut."""
    if not item.cut:
        return f"{max(item.size, len(item.raw)):,} bytes"
    if not item.raw:
        return f"{item.size:,} bytes, none kept"
    return f"{item.size:,} bytes, the first {len(item.raw):,} kept"


class RejectedListModel(RecentItemsModel[Rejected]):
    columns = ("Time", "Connection", "Reason", "Raw bytes")

    def cell(self, item: Rejected, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return clock_text(item.received)
            if column == 1:
                return one_line(item.connection, 80)
            if column == 2:
                return item.reason
            return preview(item.raw)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = (
                f"{full_time_text(item.received)} from {item.connection}\n{item.reason}\n"
                f"{size_text(item)}; producer id {item.id or '-'}\n\n{preview(item.raw, 600)}"
            )
            return plain_tooltip(text)
        return None


def make_view(model: RejectedListModel) -> QTableView:
    """The dead-letter table: the reason, what the operator reads first, takes the width
    the time, connection and raw bytes leave (all of it in the tooltip)."""
    view = make_table(model, COLUMN_WIDTHS)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
    return view


KIND = PanelKind(
    name="rejected",
    title="Rejected",
    widget=RejectedListModel,
    description="frames that could not be decoded",
    fixed=True,
)
