"""A toast: an alert notification in the window's bottom-right corner, above the status
bar, where there is no system tray. It never covers the connections' health, and goes by
itself (or on a click)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QVBoxLayout

from dashboard.core.events.event import Severity
from dashboard.core.events.summary import one_line
from dashboard.ui.theme import PANEL, SEVERITY_COLOURS

SHOW_MS = 8000
WIDTH = 360  # px, at most (less in a narrow window)
MARGIN = 12
TEXT_LIMIT = 400  # characters of a notice's text


class Toast(QFrame):
    """The newest notice, on top of the window's panels, until SHOW_MS pass or a click."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("toast")
        self.window_ = window
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: 600;")
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addWidget(self.text)
        self.setToolTip("Click to dismiss")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        window.installEventFilter(self)
        self.hide()

    def show_notice(self, title: str, text: str, severity: Severity, ms: int = SHOW_MS) -> None:
        """Show one notice (in place of the one before); its texts are made inert."""
        colour = SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS[Severity.WARNING])
        self.setStyleSheet(
            f"QFrame#toast {{ background: {PANEL}; border: 1px solid {colour};"
            f" border-left: 4px solid {colour}; border-radius: 4px; }}"
        )
        self.title.setText(one_line(title, 120))
        self.text.setText(one_line(text, TEXT_LIMIT))
        self._place()
        self.show()
        self.raise_()
        self._timer.start(ms)

    def _place(self) -> None:
        window = self.window_
        width = min(WIDTH, max(160, window.width() - 2 * MARGIN))
        self.setFixedWidth(width)
        self.adjustSize()
        bottom = window.height() - MARGIN
        status = window.statusBar()
        if status.isVisible():
            bottom = status.geometry().top() - MARGIN
        self.move(window.width() - width - MARGIN, max(0, bottom - self.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()
