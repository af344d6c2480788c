"""A window's size and place on the screens there are now (see core.layouts.placement)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from dashboard.core.layouts.placement import Rect, first_place, on_screen


def _rect(rect: QRect) -> Rect:
    return (rect.x(), rect.y(), rect.width(), rect.height())


def available_screens() -> list[Rect]:
    """Each screen's available area (without panels and docks), the primary first."""
    primary = QGuiApplication.primaryScreen()
    screens = [primary, *(s for s in QGuiApplication.screens() if s is not primary)]
    return [_rect(s.availableGeometry()) for s in screens if s is not None]


def place_window(window: QWidget, saved: object, screens: list[Rect] | None = None) -> None:
    """The *saved* geometry (``saveGeometry``), kept on one of the *screens* (default: the
    ones there are); without one, most of the first screen."""
    screens = available_screens() if screens is None else screens
    if isinstance(saved, QByteArray) and window.restoreGeometry(saved):
        if window.isMaximized() or window.isFullScreen():
            return
        now = _rect(window.geometry())
        moved = on_screen(now, screens)
        if moved != now:
            window.setGeometry(QRect(*moved))
        return
    if screens:
        window.setGeometry(QRect(*first_place(screens[0])))
