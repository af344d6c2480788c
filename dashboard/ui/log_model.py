"""The event log's table model: the stored events a filter selects, updated once per tick."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, NamedTuple

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.fieldpath import MISSING, lookup
from dashboard.core.events.nesting import json_bytes
from dashboard.core.events.summary import one_line, summarize
from dashboard.core.lang.query import Query
from dashboard.core.panels import logrows
from dashboard.core.panels.logrows import LogRows
from dashboard.core.storage.store import EventStore
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import severity_colour

COLUMNS = ("Time", "Type", "Source", "Severity", "Summary")
TIME, TYPE, SOURCE, SEVERITY, SUMMARY = range(len(COLUMNS))
FIELD = -1  # an extra column showing a payload field

_Index = QModelIndex | QPersistentModelIndex
_ANSWERED = frozenset(
    (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole)
)
SCAN_BUDGET_S = 0.03  # seconds of filtering per step, so the window keeps drawing
MIN_BLOCK = 1024  # events in the smallest scan block
# Rows whose cell texts are kept (a few screens' worth; each a few hundred characters). A
# row's event is rebuilt from its raw bytes once, not at every paint of every cell: the
# store keeps few rebuilt wide events (MATERIALISED_BYTES), and decoding one of 600 KB for
# each of a screen's cells froze the window.
ROW_TEXTS = 512


class RowTexts(NamedTuple):
    """What a row shows: the text of each column (time, type, source, severity, the extra
    fields, summary), its severity, and the time column's tooltip."""

    cells: tuple[str, ...]
    severity: Severity
    time_tip: str


def clock_text(epoch: float) -> str:
    """Local wall-clock time with milliseconds: ``14:03:07.250``."""
    local = time.localtime(epoch)
    return f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}.{int(epoch % 1 * 1000):03d}"


def full_time_text(epoch: float) -> str:
    return (
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch)) + f".{int(epoch % 1 * 1000):03d}"
    )


class EventLogModel(QAbstractTableModel):
    """The log's rows: the store's events a query selects (all of them by default).

    :meth:`sync` (connected to the bus) removes evicted rows from the top and appends new
    ones at the bottom: one ``beginRemoveRows`` and one ``beginInsertRows`` per tick. A new
    query is scanned over the whole store in steps of a few dozen milliseconds.

    Signals:
        scan_progress(float): how far a new filter's scan has got, 0..1 (1: done).
    """

    scan_progress = Signal(float)

    def __init__(self, store: EventStore, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self.rows = LogRows(store)
        self.fields: list[str] = []  # extra columns: payload paths such as data.host
        self._texts: OrderedDict[int, RowTexts] = OrderedDict()  # by seq, newest use last
        self._count = 0  # the rows the views know about (self.rows may be ahead)
        self._block = MIN_BLOCK  # events per scan block, adapted to the query's speed
        self._scanning = False
        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(0)
        self._scan_timer.timeout.connect(self.sync)

    @property
    def scanning(self) -> bool:
        """A new filter's scan over the store is still running."""
        return self._scanning

    @property
    def query(self) -> Query:
        return self.rows.query

    def set_query(self, query: Query) -> None:
        """Show what *query* selects: start again and scan the whole store for it."""
        self.beginResetModel()
        self.rows = LogRows(self.store, query)
        self._count = 0
        self._scanning = True  # say when it is done, even if that is at once
        self.endResetModel()
        self.sync()

    # -- keeping up with the store -----------------------------------------------------
    def sync(self) -> bool:
        """Take in what the store gained and lost; say whether the rows changed."""
        evicted = self.rows.evicted_rows()
        if evicted:
            self.beginRemoveRows(QModelIndex(), 0, evicted - 1)
            self.rows.seqs.drop_front(evicted)
            self._count -= evicted
            self.endRemoveRows()
        deadline = time.perf_counter() + SCAN_BUDGET_S
        while not self.rows.caught_up:  # at least one block per step, more if time allows
            started = time.perf_counter()
            size = min(self._block, logrows.SCAN_BLOCK)
            self.rows.seqs.extend(self.rows.advance(size))
            finished = time.perf_counter()
            # Blocks sized from the last one's speed: a third of a step's budget each, so
            # a slow query over big events does not hold the window for a whole block.
            per_event = (finished - started) / size
            self._block = int(max(MIN_BLOCK, SCAN_BUDGET_S / 3 / max(per_event, 1e-9)))
            if finished >= deadline:
                break
        new = len(self.rows) - self._count
        if new > 0:
            self.beginInsertRows(QModelIndex(), self._count, self._count + new - 1)
            self._count += new
            self.endInsertRows()
        if not self.rows.caught_up:
            self._scanning = True
            self.scan_progress.emit(self.rows.progress)
            self._scan_timer.start()
        elif self._scanning:
            self._scanning = False
            self.scan_progress.emit(1.0)
        return bool(evicted or new > 0)

    def seq_at(self, row: int) -> int:
        return self.rows.seqs[row] if 0 <= row < self._count else -1

    def event_at(self, row: int) -> Event | None:
        seq = self.seq_at(row)
        return self.store.get(seq) if seq >= 0 else None

    def texts_at(self, row: int) -> RowTexts | None:
        """The texts of a row (kept for the last ROW_TEXTS rows asked for)."""
        seq = self.seq_at(row)
        if seq < 0:
            return None
        texts = self._texts.get(seq)
        if texts is not None:
            self._texts.move_to_end(seq)
            return texts
        event = self.store.get(seq)
        if event is None:
            return None
        cells = (
            clock_text(event.time),
            one_line(event.type, 80),
            one_line(event.source, 80),
            event.severity.label,
            *(field_text(event, path) for path in self.fields),
            summarize(event),
        )
        time_tip = f"{full_time_text(event.time)} (received {full_time_text(event.received)})"
        texts = self._texts[seq] = RowTexts(cells, event.severity, time_tip)
        if len(self._texts) > ROW_TEXTS:
            self._texts.popitem(last=False)
        return texts

    def row_of(self, seq: int) -> int:
        """The row showing event *seq*, or -1."""
        row = self.rows.seqs.index(seq)
        return row if row < self._count else -1

    def shown_seqs(self) -> np.ndarray:
        """The seqs of the rows shown, oldest first."""
        return self.rows.seqs.view[: self._count]

    # -- extra columns, between the severity and the summary --------------------------
    def add_field(self, path: str) -> bool:
        """Show the payload field *path* (``data.host`` or ``host``) as a column."""
        path = path if path.startswith("data.") or path == "data" else f"data.{path}"
        if path in self.fields:
            return False
        column = SUMMARY + len(self.fields)
        self.beginInsertColumns(QModelIndex(), column, column)
        self.fields.append(path)
        self._texts.clear()
        self.endInsertColumns()
        return True

    def remove_field(self, path: str) -> None:
        if path not in self.fields:
            return
        column = SUMMARY + self.fields.index(path)
        self.beginRemoveColumns(QModelIndex(), column, column)
        self.fields.remove(path)
        self._texts.clear()
        self.endRemoveColumns()

    def field_of_column(self, column: int) -> str | None:
        index = column - SUMMARY
        return self.fields[index] if 0 <= index < len(self.fields) else None

    def _kind(self, column: int) -> int:
        """TIME, TYPE, SOURCE, SEVERITY or SUMMARY; FIELD for an extra column."""
        if column < SUMMARY:
            return column
        return FIELD if column - SUMMARY < len(self.fields) else SUMMARY

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS) + len(self.fields)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        field = self.field_of_column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[self._kind(section)] if field is None else field.removeprefix("data.")
        if role == Qt.ItemDataRole.ToolTipRole and field is not None:
            return plain_tooltip(f"The payload field {field} (right-click the header to remove it)")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks each cell for seven roles as it paints: answer the unused ones first.
        if role not in _ANSWERED or not index.isValid():
            return None
        column = self._kind(index.column())
        if role == Qt.ItemDataRole.ForegroundRole and column != SEVERITY:
            return None
        texts = self.texts_at(index.row())
        if texts is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return texts.cells[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and column == SEVERITY:
            return severity_colour(texts.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME:
                return texts.time_tip
            if column == SUMMARY:  # (hovering: rare enough to rebuild the event for)
                event = self.event_at(index.row())
                return plain_tooltip(summarize(event, limit=2000)) if event else None
        return None


def field_text(event: Event, path: str) -> str:
    """A payload field's value for a log cell: scalars as they read, objects as JSON."""
    value = lookup(event.data, path.removeprefix("data.")) if path != "data" else event.data
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return one_line(value, 200)
    return one_line(json_bytes(value).decode(), 200)  # (any depth: never raises)
