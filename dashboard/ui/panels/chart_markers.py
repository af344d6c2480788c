"""A chart's event markers: every vertical line drawn by one graphics item.

One ``pg.InfiniteLine`` per marker worked its bounding box out again, in Python, on every
paint after the time axis moved: a hundred markers were a third of what the window spent
painting in the 10-minute soak. This item works out one box per view change and draws all
its lines in one call; the tooltip names the marker nearest the pointer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF

from dashboard.ui.panels.chart_axes import marker_pen
from dashboard.ui.text import plain_tooltip

NEAR_PX = 4  # the pointer this close to a marker's line names it in the tooltip


class MarkerLines(pg.GraphicsObject):
    """Vertical lines at the markers' times, across the whole height of the view."""

    def __init__(self) -> None:
        super().__init__()
        self._times = np.empty(0)
        self._labels: list[str] = []
        self._pen = marker_pen()
        self._box: QRectF | None = None  # worked out again when the view or marks change

    def set_marks(self, marks: Sequence[tuple[float, str]]) -> None:
        """Show *marks* (time, what), oldest first; nothing is redrawn for the same ones."""
        times = np.array([t for t, _ in marks], dtype=float)
        labels = [what for _, what in marks]
        if labels == self._labels and np.array_equal(times, self._times):
            return
        self.prepareGeometryChange()
        self._times, self._labels, self._box = times, labels, None
        self.update()

    def times(self) -> list[float]:
        return self._times.tolist()

    def restyle(self) -> None:
        self._pen = marker_pen()
        self.update()

    def label_near(self, x: float, pixel_width: float) -> str:
        """What the marker nearest to *x* marks and when, if one is within NEAR_PX."""
        if not len(self._times):
            return ""
        nearest = int(np.abs(self._times - x).argmin())
        t = float(self._times[nearest])
        if abs(t - x) > NEAR_PX * pixel_width:
            return ""
        return plain_tooltip(f"{self._labels[nearest]} at {datetime.fromtimestamp(t):%H:%M:%S}")

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._box = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        if self._box is None:
            self._box = self._work_out_box()
        return self._box

    def _work_out_box(self) -> QRectF:
        view = self.getViewBox()
        if view is None or not len(self._times):
            return QRectF()
        (_, _), (y0, y1) = view.viewRange()
        pad = (self.pixelWidth() or 0.0) * NEAR_PX  # the tooltip's reach past the outer ones
        left, right = float(self._times.min()) - pad, float(self._times.max()) + pad
        return QRectF(left, y0, right - left, y1 - y0)

    def paint(self, painter: object, *args: object) -> None:
        box = self.boundingRect()
        if box.isEmpty():
            return
        painter.setPen(self._pen)  # type: ignore[attr-defined]
        top, bottom = box.top(), box.bottom()
        painter.drawLines([QLineF(t, top, t, bottom) for t in self._times.tolist()])  # type: ignore[attr-defined]
