"""The alert panel: one row per alert (repeats counted, not listed again), its state, and
what the operator can do: acknowledge, silence, clear resolved, filter, see its events.
It shows the monitor's book (core.monitor); the monitor takes the events in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Severity
from dashboard.core.events.summary import one_line
from dashboard.core.lang.query import ENVELOPE_TEXT, clause
from dashboard.core.layouts.tables import ALERTS
from dashboard.core.monitor import Monitor
from dashboard.core.monitor.alertbook import AlertBook, AlertEntry, Origin, Silence
from dashboard.core.monitor.feedalerts import AlertConventions
from dashboard.core.monitor.rules import AlertRule, AlertState, CountCondition
from dashboard.core.panels.panelkind import Options, PanelKind
from dashboard.ui.log_model import clock_text, full_time_text
from dashboard.ui.panels.tables import ListTableModel, make_table
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import severity_colour

# First seen is in the tooltip: the message needs the room more. The alert's name (its
# rule, or the feed's alert type) is the last column of the model, shown after the state.
COLUMNS = ("", "Severity", "State", "Count", "Last seen", "Source", "Message", "Alert")
COLUMN_WIDTHS = (22, 64, 76, 52, 92, 80)
ALERT, ALERT_SHOWN_AT, ALERT_WIDTH = 7, 3, 110
ICONS = {AlertState.FIRING: "●", AlertState.PENDING: "◐", AlertState.RESOLVED: "✓"}
MUTED = "🔕"  # a silence covers the alert: its new occurrences are not shown
SILENCE_FOR = (("15 minutes", 900.0), ("1 hour", 3600.0), ("4 hours", 14_400.0))
SEVERITY_FILTERS = (
    ("All severities", Severity.DEBUG),
    ("Warning and up", Severity.WARNING),
    ("Error and up", Severity.ERROR),
    ("Critical", Severity.CRITICAL),
)
STATE_FILTERS = (
    ("Any state", ()),
    ("Firing", (AlertState.FIRING,)),
    ("Pending", (AlertState.PENDING,)),
    ("Resolved", (AlertState.RESOLVED,)),
)
_Index = QModelIndex | QPersistentModelIndex


class AlertBookModel(ListTableModel):
    """The book's entries that pass the filters, newest first alert at the top. Rows keep
    their place while they repeat (so a selection stays put); new alerts come in at the
    top, or, while :attr:`frozen` (the operator aims at a row), at the bottom, to take
    their place at the top once :meth:`settle` is called."""

    columns = COLUMNS

    def __init__(
        self, book: AlertBook | None = None, parent: Any = None, clock: Any = None
    ) -> None:
        super().__init__(parent)
        self.book = book or AlertBook()
        self.clock = clock  # now, for the silences' muted mark (None: no mark)
        self.min_severity = Severity.DEBUG
        self.states: tuple[AlertState, ...] = ()
        self._rows: list[AlertEntry] = []
        self.frozen = False

    def entry_at(self, row: int) -> AlertEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_filter(self, min_severity: Severity, states: tuple[AlertState, ...]) -> None:
        self.min_severity, self.states = min_severity, states
        self.rebuild()

    def _wanted(self) -> list[AlertEntry]:
        shown = self.book.shown(self.min_severity, self.states)
        return sorted(shown, key=lambda e: e.first_seen, reverse=True)

    def rebuild(self) -> None:
        self.beginResetModel()
        self._rows = self._wanted()
        self.endResetModel()

    def update(self) -> None:
        """After the book changed: new rows at the top, the rest kept where they are (even
        among alerts first seen at the same time) and repainted in place."""
        wanted = self._wanted()
        known = {id(e) for e in self._rows}
        new = [e for e in wanted if id(e) not in known]
        if len(wanted) != len(self._rows) + len(new):
            self.rebuild()  # something went (cleared, filtered out): start again
            return
        if new:
            at = len(self._rows) if self.frozen else 0
            self.beginInsertRows(QModelIndex(), at, at + len(new) - 1)
            self._rows[at:at] = new
            self.endInsertRows()
        if self._rows:
            last = self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def settle(self) -> None:
        """Put rows that came in while frozen where they belong (a no-op if they are)."""
        if [id(e) for e in self._rows] != [id(e) for e in self._wanted()]:
            self.rebuild()

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry_at(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = index.column()
        silence = self.book.silenced_by(entry, self.clock()) if self.clock else None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                MUTED if silence is not None else ICONS.get(entry.state, ""),
                entry.severity.label,
                entry.state.value + ("" if entry.acknowledged else " •"),
                f"{entry.count:,}",
                clock_text(entry.last_seen),
                one_line(entry.key, 80),
                one_line(entry.message, 300),
                one_line(entry.name, 80),
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if entry.state is AlertState.RESOLVED or entry.acknowledged:
                return severity_colour(Severity.DEBUG) if column != 1 else None
            if column in (0, 1, 6):
                return severity_colour(entry.severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(entry, silence)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _tooltip(entry: AlertEntry, silence: Silence | None) -> str:
    """An alert, in words: where from, for what, its state, counts and times."""
    origin = {Origin.FEED: "from the feed", Origin.RULE: "local rule",
              Origin.CONNECTION: "connection health"}[entry.origin]  # fmt: skip
    ack = "acknowledged" if entry.acknowledged else "not acknowledged yet (•)"
    labels = ", ".join(f"{k}={v}" for k, v in entry.labels)
    muted = (
        f"\n{MUTED} silenced until {full_time_text(silence.until)}" if silence is not None else ""
    )
    return plain_tooltip(
        f"{entry.name} ({origin}) for {entry.key or 'everything'}"
        f"{f' [{labels}]' if labels else ''}: {entry.state.value}, "
        f"{ack}\n{entry.count:,} times, first {full_time_text(entry.first_seen)}, "
        f"last {full_time_text(entry.last_seen)}\n{entry.message}{muted}\n"
        "Double-click: show its events in the log"
    )


def events_query(entry: AlertEntry, rules: Mapping[str, AlertRule]) -> str:
    """The log filter that shows the events behind *entry*: for a rule's alert, the events
    the rule looks at that meet its condition, of the alert's key."""
    if entry.origin is Origin.FEED:
        named = f" {clause('data.' + entry.name_field, entry.name)}" if entry.name_field else ""
        return f"{clause('type', entry.event_type)} {clause('source', entry.key)}{named}"
    if entry.origin is Origin.CONNECTION:
        return clause("connection", entry.key)
    rule = rules.get(entry.name)
    if rule is None:
        return clause("source", entry.key) if entry.key else ""
    condition = rule.condition
    matching = condition.query if isinstance(condition, CountCondition) else condition
    parts = [f"({q.text})" for q in (rule.when, matching) if not q.is_empty]
    if rule.group_by:
        envelope = rule.group_by in ENVELOPE_TEXT
        field = rule.group_by if envelope else "data." + rule.group_by.removeprefix("data.")
        parts.append(clause(field, entry.key))
    return " ".join(parts)


class AlertPanel(QWidget):
    """The alert table with its filters and actions.

    Signals:
        changed(): the number of alerts needing attention may have changed.
        filter_requested(str): show these events in the log (an alert was double-clicked).
        silenced(): the operator silenced an alert (the silences list shows it).
    """

    changed = Signal()
    filter_requested = Signal(str)
    silenced = Signal()
    rules_requested = Signal()

    def __init__(self, monitor: Monitor, clock: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.clock = clock  # now, for silences (a replay's clock in a replay window)
        self.model = AlertBookModel(monitor.book, parent=self, clock=clock)
        self._noted = monitor.noted
        self.view = make_table(self.model, COLUMN_WIDTHS, self)
        self.view.horizontalHeader().moveSection(ALERT, ALERT_SHOWN_AT)
        self.view.setColumnWidth(ALERT, ALERT_WIDTH)
        self.view.doubleClicked.connect(self._show_events)
        # Rows stay put while the pointer is over them or one is selected (see _freeze).
        self.view.viewport().installEventFilter(self)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._freeze())
        self.severity_box = QComboBox()
        for text, level in SEVERITY_FILTERS:
            self.severity_box.addItem(text, level)
        self.state_box = QComboBox()
        for text, states in STATE_FILTERS:
            self.state_box.addItem(text, states)
        for box in (self.severity_box, self.state_box):
            box.currentIndexChanged.connect(self._filter)
        self._make_buttons()

        filters, actions = QHBoxLayout(), QHBoxLayout()  # two rows: the panel may be narrow
        for row, widgets in (
            (filters, (self.severity_box, self.state_box, self.rules_button)),
            (actions, (self.ack_button, self.ack_all_button, self.silence_button,
                       self.clear_button)),
        ):  # fmt: skip
            row.setContentsMargins(0, 0, 0, 0)
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)

    def _make_buttons(self) -> None:
        """Acknowledge (Ctrl+K), All, Silence (a menu), Clear resolved and Rules… (the editor)."""
        self.rules_button = self._button("Rules…", "Add, change, disable, delete alert rules")
        self.rules_button.clicked.connect(self.rules_requested)
        self.ack_button = self._button("Acknowledge", "Mark the selected alert as seen (Ctrl+K)")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.ack_all_button = self._button("All", "Acknowledge every firing alert")
        self.ack_all_button.clicked.connect(self.acknowledge_all)
        self.silence_button = QToolButton()
        self.silence_button.setText("Silence")
        self.silence_button.setToolTip("No new alerts from the selected alert's rule or key")
        self.silence_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.silence_button.setMenu(QMenu(self.silence_button))
        self.silence_button.menu().aboutToShow.connect(self._fill_silence_menu)
        self.clear_button = self._button("Clear resolved", "Remove the resolved alerts")
        self.clear_button.clicked.connect(self.clear_resolved)
        acknowledge = QAction("Acknowledge the selected alert", self)
        acknowledge.setShortcut(QKeySequence("Ctrl+K"))
        acknowledge.triggered.connect(self.acknowledge_selected)
        self.addAction(acknowledge)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.Leave):
            self._freeze(event.type() == QEvent.Type.Enter)
        return False

    def _freeze(self, hovered: bool | None = None) -> None:
        """New alerts wait at the bottom while the operator aims at a row (the pointer on
        the table, or a row selected); after, they go to the top."""
        if hovered is None:
            hovered = self.view.viewport().underMouse()
        frozen = hovered or self.view.currentIndex().isValid()
        if self.model.frozen and not frozen:
            self.model.frozen = False
            self.model.settle()
        self.model.frozen = frozen

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        return button

    @property
    def book(self) -> AlertBook:
        return self.monitor.book

    @property
    def rules(self) -> dict[str, AlertRule]:
        """The layout's rules by name: what a row's events are."""
        return self.monitor.rules

    # -- what comes in -----------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Show what the monitor took in since the last refresh (*force*: repaint anyway,
        after a silence or a reset)."""
        if self.model.book is not self.monitor.book:  # the monitor started over
            self.model.book = self.monitor.book
            self.model.rebuild()
        elif self.monitor.noted == self._noted and not force:
            return
        self._noted = self.monitor.noted
        self._changed()

    def _changed(self) -> None:
        self.model.update()
        self.changed.emit()

    # -- a panel of the window: the layout's rules and conventions are its options ---------
    def reset(self) -> None:
        self.refresh(force=True)

    def options(self) -> Options:
        rules = [dict(r) for r in self.monitor.rule_settings]
        return {"rules": rules, "alerts": self.monitor.conventions}

    def set_options(self, options: Options) -> None:
        self.monitor.configure(options["rules"], options.get("alerts", AlertConventions()))
        self.refresh()

    def tab_text(self) -> str:
        waiting = self.book.unacknowledged
        return f"Alerts ({waiting:,})" if waiting else "Alerts"

    def tab_tip(self) -> str:
        kept, rules = self.monitor.conventions, len(self.monitor.rule_settings)
        return (
            f"Alerts from the feed (types {', '.join(kept.types)}, or severity "
            f"{kept.min_severity} and up), from the layout's {rules} rule(s), and feeds down "
            f"for over {kept.connection_down:g} s; the count is those firing and not "
            "acknowledged"
        )

    # -- what the operator does --------------------------------------------------------
    def selected(self) -> AlertEntry | None:
        index = self.view.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    def acknowledge_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.book.acknowledge(entry)
            self._changed()

    def acknowledge_all(self) -> None:
        self.book.acknowledge_all()
        self._changed()

    def clear_resolved(self) -> None:
        self.book.clear_resolved()
        self.model.rebuild()
        self.changed.emit()

    def silence(self, entry: AlertEntry, whole_rule: bool, seconds: float) -> None:
        self.book.silence(entry.name, None if whole_rule else entry.key, self.clock() + seconds)
        self.book.acknowledge(entry)
        self._changed()
        self.silenced.emit()

    def _fill_silence_menu(self) -> None:
        menu = self.silence_button.menu()
        menu.clear()
        entry = self.selected()
        if entry is None:
            menu.addAction("Select an alert first").setEnabled(False)
            return
        for text, seconds in SILENCE_FOR:
            menu.addAction(
                f"{one_line(entry.name, 40)} on {one_line(entry.key or 'everything', 30)} "
                f"for {text}",
                lambda s=seconds: self.silence(entry, False, s),
            )
        menu.addSeparator()
        for text, seconds in SILENCE_FOR:
            menu.addAction(
                f"{one_line(entry.name, 40)} everywhere for {text}",
                lambda s=seconds: self.silence(entry, True, s),
            )

    def _filter(self) -> None:
        self.model.set_filter(self.severity_box.currentData(), self.state_box.currentData())

    def _show_events(self, index: QModelIndex) -> None:
        entry = self.model.entry_at(index.row())
        if entry is not None:
            self.filter_requested.emit(events_query(entry, self.rules))


KIND = PanelKind(
    name="alerts",
    title="Alerts",
    widget=lambda context, options: AlertPanel(context.monitor, context.clock),
    description="pending, firing and resolved alerts",
    fixed=True,
    table="[[rules]] and [alerts]",
    place="side-tab",
    layout=ALERTS,
)
