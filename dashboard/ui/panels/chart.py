"""A live time-series chart: several series, each maybe split into lines, over a rolling
window; pause, zoom and pan, a crosshair with the values under it, legend toggles,
vertical markers for events matching a query, and a second Y axis for a second unit."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
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
from dashboard.core.layouts.tables import CHARTS
from dashboard.core.panels.panelkind import Options, PanelKind
from dashboard.core.panels.series import ChartData, ChartSpec, SeriesSpec, unit_from_name
from dashboard.ui.panels.chart_axes import (
    joined,
    pen,
    time_axis,
)
from dashboard.ui.panels.chart_looks import ChartLooks
from dashboard.ui.panels.chart_markers import MarkerLines
from dashboard.ui.panels.legend import ChartLegend
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import Themed, current

DEFAULT_REDRAW_MS = 100
MAX_REDRAW_MS = 1000
MAX_STEP_MS = 500  # however long the window, new points show within half a second
WINDOWS = (
    ("30 s", 30.0),
    ("1 min", 60.0),
    ("5 min", 300.0),
    ("15 min", 900.0),
    ("1 h", 3600.0),
    ("6 h", 21_600.0),
    ("24 h", 86_400.0),
)
# Bins a pixel column of pyqtgraph's "peak" downsampling (a bin: its lowest and highest point).
# Its default, 5, drew ten points a column, and a 2-px line costs by the point: the soak's
# CPU chart (6 lines of 8,000 points) took 45 ms to paint, 19 ms with 1, every peak kept.
BINS_PER_PIXEL = 1.0
MIN_SPAN_S = 5.0  # the narrowest time span shown while the data is younger than the window
MIN_PLOT_HEIGHT = 70  # pixels: cards or a long legend never squeeze the plot below this
PAUSE_TIP = "Pause: freeze the view while data keeps coming"
RESUME_TIP = "Resume: follow the newest data again (the view was paused)"


class ChartPanel(ChartLooks, Themed, QWidget):
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
        self._redraw_ms = redraw_ms
        self.redraw_interval = redraw_ms / 1000  # seconds to the next turn (see redraw)
        self._make_plot()
        self._make_bar()
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

    def _make_plot(self) -> None:
        """The plot: a time axis, a second view box for a second unit, the crosshair."""
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
        self._pointer: object | None = None  # the pointer's place in the plot, while over it
        self.markers = MarkerLines()  # every marker's line (see chart_markers)
        self.plot.addItem(self.markers, ignoreBounds=True)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False)
        self.crosshair.setZValue(20)
        self.readout = pg.TextItem(anchor=(0, 0))
        self.readout.setZValue(21)
        for overlay in (self.crosshair, self.readout):
            overlay.hide()
            self.plot.addItem(overlay, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    def _make_bar(self) -> None:
        """The dock's title bar: title, what is held back, add, pause, window, remove."""
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
        self.add_button = self._add_button()
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

    def _add_button(self) -> QToolButton:
        """+: count or mark on this chart what the log's filter matches."""
        button = self._tool("+", "Add to this chart what the log's filter matches")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        add_menu = QMenu(button)
        for text, what in (
            ("Count what the log filter matches, per 10 s", "count"),
            ("… split by type", "count-by-type"),
            ("Mark what the log filter matches (vertical lines)", "markers"),
        ):
            add_menu.addAction(text).triggered.connect(
                lambda _on, w=what: self.query_requested.emit(w)
            )
        button.setMenu(add_menu)
        return button

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
        self.markers.set_marks(())

    # -- data -------------------------------------------------------------------------
    def add_events(
        self, events: list[Event], by_type: Mapping[str, list[Event]] | None = None
    ) -> None:
        self._grown |= self.data.fold(events, by_type)

    def options(self) -> Options:
        return {"chart": self.spec}

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
        self.name_marker_under_pointer()
        # Redraw no more often than the time axis moves a pixel (a 5-minute chart 600 px
        # wide: twice a second; 30 s: ten times), and, when lines of many points cost more
        # to push, so that the chart takes at most about a tenth of the window's time.
        self._show_not_drawn()
        spent_ms = (time.perf_counter() - started) * 1000
        pixel_ms = self.spec.window * 1000 / max(self.plot.width(), 100)
        wanted = max(self._redraw_ms, min(pixel_ms, MAX_STEP_MS), spent_ms * 10)
        self.redraw_interval = min(MAX_REDRAW_MS, wanted) / 1000

    draw_now = redraw

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
        curve = pg.PlotDataItem(pen=pen(colour, dash))
        curve.opts["autoDownsampleFactor"] = BINS_PER_PIXEL  # (no setter in pyqtgraph)
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


KIND = PanelKind(
    name="chart",
    title="Chart",
    widget=lambda context, options: ChartPanel(
        options["chart"], clock=context.clock, held=context.held
    ),
    description="a chart of series over time, one dock each",
    fixed=True,
    table="[[charts]]",
    place="under-top",
    many=True,
    layout=CHARTS,
)
