"""The dead-letter view: frames that could not be decoded, with why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

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


class RejectedPanel(QWidget):
    """The dead-letter table as a panel of the window, its count in its tab's title."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RejectedListModel(parent=self)
        self.view = make_view(self.model)
        self.received = 0  # frames rejected since the start (the table keeps the newest)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def add_rejected(self, items: Sequence[Rejected], received: int) -> None:
        self.model.add_items(items)
        self.received = received

    def reset(self) -> None:
        self.model.clear()
        self.received = 0

    def tab_text(self) -> str:
        return f"Rejected ({self.received:,})" if self.received else "Rejected"


KIND = PanelKind(
    name="rejected",
    title="Rejected",
    widget=lambda context, options: RejectedPanel(),
    description="Frames that could not be decoded, with the reason",
    fixed=True,
    place="side-tab",
)
