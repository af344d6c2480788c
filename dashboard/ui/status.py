"""The status bar: each connection's state and rate, the overall rate and the totals."""

from __future__ import annotations

import time
from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from dashboard.core.events.summary import one_line
from dashboard.core.panels.rate import RateMeter
from dashboard.core.storage.store import EventStore
from dashboard.sources.base import ConnectionState, ConnectionStatus
from dashboard.ui.connections import ConnectionManager
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import STATE_COLOURS, current

MESSAGE_LIMIT = 300  # characters of a passing message


class ConnectionBadge:
    """``● demo live · 48/s``, coloured by state; :meth:`render` makes its text and details."""

    def __init__(self, status: ConnectionStatus) -> None:
        self.status = status
        self.meter = RateMeter()
        self.text = ""
        self.details = ""

    def render(self, store: EventStore, now: float, show_error: bool) -> None:
        status = self.status
        counts = store.counts.get(status.name)
        frames = counts.frames if counts else 0
        rate = self.meter.update(now, frames)
        state = status.describe(now)
        theme = current()  # (read each time: the theme may have changed)
        colour = STATE_COLOURS.get(status.state.value, theme.muted)
        detail = f"{state} · {rate:,.0f}/s"
        if show_error and status.state is not ConnectionState.LIVE and status.last_error:
            detail += f" · {one_line(status.last_error, 60)}"
        warning = (
            f"<span style='color:{theme.level_colour('critical')}'>⚠ TLS not verified</span> "
            if status.insecure
            else ""
        )
        self.text = (
            f"<span style='color:{colour}'>●</span> {warning}{escape(status.name)} "
            f"<span style='color:{theme.muted}'>{escape(detail)}</span>"
        )
        lines = [
            f"{status.name}: {status.url}",
            f"  state: {state}",
            f"  frames: {frames:,} (accepted {counts.accepted if counts else 0:,}, "
            f"rejected {counts.rejected if counts else 0:,})",
            f"  reconnects: {status.reconnects}",
        ]
        if status.last_event_id:
            lines.append(f"  last event id: {status.last_event_id}")
        if status.last_error:
            lines.append(f"  last error: {status.last_error}")
        if status.insecure:
            lines.append("  TLS certificates are NOT verified for this connection")
        self.details = "\n".join(lines)


HEALTH_SHARE = 0.6  # of the bar's width, at most, for the connections (the rest: messages)


class _HealthLabel(QLabel):
    """As wide as its text, up to HEALTH_SHARE of the status bar; narrower, it clips."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        bar = self.parentWidget()
        cap = int(bar.width() * HEALTH_SHARE) if bar is not None else hint.width()
        return QSize(min(hint.width(), cap), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(60, super().sizeHint().width()), super().minimumSizeHint().height())


class DashboardStatusBar(QStatusBar):
    """Passing messages on the left; on the right, always shown (a message never covers
    them), all connections in one label (it clips rather than widen the window), the rate
    and the totals."""

    def __init__(
        self, store: EventStore, connections: ConnectionManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.connections = connections
        self.badges: list[ConnectionBadge] = []
        self.connections_label = _HealthLabel(self)
        self.connections_label.setTextFormat(Qt.TextFormat.RichText)  # names are escaped
        self.addWidget(QWidget(self), 1)  # where passing messages show
        self.addPermanentWidget(self.connections_label)
        self.rate_label = QLabel(self)
        self.totals_label = QLabel(self)
        self.rate_label.setToolTip("Events per second over the last two seconds, all connections")
        self.totals_label.setToolTip("Events received, frames rejected (see the log) and evicted")
        self.addPermanentWidget(self.rate_label)
        self.addPermanentWidget(self.totals_label)
        self.meter = RateMeter()
        connections.changed.connect(self._rebuild_badges)
        self._rebuild_badges()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.connections_label.updateGeometry()  # its share of the width changed

    def showMessage(self, text: str, timeout: int = 0) -> None:
        """A passing message, on one line and inert: some quote an event or a server."""
        super().showMessage(one_line(text, MESSAGE_LIMIT), timeout)

    def _rebuild_badges(self) -> None:
        old = {id(b.status): b for b in self.badges}
        self.badges = [
            old.get(id(s.status)) or ConnectionBadge(s.status) for s in self.connections.sources
        ]
        self.refresh()

    def refresh(self) -> None:
        now = time.monotonic()
        store = self.store
        show_errors = len(self.badges) <= 2  # with more, errors are in the Connections tab
        for badge in self.badges:
            badge.render(store, now, show_errors)
        self.connections_label.setText("&nbsp;&nbsp;&nbsp;".join(b.text for b in self.badges))
        self.connections_label.setToolTip(
            plain_tooltip("\n".join(b.details for b in self.badges) or "no connection")
        )
        rate = self.meter.update(now, store.end_seq)
        self.rate_label.setText(f"{rate:,.0f} events/s")
        totals = f"events {store.received:,} · rejected {store.rejected_received:,}"
        if store.evicted:
            totals += f" · evicted {store.evicted:,}"
        self.totals_label.setText(totals)
