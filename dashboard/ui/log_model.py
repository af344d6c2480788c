"""The event log's table model: a window of store sequence numbers, moved once per tick."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from dashboard.core.event import Event
from dashboard.core.store import EventStore
from dashboard.core.summary import one_line, summarize
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import severity_colour

COLUMNS = ("Time", "Type", "Source", "Severity", "Summary")
TIME, TYPE, SOURCE, SEVERITY, SUMMARY = range(len(COLUMNS))

_Index = QModelIndex | QPersistentModelIndex


def clock_text(epoch: float) -> str:
    """Local wall-clock time with milliseconds: ``14:03:07.250``."""
    local = time.localtime(epoch)
    return f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}.{int(epoch % 1 * 1000):03d}"


def full_time_text(epoch: float) -> str:
    return (
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch)) + f".{int(epoch % 1 * 1000):03d}"
    )


class EventLogModel(QAbstractTableModel):
    """Rows are the store's events ``first .. first+count``; only translates, owns nothing.

    :meth:`sync` (connected to the bus) removes evicted rows from the top and appends new
    ones at the bottom: one ``beginRemoveRows`` and one ``beginInsertRows`` per tick.
    """

    def __init__(self, store: EventStore, parent: Any = None) -> None:
        super().__init__(parent)
        self.store = store
        self._first = store.first_seq
        self._count = 0

    # -- keeping up with the store -----------------------------------------------------
    def sync(self) -> None:
        store = self.store
        first, end = store.first_seq, store.end_seq
        evicted = min(self._count, max(0, first - self._first))
        if evicted:
            self.beginRemoveRows(QModelIndex(), 0, evicted - 1)
            self._first += evicted
            self._count -= evicted
            self.endRemoveRows()
        if self._count == 0:
            self._first = max(self._first, first)
        new = end - (self._first + self._count)
        if new > 0:
            self.beginInsertRows(QModelIndex(), self._count, self._count + new - 1)
            self._count += new
            self.endInsertRows()

    def event_at(self, row: int) -> Event | None:
        if 0 <= row < self._count:
            return self.store.get(self._first + row)
        return None

    def row_of(self, seq: int) -> int:
        """The row showing event *seq*, or -1."""
        row = seq - self._first
        return row if 0 <= row < self._count else -1

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        event = self.event_at(index.row())
        if event is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TIME:
                return clock_text(event.time)
            if column == TYPE:
                return one_line(event.type, 80)
            if column == SOURCE:
                return one_line(event.source, 80)
            if column == SEVERITY:
                return event.severity.label
            return summarize(event)
        if role == Qt.ItemDataRole.ForegroundRole and column == SEVERITY:
            return severity_colour(event.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME:
                return f"{full_time_text(event.time)} (received {full_time_text(event.received)})"
            if column == SUMMARY:
                return plain_tooltip(summarize(event, limit=2000))
        return None
