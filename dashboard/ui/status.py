"""The status bar: each connection's state and rate, the overall rate and the totals."""

from __future__ import annotations

import time
from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from dashboard.core.rate import RateMeter
from dashboard.core.store import EventStore
from dashboard.core.summary import one_line
from dashboard.sources.base import ConnectionState, ConnectionStatus
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import MUTED, STATE_COLOURS


class ConnectionBadge(QLabel):
    """``● demo  live  48/s``, coloured by state, with the details in the tooltip."""

    def __init__(self, status: ConnectionStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.meter = RateMeter()
        self.setTextFormat(Qt.TextFormat.RichText)  # only our own markup; names are escaped

    def refresh(self, store: EventStore, now: float) -> None:
        status = self.status
        counts = store.counts.get(status.name)
        frames = counts.frames if counts else 0
        rate = self.meter.update(now, frames)
        state = status.describe(now)
        colour = STATE_COLOURS.get(status.state.value, MUTED)
        detail = f"{state} · {rate:,.0f}/s"
        if status.state is not ConnectionState.LIVE and status.last_error:
            detail += f" · {one_line(status.last_error, 70)}"
        self.setText(
            f"<span style='color:{colour}'>●</span> {escape(status.name)} "
            f"<span style='color:{MUTED}'>{escape(detail)}</span>"
        )
        lines = [
            f"{status.name}: {status.url}",
            f"state: {state}",
            f"frames: {frames:,} (accepted {counts.accepted if counts else 0:,}, "
            f"rejected {counts.rejected if counts else 0:,})",
            f"reconnects: {status.reconnects}",
        ]
        if status.last_event_id:
            lines.append(f"last event id: {status.last_event_id}")
        if status.last_error:
            lines.append(f"last error: {status.last_error}")
        self.setToolTip(plain_tooltip("\n".join(lines)))


class DashboardStatusBar(QStatusBar):
    def __init__(
        self,
        store: EventStore,
        connections: Sequence[ConnectionStatus],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.badges = [ConnectionBadge(status, self) for status in connections]
        for badge in self.badges:
            self.addWidget(badge)
        self.rate_label = QLabel(self)
        self.totals_label = QLabel(self)
        self.rate_label.setToolTip("Events per second over the last two seconds, all connections")
        self.totals_label.setToolTip("Events received, frames rejected (see the log) and evicted")
        self.addPermanentWidget(self.rate_label)
        self.addPermanentWidget(self.totals_label)
        self.meter = RateMeter()
        self.refresh()

    def refresh(self) -> None:
        now = time.monotonic()
        store = self.store
        for badge in self.badges:
            badge.refresh(store, now)
        rate = self.meter.update(now, store.end_seq)
        self.rate_label.setText(f"{rate:,.0f} events/s")
        totals = f"events {store.end_seq:,} · rejected {store.rejected_total:,}"
        if store.evicted:
            totals += f" · evicted {store.evicted:,}"
        self.totals_label.setText(totals)
