"""A recording run through a monitor with no window and no clock of its own: what
``dashboard check-rules`` does to show when a layout's alerts would have fired.

The events are taken in the recording's order, a tick's worth (:data:`TICK_S` of event
time) at a time, as the window would take them. Between them the monitor is given the
time exactly when a rule's state is due to change (a ``for`` running out, a counted event
leaving its window), so an alert fires at the moment it would have, not at the next event.
Nothing is ticked past the last event: what is still firing then is left firing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dashboard.core.events.event import Event
from dashboard.core.monitor.monitor import AlertChange, Monitor

TICK_S = 0.5  # the events taken in one go, by their time (the window's status tick)
_PAST_DUE = 1e-6  # a tick just after a due time, so that float rounding cannot hold it back


def run_through(monitor: Monitor, events: Iterable[Event]) -> Iterator[AlertChange]:
    """Feed *events* to *monitor*; yield the alerts that fired or resolved, in order."""
    batch: list[Event] = []
    start = 0.0
    for event in events:
        if batch and not start <= event.time < start + TICK_S:
            yield from _take(monitor, batch)
            batch = []
        if not batch:
            start = event.time
            yield from _due(monitor, event.time)
        batch.append(event)
    if batch:
        yield from _take(monitor, batch)
        yield from _due(monitor, max(e.time for e in batch))


def _take(monitor: Monitor, batch: list[Event]) -> list[AlertChange]:
    monitor.feed(batch)
    return monitor.take_changes()


def _due(monitor: Monitor, until: float) -> Iterator[AlertChange]:
    """Tick at every due time before *until*."""
    last = None
    while (due := monitor.next_due()) is not None and due < until:
        if last is not None and due <= last:
            break  # nothing moved (cannot happen; never loop for ever on it)
        last = due
        monitor.tick(due + _PAST_DUE)
        yield from monitor.take_changes()
