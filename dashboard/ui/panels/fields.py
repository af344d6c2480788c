"""The field browser: a live tree of event types and the fields their payloads carry, from
which a field becomes a card or a chart series (by menu, double-click or drag)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Event
from dashboard.core.lang.query import clause
from dashboard.core.panels.fieldcatalog import FieldCatalog
from dashboard.core.panels.panelkind import PanelKind
from dashboard.ui.panels.field_model import (
    AUTO_EXPAND,
    KEY_ROLE,
    MIME_FIELD,
    FieldTreeModel,
    field_from_mime,
    field_mime,
    left_out_text,
    plural,
)
from dashboard.ui.secondary import SecondaryLabel

COLUMN_WIDTHS = (150, 56, 110)  # the last column takes the rest
REFRESH_S = 0.5  # values and rates: twice a second is read as well as thirty times
_Index = QModelIndex | QPersistentModelIndex

__all__ = ["KIND", "MIME_FIELD", "REFRESH_S", "FieldBrowser", "field_from_mime", "field_mime"]


class FieldBrowser(QWidget):
    """The field tree with its filter and counts; refreshed on its turns (take_turn), not per event.

    Signals:
        card_requested(str, str): add a card for (event type, path).
        series_requested(str, str): add (event type, path) to the current chart.
        new_chart_requested(str, str): add (event type, path) on a new chart.
        filter_requested(str): show these events in the log (a query).
    """

    card_requested = Signal(str, str)
    series_requested = Signal(str, str)
    new_chart_requested = Signal(str, str)
    filter_requested = Signal(str)

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock  # now, for rates (a replay's clock in a replay window)
        self.catalog = FieldCatalog()
        self.model = FieldTreeModel(self.catalog, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)  # a matching field shows its type
        self.proxy.setAutoAcceptChildRows(True)  # a matching type shows its fields
        self.proxy.setFilterRole(KEY_ROLE)
        self.proxy.setSortRole(KEY_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.sort(0)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter fields…")
        self.filter_edit.setToolTip("Show the types and fields whose name holds this text")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)

        self.view = self._make_view()

        self.status = SecondaryLabel()
        self.status.setWordWrap(True)  # a note on fields left out makes it long
        self._pending = False  # events folded since the last refresh
        self._settling = False  # refreshes wanted: events came, or rates still falling

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self._show_counts()

    def _make_view(self) -> QTreeView:
        """The tree: sorted, draggable onto a chart, with its menu and double-click."""
        view = QTreeView()
        view.setModel(self.proxy)
        view.setUniformRowHeights(True)
        view.setAlternatingRowColors(True)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setDragEnabled(True)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_menu)
        view.doubleClicked.connect(self._double_clicked)
        for column, width in enumerate(COLUMN_WIDTHS):
            view.setColumnWidth(column, width)
        return view

    # -- what comes in -----------------------------------------------------------------
    def add_events(
        self, events: Sequence[Event], by_type: Mapping[str, list[Event]] | None = None
    ) -> None:
        """Fold a tick's events; the tree catches up on its next turn."""
        if not events:
            return
        self.catalog.fold(events, self.clock())
        self._pending = self._settling = True

    def take_turn(self) -> float | None:
        """The window's turn for the tree: refresh while events come and until their
        rates have fallen to zero; then nothing until events come again."""
        if not self._settling:
            return None
        self.refresh()
        return REFRESH_S

    def refresh(self) -> None:
        """New rows and fresh values."""
        pending, self._pending = self._pending, False
        new_rows = self.model.sync(self.clock())
        if len(self.model.infos) <= AUTO_EXPAND:
            for row in new_rows:
                self.view.expand(self.proxy.mapFromSource(self.model.index(row, 0)))
        self._show_counts()
        self._settling = pending or any(info.rate for info in self.model.infos)

    def reset(self) -> None:
        """Forget everything (a replay seeking back starts again)."""
        self._pending = self._settling = False
        self.model.reset()
        self._show_counts()

    clear = reset
    draw_now = refresh

    def _show_counts(self) -> None:
        types, fields = len(self.model.infos), self.model.field_total()
        text = f"{plural(types, 'type')} · {plural(fields, 'field')}"
        dropped = self.catalog.dropped_types
        if dropped:
            text += f" ({plural(dropped, 'type')} not shown: too many)"
        full = [info for info in self.model.infos if info.full]
        if full:
            text += f"; {left_out_text(full[0])}"
            if len(full) > 1:
                text += f" (and {plural(len(full) - 1, 'other type')} like it)"
        self.status.setText(text)

    # -- what the operator does --------------------------------------------------------
    def index_of(self, event_type: str, path: str | None = None) -> QModelIndex:
        """The view's index of a type's row or a field's row (invalid if not shown)."""
        return self.proxy.mapFromSource(self.model.index_of(event_type, path))

    def actions_for(self, index: _Index, parent: QObject | None = None) -> list[QAction]:
        """The context menu's actions for a row of the view (owned by *parent*, else by the
        browser)."""
        source = self.proxy.mapToSource(index) if index.model() is self.proxy else index
        target = self.model.target(source)
        if target is None:
            return []
        name, field = target
        owner = parent or self

        def action(text: str, slot: Callable[[], None]) -> QAction:
            made = QAction(text, owner)
            made.triggered.connect(slot)
            return made

        actions = []
        if field is not None:
            path = field.path
            if field.kind not in ("object", "list"):
                actions.append(action("Add as card", lambda: self.card_requested.emit(name, path)))
            if field.is_numeric:
                actions.append(
                    action("Add as chart series", lambda: self.series_requested.emit(name, path))
                )
                actions.append(
                    action(
                        "Add as series on a new chart",
                        lambda: self.new_chart_requested.emit(name, path),
                    )
                )
            actions.append(action("Copy path", lambda: QGuiApplication.clipboard().setText(path)))
        query = clause("type", name)
        actions.append(
            action("Filter the log to this type", lambda: self.filter_requested.emit(query))
        )
        return actions

    def _show_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        actions = self.actions_for(self.view.indexAt(pos), menu)
        if actions:
            menu.addActions(actions)
            menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _double_clicked(self, index: QModelIndex) -> None:
        target = self.model.target(self.proxy.mapToSource(index))
        if target is not None and target[1] is not None and target[1].is_numeric:
            self.card_requested.emit(target[0], target[1].path)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.view.expandAll()  # the matching fields, not just their types


KIND = PanelKind(
    name="fields",
    title="Fields",
    widget=lambda context, options: FieldBrowser(clock=context.clock),
    description="the fields seen in each event type",
    fixed=True,
)
