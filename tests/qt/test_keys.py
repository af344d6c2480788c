"""Keys across the window: Ctrl+Tab between a panel's tabs, Tab out of tables, and the
shortcuts list made from the window's own actions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from dashboard.ui.app import Dashboard
from dashboard.ui.keys import Shortcut, ShortcutsDialog, markdown_table, shortcuts


def _window(qtbot: Any, settings: QSettings) -> Any:
    window = Dashboard([], settings=settings).window
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def _menu_actions(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        if isinstance(action.menu(), QMenu):
            found += _menu_actions(action.menu())  # type: ignore[arg-type]
        elif action.shortcuts():
            found.append(action)
    return found


def test_the_list_holds_every_shortcut_of_the_menus_and_the_window(
    qtbot: Any, settings: QSettings
) -> None:
    window = _window(qtbot, settings)
    listed = shortcuts(window)
    in_menus = [a for top in window.menuBar().actions() for a in _menu_actions(top.menu())]
    assert len([s for s in listed if s.where != "Window"]) == len(in_menus) >= 15
    assert Shortcut("File", "Add connection", "Ctrl+N") in listed
    assert Shortcut("View", "Jump to latest event", "End") in listed
    assert Shortcut("Help", "Keyboard shortcuts", "F1, ?") in listed
    assert Shortcut("Window", "Next tab of the panel in focus", "Ctrl+Tab, Ctrl+PgDown") in listed
    assert (
        Shortcut("Window", "Previous tab of the panel in focus", "Ctrl+Shift+Tab, Ctrl+PgUp")
        in listed
    )
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    rows = [
        tuple(dialog.table.item(r, c).text() for c in range(3))
        for r in range(dialog.table.rowCount())
    ]
    assert rows == [(s.where, s.what, s.keys) for s in listed]


def test_ctrl_tab_goes_round_the_tabs_of_the_panel_in_focus(
    qtbot: Any, settings: QSettings
) -> None:
    window = _window(qtbot, settings)
    tabs = window.side_tabs
    tabs.setCurrentIndex(1)
    window.rejected_view.setFocus()
    qtbot.waitUntil(window.rejected_view.hasFocus, timeout=2000)
    assert not window.rejected_view.tabKeyNavigation()  # Tab leaves the table
    qtbot.keyClick(window.rejected_view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 2
    last = tabs.count() - 1
    tabs.setCurrentIndex(last)
    qtbot.keyClick(tabs.currentWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 0  # round from the last
    qtbot.keyClick(tabs.currentWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == last
    window.log_view.setFocus()  # in no tabs: the alerts dock's are the ones it turns
    qtbot.waitUntil(window.log_view.hasFocus, timeout=2000)
    qtbot.keyClick(window.log_view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 0


def test_the_readme_lists_the_live_window_s_shortcuts(qtbot: Any, settings: QSettings) -> None:
    window = Dashboard([], settings=settings).window
    qtbot.addWidget(window)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- shortcuts -->\n(.*?)\n<!-- /shortcuts -->", readme, re.S)
    assert block, "README.md has no <!-- shortcuts --> table"
    assert block.group(1) == markdown_table(shortcuts(window))


def test_f1_opens_the_list_and_a_question_mark_typed_in_the_filter_stays_text(
    qtbot: Any, settings: QSettings, monkeypatch: Any
) -> None:
    opened: list[ShortcutsDialog] = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    window = _window(qtbot, settings)
    box = window.log_panel.filter_edit
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=2000)
    qtbot.keyClicks(box, "a?b")
    assert box.text() == "a?b" and opened == []
    window.log_view.setFocus()
    qtbot.waitUntil(window.log_view.hasFocus, timeout=2000)
    qtbot.keyClick(window.log_view, Qt.Key.Key_F1)
    assert len(opened) == 1 and opened[0].table.rowCount() == len(shortcuts(window))
