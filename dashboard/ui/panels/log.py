"""The event log view: follows the tail unless the operator scrolled away from it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QTableView, QWidget

from dashboard.ui.log_model import EventLogModel
from dashboard.ui.panels.tables import setup_table


class EventLogView(QTableView):
    """Fixed row heights so a million rows scroll smoothly; End jumps to the latest."""

    def __init__(self, model: EventLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        setup_table(self, model, (100, 150, 90, 70))
        self.following = True
        model.rowsAboutToBeInserted.connect(self._note_position)
        model.rowsInserted.connect(self._keep_following)
        self.setToolTip("Newest events at the bottom; scroll up to pause following, End to resume")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_End:
            self.jump_to_latest()
            return
        super().keyPressEvent(event)

    def _note_position(self, parent: QModelIndex, first: int, last: int) -> None:
        bar = self.verticalScrollBar()
        self.following = bar.value() >= bar.maximum() - 2

    def _keep_following(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.following:
            self.scrollToBottom()

    def jump_to_latest(self) -> None:
        self.following = True
        self.scrollToBottom()
