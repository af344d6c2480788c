"""The first window is sized from the screen, and a remembered one is kept on a screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from dashboard.core.layouts.placement import first_place
from dashboard.ui.app import Dashboard
from dashboard.ui.geometry import place_window

SMALL = (0, 0, 1366, 740)


def test_the_first_window_takes_most_of_the_screen(qtbot: Any, settings: QSettings) -> None:
    window = Dashboard([], settings=settings).window
    qtbot.addWidget(window)
    screen = QGuiApplication.primaryScreen().availableGeometry()  # 800 x 800 offscreen
    expected = first_place((screen.x(), screen.y(), screen.width(), screen.height()))
    assert window.geometry() == QRect(*expected)
    assert window.width() < 1280  # no longer a fixed 1280 x 820, partly off an 800 x 800 screen


def test_a_window_from_a_screen_now_gone_comes_back(qtbot: Any) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    place_window(window, None, screens=[SMALL])
    assert window.geometry() == QRect(68, 37, 1229, 666)
    window.setGeometry(QRect(600, 300, 700, 400))
    saved = window.saveGeometry()
    again = QMainWindow()
    qtbot.addWidget(again)
    # the same place on a screen that is now only 800 x 500: moved and shrunk onto it
    place_window(again, saved, screens=[(0, 0, 800, 500)])
    assert QRect(0, 0, 800, 500).contains(again.geometry())
    assert (again.width(), again.height(), again.y()) == (700, 400, 100)
