"""How a chart looks and answers the pointer: theme colours, units on its axes, event
markers, the crosshair's readout, and fields dropped on it (mixed into ChartPanel)."""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from dashboard.ui.panels.chart_axes import (
    MARKERS_SHOWN,
    READOUT_GAP_PX,
    pen,
    readout_place,
    value_at,
)
from dashboard.ui.panels.fields import field_from_mime
from dashboard.ui.theme import current


class ChartLooks:
    """The chart's colours, markers, readout and drops (mixed into ChartPanel)."""

    def restyle(self) -> None:
        """Colours of the current theme: background, axes, readout, lines, markers."""
        theme = current()
        self.plot.setBackground(theme.panel)
        item = self.plot.getPlotItem()
        for axis in ("left", "bottom", "right"):
            item.getAxis(axis).setTextPen(theme.muted)
            item.getAxis(axis).setPen(theme.muted)
        self.crosshair.setPen(pg.mkPen(theme.muted, width=1))
        self.readout.setColor(theme.text)
        self.readout.fill = pg.mkBrush(theme.panel + "e8")
        self.readout.border = pg.mkPen(theme.border)
        self.note.setStyleSheet(f"color: {theme.level_colour('warning')};")
        self._style_title()
        self._show_units()
        for key, curve in self.curves.items():
            colour, dash = theme.series_style(self._style_index[key])
            curve.setPen(pen(colour, dash))
            self.legend.restyle(key, colour, dash)
        self.markers.restyle()

    def _style_title(self) -> None:
        colour = current().text if self.curves else current().muted
        self.title.setStyleSheet(f"color: {colour}; font-size: 10pt;")

    def _show_units(self) -> None:
        """The left axis: the first series' unit; the right: the others', if any."""
        units = self.spec.units()
        item = self.plot.getPlotItem()
        muted = current().muted
        item.setLabel("left", units[0] if units else "", color=muted)
        if len(units) > 1:
            item.showAxis("right")
            item.setLabel("right", ", ".join(units[1:]), color=muted)
        else:
            item.hideAxis("right")

    def _fit_right_view(self) -> None:
        self.right_view.setGeometry(self.plot.getPlotItem().getViewBox().sceneBoundingRect())

    def _draw_markers(self, since: float) -> None:
        """Show the newest MARKERS_SHOWN markers in the window (one of each moment)."""
        self.markers.set_marks(list(dict.fromkeys(self.data.markers_since(since)))[-MARKERS_SHOWN:])

    def _mouse_moved(self, position: object) -> None:
        view = self.plot.getPlotItem().getViewBox()
        inside = self.plot.sceneBoundingRect().contains(position)
        self._pointer = position if inside else None
        self.name_marker_under_pointer()
        if not self.curves or not inside:
            self.crosshair.hide()
            self.readout.hide()
            return
        x = view.mapSceneToView(position).x()
        self.crosshair.setPos(x)
        self.crosshair.show()
        self.show_readout(x)

    def name_marker_under_pointer(self) -> None:
        """The markers' tooltip: the one under the pointer, if any (again after a scroll
        moved the markers under a pointer at rest)."""
        text = ""
        if self._pointer is not None:
            view = self.plot.getPlotItem().getViewBox()
            x = view.mapSceneToView(self._pointer).x()
            text = self.markers.label_near(x, view.viewPixelSize()[0])
        if text != self.markers.toolTip():  # (every redraw asks: most change nothing)
            self.markers.setToolTip(text)

    def show_readout(self, x: float) -> None:
        """The readout beside the crosshair at *x*, clear of the points it names."""
        view = self.plot.getPlotItem().getViewBox()
        self.readout.setText(self.readout_text(x))
        pixel_w, pixel_h = view.viewPixelSize()
        box = self.readout.boundingRect()
        size = (box.width() * pixel_w, box.height() * pixel_h)
        (x0, x1), (y0, y1) = view.viewRange()
        lines = [
            curve.getOriginalDataset()
            for curve in self.curves.values()
            if curve.isVisible() and curve.getViewBox() is view
        ]
        drawn = [(t, v) for t, v in lines if t is not None]
        left_x, top_y = readout_place(
            QRectF(x0, y0, x1 - x0, y1 - y0), x, size, drawn, READOUT_GAP_PX * pixel_w
        )
        self.readout.setPos(left_x, top_y)
        self.readout.show()

    def readout_text(self, x: float) -> str:
        """The time at *x* and each visible line's value nearest to it."""
        rows = [datetime.fromtimestamp(x).strftime("%H:%M:%S")]
        for key, curve in self.curves.items():
            if not curve.isVisible():
                continue
            t, v = curve.getOriginalDataset()
            found = None if t is None else value_at(t, v, x)
            if found is not None:
                rows.append(f"{self.data.line_name(key)}: {found:,.4g}")
        return "\n".join(rows)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if field_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        found = field_from_mime(event.mimeData())
        if found is not None:
            self.field_dropped.emit(*found)
            event.acceptProposedAction()
