"""The Connections tab: every connection's health, with connect, disconnect, edit, remove."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from dashboard.core.events.summary import one_line
from dashboard.core.panels.panelkind import PanelKind
from dashboard.core.panels.rate import RateMeter
from dashboard.sources import ReconnectingSource
from dashboard.ui.connection_dialog import ConnectionDialog
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.panels.tables import ListTableModel, make_table
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import SEVERITY_COLOURS, STATE_COLOURS

COLUMNS = (
    "Name",
    "State",
    "Events/s",
    "Accepted",
    "Rejected",
    "Reconnects",
    "Position",
    "Last error",
    "URL",
)
WIDTHS = (170, 150, 70, 75, 70, 80, 170, 260)
INSECURE = "⚠ TLS not verified"
_Index = QModelIndex | QPersistentModelIndex


class ConnectionTableModel(ListTableModel):
    """One row per connection; :meth:`refresh` re-reads the statuses (twice a second)."""

    columns = COLUMNS

    def __init__(self, manager: ConnectionManager, parent: Any = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self._meters: dict[int, RateMeter] = {}
        self._rates: dict[int, float] = {}
        self._shown = list(manager.sources)
        manager.changed.connect(self.reset)

    def reset(self) -> None:
        """Rows come and go only on add and remove; otherwise repaint in place (keeping
        the selection)."""
        if len(self.manager.sources) == len(self._shown):
            self._shown = list(self.manager.sources)
            self.refresh()
            return
        self.beginResetModel()
        self._shown = list(self.manager.sources)
        self.endResetModel()

    def refresh(self) -> None:
        now = time.monotonic()
        for source in self._shown:
            counts = self.manager.store.counts.get(source.name)
            meter = self._meters.setdefault(id(source), RateMeter())
            self._rates[id(source)] = meter.update(now, counts.frames if counts else 0)
        if self.manager.sources:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.manager.sources) - 1, len(COLUMNS) - 1)
            )

    def source_at(self, row: int) -> ReconnectingSource | None:
        sources = self._shown
        return sources[row] if 0 <= row < len(sources) else None

    def row_total(self) -> int:
        return len(self._shown)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self.source_at(index.row()) if index.isValid() else None
        if source is None:
            return None
        status = source.status
        column = index.column()
        counts = self.manager.store.counts.get(source.name)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return one_line(source.name, 60)
            if column == 1:
                state = status.describe()
                return f"{state}  {INSECURE}" if status.insecure else state
            if column == 2:
                return f"{self._rates.get(id(source), 0.0):,.0f}"
            if column == 3:
                accepted = f"{counts.accepted:,}" if counts else "0"
                return f"{accepted} ({status.repaired:,} repaired)" if status.repaired else accepted
            if column == 4:
                return f"{counts.rejected:,}" if counts else "0"
            if column == 5:
                return str(status.reconnects)
            if column == 6:  # where a resume would start: the last event id, stream position
                return one_line(status.last_event_id, 120)
            if column == 7:
                return one_line(status.last_error, 200)
            return one_line(status.url, 200)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1:
                if status.insecure:
                    return QColor(SEVERITY_COLOURS[max(SEVERITY_COLOURS)])
                return QColor(STATE_COLOURS.get(status.state.value, "#ffffff"))
            if column == 4 and counts and counts.rejected:
                return QColor(STATE_COLOURS["reconnecting"])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(source)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _tooltip(source: Any) -> str:
        """Everything about a connection, in words."""
        status = source.status
        lines = [f"{source.name}: {status.url}", f"state: {status.describe()}"]
        if status.insecure:
            lines.append("TLS certificates are NOT verified for this connection")
        if status.last_event_id:
            lines.append(f"last event id: {status.last_event_id}")
        if status.duplicates:
            lines.append(
                f"{status.duplicates:,} events sent again by the server (same id and data) "
                "were dropped, not counted twice"
            )
        if status.repaired:
            lines.append(
                f"{status.repaired:,} event{'' if status.repaired == 1 else 's'} had text "
                "that was not valid UTF-8: kept, "
                "each invalid sequence read as U+FFFD (as browsers do)"
            )
        if status.last_error:
            lines.append(f"last error: {status.last_error}")
        return plain_tooltip("\n".join(lines))


REFRESH_S = 0.5  # states, rates and counters: twice a second


class ConnectionsPanel(QWidget):
    """The table and its buttons; double-click edits."""

    def __init__(self, manager: ConnectionManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self.model = ConnectionTableModel(manager, self)
        self.view = make_table(self.model, WIDTHS, self)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, label, tip, slot in (
            ("add", "Add…", "Connect to another feed (Ctrl+N)", self.add),
            ("edit", "Edit…", "Change the selected connection's settings", self.edit_selected),
            ("connect", "Connect", "Start the selected connection", self.connect_selected),
            ("disconnect", "Disconnect", "Stop the selected connection", self.disconnect_selected),
            (
                "remove",
                "Remove",
                "Forget the selected connection (its events stay)",
                self.remove_selected,
            ),
        ):
            button = QPushButton(label, self)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[key] = button
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        manager.changed.connect(self._update_buttons)
        self._update_buttons()

    def take_turn(self) -> float | None:
        """The window's turn: every connection's state, rate and counters, as they are
        (none to show: the turn passes)."""
        if not self.model.row_total():
            return None
        self.model.refresh()
        return REFRESH_S

    def draw_now(self) -> None:
        self.model.refresh()

    def selected(self) -> ReconnectingSource | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.source_at(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        for row, source in enumerate(self.manager.sources):
            if source.name == name:
                self.view.selectRow(row)

    def _update_buttons(self) -> None:
        source = self.selected()
        running = source is not None and self.manager.is_running(source)
        self.buttons["edit"].setEnabled(source is not None)
        self.buttons["remove"].setEnabled(source is not None)
        self.buttons["connect"].setEnabled(source is not None and not running)
        self.buttons["disconnect"].setEnabled(running)

    def add(self) -> None:
        dialog = ConnectionDialog(kinds=self.manager.kinds, parent=self)
        if dialog.exec():
            source = self.manager.add(dialog.spec())
            self.select(source.name)
        dialog.deleteLater()

    def edit_selected(self) -> None:
        source = self.selected()
        if source is None:
            return
        dialog = ConnectionDialog(source.spec, kinds=self.manager.kinds, parent=self)
        if dialog.exec():
            row = self.manager.sources.index(source)
            self.manager.replace(source, dialog.spec())
            self.view.selectRow(row)
        dialog.deleteLater()

    def connect_selected(self) -> None:
        source = self.selected()
        if source is not None:
            self.manager.connect_source(source)

    def disconnect_selected(self) -> None:
        source = self.selected()
        if source is not None:
            self.manager.disconnect_source(source)

    def remove_selected(self) -> None:
        source = self.selected()
        if source is not None:
            self.manager.remove(source)


KIND = PanelKind(
    name="connections",
    title="Connections",
    widget=lambda context, options: ConnectionsPanel(context.connections),
    description="Every feed's health; add, edit, connect, disconnect",
    fixed=True,
    place="side-tab",
    table="[[connections]]",
)
