"""A plain-text label that shrinks below its text, eliding it, instead of widening its row."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """Shows as much of its text as fits, ending in ``…``; at least *keep* pixels wide."""

    def __init__(self, parent: QWidget | None = None, style: str = "", keep: int = 24) -> None:
        super().__init__(parent)
        self._keep = keep  # pixels of text kept visible however narrow the row
        self.setTextFormat(Qt.TextFormat.PlainText)
        if style:
            self.setStyleSheet(style)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self._keep), hint.height())

    def shown_text(self) -> str:
        """The text as painted: elided to the label's width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
