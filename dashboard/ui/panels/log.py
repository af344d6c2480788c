"""The event log panel: filter box, rate histogram, the log table and the detail pane."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from PySide6.QtCore import QModelIndex, QPoint, QRect, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollBar,
    QSplitter,
    QStyle,
    QStyleOptionSlider,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.fieldpath import MISSING, lookup
from dashboard.core.events.summary import one_line
from dashboard.core.lang.query import (
    MAX_QUERY_LENGTH,
    AnyOf,
    QueryError,
    clause,
    exists_clause,
    parse,
)
from dashboard.core.lang.query import time_range_clause as range_clause
from dashboard.core.panels.logrows import Overview, severity_marks, shown_overview
from dashboard.core.storage.store import EventStore
from dashboard.ui.log_model import SEVERITY, SOURCE, SUMMARY, TYPE, EventLogModel
from dashboard.ui.panels.detail import EXISTS, EventDetailPane, event_json
from dashboard.ui.panels.histogram import HistogramStrip
from dashboard.ui.panels.tables import setup_table
from dashboard.ui.theme import MUTED, SEVERITY_COLOURS

REFRESH_MS = 1000  # histogram, scrollbar marks and counts: once a second is enough
OVERVIEW_POLL_MS = 15  # how often to look whether the worker has finished
_OVERVIEW_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="log-overview")
DETAIL_WIDTH = 380  # the detail pane's first width (px); then the width the operator gave it
DETAIL_HEIGHT = 220  # ... its first height, when below the log
DETAIL_MIN = 200  # px wide, at least (and 120 high)
SIDE_BY_SIDE_MIN = 900  # narrower than this, the detail pane goes under the log, not beside
FILTER_DELAY_MS = 300  # typing pauses this long before the filter is applied
ERROR_COLOUR = SEVERITY_COLOURS[Severity.ERROR]
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


def _outside_note(outside: int) -> str:
    if not outside:
        return ""
    return (
        f"\n{outside:,} events with times far from the rest (a wrong clock?) are left out "
        "of the strip; the log has them."
    )


class MarkedScrollBar(QScrollBar):
    """A vertical scrollbar with a tick for each stretch of the log holding warnings or
    worse, in the severity's colour, so they can be found in a long history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._severities = np.zeros(0, dtype=np.uint8)
        self.marks: list[tuple[int, Severity]] = []
        self._drawn: QPixmap | None = None  # the marks, painted once for many frames

    def set_severities(self, severities: np.ndarray) -> None:
        """The severity of every row, oldest first."""
        self._severities = severities
        self._update_marks()

    def groove_height(self) -> int:
        return max(0, self._groove().height())

    def _groove(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, option, QStyle.SubControl.SC_ScrollBarGroove, self
        )

    def _update_marks(self) -> None:
        self.marks = severity_marks(self._severities, self.groove_height())
        self._drawn = None
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_marks()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.marks:
            return
        # The bar repaints whenever rows arrive; the marks change about once a second.
        groove = self._groove()
        width = max(2, groove.width() - 4)
        drawn = self._drawn
        if drawn is None or drawn.deviceIndependentSize().toSize() != QSize(
            width, max(1, groove.height())
        ):
            ratio = self.devicePixelRatioF()  # sharp on a high-density screen
            drawn = QPixmap(round(width * ratio), round(max(1, groove.height()) * ratio))
            drawn.setDevicePixelRatio(ratio)
            drawn.fill(Qt.GlobalColor.transparent)
            self._drawn = drawn
            painter = QPainter(drawn)
            for pixel, severity in self.marks:
                painter.fillRect(0, pixel, width, 2, QColor(SEVERITY_COLOURS[severity]))
            painter.end()
        painter = QPainter(self)
        painter.drawPixmap(groove.left() + 2, groove.top(), drawn)
        painter.end()


PAUSED_TEXT = "Following paused - End to resume"


class EventLogView(QTableView):
    """Fixed row heights so a million rows scroll smoothly; follows the newest events
    until the operator selects a row or scrolls up (the rows being read stay put, and a
    note says so), and again from End or the note's click.

    Tab leaves the table (as in a form) rather than moving from cell to cell; the arrow
    keys move from the selected row, or from the newest when none is selected."""

    def __init__(self, model: EventLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        setup_table(self, model, (100, 150, 110, 70))
        self.setTabKeyNavigation(False)
        self.log_model = model
        self.marks = MarkedScrollBar(self)
        self.setVerticalScrollBar(self.marks)
        self.following = True
        self.unseen = 0  # rows that arrived while not following
        self.jump_button = QPushButton(self.viewport())
        self.jump_button.setToolTip("Scroll to the newest event and follow the tail again (End)")
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.jump_button.hide()
        model.rowsAboutToBeInserted.connect(self._note_position)
        model.rowsInserted.connect(self._keep_following)
        model.rowsAboutToBeRemoved.connect(self._note_position)
        model.rowsRemoved.connect(self._keep_place)
        model.modelReset.connect(self.jump_to_latest)
        self.marks.valueChanged.connect(self._scrolled)
        self.marks.actionTriggered.connect(self._scrolled_by_hand)
        self.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.setToolTip(
            "Newest events at the bottom; select a row or scroll up to pause following, "
            "End to resume"
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_End and not event.modifiers():
            self.jump_to_latest()
            return
        super().keyPressEvent(event)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """With no row selected, Up and Down start from the newest row (the one in view
        while following), not from the oldest."""
        rows = self.log_model.rowCount()
        starts = (
            QAbstractItemView.CursorAction.MoveUp,
            QAbstractItemView.CursorAction.MoveDown,
        )
        if not self.currentIndex().isValid() and cursorAction in starts and rows:
            return self.log_model.index(rows - 1, 0)
        return super().moveCursor(cursorAction, modifiers)

    def _row_chosen(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self.pause()

    def pause(self) -> None:
        """Stop following: the rows in view stay where they are."""
        if self.following:
            self.following = False
            self._show_jump_button()

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    def _note_position(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.following and not self._at_bottom():  # the operator scrolled up
            self.pause()

    def _keep_following(self, parent: QModelIndex, first: int, last: int) -> None:
        if self.following:
            self.scrollToBottom()
            return
        self.unseen += last - first + 1
        self._show_jump_button()

    def _keep_place(self, parent: QModelIndex, first: int, last: int) -> None:
        """Evicted rows leave from the top: keep the rows being read where they are."""
        if not self.following:
            bar = self.verticalScrollBar()
            bar.setValue(max(0, bar.value() - (last - first + 1)))

    def _scrolled_by_hand(self, action: int) -> None:
        """The wheel, a drag or a click on the bar (the position is the one it goes to)."""
        bar = self.marks
        if bar.sliderPosition() < bar.maximum() - 2:
            self.pause()

    def _scrolled(self, value: int) -> None:
        """Scrolled back to the newest with no row selected: follow again."""
        if self._at_bottom() and not self.following and not self.currentIndex().isValid():
            self._resume()

    def _show_jump_button(self) -> None:
        new = f" · ↓ {self.unseen:,} new" if self.unseen else ""
        self.jump_button.setText(f"{PAUSED_TEXT}{new}")
        self.jump_button.adjustSize()
        self._place_jump_button()
        self.jump_button.show()

    def _place_jump_button(self) -> None:
        area = self.viewport().rect()
        size = self.jump_button.sizeHint()
        self.jump_button.move(area.right() - size.width() - 12, area.bottom() - size.height() - 8)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_jump_button()
        if self.following:
            self.scrollToBottom()

    def _resume(self) -> None:
        self.following = True
        self.unseen = 0
        self.jump_button.hide()

    def jump_to_latest(self) -> None:
        """Follow the newest events again (the selection goes: it would pause at once)."""
        selection = self.selectionModel()
        selection.blockSignals(True)  # (the detail pane keeps the event it shows)
        selection.clear()
        selection.blockSignals(False)
        self.viewport().update()
        self._resume()
        self.scrollToBottom()


class FilterEdit(QLineEdit):
    """The filter box: Escape clears it."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class LogPanel(QWidget):
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
        self, store: EventStore, model: EventLogModel, settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.model = model
        self.settings = settings
        self._range_clause = ""  # the time range the histogram put into the filter

        title = QLabel("Event log")
        title.setStyleSheet(f"color: {MUTED};")
        self.filter_edit = FilterEdit()
        self.filter_edit.setPlaceholderText(
            "Filter: words, type:order.*, severity>=warning, cpu>90, time>-5m …  (Ctrl+F)"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(FILTER_HELP)
        self.counts = QLabel()
        self.counts.setStyleSheet(f"color: {MUTED};")
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
        self.filter_error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.filter_error.setWordWrap(True)
        self.filter_error.hide()
        self.histogram = HistogramStrip()
        self.view = EventLogView(model)
        self.detail = EventDetailPane()
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
        self._restore()
        self.refresh()

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
            self.filter_edit.setStyleSheet(f"border: 1px solid {ERROR_COLOUR};")
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

    def filter_on(self, field: str, value: object, exclude: bool) -> None:
        """Narrow the filter to events whose *field* has *value* (or has not, or exists)."""
        if value is EXISTS:
            extra = ("-" if exclude else "") + exists_clause(field)
        else:
            extra = clause(field, value, exclude)
        try:
            parse(extra)
        except QueryError:
            if len(extra) > MAX_QUERY_LENGTH:
                problem = (
                    "the value is too long to filter on (a query holds at most "
                    f"{MAX_QUERY_LENGTH:,} characters)"
                )
            else:
                problem = f"the query language cannot name the field {field!r}"
            self.filter_error.setText(f"⚠ {problem}")
            self.filter_error.show()
            return
        self.set_filter(self._and(self.filter_edit.text(), extra))

    @staticmethod
    def _and(text: str, extra: str) -> str:
        text = text.strip()
        if not text:
            return extra
        try:
            either = isinstance(parse(text).root, AnyOf)
        except QueryError:
            return extra  # the box holds a mistake: start afresh from the new clause
        return f"({text}) {extra}" if either else f"{text} {extra}"

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

    def _show_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.show_detail(self.model.event_at(current.row()) if current.isValid() else None)
        if current.isValid():
            self.view.scrollTo(current)  # (a pane that just opened may have hidden it)

    def show_detail(self, event: Event | None) -> None:
        """*event* in the detail pane, shown at its remembered width; None hides the pane."""
        self.detail.show_event(event)
        if event is None:
            self.detail.hide()
            return
        if self.detail.isHidden():
            self.detail.show()
            self._size_detail()

    def _size_detail(self) -> None:
        """The detail pane at its remembered size (at most half the log)."""
        beside = self.split.orientation() == Qt.Orientation.Horizontal
        total = sum(self.split.sizes()) or (self.width() if beside else self.height())
        size = self.detail_width if beside else self.detail_height
        size = min(size, max(DETAIL_MIN if beside else 120, total // 2))
        self.split.setSizes([max(1, total - size), size])

    def _note_detail_size(self, position: int, index: int) -> None:
        if not self.detail.isVisible():
            return
        if self.split.orientation() == Qt.Orientation.Horizontal:
            self.detail_width = self.detail.width()
        else:
            self.detail_height = self.detail.height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Beside the log when there is room for both, else under it."""
        super().resizeEvent(event)
        wanted = (
            Qt.Orientation.Horizontal
            if self.width() >= SIDE_BY_SIDE_MIN
            else Qt.Orientation.Vertical
        )
        if self.split.orientation() != wanted:
            self.split.setOrientation(wanted)
            if self.detail.isVisible():
                self._size_detail()

    def cell_menu(self, index: QModelIndex) -> QMenu:
        """The context menu of a log cell: filter on its value, copy the event."""
        menu = QMenu(self)
        event = self.model.event_at(index.row())
        if event is None:
            return menu
        column = index.column()
        choices: dict[int, tuple[str, object]] = {
            TYPE: ("type", event.type),
            SOURCE: ("source", event.source),
            SEVERITY: ("severity", event.severity.label),
        }
        field = self.model.field_of_column(column)
        if field is not None:
            value = lookup(event.data, field.removeprefix("data."))
            if value is not MISSING and not isinstance(value, dict | list):
                choices[column] = (field, value)
        if column in choices:
            name, value = choices[column]
            shown = one_line(str(value), 40).replace("&", "&&")
            menu.addAction(
                f"Filter on {name} = {shown}", lambda: self.filter_on(name, value, False)
            )
            menu.addAction(f"Exclude {name} = {shown}", lambda: self.filter_on(name, value, True))
            menu.addSeparator()
        menu.addAction("Copy as JSON", lambda: QApplication.clipboard().setText(event_json(event)))
        return menu

    def _cell_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if index.isValid():
            self.cell_menu(index).exec(self.view.viewport().mapToGlobal(position))

    def header_menu(self, column: int) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Add a field column…", self._ask_field)
        field = self.model.field_of_column(column)
        if field is not None:
            menu.addAction(f"Remove the {field} column", lambda: self.remove_field(field))
        return menu

    def _header_menu(self, position: QPoint) -> None:
        header = self.view.horizontalHeader()
        self.header_menu(header.logicalIndexAt(position)).exec(header.mapToGlobal(position))

    def _ask_field(self) -> None:
        path, ok = QInputDialog.getText(
            self, "Add a field column", "Payload field to show as a column (e.g. data.host):"
        )
        if ok and path.strip():
            self.add_field(path.strip())

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
        self.histogram.setToolTip(HISTOGRAM_HELP + _outside_note(overview.outside))
        self.overview_shown.emit()

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
