"""The event log panel: filter box, rate histogram, the log table and the detail pane."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Severity
from dashboard.core.lang.query import (
    QueryError,
    parse,
)
from dashboard.core.lang.query import time_range_clause as range_clause
from dashboard.core.layouts.tables import LOG
from dashboard.core.panels.logrows import Overview, shown_overview
from dashboard.core.panels.panelkind import Options, PanelKind
from dashboard.core.storage.store import EventStore
from dashboard.ui.log_model import SUMMARY, EventLogModel
from dashboard.ui.panels.detail import EventDetailPane
from dashboard.ui.panels.histogram import HistogramStrip
from dashboard.ui.panels.log_actions import DETAIL_MIN, LogActions
from dashboard.ui.panels.log_view import EventLogView, FilterEdit, outside_note
from dashboard.ui.secondary import SecondaryLabel
from dashboard.ui.theme import SEVERITY_COLOURS

REFRESH_MS = 1000  # histogram, scrollbar marks and counts: once a second is enough
# The log takes in new rows at most this often (seconds). Past a few hundred events a second
# its rows go by faster than anyone reads them, and repainting the table and its scrollbars
# on every 33 ms tick took a third of the window's time at the top rate.
LOG_REFRESH_S = 0.1
OVERVIEW_POLL_MS = 15  # how often to look whether the worker has finished
_OVERVIEW_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="log-overview")
DETAIL_WIDTH = 380  # the detail pane's first width (px); then the width the operator gave it
DETAIL_HEIGHT = 220  # ... its first height, when below the log
FILTER_DELAY_MS = 300  # typing pauses this long before the filter is applied
FILTER_HELP = (
    "Filter the log (Ctrl+F; Escape clears).\n"
    'words or "a phrase"    anywhere in the event\n'
    "type:order.*  source:prod-*    globs, any case\n"
    "severity>=warning    cpu>90    data.host=web-1\n"
    "field:*    the field is there\n"
    "time>-5m    time<2026-11-23T10:00\n"
    "AND  OR  NOT  -term  ( )    adjacent terms mean AND"
)


HISTOGRAM_HELP = (
    "Events per time bucket by severity, for what the filter shows.\n"
    "Drag to filter the log to a time range; double-click to clear it."
)


class LogPanel(LogActions, QWidget):
    """Filter box (with its error line), histogram strip, log table and detail pane.

    Signals:
        export_requested(): the operator asked to export what the filter shows.
        replay_requested(): the operator asked to replay what the filter shows.
        overview_shown(): the histogram and scrollbar marks were brought up to date.
    """

    export_requested = Signal()
    replay_requested = Signal()
    overview_shown = Signal()

    def __init__(
        self,
        store: EventStore,
        model: EventLogModel,
        settings: QSettings | None = None,
        histogram: HistogramStrip | None = None,
        detail: EventDetailPane | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.model = model
        self.settings = settings
        self._range_clause = ""  # the time range the histogram put into the filter
        self.histogram = HistogramStrip() if histogram is None else histogram
        self.detail = EventDetailPane() if detail is None else detail

        self._make_top_row()
        self._make_split(model)
        self._lay_out()
        self._connect(model)
        self._start_timers()
        self._restore()
        self.refresh()

    def _make_top_row(self) -> None:
        """The title, filter box, counts, Export and Replay, and the filter's error line."""
        title = SecondaryLabel("Event log")
        self.filter_edit = FilterEdit()
        self.filter_edit.setPlaceholderText(
            "Filter: words, type:order.*, severity>=warning, cpu>90, time>-5m …  (Ctrl+F)"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(FILTER_HELP)
        self.counts = SecondaryLabel()
        self.counts.setToolTip(
            "Events the filter shows, of those retained. When the store is full the oldest "
            "are evicted; a recording keeps everything."
        )
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save what the filter shows as JSON Lines or CSV (Ctrl+E)")
        self.export_button.clicked.connect(self.export_requested)
        self.replay_button = QPushButton("Replay…")
        self.replay_button.setToolTip(
            "Replay what the filter shows in a window of its own (Ctrl+Shift+R); drag on "
            "the rate strip first to replay a time range"
        )
        self.replay_button.clicked.connect(self.replay_requested)
        self.filter_error = QLabel()
        self.filter_error.setTextFormat(Qt.TextFormat.PlainText)
        self.filter_error.setStyleSheet(f"color: {SEVERITY_COLOURS[Severity.ERROR]};")
        self.filter_error.setWordWrap(True)
        self.filter_error.hide()
        self.title = title

    def _make_split(self, model: EventLogModel) -> None:
        """The log beside (or over) the detail pane."""
        self.view = EventLogView(model)
        # The detail pane shows once a row is chosen, at the width it had last (the table's
        # Summary column takes what is left), and goes when there is nothing to show.
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.view)
        self.split.addWidget(self.detail)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 0)
        self.split.setCollapsible(0, False)
        self.split.splitterMoved.connect(self._note_detail_size)
        self.detail.setMinimumSize(DETAIL_MIN, 120)  # (its header would ask for more)
        self.detail.hide()
        self.detail_width = DETAIL_WIDTH
        self.detail_height = DETAIL_HEIGHT
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)

    def _lay_out(self) -> None:
        title = self.title
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(title)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.counts)
        top.addWidget(self.export_button)
        top.addWidget(self.replay_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.filter_error)
        layout.addWidget(self.histogram)
        layout.addWidget(self.split, 1)

    def _connect(self, model: EventLogModel) -> None:
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textEdited.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._maybe_cleared)
        self.histogram.range_selected.connect(self._select_range)
        self.histogram.range_cleared.connect(lambda: self._select_range(None, None))
        self.detail.filter_requested.connect(self.filter_on)
        self.detail.column_requested.connect(self.add_field)
        self.view.selectionModel().currentRowChanged.connect(self._show_current)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._cell_menu)
        header = self.view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        model.scan_progress.connect(self._scan_progress)
        for changed in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            changed.connect(self.show_counts)
        model.modelReset.connect(lambda: self.show_detail(None))

    def _start_timers(self) -> None:
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()
        self._refreshed_at: tuple[int, int, str] | None = None
        self._overview_for: tuple[int, int, str] | None = None  # the state last worked out
        self._overview: Future[Overview] | None = None
        self._overview_poll = QTimer(self)
        self._overview_poll.setInterval(OVERVIEW_POLL_MS)
        self._overview_poll.timeout.connect(self._poll_overview)

    # -- the filter --------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def set_filter(self, text: str) -> bool:
        """Put *text* in the box and apply it; False (and the error shown) if it is wrong."""
        self.filter_edit.setText(text)
        return self.apply_filter()

    def apply_filter(self) -> bool:
        """Apply what the box says; on a mistake say where, and keep the filter in force."""
        self._filter_timer.stop()
        text = self.filter_edit.text()
        try:
            query = parse(text)
        except QueryError as error:
            in_force = self.model.query.text.strip() or "none"
            self.filter_error.setText(f"⚠ {error} (the filter in force is still: {in_force})")
            self.filter_error.show()
            self.filter_edit.setStyleSheet(f"border: 1px solid {SEVERITY_COLOURS[Severity.ERROR]};")
            return False
        self.filter_error.hide()
        self.filter_edit.setStyleSheet("")
        if self._range_clause and self._range_clause not in text:
            self._range_clause = ""
            self.histogram.set_selection(None, None)
        if text != self.model.query.text:
            self.model.set_query(query)
            self.refresh()
        return True

    def _maybe_cleared(self, text: str) -> None:
        if not text and self.model.query.text:  # the clear button or Escape
            self.apply_filter()

    def _select_range(self, start: float | None, stop: float | None) -> None:
        text = self.filter_edit.text()
        if self._range_clause:
            text = text.replace(self._range_clause, "").strip()
        self._range_clause = "" if start is None or stop is None else range_clause(start, stop)
        self.histogram.set_selection(start, stop)
        self.set_filter(self._and(text, self._range_clause) if self._range_clause else text)

    def _scan_progress(self, done: float) -> None:
        if done < 1.0:
            self.counts.setText(f"Filtering… {done:.0%}")
        else:
            self.refresh()

    # -- columns, menus, details -------------------------------------------------------
    def add_field(self, path: str) -> None:
        if self.model.add_field(path):
            self.view.setColumnWidth(SUMMARY + len(self.model.fields) - 1, 110)
            self._save_fields()

    def set_fields(self, paths: Sequence[str]) -> None:
        """Exactly these extra columns (a layout's), in this order."""
        for path in list(self.model.fields):
            self.model.remove_field(path)
        for path in paths:
            self.add_field(path)
        self._save_fields()

    def remove_field(self, path: str) -> None:
        self.model.remove_field(path)
        self._save_fields()

    # -- once a second -----------------------------------------------------------------
    def refresh(self, wait: bool = False) -> None:
        """Counts now; histogram and scrollbar marks from a worker thread (over a million
        events they take tens of milliseconds, which the frame ticks cannot spare)."""
        store, model = self.store, self.model
        state = (store.end_seq, model.rowCount(), model.query.text)
        if model.scanning:
            return
        if state == self._refreshed_at == self._overview_for:
            return
        self._refreshed_at = state
        self.show_counts()
        if self._overview is not None and not wait:
            return  # one at a time: when it is done, _poll_overview looks again
        seqs = None if model.query.is_empty else model.shown_seqs().copy()
        job = (store, store.first_seq, store.end_seq, seqs)
        self._overview_for = state
        if wait:
            self._overview = None  # a result still on its way is older than this one
            self._overview_poll.stop()
            self._show_overview(shown_overview(*job))
        else:
            self._overview = _OVERVIEW_WORKER.submit(shown_overview, *job)
            self._overview_poll.start()

    def show_counts(self) -> None:
        """The counts, as the rows are (they change with every sync: the same number as
        the status bar's and a replay bar's, not one from up to a second before)."""
        store, model = self.store, self.model
        if model.scanning:
            return
        retained = len(store)
        text = (
            f"{retained:,} events"
            if model.query.is_empty
            else f"{model.rowCount():,} of {retained:,} events"
        )
        if store.evicted:
            text += f" · {store.evicted:,} oldest evicted"
        if self.counts.text() != text:
            self.counts.setText(text)

    def _poll_overview(self) -> None:
        if self._overview is None or not self._overview.done():
            return
        future, self._overview = self._overview, None
        self._overview_poll.stop()
        self._show_overview(future.result())
        if self._overview_for is not None and self._overview_for[2] != self.model.query.text:
            self.refresh()  # the filter changed meanwhile: do not wait a second to say so

    def _show_overview(self, overview: Overview) -> None:
        self.view.marks.set_severities(overview.severities)
        self.histogram.set_placeholder(
            "No events yet" if self.model.query.is_empty else "No event matches the filter"
        )
        self.histogram.set_histogram(overview.histogram)
        self.histogram.setToolTip(HISTOGRAM_HELP + outside_note(overview.outside))
        self.overview_shown.emit()

    # -- a panel of the window ---------------------------------------------------------
    def take_turn(self) -> float | None:
        """The window's turn for the log: it takes in what the store holds now."""
        return LOG_REFRESH_S if self.model.sync() else None

    def reset(self) -> None:
        self.model.sync()  # (the store was emptied)

    def draw_now(self) -> None:
        self.model.sync()
        self.refresh(wait=True)

    def options(self) -> Options:
        return {"filter": self.model.query.text, "columns": tuple(self.model.fields)}

    def set_options(self, options: Options) -> None:
        """A layout's filter and extra columns."""
        self.set_fields(options.get("columns", ()))
        self.set_filter(options.get("filter", ""))

    # -- remembered between runs -------------------------------------------------------
    def _restore(self) -> None:
        if self.settings is None:
            return
        fields = self.settings.value("log/fields", [])
        for path in fields if isinstance(fields, list) else [fields]:
            if isinstance(path, str) and path:
                self.add_field(path)
        width = self.settings.value("log/detail-width")
        if isinstance(width, str | int) and str(width).isdigit():
            self.detail_width = max(DETAIL_MIN, int(width))
        height = self.settings.value("log/detail-height")
        if isinstance(height, str | int) and str(height).isdigit():
            self.detail_height = max(120, int(height))

    def _save_fields(self) -> None:
        if self.settings is not None:
            self.settings.setValue("log/fields", list(self.model.fields))

    def save_state(self) -> None:
        if self.settings is not None:
            self.settings.setValue("log/detail-width", self.detail_width)
            self.settings.setValue("log/detail-height", self.detail_height)
            self._save_fields()


KIND = PanelKind(
    name="log",
    title="Event log",
    widget=lambda context, options: LogPanel(
        context.store,
        EventLogModel(context.store),
        context.settings,
        context.parts.get("histogram"),
        context.parts.get("detail"),
    ),
    description="the filterable event log (the window's middle)",
    fixed=True,
    table="[log]",
    place="middle",
    layout=LOG,
)
