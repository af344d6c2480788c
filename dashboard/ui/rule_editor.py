"""The alert rule editor: the layout's rules in a list, one rule's settings in a form with
the layout file's own message under a setting that is wrong, and a preview of how often
the rule would have fired over the events held. The editing and the preview are
:mod:`dashboard.core.monitor.rule_editing`; this only shows them.

OK ("Save") stays disabled while any rule has a problem; :func:`edit_rules` gives the
window's monitor the rules and saves them into the layout file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Event, Severity
from dashboard.core.events.summary import one_line
from dashboard.core.monitor.rule_editing import (
    PREVIEW_EVENTS,
    PREVIEW_WINDOW_S,
    SETTINGS,
    RuleTables,
    is_enabled,
    preview,
)
from dashboard.ui.theme import Themed, current

if TYPE_CHECKING:
    from dashboard.core.storage.store import EventStore
    from dashboard.ui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+A"
PREVIEW_DELAY_MS = 300  # the preview runs once typing pauses this long
LABELS = {
    "name": "Name",
    "when": "When",
    "condition": "Condition",
    "for": "For",
    "severity": "Severity",
    "group_by": "Group by",
    "message": "Message",
}
PLACEHOLDERS = {
    "when": "the events it looks at, like type:metrics.update (empty: every event)",
    "condition": "cpu > 90, or count(type:payment.failed) > 5 per 1m",
    "for": "true this long before it fires, like 30s (empty: at once)",
    "group_by": "one alert per value of this: source (the default), data.host...",
    "message": "{rule} on {key} (the default); {source}, {data.cpu:.1f}, {count}",
}


def held_events(store: EventStore) -> list[Event]:
    """The newest events held, as many as the preview looks at."""
    start = max(store.first_seq, store.end_seq - PREVIEW_EVENTS)
    return store.events(start, store.end_seq)


class RuleEditor(Themed, QDialog):
    """Edits a copy of *rules* (layout tables); :meth:`tables` is the result.

    *events* answers the events the preview runs through, *clock* the time it counts back
    from (the replay's clock in a replay window).
    """

    def __init__(
        self,
        rules: Sequence[dict[str, Any]],
        events: Callable[[], Sequence[Event]],
        clock: Callable[[], float],
        parent: QWidget | None = None,
        preview_delay_ms: int = PREVIEW_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Alert rules")
        self.model = RuleTables(rules)
        self.events = events
        self.clock = clock
        self._loading = False
        left = self._build_rule_list()
        self._build_form()
        self._build_editor()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self._split(left, self.editor), 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(preview_delay_ms)
        self.preview_timer.timeout.connect(self.update_preview)
        self.resize(820, 480)
        self.styled()
        self._fill_list()
        self.list.setCurrentRow(0 if len(self.model) else -1)
        self._show_rule(self.list.currentRow())

    def _build_rule_list(self) -> QWidget:
        """The rules' names over the Add, Duplicate and Delete buttons."""
        self.list = QListWidget()
        self.list.setMinimumWidth(180)
        self.list.currentRowChanged.connect(self._show_rule)
        self.add_button = QPushButton("&Add")
        self.add_button.setToolTip("A new rule")
        self.add_button.clicked.connect(self.add_rule)
        self.duplicate_button = QPushButton("D&uplicate")
        self.duplicate_button.setToolTip("A copy of the selected rule, to change")
        self.duplicate_button.clicked.connect(self.duplicate_rule)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setToolTip("Remove the selected rule")
        self.delete_button.clicked.connect(self.delete_rule)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.duplicate_button, self.delete_button):
            buttons.addWidget(button)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.list, 1)
        left_column.addLayout(buttons)
        return left

    def _build_form(self) -> None:
        """One row per setting (its field over its error), then the Enabled box."""
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.enabled_box = QCheckBox("&Enabled (a disabled rule stays in the layout, unwatched)")
        self.enabled_box.toggled.connect(self._enabled_changed)
        for key in SETTINGS:
            self.fields[key] = self._field(key)
            self.errors[key] = error = self._error_label()
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(self.fields[key])
            column.addWidget(error)
            self.form.addRow(f"{LABELS[key]}:", cell)
        self.form.addRow("", self.enabled_box)

    @staticmethod
    def _error_label() -> QLabel:
        error = QLabel()
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)  # a message may quote what was typed
        error.hide()
        return error

    def _build_editor(self) -> None:
        """The form with the preview under it."""
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setToolTip(
            f"The rule run alone over the events of the last {PREVIEW_WINDOW_S / 60:g} "
            f"minutes held (at most the newest {PREVIEW_EVENTS:,}), with no silences"
        )
        self.editor = QWidget()
        right_column = QVBoxLayout(self.editor)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(self.form)
        # (under the form, across it: a wrapped label in a form row is given one line)
        right_column.addSpacing(6)
        right_column.addWidget(self.preview_label)
        right_column.addStretch(1)

    @staticmethod
    def _split(left: QWidget, right: QWidget) -> QSplitter:
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 560])
        splitter.setChildrenCollapsible(False)
        return splitter

    def _build_buttons(self) -> None:
        """Save and Cancel, and the line naming the other rules that hold a problem."""
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Save")
        self.ok_button.setToolTip("Watch with these rules and save them into the layout file")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.summary = QLabel()  # which other rules hold a problem
        self.summary.setWordWrap(True)

    def _field(self, key: str) -> QLineEdit | QComboBox:
        if key == "severity":
            combo = QComboBox()
            combo.addItems([s.label for s in Severity])
            combo.currentTextChanged.connect(lambda text: self._edited(key, text))
            return combo
        line = QLineEdit()
        line.setPlaceholderText(PLACEHOLDERS.get(key, ""))
        line.textEdited.connect(lambda text: self._edited(key, text))
        return line

    def restyle(self) -> None:
        theme = current()
        for error in self.errors.values():
            error.setStyleSheet(f"color: {theme.level_colour('critical')};")
        self.summary.setStyleSheet(f"color: {theme.level_colour('critical')};")
        self.preview_label.setStyleSheet(f"color: {theme.text};")
        if self.list.count():
            self._fill_list()

    # -- the list ------------------------------------------------------------------------
    @property
    def index(self) -> int:
        return self.list.currentRow()

    def tables(self) -> list[dict[str, Any]]:
        return self.model.tables()

    def _fill_list(self) -> None:
        """Each rule's name; a disabled one greyed, one with a problem marked."""
        problems = self.model.problems()
        theme = current()
        row = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for index in range(len(self.model)):
            text = one_line(self.model.text(index, "name") or "(no name)", 60)
            item = QListWidgetItem()
            if index in problems:
                text = f"⚠ {text}"
                item.setForeground(QBrush(QColor(theme.level_colour("critical"))))
            elif not is_enabled(self.model.rules[index]):
                text = f"{text} (disabled)"
                item.setForeground(QBrush(QColor(theme.muted)))
            item.setText(text)
            self.list.addItem(item)
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self.list.blockSignals(False)
        self._check()

    def select(self, index: int) -> None:
        self._fill_list()
        self.list.setCurrentRow(index)

    def add_rule(self) -> None:
        self.select(self.model.add())
        self.fields["condition"].setFocus()

    def duplicate_rule(self) -> None:
        if self.index >= 0:
            self.select(self.model.duplicate(self.index))
            self.fields["name"].setFocus()

    def delete_rule(self) -> None:
        if self.index >= 0:
            index = self.index
            self.model.delete(index)
            self._fill_list()
            self.list.setCurrentRow(min(index, len(self.model) - 1))
            self._show_rule(self.list.currentRow())

    # -- one rule ------------------------------------------------------------------------
    def _show_rule(self, index: int) -> None:
        has_rule = index >= 0
        self.editor.setEnabled(has_rule)
        self.duplicate_button.setEnabled(has_rule)
        self.delete_button.setEnabled(has_rule)
        self._loading = True
        try:
            for key, widget in self.fields.items():
                text = self.model.text(index, key) if has_rule else ""
                if isinstance(widget, QComboBox):
                    named = Severity.named(text or "warning")
                    widget.setCurrentText(named.label if named else text)
                else:
                    widget.setText(text)
            self.enabled_box.setChecked(not has_rule or is_enabled(self.model.rules[index]))
        finally:
            self._loading = False
        self._check()
        self.update_preview()

    def _edited(self, key: str, text: str) -> None:
        if self._loading or self.index < 0:
            return
        self.model.set_text(self.index, key, text)
        self._changed()

    def _enabled_changed(self, on: bool) -> None:
        if self._loading or self.index < 0:
            return
        self.model.set_enabled(self.index, on)
        self._changed()

    def _changed(self) -> None:
        self._fill_list()  # (a name or a problem changed)
        if self.model.problem(self.index) is None:
            self.preview_timer.start()  # (running the rule takes a while: once typing pauses)
        else:
            self.update_preview()  # (says at once that it cannot run)

    def _check(self) -> None:
        """The selected rule's problem under its setting; Save only when none has one."""
        problems = self.model.problems()
        mine = problems.get(self.index)
        for key, error in self.errors.items():
            text = str(mine) if mine is not None and _setting(mine.key) == key else ""
            error.setText(text)
            error.setVisible(bool(text))
        others = [i for i in problems if i != self.index]
        self.summary.setText(
            "Also to fix: " + ", ".join(one_line(self.model.text(i, "name"), 40) for i in others)
            if others
            else ""
        )
        self.summary.setVisible(bool(others))
        self.ok_button.setEnabled(not problems)

    def update_preview(self) -> None:
        """How often the selected rule would have fired (when it can be run)."""
        self.preview_timer.stop()
        index = self.index
        if index < 0:
            text = "Add a rule to see how often it would have fired."
        elif self.model.problem(index) is not None:
            text = "Fix the rule to see how often it would have fired."
        else:
            text = preview(self.model.rules[index], self.events(), self.clock()).text()
        self.preview_label.setText(text)


def _setting(key: str) -> str:
    """The form field a rule error belongs under (an unknown setting: under the name)."""
    return key if key in SETTINGS else "name"


def edit_rules(window: MainWindow) -> RuleEditor:
    """Open the editor on *window*'s rules (not modal to the feed: events keep coming);
    on Save, watch with the new rules and save them into the layout (the live window; a
    replay window only watches with them)."""
    editor = RuleEditor(
        window.monitor.rule_settings, lambda: held_events(window.store), window.now, window
    )
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.accepted.connect(lambda: apply_rules(window, editor.tables()))
    editor.open()
    return editor


def apply_rules(window: MainWindow, tables: list[dict[str, Any]]) -> None:
    """Watch with *tables* from now on and save them into the layout file."""
    window.monitor.configure(tables, window.monitor.conventions)
    window.alerts.refresh(force=True)
    enabled = sum(is_enabled(t) for t in tables)
    if window.player is None and window.save_layout():
        return  # (the status bar says where it was saved)
    window.statusBar().showMessage(
        f"{enabled} of {len(tables)} rule(s) watched; not saved to a layout file", 10_000
    )


def add_to_window(window: MainWindow) -> QAction:
    """An Alerts menu with "Edit rules…", and the alerts panel's Rules
    button, both opening the editor."""
    action = QAction("Edit &rules…", window)
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setToolTip("Add, change, disable and delete the layout's alert rules")
    action.triggered.connect(lambda: edit_rules(window))
    window.menuBar().addMenu("&Alerts").addAction(action)
    window.alerts.rules_requested.connect(action.trigger)
    return action
