"""What the operator does to the log panel besides typing a filter: filter on a cell's value,
the cell and header menus, and where the detail pane sits and how big it is."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QMenu,
)

from dashboard.core.events.event import Event
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
from dashboard.ui.log_model import SEVERITY, SOURCE, TYPE
from dashboard.ui.panels.detail import EXISTS, event_json

DETAIL_MIN = 200  # px wide, at least (and 120 high)
SIDE_BY_SIDE_MIN = 900  # narrower than this, the detail pane goes under the log, not beside


class LogActions:
    """The log panel's menus and detail pane placement (mixed into LogPanel)."""

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
