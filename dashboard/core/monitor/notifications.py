"""Which desktop notifications to show for the alerts that fired: new ones at or above a
severity, and a storm folded into one summary instead of hundreds of pop-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.core.events.event import Severity
from dashboard.core.monitor.alertbook import AlertEntry
from dashboard.core.monitor.rules import AlertState

QUIET_S = 5.0  # after a notification, the next waits this long (and sums up what came)


@dataclass(frozen=True)
class Notice:
    title: str
    text: str
    severity: Severity


class NoticeGate:
    """Takes fired alerts as they come; answers what to notify now.

    The first alert notifies at once. What fires in the next :data:`QUIET_S` seconds is
    held, then shown as one notice: the alert itself if it is the only one, else a summary.
    An alert that repeats while firing notifies once; after it resolved, firing again is
    news again.
    """

    def __init__(self, min_severity: Severity | None = Severity.CRITICAL) -> None:
        self.min_severity = min_severity  # None: no notifications
        self._quiet_until = 0.0
        # Held entries with what they said when they fired: an entry changes in place, and
        # a recovery arriving meanwhile must not be told as the firing it ended.
        self._held: dict[int, tuple[AlertEntry, Firing]] = {}
        self._told: dict[int, float | None] = {}  # notified: when each had started firing

    def offer(self, fired: Iterable[AlertEntry], now: float) -> list[Notice]:
        if self.min_severity is None:
            return []
        for entry in fired:
            if entry.severity < self.min_severity or entry.acknowledged:
                continue
            if self._told.get(id(entry), -1.0) == entry.fired_at:
                continue  # a repeat of an alert already notified, firing ever since
            self._held[id(entry)] = (entry, Firing(entry.severity, entry.message))
        return self.due(now)

    def due(self, now: float) -> list[Notice]:
        """What to show now (call it every second or so, for what was held)."""
        if not self._held or now < self._quiet_until:
            return []
        held = list(self._held.values())
        self._held.clear()
        self._told.update((id(e), e.fired_at) for e, _firing in held)
        self._quiet_until = now + QUIET_S
        return [summary(held)]


@dataclass(frozen=True)
class Firing:
    """What an alert said when it fired."""

    severity: Severity
    message: str


def summary(held: list[tuple[AlertEntry, Firing]]) -> Notice:
    worst = max(firing.severity for _entry, firing in held)
    if len(held) == 1:
        ((entry, firing),) = held
        text = firing.message
        if entry.state is not AlertState.FIRING:
            text += f" (since resolved: {entry.message})"
        return Notice(f"{firing.severity.label.title()}: {entry.name}", text, worst)
    entries = [entry for entry, _firing in held]
    by_severity: dict[Severity, int] = {}
    for _entry, firing in held:
        by_severity[firing.severity] = by_severity.get(firing.severity, 0) + 1
    counts = ", ".join(
        f"{n:,} {severity.label}" for severity, n in sorted(by_severity.items(), reverse=True)
    )
    names = ", ".join(sorted({f"{e.name} on {e.key}" if e.key else e.name for e in entries})[:3])
    more = "…" if len({(e.name, e.key) for e in entries}) > 3 else ""
    return Notice(f"{len(entries):,} new alerts ({counts})", f"{names}{more}", worst)
