"""The log's table: a view that follows the newest rows until the operator scrolls away, its
scrollbar marked where the severe events are, and the filter box's key handling."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QPushButton,
    QScrollBar,
    QStyle,
    QStyleOptionSlider,
    QTableView,
    QWidget,
)

from dashboard.core.events.event import Severity
from dashboard.core.panels.logrows import severity_marks
from dashboard.ui.log_model import EventLogModel
from dashboard.ui.panels.tables import setup_table
from dashboard.ui.theme import SEVERITY_COLOURS


def outside_note(outside: int) -> str:
    if not outside:
        return ""
    return (
        f"\n{outside:,} events with times far from the rest (a wrong clock?) are left out "
        "of the strip; the log has them."
    )


class MarkedScrollBar(QScrollBar):
    """A vertical scrollbar with a tick for each stretch of the log holding warnings or
    worse, in the severity's colour, so they can be found in a long history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._severities = np.zeros(0, dtype=np.uint8)
        self.marks: list[tuple[int, Severity]] = []
        self._drawn: QPixmap | None = None  # the marks, painted once for many frames

    def set_severities(self, severities: np.ndarray) -> None:
        """The severity of every row, oldest first."""
        self._severities = severities
        self._update_marks()

    def groove_height(self) -> int:
        return max(0, self._groove().height())

    def _groove(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, option, QStyle.SubControl.SC_ScrollBarGroove, self
        )

    def _update_marks(self) -> None:
        self.marks = severity_marks(self._severities, self.groove_height())
        self._drawn = None
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_marks()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.marks:
            return
        # The bar repaints whenever rows arrive; the marks change about once a second.
        groove = self._groove()
        width = max(2, groove.width() - 4)
        drawn = self._drawn
        if drawn is None or drawn.deviceIndependentSize().toSize() != QSize(
            width, max(1, groove.height())
        ):
            ratio = self.devicePixelRatioF()  # sharp on a high-density screen
            drawn = QPixmap(round(width * ratio), round(max(1, groove.height()) * ratio))
            drawn.setDevicePixelRatio(ratio)
            drawn.fill(Qt.GlobalColor.transparent)
            self._drawn = drawn
            painter = QPainter(drawn)
            for pixel, severity in self.marks:
                painter.fillRect(0, pixel, width, 2, QColor(SEVERITY_COLOURS[severity]))
            painter.end()
        painter = QPainter(self)
        painter.drawPixmap(groove.left() + 2, groove.top(), drawn)
        painter.end()


PAUSED_TEXT = "Following paused - End to resume"


class EventLogView(QTableView):
    """Fixed row heights so a million rows scroll smoothly; follows the newest events
    until the operator selects a row or scrolls up (the rows being read stay put, and a
    note says so), and again from End or the note's click.

    Tab leaves the table (as in a form) rather than moving from cell to cell; the arrow
    keys move from the selected row, or from the newest when none is selected."""

    def __init__(self, model: EventLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        setup_table(self, model, (100, 150, 110, 70))
        self.setTabKeyNavigation(False)
        self.log_model = model
        self.marks = MarkedScrollBar(self)
        self.setVerticalScrollBar(self.marks)
        self.following = True
        self.unseen = 0  # rows that arrived while not following
        self.jump_button = QPushButton(self.viewport())
        self.jump_button.setToolTip("Scroll to the newest event and follow the tail again (End)")
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.jump_button.hide()
        model.rowsAboutToBeInserted.connect(self._note_position)
        model.rowsInserted.connect(self._keep_following)
        model.rowsAboutToBeRemoved.connect(self._note_position)
        model.rowsRemoved.connect(self._keep_place)
        model.modelReset.connect(self.jump_to_latest)
        self.marks.valueChanged.connect(self._scrolled)
        self.marks.actionTriggered.connect(self._scrolled_by_hand)
        self.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.setToolTip(
            "Newest events at the bottom; select a row or scroll up to pause following, "
            "End to resume"
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_End and not event.modifiers():
            self.jump_to_latest()
            return
        super().keyPressEvent(event)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """With no row selected, Up and Down start from the newest row (the one in view
        while following), not from the oldest."""
        rows = self.log_model.rowCount()
        starts = (
            QAbstractItemView.CursorAction.MoveUp,
            QAbstractItemView.CursorAction.MoveDown,
        )
        if not self.currentIndex().isValid() and cursorAction in starts and rows:
            return self.log_model.index(rows - 1, 0)
        return super().moveCursor(cursorAction, modifiers)

    def _row_chosen(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self.pause()

    def pause(self) -> None:
        """Stop following: the rows in view stay where they are."""
        if self.following:
            self.following = False
            self._show_jump_button()

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    def _note_position(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.following and not self._at_bottom():  # the operator scrolled up
            self.pause()

    def _keep_following(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.following:
            self.scrollToBottom()
            return
        self.unseen += last - first + 1
        self._show_jump_button()

    def _keep_place(self, parent: QModelIndex, first: int, last: int) -> None:
        """Evicted rows leave from the top: keep the rows being read where they are."""
        if not self.following:
            bar = self.verticalScrollBar()
            bar.setValue(max(0, bar.value() - (last - first + 1)))

    def _scrolled_by_hand(self, action: int) -> None:
        """The wheel, a drag or a click on the bar (the position is the one it goes to)."""
        bar = self.marks
        if bar.sliderPosition() < bar.maximum() - 2:
            self.pause()

    def _scrolled(self, value: int) -> None:
        """Scrolled back to the newest with no row selected: follow again."""
        if self._at_bottom() and not self.following and not self.currentIndex().isValid():
            self._resume()

    def _show_jump_button(self) -> None:
        new = f" · ↓ {self.unseen:,} new" if self.unseen else ""
        self.jump_button.setText(f"{PAUSED_TEXT}{new}")
        self.jump_button.adjustSize()
        self._place_jump_button()
        self.jump_button.show()

    def _place_jump_button(self) -> None:
        area = self.viewport().rect()
        size = self.jump_button.sizeHint()
        self.jump_button.move(area.right() - size.width() - 12, area.bottom() - size.height() - 8)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_jump_button()
        if self.following:
            self.scrollToBottom()

    def _resume(self) -> None:
        self.following = True
        self.unseen = 0
        self.jump_button.hide()

    def jump_to_latest(self) -> None:
        """Follow the newest events again (the selection goes: it would pause at once)."""
        selection = self.selectionModel()
        selection.blockSignals(True)  # (the detail pane keeps the event it shows)
        selection.clear()
        selection.blockSignals(False)
        self.viewport().update()
        self._resume()
        self.scrollToBottom()


class FilterEdit(QLineEdit):
    """The filter box: Escape clears it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)
