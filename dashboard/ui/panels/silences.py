"""The silences list: what is silenced (rule, matcher), until when, the operator's note,
and "Unsilence" to end one early. The silences are the monitor's (core.monitor.alertbook); this
only shows them and passes the operator's actions on."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from dashboard.core.events.summary import one_line
from dashboard.core.monitor import Monitor
from dashboard.core.monitor.alertbook import Silence
from dashboard.core.panels.panelkind import PanelKind
from dashboard.ui.log_model import full_time_text
from dashboard.ui.panels.tables import ListTableModel, make_table
from dashboard.ui.text import plain_tooltip

COLUMNS = ("Rule", "Matcher", "Until", "Note")
COLUMN_WIDTHS = (110, 110, 110)
NOTE = 3
_Index = QModelIndex | QPersistentModelIndex


def until_text(until: float, now: float) -> str:
    """``14:03``, or ``2026-11-24 14:03`` when it ends on another day than *now*'s."""
    day = time.strftime("%Y-%m-%d", time.localtime(until))
    clock = time.strftime("%H:%M", time.localtime(until))
    return clock if day == time.strftime("%Y-%m-%d", time.localtime(now)) else f"{day} {clock}"


class SilenceListModel(ListTableModel):
    """The running silences, soonest to end first; the note column is editable."""

    columns = COLUMNS

    def __init__(self, monitor: Monitor, clock: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.clock = clock
        self._rows: list[Silence] = []

    def row_total(self) -> int:
        return len(self._rows)

    def silence_at(self, row: int) -> Silence | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def refresh(self) -> None:
        wanted = self.monitor.book.active_silences(self.clock())
        if wanted != self._rows:
            self.beginResetModel()
            self._rows = wanted
            self.endResetModel()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        silence = self.silence_at(index.row()) if index.isValid() else None
        if silence is None:
            return None
        texts = (
            one_line(silence.name, 80),
            one_line(silence.matcher, 80),
            until_text(silence.until, self.clock()),
            one_line(silence.note, 200),
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[index.column()]
        if role == Qt.ItemDataRole.EditRole and index.column() == NOTE:
            return silence.note
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(
                f"{silence.name} ({silence.matcher}) silenced until "
                f"{full_time_text(silence.until)}\n{silence.note or 'No note: double-click to add'}"
            )
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == NOTE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        silence = self.silence_at(index.row()) if index.isValid() else None
        if silence is None or index.column() != NOTE or role != Qt.ItemDataRole.EditRole:
            return False
        self._rows[index.row()] = self.monitor.book.set_note(silence, str(value))
        self.dataChanged.emit(index, index)
        return True


class SilencesPanel(QWidget):
    """The silences list with its Unsilence button.

    Signals:
        changed(): a silence ended early or its note changed (to keep them).
    """

    changed = Signal()

    def __init__(self, monitor: Monitor, clock: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SilenceListModel(monitor, clock, parent=self)
        self.model.dataChanged.connect(lambda *_: self.changed.emit())
        self.view = make_table(self.model, COLUMN_WIDTHS, self)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        self.unsilence_button = QPushButton("Unsilence")
        self.unsilence_button.setToolTip("End the selected silence now")
        self.unsilence_button.clicked.connect(self.unsilence_selected)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.unsilence_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        self.model.refresh()

    def tab_text(self) -> str:
        running = self.model.row_total()
        return f"Silences ({running:,})" if running else "Silences"

    def unsilence_selected(self) -> None:
        index = self.view.currentIndex()
        silence = self.model.silence_at(index.row()) if index.isValid() else None
        if silence is not None:
            self.model.monitor.book.unsilence(silence)
            self.refresh()
            self.changed.emit()


KIND = PanelKind(
    name="silences",
    title="Silences",
    widget=lambda context, options: SilencesPanel(context.monitor, context.clock),
    description="What is silenced, until when and why; Unsilence",
    fixed=True,
    place="side-tab",
)
