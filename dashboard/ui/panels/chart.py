"""A live time-series chart: several series, each maybe split into lines, over a rolling
window; pause, zoom and pan, a crosshair with the values under it, legend toggles,
vertical markers for events matching a query, and a second Y axis for a second unit."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Event
from dashboard.core.panels.series import ChartData, ChartSpec, SeriesSpec, unit_from_name
from dashboard.ui.panels.fields import field_from_mime
from dashboard.ui.panels.legend import DASH_STYLES, ChartLegend
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import Themed, current

DEFAULT_REDRAW_MS = 100
MAX_REDRAW_MS = 1000
MAX_STEP_MS = 500  # however long the window, new points show within half a second
GAP_FACTOR = 20  # points further apart than this many usual steps are not joined
MIN_GAP_S = 1.0  # ... and than a second
WINDOWS = (
    ("30 s", 30.0),
    ("1 min", 60.0),
    ("5 min", 300.0),
    ("15 min", 900.0),
    ("1 h", 3600.0),
    ("6 h", 21_600.0),
    ("24 h", 86_400.0),
)
MARKERS_SHOWN = 100
MIN_SPAN_S = 5.0  # the narrowest time span shown while the data is younger than the window
MIN_PLOT_HEIGHT = 70  # pixels: cards or a long legend never squeeze the plot below this
READOUT_GAP_PX = 12  # between the crosshair and the readout beside it
PAUSE_TIP = "Pause: freeze the view while data keeps coming"
RESUME_TIP = "Resume: follow the newest data again (the view was paused)"


def joined(t: np.ndarray) -> np.ndarray | str:
    """Which points the line joins to the next: not across a gap (a feed that was down, a
    backfill from long ago), which a straight line would pass off as data.

    "all" when no step is over a second (every busy line): pyqtgraph draws that faster,
    and no median of a million steps is taken. The usual step is the median of at most
    about 10,000 of them.
    """
    if len(t) < 3:
        return "all"
    steps = np.diff(t)
    if steps.max() <= MIN_GAP_S:
        return "all"
    moving = steps[steps > 0]  # points sharing a moment (several hosts polled) are no step
    usual = float(np.median(moving[:: max(1, len(moving) // 10_000)]))
    connect = np.ones(len(t), dtype=bool)
    connect[:-1] = steps <= max(usual * GAP_FACTOR, MIN_GAP_S)
    return connect


def value_at(t: np.ndarray, v: np.ndarray, x: float) -> float | None:
    """The value of the point nearest to *x*, the newest of points at the same time (None
    for no points)."""
    if not len(t):
        return None
    after = int(np.searchsorted(t, x, side="right"))  # the first point later than x
    if after == 0:
        return float(v[0])
    if after == len(t) or x - t[after - 1] <= t[after] - x:
        return float(v[after - 1])
    return float(v[after])


def readout_place(
    view: QRectF,
    x: float,
    size: tuple[float, float],
    lines: Sequence[tuple[np.ndarray, np.ndarray]],
    gap: float,
) -> tuple[float, float]:
    """Where the crosshair's readout goes (its top-left corner, in view coordinates; y
    grows upwards): beside the crosshair, not on it, on the side with room, and up or down
    in the widest free band between the values of the lines it would lie over (else at the
    top or the bottom, whichever covers fewer points). So the readout does not hide the
    values it names."""
    width, height = size
    right = x + gap + width <= view.right() or x - gap - width < view.left()
    left_x = x + gap if right else x - gap - width
    low, high = view.top(), view.bottom()  # (a QRectF of a view: top() is the low y)
    under: list[np.ndarray] = []
    for t, v in lines:
        lo, hi = np.searchsorted(t, [left_x, left_x + width])
        under.append(v[max(lo - 1, 0) : hi + 1])  # and the points either side of the box
    values = np.concatenate(under) if under else np.empty(0)
    values = values[(values > low) & (values < high)]
    edges = np.concatenate([[low], np.sort(values), [high]])
    widest = int(np.argmax(np.diff(edges)))
    if edges[widest + 1] - edges[widest] >= height:  # a free band the readout fits in
        return left_x, float(edges[widest + 1] + edges[widest] + height) / 2

    def covered(top_y: float) -> int:
        return int(np.count_nonzero((values <= top_y) & (values >= top_y - height)))

    top_y = high if covered(high) <= covered(low + height) else low + height
    return left_x, top_y


def time_axis() -> pg.DateAxisItem:
    """A time axis that labels whole seconds (``07:54:30``) down to spans of a second or
    two; pyqtgraph's own switches to ``30.000`` from spans under about ten seconds, as a
    young chart's first seconds are."""
    axis = pg.DateAxisItem(orientation="bottom")
    levels = list(axis.zoomLevels.items())
    axis.zoomLevels = type(axis.zoomLevels)(
        (0.25 if spacing == 1 else spacing, level) for spacing, level in levels
    )
    return axis


class ChartPanel(Themed, QWidget):
    """Folds each tick's events into ring buffers; redraws on the window's turns
    (``take_turn``), at most every *redraw_ms*.

    A redraw is one ``setData`` per grown line. Drawing the plot is the costliest thing
    the window does, and 10 redraws a second read as smooth motion on a 30-second axis.
    (No grid: pyqtgraph redraws grid lines on every scroll, which cost more than the rest
    of the window together.)

    Signals:
        changed(): the chart's spec changed (a series added, the window changed).
        remove_requested(): the operator asked to remove this chart.
        field_dropped(str, str): a field (event type, path) was dropped here.
        query_requested(str): add the log filter's query: ``count``, ``count-by-type`` or
            ``markers``.
    """

    changed = Signal()
    remove_requested = Signal()
    field_dropped = Signal(str, str)
    query_requested = Signal(str)

    def __init__(
        self,
        spec: ChartSpec,
        redraw_ms: int = DEFAULT_REDRAW_MS,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.time,
        held: Callable[[], Sequence[Event]] = tuple,
    ) -> None:
        super().__init__(parent)
        self.data = ChartData(spec)
        self.clock = clock  # "now" for the window (a replay's clock)
        self.held = held  # the events held: what a changed chart folds again
        self.curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        self._style_index: dict[tuple[int, str], int] = {}  # its colour and dash (see theme)
        self.paused = False
        self._grown: set[tuple[int, str]] = set()
        self._markers: list[pg.InfiniteLine] = []
        self._line_for: dict[tuple[float, str], pg.InfiniteLine] = {}  # markers shown
        self._redraw_ms = redraw_ms
        self.redraw_interval = redraw_ms / 1000  # seconds to the next turn (see redraw)

        self.plot = pg.PlotWidget(axisItems={"bottom": time_axis()})
        self.plot.setMinimumHeight(MIN_PLOT_HEIGHT)
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.setMenuEnabled(False)
        item.hideButtons()
        # Room above the top Y label and right of the last time label: never cut off.
        item.setContentsMargins(2, 10, 12, 2)
        # A second unit's lines go in a view box of their own, with the right axis.
        self.right_view = pg.ViewBox(enableMenu=False)
        self.right_view.setMouseEnabled(x=False, y=False)
        self.right_view.setXLink(item.getViewBox())
        item.scene().addItem(self.right_view)
        item.getAxis("right").linkToView(self.right_view)
        item.getViewBox().sigResized.connect(self._fit_right_view)
        item.getViewBox().sigRangeChangedManually.connect(lambda *_: self.set_paused(True))
        self.crosshair = pg.InfiniteLine(angle=90, movable=False)
        self.crosshair.setZValue(20)
        self.readout = pg.TextItem(anchor=(0, 0))
        self.readout.setZValue(21)
        for overlay in (self.crosshair, self.readout):
            overlay.hide()
            self.plot.addItem(overlay, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pause_button = self._tool("", PAUSE_TIP)
        self.pause_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        self.window_box = QComboBox()
        self.window_box.setToolTip("How much time the chart shows")
        for label, seconds in WINDOWS:
            self.window_box.addItem(label, seconds)
        self.window_box.currentIndexChanged.connect(self._window_chosen)
        self.add_button = self._tool("+", "Add to this chart what the log's filter matches")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        add_menu = QMenu(self.add_button)
        for text, what in (
            ("Count what the log filter matches, per 10 s", "count"),
            ("… split by type", "count-by-type"),
            ("Mark what the log filter matches (vertical lines)", "markers"),
        ):
            add_menu.addAction(text).triggered.connect(
                lambda _on, w=what: self.query_requested.emit(w)
            )
        self.add_button.setMenu(add_menu)
        remove = self._tool("", "Remove this chart")
        remove.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        remove.clicked.connect(self.remove_requested)
        self.bar = QWidget()  # the dock's title bar: drag it to move the chart
        self.bar.setToolTip("Drag this bar to move the chart; double-click to float it")
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(6, 1, 2, 1)
        row.addWidget(self.title, 1)
        self.note = QLabel("⚠ not all drawn")  # what the chart holds back, if anything
        self.note.hide()
        self._held_back = ""
        row.addWidget(self.note)
        row.addWidget(self.add_button)
        row.addWidget(self.pause_button)
        row.addWidget(self.window_box)
        row.addWidget(remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot, 1)
        # The legend: under the plot, never over a line; past a few rows it scrolls.
        self.legend = ChartLegend(self)
        self.legend.toggled.connect(self._line_toggled)
        layout.addWidget(self.legend)
        self.setAcceptDrops(True)
        self._show_spec()
        self._show_waiting()
        self.styled()

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
            curve.setPen(_pen(colour, dash))
            self.legend.restyle(key, colour, dash)
        for marker in self._markers:
            marker.setPen(_marker_pen())

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

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    @property
    def spec(self) -> ChartSpec:
        return self.data.spec

    def _show_spec(self) -> None:
        spec = self.spec
        self.title.setText(spec.title)
        self._show_units()
        index = self.window_box.findData(spec.window)
        if index < 0:
            self.window_box.addItem(f"{spec.window:g} s", spec.window)
            index = self.window_box.count() - 1
        self.window_box.blockSignals(True)
        self.window_box.setCurrentIndex(index)
        self.window_box.blockSignals(False)
        lines = "\n".join(
            f"• {s.name()}" + (f" by {s.split_by}" if s.split_by else "") for s in spec.series
        )
        self.setToolTip(
            plain_tooltip(
                f"{spec.title}\n{lines}\nDrag to pan, wheel to zoom (pauses); click a legend "
                "entry to hide its line; drop a field here to add it"
            )
        )

    def _show_waiting(self) -> None:
        self._style_title()
        self.title.setText(f"{self.spec.title}: waiting for events")
        now = self.clock()
        self.plot.setXRange(now - self.spec.window, now, padding=0)

    # -- the spec changes -------------------------------------------------------------
    def set_spec(self, spec: ChartSpec) -> None:
        """Show *spec* instead, folding again the events held."""
        self.data = ChartData(spec)
        self._clear_lines()
        self._show_spec()
        self._show_waiting()
        self.add_events(list(self.held()))
        self.redraw()
        self.changed.emit()

    def add_series(self, series: SeriesSpec) -> None:
        """Add *series* (a field dropped here). A field whose unit nothing says, added to a
        chart of other fields' values, is not drawn on their axis as if it were in their
        unit: it gets the right axis, named after the field."""
        if series.field and not series.unit and not unit_from_name(series.field):
            others = {s.field for s in self.spec.series if s.field}
            if others and series.field not in others:
                series = dataclasses.replace(series, unit=series.field)
        self.set_spec(self.spec.with_series(series))

    def set_markers(self, query: str) -> None:
        self.set_spec(dataclasses.replace(self.spec, markers=query))

    def _window_chosen(self) -> None:
        """A new window: buffers sized for it, filled again from the events held."""
        seconds = float(self.window_box.currentData())
        self.set_spec(dataclasses.replace(self.spec, window=seconds))

    def reset(self) -> None:
        """No lines at all (a replay that goes back folds everything again)."""
        self.data = ChartData(self.spec)
        self._clear_lines()
        self._show_waiting()
        self._show_not_drawn()

    def _clear_lines(self) -> None:
        self._grown = set()
        for curve in self.curves.values():
            if curve.getViewBox() is self.right_view:
                self.right_view.removeItem(curve)
            else:
                self.plot.removeItem(curve)
        self.curves.clear()
        self._style_index.clear()
        self.legend.clear()
        for marker in self._markers:
            self.plot.removeItem(marker)
        self._markers.clear()
        self._line_for.clear()

    # -- data -------------------------------------------------------------------------
    def add_events(
        self, events: list[Event], by_type: Mapping[str, list[Event]] | None = None
    ) -> None:
        self._grown |= self.data.fold(events, by_type)

    def take_turn(self) -> float | None:
        """The window's turn for this chart: redraw (new points, or only the time axis
        moving on) and say in how many seconds to come again; nothing while paused or
        before the first point or marker."""
        if self.paused or not (self.curves or self._grown or self.data.markers_taken):
            return None
        self.redraw()
        return self.redraw_interval

    def set_paused(self, paused: bool) -> None:
        """Freeze the view (data keeps folding) or go back to following the newest."""
        if paused == self.paused:
            return
        self.paused = paused
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        icon = QStyle.StandardPixmap.SP_MediaPlay if paused else QStyle.StandardPixmap.SP_MediaPause
        self.pause_button.setIcon(self.style().standardIcon(icon))
        self.pause_button.setToolTip(RESUME_TIP if paused else PAUSE_TIP)
        self.pause_button.blockSignals(False)
        if not paused:
            self._grown |= set(self.data.lines)
            self.redraw()

    def redraw(self, now: float | None = None) -> None:
        """Push the grown lines to their curves now (not while paused)."""
        if self.paused:
            return
        grown, self._grown = self._grown, set()
        started = time.perf_counter()
        now = self.clock() if now is None else now
        since = now - self.spec.window
        for key in sorted(grown):
            curve = self.curves.get(key) or self._new_curve(key)
            t, v = self.data.arrays(key, since, now)
            curve.setData(t, v, connect=joined(t))
        self._draw_markers(since)
        self.scroll_to(now)
        # Redraw no more often than the time axis moves a pixel (a 5-minute chart 600 px
        # wide: twice a second; 30 s: ten times), and, when lines of many points cost more
        # to push, so that the chart takes at most about a tenth of the window's time.
        self._show_not_drawn()
        spent_ms = (time.perf_counter() - started) * 1000
        pixel_ms = self.spec.window * 1000 / max(self.plot.width(), 100)
        wanted = max(self._redraw_ms, min(pixel_ms, MAX_STEP_MS), spent_ms * 10)
        self.redraw_interval = min(MAX_REDRAW_MS, wanted) / 1000

    def _show_not_drawn(self) -> None:
        """Lines past the limit and events too late to count, said in the title bar."""
        held_back = self.data.not_drawn()
        if held_back == self._held_back:
            return
        self._held_back = held_back
        self.note.setVisible(bool(held_back))
        self.note.setToolTip(plain_tooltip(held_back))

    def _new_curve(self, key: tuple[int, str]) -> pg.PlotDataItem:
        first = not self.curves
        index = self._style_index[key] = len(self._style_index)
        colour, dash = current().series_style(index)
        name = self.data.line_name(key)
        curve = pg.PlotDataItem(pen=_pen(colour, dash))
        if self.data.axis_of(key[0]):  # a second unit: the right axis's view
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.right_view.addItem(curve)
        else:
            self.plot.addItem(curve)
        self.curves[key] = curve
        self.legend.add(key, name, colour, dash)
        if first:
            self.title.setText(self.spec.title)
            self._style_title()
        return curve

    def _line_toggled(self, key: object, shown: bool) -> None:
        curve = self.curves.get(key)  # type: ignore[call-overload]
        if curve is not None:
            curve.setVisible(shown)

    def _draw_markers(self, since: float) -> None:
        """Show the newest markers in the window. A line keeps its marker while the marker
        stays in the window (moving a line or setting its tooltip costs, and with every new
        marker the list shifts by one)."""
        marks = list(dict.fromkeys(self.data.markers_since(since)))[-MARKERS_SHOWN:]
        wanted = set(marks)
        kept = {mark: line for mark, line in self._line_for.items() if mark in wanted}
        taken = {id(line) for line in kept.values()}
        spare = [line for line in self._markers if id(line) not in taken]
        for mark in marks:
            if mark in kept:
                continue
            line = spare.pop() if spare else self._new_marker()
            t, what = mark
            line.setPos(t)
            line.setToolTip(plain_tooltip(f"{what} at {datetime.fromtimestamp(t):%H:%M:%S}"))
            line.show()
            kept[mark] = line
        for line in spare:
            line.hide()
        self._line_for = kept

    def _new_marker(self) -> pg.InfiniteLine:
        line = pg.InfiniteLine(angle=90, movable=False, pen=_marker_pen())
        self.plot.addItem(line, ignoreBounds=True)
        self._markers.append(line)
        return line

    def scroll_to(self, now: float) -> None:
        """Show the window ending at *now* (also while no new points arrive).

        Until a whole window of data has arrived, the chart shows what there is: from the
        first point (at least MIN_SPAN_S) rather than mostly empty space.
        """
        if not self.curves or self.paused:
            return
        first = min(s.first_time() for s in self.data.lines.values())
        start = min(max(now - self.spec.window, first), now - MIN_SPAN_S)
        self.plot.setXRange(start, now, padding=0)

    # -- the crosshair ------------------------------------------------------------------
    def _mouse_moved(self, position: object) -> None:
        view = self.plot.getPlotItem().getViewBox()
        if not self.curves or not self.plot.sceneBoundingRect().contains(position):
            self.crosshair.hide()
            self.readout.hide()
            return
        x = view.mapSceneToView(position).x()
        self.crosshair.setPos(x)
        self.crosshair.show()
        self.show_readout(x)

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

    # -- dropping a field ---------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if field_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        found = field_from_mime(event.mimeData())
        if found is not None:
            self.field_dropped.emit(*found)
            event.acceptProposedAction()


def _pen(colour: str, dash: str) -> object:
    return pg.mkPen(colour, width=2, style=DASH_STYLES[dash])


def _marker_pen() -> object:
    return pg.mkPen(current().level_colour("critical"), width=1, style=Qt.PenStyle.DashLine)
