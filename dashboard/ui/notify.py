"""Desktop notifications for new alerts: the system tray's balloon where there is one, a
toast in the window where there is not (never the status bar: it shows the connections'
health), and an optional sound."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from dashboard.core.events.event import Severity
from dashboard.core.events.summary import one_line
from dashboard.core.monitor.notifications import Notice, NoticeGate
from dashboard.ui import resources
from dashboard.ui.toast import SHOW_MS, Toast

CHOICES = (
    ("Off", None),
    ("Critical alerts", Severity.CRITICAL),
    ("Errors and up", Severity.ERROR),
    ("Warnings and up", Severity.WARNING),
)


def no_markup(text: str) -> str:
    """Text for a desktop notification, where some notification servers render markup
    (``<b>``, ``<a href>``, ``<img>``): angle brackets become look-alikes, controls and bidi
    characters visible escapes."""
    return one_line(text, 400).replace("<", "\u2039").replace(">", "\u203a")  # single angle quotes


class Notifier(QObject):
    """Shows what a NoticeGate lets through; the choices are kept in the settings."""

    def __init__(self, settings: QSettings, toast: Toast, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.toast = toast
        level = settings.value("alerts/notify", "critical")
        self.gate = NoticeGate(Severity.named(str(level)) if level != "off" else None)
        self.sound = settings.value("alerts/sound", "false") == "true"
        self.shown: list[Notice] = []
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(resources.app_icon(), self)
            self.tray.setToolTip("Live Dashboard")
            self.tray.show()

    def set_level(self, level: Severity | None) -> None:
        self.gate.min_severity = level
        self.settings.setValue("alerts/notify", "off" if level is None else level.label)

    def set_sound(self, on: bool) -> None:
        self.sound = on
        self.settings.setValue("alerts/sound", "true" if on else "false")

    def show(self, notices: list[Notice]) -> None:
        for notice in notices:
            self.shown.append(notice)
            if self.tray is not None:
                icon = (
                    QSystemTrayIcon.MessageIcon.Critical
                    if notice.severity >= Severity.ERROR
                    else QSystemTrayIcon.MessageIcon.Warning
                )
                self.tray.showMessage(
                    no_markup(notice.title), no_markup(notice.text), icon, SHOW_MS
                )
            else:
                self.toast.show_notice(notice.title, notice.text, notice.severity)
            if self.sound:
                QApplication.beep()
