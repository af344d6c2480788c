"""The event rate strip above the log: stacked bars per time bucket, drag to pick a range.

It only paints a :class:`~dashboard.core.panels.histogram.Histogram` and maps the mouse to times;
binning, bucket lookup and the wording of labels live in :mod:`dashboard.core.panels.histogram`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from dashboard.core.events.event import Severity
from dashboard.core.panels.histogram import (
    Histogram,
    bucket_at,
    describe_bucket,
    format_time,
    peak_label,
    snap_range,
    tick_format,
    ticks,
    time_at,
    x_at,
)
from dashboard.core.panels.panelkind import PanelKind
from dashboard.ui.theme import current

HINT = "Drag to filter the log to a time range; double-click to clear"
STRIP_HEIGHT = 56
DRAG_THRESHOLD = 3  # pixels: a press that moves less is a click, not a selection
_BANDS = (Severity.INFO, Severity.WARNING, Severity.ERROR)  # coloured as the theme says
_MARGIN = 6  # left and right of the bars: room for the edge labels' overhang
_TOP = 1
_LABEL_GAP = 110  # pixels per time label, at most 4 of them


class HistogramStrip(QWidget):
    """Events per time bucket, stacked by severity band (info, warning, error).

    Signals:
        range_selected(float, float): the operator dragged across the strip; start < stop,
            epoch seconds, widened to whole buckets.
        range_cleared(): the operator double-clicked the strip.
    """

    range_selected = Signal(float, float)
    range_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._histogram: Histogram | None = None
        self._selection: tuple[float, float] | None = None
        self._press: tuple[float, float] | None = None  # (x, time) where the drag began
        self._dragged: tuple[float, float] | None = None  # the range under the drag so far
        self._placeholder = "No events yet"
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(self._font.pointSizeF() * 0.8, 7.0))
        self.setFixedHeight(STRIP_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(120)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip(HINT)

    # -- the caller's side -----------------------------------------------------------------
    @property
    def histogram(self) -> Histogram | None:
        return self._histogram

    @property
    def selection(self) -> tuple[float, float] | None:
        return self._selection

    def set_histogram(self, histogram: Histogram | None) -> None:
        """Show *histogram*; None or one without events shows the placeholder text."""
        self._histogram = histogram
        self.update()

    def set_selection(self, start: float | None, stop: float | None) -> None:
        """Shade the active time range; None for either end clears it."""
        if start is None or stop is None or start == stop:
            self._selection = None
        else:
            self._selection = (min(start, stop), max(start, stop))
        self.update()

    def set_placeholder(self, text: str) -> None:
        """What to say when there is nothing to draw (e.g. when the filter matches nothing)."""
        self._placeholder = text
        self.update()

    # -- geometry --------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        """Where the bars go: between the peak label's row and the time labels."""
        text_height = QFontMetricsF(self._font).height()
        top = _TOP + text_height
        return QRectF(
            _MARGIN,
            top,
            max(self.width() - 2 * _MARGIN, 1),
            max(self.height() - top - text_height - 2, 1),
        )

    def _drawable(self) -> Histogram | None:
        h = self._histogram
        return None if h is None or h.empty else h

    def time_at_x(self, x: float) -> float | None:
        h = self._drawable()
        if h is None:
            return None
        plot = self.plot_rect()
        return time_at(h, x, plot.left(), plot.width())

    def tooltip_at(self, x: float) -> str:
        """The hover text for the bucket under *x*, or "" where there is none."""
        h = self._drawable()
        plot = self.plot_rect()
        if h is None or not plot.left() <= x <= plot.right():
            return ""
        index = bucket_at(h, time_at(h, x, plot.left(), plot.width()))
        if index is None:  # the right edge is the end of the last bucket
            index = h.n_buckets - 1
        return describe_bucket(h, index)

    # -- mouse -----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        t = self.time_at_x(x)
        if event.button() == Qt.MouseButton.LeftButton and t is not None:
            self._press = (x, t)
            self._dragged = None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None:
            self._dragged = self._drag_range(event.position().x())
            self.update()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._press is not None:
            picked = self._drag_range(event.position().x())
            self._press = self._dragged = None
            if picked is not None:
                self._selection = picked
                self.range_selected.emit(*picked)
            self.update()
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        # Not passed on: QWidget would treat it as a second press and start a drag.
        self._press = self._dragged = None
        self._selection = None
        self.update()
        self.range_cleared.emit()

    def _drag_range(self, x: float) -> tuple[float, float] | None:
        """The whole buckets between the press and *x*; None for a click (a tiny drag)."""
        h = self._drawable()
        t = self.time_at_x(x)
        if self._press is None or h is None or t is None:
            return None
        press_x, press_t = self._press
        if abs(x - press_x) <= DRAG_THRESHOLD:
            return None
        return snap_range(h, press_t, t)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos().x())
            QToolTip.showText(event.globalPos(), f"{text}\n{HINT}" if text else HINT, self)
            return True
        return super().event(event)

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme = current()
        painter.fillRect(self.rect(), QColor(theme.panel))
        painter.setFont(self._font)
        h = self._drawable()
        if h is None:
            painter.setPen(QColor(current().muted))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            painter.end()
            return
        plot = self.plot_rect()
        self._paint_bars(painter, h, plot)
        painter.setPen(QPen(QColor(current().border), 1))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        for shaded, alpha in ((self._selection, 60), (self._dragged, 90)):
            if shaded is not None:
                self._paint_range(painter, h, plot, shaded, alpha)
        self._paint_time_labels(painter, h, plot)
        self._paint_peak(painter, h)
        painter.end()

    def _paint_bars(self, painter: QPainter, h: Histogram, plot: QRectF) -> None:
        scale = plot.height() / max(h.peak, 1)
        edges = [
            round(x_at(h, h.start + i * h.width, plot.left(), plot.width()))
            for i in range(h.n_buckets + 1)
        ]
        baseline = round(plot.bottom())
        bands = [QColor(current().severity[severity]) for severity in _BANDS]
        for i, counts in enumerate(h.counts.tolist()):
            left, right = edges[i], edges[i + 1]
            if right - left >= 4:
                right -= 1  # a gap between bars that are wide enough to spare one
            right = max(right, left + 1)
            y = baseline
            for band, count in enumerate(counts):
                if count:
                    height = max(round(count * scale), 1)
                    painter.fillRect(left, y - height, right - left, height, bands[band])
                    y -= height

    def _paint_range(
        self,
        painter: QPainter,
        h: Histogram,
        plot: QRectF,
        shaded: tuple[float, float],
        alpha: int,
    ) -> None:
        left = max(x_at(h, shaded[0], plot.left(), plot.width()), plot.left())
        right = min(x_at(h, shaded[1], plot.left(), plot.width()), plot.right())
        if right <= left:
            return
        fill = QColor(current().accent)
        fill.setAlpha(alpha)
        area = QRectF(left, 0, right - left, plot.bottom())
        painter.fillRect(area, fill)
        painter.setPen(QPen(QColor(current().accent), 1))
        painter.drawLine(area.topLeft(), area.bottomLeft())
        painter.drawLine(area.topRight(), area.bottomRight())

    def _paint_time_labels(self, painter: QPainter, h: Histogram, plot: QRectF) -> None:
        most = max(2, min(4, int(plot.width() // _LABEL_GAP)))
        step, times = ticks(h.start, h.stop, most, h.tz)
        if len(times) < 2:  # a narrow span: label its ends instead
            step, times = h.width, [h.start, h.stop]
        fmt = tick_format(step, h.stop - h.start)
        metrics = QFontMetricsF(self._font)
        baseline = plot.bottom() + 1 + metrics.ascent()
        painter.setPen(QColor(current().muted))
        drawn_right = -math.inf
        for t in times:
            text = format_time(t, fmt, h.tz)
            x = x_at(h, t, plot.left(), plot.width())
            width = metrics.horizontalAdvance(text)
            left = min(max(x - width / 2, 0.0), self.width() - width)
            if left < drawn_right + 8:
                continue  # would overlap its neighbour
            painter.drawLine(QPointF(x, plot.bottom() - 3), QPointF(x, plot.bottom()))
            painter.drawText(QPointF(left, baseline), text)
            drawn_right = left + width

    def _paint_peak(self, painter: QPainter, h: Histogram) -> None:
        metrics = QFontMetricsF(self._font)
        painter.setPen(QColor(current().muted))
        painter.drawText(QPointF(_MARGIN, _TOP + metrics.ascent()), peak_label(h))


KIND = PanelKind(
    name="histogram",
    title="Event histogram",
    widget=lambda context, options: HistogramStrip(),
    description="events over time above the log",
    fixed=True,
    place="in-log",
)
