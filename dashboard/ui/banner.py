"""A banner across the top of the window: a problem the operator must not miss (a
recording that stopped), shown until dismissed, not a message box that stops the window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStyle,
    QToolBar,
    QToolButton,
    QWidget,
)

from dashboard.core.events.event import Severity
from dashboard.ui.theme import SEVERITY_COLOURS

_COLOUR = SEVERITY_COLOURS[Severity.ERROR]


class _Message(QLabel):
    """The message on one line, taking the room the toolbar has (never asking for more,
    or the toolbar would hide it behind its overflow button), cut with … when the window
    is too narrow; all of it in the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self.message = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_message(self, text: str) -> None:
        self.message = text
        self.setToolTip(text)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(120, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(60, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        self.setText(metrics.elidedText(self.message, Qt.TextElideMode.ElideRight, self.width()))


class Banner(QToolBar):
    """One line of text on a coloured strip with a Dismiss button, on a row of its own
    above the toolbars and panels; hidden while there is nothing to say. Added to the
    window by :meth:`attach`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Problems", parent)
        self.setObjectName("banner")  # (saveState needs a name; attach keeps it hidden)
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # not in the toolbars' context menu
        self.setStyleSheet(
            f"QToolBar#banner {{ background: {_COLOUR}; border: none; padding: 2px 6px; }}"
            "QToolBar#banner QLabel { color: #1e2127; font-weight: bold; }"
        )
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(QSize(size, size)))
        self.label = _Message()
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("Dismiss")
        self.dismiss_button.setToolTip("Hide this message")
        self.dismiss_button.clicked.connect(self.dismiss)
        self.addWidget(icon)
        self.addWidget(self.label)
        self.addWidget(self.dismiss_button)
        self.hide()

    def attach(self, window: QMainWindow) -> None:
        """Put the banner on a row of its own at the top of *window*."""
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)
        window.insertToolBarBreak(self)  # below any toolbar already there, on its own row
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.set_message(text)
        self.show()

    def text(self) -> str:
        """The whole message (the label may show it cut short)."""
        return self.label.message

    def dismiss(self) -> None:
        self.label.set_message("")
        self.hide()

    def sync(self) -> None:
        """Shown exactly while there is a message (after restoreState, which may show or
        hide toolbars as a saved arrangement had them)."""
        self.setVisible(bool(self.label.message))
