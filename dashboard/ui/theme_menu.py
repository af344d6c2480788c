"""The View menu's theme choice: dark, light or the system's, remembered in the settings."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu

from dashboard.ui import theme


def add_theme_menu(view_menu: QMenu, settings: QSettings) -> QMenu:
    """A "Theme" submenu of *view_menu*; a choice applies at once and is remembered."""
    menu = view_menu.addMenu("&Theme")
    group = QActionGroup(menu)
    chosen = theme.current_choice()
    for choice, text in theme.CHOICES:
        action = QAction(text, menu, checkable=True)
        action.setData(choice)
        action.setChecked(choice == chosen)
        action.triggered.connect(lambda _on, c=choice: choose(c, settings))
        group.addAction(action)
        menu.addAction(action)
    menu.aboutToShow.connect(lambda: _check(group))  # another window may have changed it
    return menu


def choose(choice: str, settings: QSettings) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, choice)
    settings.setValue(theme.SETTING, choice)


def _check(group: QActionGroup) -> None:
    chosen = theme.current_choice()
    for action in group.actions():
        action.setChecked(action.data() == chosen)
