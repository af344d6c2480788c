"""Qt objects made from the data files."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from dashboard.resources import resource


def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "dashboard.svg")))
