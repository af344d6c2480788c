"""The panels this app shows: one line per panel module, and what a panel is.

A panel module declares its ``KIND`` (a :class:`~dashboard.core.panels.panelkind.PanelKind`: the
``kind`` a layout names it by, the View menu's words, its options schema, its widget class)
and is one line here. The layout loader reads ``[[panels]]`` tables with these kinds, the
window builds, ticks, resets and saves the panels they describe, and the View menu offers
every kind that can be added. A plugin or a test that brings its own kind makes its own
registry, ``PANELS.adding(kind)``, and hands it to the window (``MainWindow(panels=...)``).

The fixed kinds are the panels the window always holds one of, with their settings in
tables of their own (``[[cards]]``, ``[[charts]]``, ``[log]``...), as layouts always had.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QSettings

from dashboard.core.events.event import Event
from dashboard.core.monitor import Monitor
from dashboard.core.panels.panelkind import PanelKinds
from dashboard.core.storage.store import EventStore
from dashboard.ui.bus import EventBus
from dashboard.ui.panels import (
    alerts,
    cards,
    chart,
    connections,
    detail,
    fields,
    histogram,
    log,
    rejected,
    silences,
)

PANELS = PanelKinds(
    [
        cards.KIND,
        chart.KIND,
        log.KIND,
        alerts.KIND,
        silences.KIND,
        fields.KIND,
        rejected.KIND,
        connections.KIND,
        histogram.KIND,
        detail.KIND,
    ]
)


@dataclass(frozen=True)
class PanelContext:
    """What a panel is built from: the window's store, bus and monitor, its clock (the
    recording's in a replay window), its settings, and the newest events held (bounded)
    for a new panel to show at once."""

    store: EventStore
    bus: EventBus
    monitor: Monitor
    clock: Callable[[], float]
    settings: QSettings
    held: Callable[[], list[Event]]


class Panel(Protocol):
    """A panel of a ``[[panels]]`` kind: a QWidget built as ``KIND.widget(context,
    options)``, with *options* as its kind's schema read them."""

    def add_events(self, events: Sequence[Event], by_type: Mapping[str, list[Event]]) -> None:
        """Take in a tick's events (no repaint: that is :meth:`take_turn`)."""

    def take_turn(self) -> float | None:
        """Repaint if there is something new; the seconds until the next turn is wanted,
        or None for the next tick."""

    def reset(self) -> None:
        """Forget every event (a replay seeking back folds them in again)."""

    def options(self) -> dict[str, Any]:
        """The panel's state to save, as its kind's options."""


__all__ = ["PANELS", "Panel", "PanelContext"]
