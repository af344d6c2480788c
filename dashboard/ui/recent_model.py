"""A newest-first table of the latest N items, appended in batches."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from dashboard.ui.panels.tables import ListTableModel

Item = TypeVar("Item")
_Index = QModelIndex | QPersistentModelIndex


class RecentItemsModel(ListTableModel, Generic[Item]):
    """Row 0 is the newest item; at most *capacity* rows. Subclasses say what a cell shows."""

    columns: Sequence[str] = ()

    def __init__(self, capacity: int = 1000, parent: Any = None) -> None:
        super().__init__(parent)
        self.capacity = capacity
        self._items: deque[Item] = deque()
        self.total = 0

    def add_items(self, items: Sequence[Item]) -> None:
        """One remove (of the oldest, when full) and one insert for the whole batch."""
        if not items:
            return
        self.total += len(items)
        items = items[-self.capacity :]
        overflow = len(self._items) + len(items) - self.capacity
        if overflow > 0:
            last = len(self._items) - 1
            self.beginRemoveRows(QModelIndex(), last - overflow + 1, last)
            for _ in range(overflow):
                self._items.pop()
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), 0, len(items) - 1)
        self._items.extendleft(items)  # the newest ends up in row 0
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._items.clear()
        self.total = 0
        self.endResetModel()

    def item_at(self, row: int) -> Item | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def cell(self, item: Item, column: int, role: int) -> Any:
        raise NotImplementedError

    def row_total(self) -> int:
        return len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        return self.cell(self._items[index.row()], index.column(), role)
