"""A live time-series chart: one line per split key, the last few minutes."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from dashboard.core.event import Event
from dashboard.core.series import ChartData, ChartSpec
from dashboard.ui.theme import MUTED, PANEL, SERIES_COLOURS, TEXT

DEFAULT_REDRAW_MS = 100


GAP_FACTOR = 20  # points further apart than this many usual steps are not joined


def joined(t: np.ndarray) -> np.ndarray | str:
    """Which points the line joins to the next: not across a gap (a feed that was down, a
    backfill from long ago), which a straight line would pass off as data."""
    if len(t) < 3:
        return "all"
    steps = np.diff(t)
    usual = float(np.median(steps))
    connect = np.ones(len(t), dtype=bool)
    connect[:-1] = steps <= max(usual * GAP_FACTOR, 1.0)
    return connect


class ChartPanel(QWidget):
    """Folds each tick's events into ring buffers; redraws at most every *redraw_ms*.

    A redraw is one ``setData`` per grown curve. Drawing the plot is the costliest thing
    the window does, and 10 redraws a second read as smooth motion on a 5-minute axis.
    (No grid: pyqtgraph redraws grid lines on every scroll, which cost more than the rest
    of the window together.)
    """

    def __init__(
        self, spec: ChartSpec, redraw_ms: int = DEFAULT_REDRAW_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.data = ChartData(spec)
        self.clock: Callable[[], float] = time.time  # "now" for the window (a replay's clock)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._grown: set[str] = set()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(redraw_ms)
        self._redraw_timer.timeout.connect(self.redraw)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setBackground(PANEL)
        item = self.plot.getPlotItem()
        item.setTitle(spec.title, color=TEXT, size="10pt")
        item.setLabel("left", spec.unit, color=MUTED)
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.setMenuEnabled(False)
        self.legend = item.addLegend(
            offset=(10, 10), labelTextColor=TEXT, brush=pg.mkBrush(PANEL + "d0"), pen=MUTED
        )
        for axis in ("left", "bottom"):
            item.getAxis(axis).setTextPen(MUTED)
            item.getAxis(axis).setPen(MUTED)
        self._title = spec.title
        self._show_waiting()
        self.plot.setToolTip(f"{spec.field} of {spec.event_type}, one line per {spec.split_by}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def _show_waiting(self) -> None:
        spec = self.data.spec
        self.legend.setVisible(False)  # until the first line: an empty legend is a stray box
        self.plot.getPlotItem().setTitle(
            f"{spec.title}: waiting for {spec.event_type} events", color=MUTED, size="10pt"
        )
        now = self.clock()
        self.plot.setXRange(now - spec.window, now, padding=0)

    def reset(self) -> None:
        """No lines at all (a replay that goes back folds everything again)."""
        self._redraw_timer.stop()
        self._grown = set()
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.curves.clear()
        self.legend.clear()
        self.data = ChartData(self.data.spec, self.data.capacity)
        self._show_waiting()

    def add_events(self, events: list[Event]) -> None:
        self._grown |= self.data.fold(events)
        if self._grown and not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def redraw(self, now: float | None = None) -> None:
        """Push the grown series to their curves now."""
        self._redraw_timer.stop()
        grown, self._grown = self._grown, set()
        if not grown:
            return
        now = self.clock() if now is None else now
        since = now - self.data.spec.window
        for key in sorted(grown):
            curve = self.curves.get(key)
            if curve is None:
                if not self.curves:
                    self.plot.getPlotItem().setTitle(self._title, color=TEXT, size="10pt")
                    self.legend.setVisible(True)
                colour = SERIES_COLOURS[len(self.curves) % len(SERIES_COLOURS)]
                curve = self.plot.plot(name=key, pen=pg.mkPen(colour, width=2))
                self.curves[key] = curve
            t, v = self.data.series[key].arrays(since)
            curve.setData(t, v, connect=joined(t))
        self.scroll_to(now)

    def scroll_to(self, now: float) -> None:
        """Show the window ending at *now* (also while no new points arrive).

        Until a whole window of data has arrived, the chart starts at the first point
        rather than showing mostly empty space.
        """
        if not self.curves:
            return
        start = now - self.data.spec.window
        first = min(s.first_time() for s in self.data.series.values())
        self.plot.setXRange(max(start, min(first, now - 60.0)), now, padding=0)
