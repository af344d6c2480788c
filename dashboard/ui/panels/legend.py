"""A chart's legend: one entry per line, as many across as fit, under the plot; past a few
rows it scrolls rather than growing over the plot or vanishing. Clicking an entry hides or
shows its line."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from dashboard.core.events.summary import one_line
from dashboard.ui.text import plain_tooltip

MAX_ROWS = 3  # rows shown before the legend scrolls
MAX_SHARE = 1 / 3  # of its chart's height, at most (at 1366x768 three rows hid the plot)
NAME_LIMIT = 60  # characters of a line's name shown (the tooltip has it whole)
DASH_STYLES = {
    "solid": Qt.PenStyle.SolidLine,
    "dash": Qt.PenStyle.DashLine,
    "dot": Qt.PenStyle.DotLine,
    "dash-dot": Qt.PenStyle.DashDotLine,
}


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the width is used up."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, move: bool) -> int:
        x, y, row_height = rect.x(), rect.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and row_height:
                x, y = rect.x(), y + row_height + gap
                row_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y()


SWATCH = (22, 10)  # pixels


def swatch(colour: str, dash: str) -> QIcon:
    """A short line in the line's colour and dash pattern."""
    size = QSize(*SWATCH)
    pixmap = QPixmap(size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor(colour), 2, DASH_STYLES.get(dash, Qt.PenStyle.SolidLine)))
    painter.drawLine(1, size.height() // 2, size.width() - 1, size.height() // 2)
    painter.end()
    return QIcon(pixmap)


class ChartLegend(QScrollArea):
    """The entries of a chart's lines, keyed like its curves.

    Signals:
        toggled(object, bool): the operator hid (False) or showed (True) the line of a key.
    """

    toggled = Signal(object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: dict[object, QToolButton] = {}
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._wanted = 0  # the height the entries need, up to MAX_ROWS rows (see _fit)
        self._content = QWidget()
        self._flow = FlowLayout(self._content)
        self._content.setLayout(self._flow)
        self.setWidget(self._content)
        if parent is not None:  # its chart's height bounds it (see _fit)
            parent.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self._fit()
        return False

    def add(self, key: object, name: str, colour: str, dash: str) -> QToolButton:
        entry = QToolButton(self._content)
        entry.setText(one_line(name, NAME_LIMIT).replace("&", "&&"))  # no mnemonic
        entry.setToolTip(plain_tooltip(f"{name}\nClick to hide or show the line"))
        entry.setCheckable(True)
        entry.setChecked(True)
        entry.setAutoRaise(True)
        entry.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        entry.setIconSize(QSize(*SWATCH))
        entry.setIcon(swatch(colour, dash))
        entry.toggled.connect(lambda on: self._toggled(key, entry, on))
        self._flow.addWidget(entry)
        self.entries[key] = entry
        self._fit()
        return entry

    def restyle(self, key: object, colour: str, dash: str) -> None:
        self.entries[key].setIcon(swatch(colour, dash))

    def clear(self) -> None:
        for entry in self.entries.values():
            self._flow.removeWidget(entry)
            entry.deleteLater()
        self.entries.clear()
        self._fit()

    def names(self) -> list[str]:
        return [entry.text().replace("&&", "&") for entry in self.entries.values()]

    def _toggled(self, key: object, entry: QToolButton, on: bool) -> None:
        font = entry.font()
        font.setStrikeOut(not on)  # a hidden line's entry says so
        entry.setFont(font)
        self.toggled.emit(key, on)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def rows_height(self, rows: int) -> int:
        """The height of *rows* rows of entries."""
        entry = next(iter(self.entries.values()), None)
        row = entry.sizeHint().height() if entry is not None else 0
        return rows * row + (rows - 1) * self._flow.spacing()

    def _fit(self) -> None:
        """As tall as the entries need, up to MAX_ROWS rows and MAX_SHARE of the chart, at
        least one row (when the chart is short); past what it is given, it scrolls."""
        self.setVisible(bool(self.entries))  # no stray empty box before the first line
        if not self.entries:
            self._wanted = 0
            self.setMinimumHeight(0)
            self.updateGeometry()
            return
        frame = 2 * self.frameWidth()
        needed = self._flow.heightForWidth(max(self.viewport().width(), 1))
        parent = self.parentWidget()
        share = int(parent.height() * MAX_SHARE) if parent is not None else needed
        rows = max(1, next((n for n in range(MAX_ROWS, 0, -1) if self.rows_height(n) <= share), 1))
        most = self.rows_height(rows)  # whole rows: a row cut in half reads as clipped
        self._wanted = min(needed, most) + frame
        self.setMinimumHeight(min(needed, self.rows_height(1)) + frame)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._wanted)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.minimumHeight())
