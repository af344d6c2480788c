"""The window's side of alerting: the monitor decides, this shows. The alert and silences
panels are refreshed, notifications offered, the alerts that fired or resolved written into
the store as events, and the live window's silences kept for the next start."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from dashboard.core.monitor.alertbook import AlertEntry, silences_json
from dashboard.ui.notify import Notifier
from dashboard.ui.toast import Toast

if TYPE_CHECKING:
    from dashboard.ui.main_window import MainWindow

SILENCES_KEY = "alerts/silences"  # the live window's silences, kept between starts


class AlertFlow:
    """What follows the monitor's decisions in *window*."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.toast = Toast(window)  # alert notifications where there is no system tray
        self.notifier = Notifier(window.settings, self.toast, parent=window)
        if window.player is not None:
            self.notifier.gate.min_severity = None  # a replay tells of the past: no pop-ups
        window.alerts.changed.connect(self.alerts_changed)
        window.alerts.silenced.connect(self.silences_changed)
        window.silences.changed.connect(self.silences_changed)
        window.alerts.filter_requested.connect(self.show_events)
        window.fields.filter_requested.connect(self.show_events)

    def alerts_changed(self) -> None:
        self.window.side_tabs.retitle()
        self.window.update_title()

    def show_events(self, query: str) -> None:
        self.window.log_panel.set_filter(query)
        self.window.log_view.setFocus()

    def tick(self) -> None:
        """What goes by the clock rather than by events: the rules' durations, connections
        down for too long, silences running out."""
        w = self.window
        health = [(s.name, s.status.down_since) for s in w.connections.sources]
        self.noted(w.monitor.tick(w.now(), health))
        self.refresh_silences()

    def refresh_silences(self) -> None:
        """Ended silences leave the list; when their count changes, their alerts lose
        the mark."""
        w = self.window
        w.silences.refresh()
        if w.silences in w.side_tabs.retitle():
            w.alerts.refresh(force=True)

    def noted(self, fired: list[AlertEntry]) -> None:
        """After the monitor took something in: the panel, notifications, and the alerts
        that fired or resolved as events (``dashboard.alert.firing`` ...) in the log and
        in recordings. A replay window writes none: its recording has them."""
        w = self.window
        w.alerts.refresh()
        self.notifier.show(self.notifier.gate.offer(fired, time.time()))
        changes = w.monitor.take_changes()
        if changes and w.player is None:
            now = time.time()
            w.store.extend([change.event(now) for change in changes])

    def silences_changed(self) -> None:
        """A silence was added, ended or noted: both panels show it, and the live window
        keeps the silences for the next start."""
        w = self.window
        w.alerts.refresh(force=True)
        self.refresh_silences()
        if w.player is None:
            w.settings.setValue(SILENCES_KEY, silences_json(w.monitor.book.silences))
