"""Notifications and status bar messages quote events and servers: their control characters
and bidi overrides show as visible escapes, never act."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

from dashboard.core.events.event import Severity
from dashboard.core.monitor.notifications import Notice
from dashboard.core.storage.store import EventStore
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.notify import Notifier, no_markup
from dashboard.ui.status import DashboardStatusBar
from dashboard.ui.toast import Toast

TITLE = "disk \x1b]0;pwned\x07"
TEXT = "full <b>\x1b[2J\x1b[31m\u202eevil\x00</b>"


def status_bar(qtbot: Any) -> DashboardStatusBar:
    """A status bar in a window of its own, which it keeps a reference to (the window's
    deletion would take the bar with it)."""
    window = QMainWindow()
    qtbot.addWidget(window)
    store = EventStore(capacity=100)
    bar = DashboardStatusBar(store, ConnectionManager(store, window))
    window.setStatusBar(bar)
    bar.window_ = window  # type: ignore[attr-defined]
    return bar


def test_a_notification_without_a_tray_shows_escapes_in_a_toast(
    qtbot: Any, settings: QSettings
) -> None:
    bar = status_bar(qtbot)
    toast = Toast(bar.window_)  # type: ignore[attr-defined]
    notifier = Notifier(settings, toast)
    notifier.tray = None  # no system tray: a toast in the window says it
    notifier.show([Notice(TITLE, TEXT, Severity.CRITICAL)])
    assert toast.isVisibleTo(bar.window_)  # type: ignore[attr-defined]
    assert toast.title.text() == "disk \\x1b]0;pwned\\x07"
    assert toast.text.text() == "full <b>\\x1b[2J\\x1b[31m\\u202eevil\\x00</b>"
    assert bar.currentMessage() == ""  # the status bar is the connections' place


def test_a_message_never_hides_the_connections_health(qtbot: Any) -> None:
    bar = status_bar(qtbot)
    window = bar.window_  # type: ignore[attr-defined]
    window.resize(1000, 300)
    window.show()
    qtbot.waitExposed(window)
    bar.showMessage("Layout /tmp/x.toml loaded", 5000)
    assert bar.currentMessage() == "Layout /tmp/x.toml loaded"
    assert bar.connections_label.isVisible() and bar.totals_label.isVisible()
    window.statusBar().showMessage("a menu's status tip, as Qt shows it")
    assert bar.connections_label.isVisible()
    bar.connections_label.setText("● demo live · 48/s")
    qtbot.waitUntil(lambda: bar.connections_label.width() >= 100, timeout=2000)
    health, rate = bar.connections_label.geometry(), bar.rate_label.geometry()
    assert health.right() < rate.left()  # side by side, never one over the other


def test_a_tray_notification_has_no_markup_and_shows_escapes() -> None:
    assert no_markup(TITLE) == "disk \\x1b]0;pwned\\x07"
    assert no_markup(TEXT) == "full \u2039b\u203a\\x1b[2J\\x1b[31m\\u202eevil\\x00\u2039/b\u203a"


def test_status_bar_messages_are_one_inert_line(qtbot: Any) -> None:
    bar = status_bar(qtbot)
    bar.showMessage(f"Added a card for data.x\x1b[2J of {TITLE}\nforged", 5000)
    assert bar.currentMessage() == (
        "Added a card for data.x\\x1b[2J of disk \\x1b]0;pwned\\x07 forged"
    )
    bar.showMessage("y" * 1000)
    assert bar.currentMessage() == "y" * 299 + "…"
