"""Qt objects made from the data files."""

from __future__ import annotations

import logging

from PySide6.QtGui import QIcon

from dashboard.resources import resource

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    """The window icon; a missing file or SVG plugin (a broken bundle) is said, not hidden."""
    path = resource("icons", "dashboard.svg")
    icon = QIcon(str(path))
    if not path.is_file() or icon.pixmap(32, 32).isNull():
        log.warning("cannot load the application icon %s (file or Qt SVG plugin missing)", path)
    return icon
