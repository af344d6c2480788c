"""Keys that work across the window: Ctrl+Tab / Ctrl+PgDn between the tabs of a panel,
and the "Keyboard shortcuts" list (F1 or ?), made from the window's own actions and
shortcuts so that it cannot disagree with them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

NEXT_TAB = ("Ctrl+Tab", "Ctrl+PgDown")
PREVIOUS_TAB = ("Ctrl+Shift+Tab", "Ctrl+PgUp")


@dataclass(frozen=True)
class Shortcut:
    where: str  # the menu it is in ("File"), or "Window" for a shortcut of no menu
    what: str  # the action's text, without its & marks
    keys: str  # "Ctrl+S", or "F1, ?" for several


def _keys(sequences: list[QKeySequence]) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)


def _text(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…")


def shortcuts(window: QMainWindow) -> list[Shortcut]:
    """Every shortcut of *window*: its menus' actions (in menu order) and the shortcuts of
    no menu (QShortcut objects, named by their whatsThis)."""
    found: list[Shortcut] = []

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                walk(submenu, f"{where} > {_text(submenu.title())}")
            elif action.shortcuts() and action.isVisible():
                found.append(Shortcut(where, _text(action.text()), _keys(action.shortcuts())))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, _text(menu.title()))
    in_menus = {(s.what, s.keys) for s in found}
    for action in window.findChildren(QAction):  # a panel's own keys (Ctrl+K: acknowledge)
        row = Shortcut("Window", _text(action.text()), _keys(action.shortcuts()))
        if action.shortcuts() and row.what and (row.what, row.keys) not in in_menus:
            found.append(row)
    seen: dict[str, list[QKeySequence]] = {}
    for shortcut in window.findChildren(QShortcut):
        if shortcut.whatsThis():
            seen.setdefault(shortcut.whatsThis(), []).append(shortcut.key())
    found += [Shortcut("Window", what, _keys(keys)) for what, keys in seen.items()]
    return found


class ShortcutsDialog(QDialog):
    """The shortcuts as a table: where, what, keys."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcuts(window)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
        for row, shortcut in enumerate(rows):
            for column, text in enumerate((shortcut.where, shortcut.what, shortcut.keys)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.table)
        column.addWidget(buttons)
        available = window.screen().availableGeometry()
        self.resize(min(640, available.width() - 40), min(560, available.height() - 80))


def _tabs_of(widget: QWidget | None) -> QTabWidget | None:
    while widget is not None:
        if isinstance(widget, QTabWidget):
            return widget
        widget = widget.parentWidget()
    return None


def _dock_of(widget: QWidget | None) -> QDockWidget | None:
    while widget is not None:
        if isinstance(widget, QDockWidget):
            return widget
        widget = widget.parentWidget()
    return None


class TabKeys(QObject):
    """Ctrl+Tab / Ctrl+PgDn (and back with Shift, or Ctrl+PgUp) go to the next tab of the
    panel that has the focus: its tab widget, else the docks stacked as tabs with it, else
    *fallback* (the alerts dock's tabs)."""

    def __init__(self, window: QMainWindow, fallback: QTabWidget) -> None:
        super().__init__(window)
        self.window_ = window
        self.fallback = fallback
        for keys, step, what in (
            (NEXT_TAB, 1, "Next tab of the panel in focus"),
            (PREVIOUS_TAB, -1, "Previous tab of the panel in focus"),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), window)
                shortcut.setWhatsThis(what)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(lambda s=step: self.step(s))

    def step(self, step: int) -> None:
        focus = QApplication.focusWidget()
        tabs = _tabs_of(focus)
        dock = _dock_of(focus)
        if tabs is None and dock is not None and self.window_.tabifiedDockWidgets(dock):
            group = [dock, *self.window_.tabifiedDockWidgets(dock)]
            group.sort(key=lambda d: d.objectName())
            target = group[(group.index(dock) + step) % len(group)]
            target.raise_()
            target.setFocus(Qt.FocusReason.TabFocusReason)
            return
        tabs = tabs or self.fallback
        if tabs.count():
            tabs.setCurrentIndex((tabs.currentIndex() + step) % tabs.count())
            tabs.currentWidget().setFocus(Qt.FocusReason.TabFocusReason)


def help_action(window: QMainWindow) -> QAction:
    """Help > Keyboard shortcuts (F1, ?)."""
    action = QAction("&Keyboard shortcuts", window)
    action.setShortcuts([QKeySequence(Qt.Key.Key_F1), QKeySequence("?")])
    action.setToolTip("Every key of the window, from its menus")
    action.triggered.connect(lambda: ShortcutsDialog(window).exec())
    return action


def markdown_table(rows: list[Shortcut]) -> str:
    """The shortcuts as the README's table (tests/qt/test_keys.py keeps it in step)."""
    lines = ["| menu | action | keys |", "| --- | --- | --- |"]
    for row in rows:
        keys = ", ".join(f"<kbd>{key}</kbd>" for key in row.keys.split(", "))
        lines.append(f"| {row.where} | {row.what} | {keys} |")
    return "\n".join(lines)
