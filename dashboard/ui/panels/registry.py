"""The panels this app shows: one line per panel module, and what a panel is.

A panel module declares its ``KIND`` (a :class:`~dashboard.core.panels.panelkind.PanelKind`: the
``kind`` a layout names it by, the View menu's words, its options schema, how it is built,
where it sits) and is one line here. The layout loader reads ``[[panels]]`` tables with these
kinds; the window's :class:`~dashboard.ui.panel_host.PanelHost` builds every panel, built-in
or added, as ``kind.widget(context, options)``, and feeds, ticks, resets and saves them all
in one loop; the View menu shows and hides them and offers every kind that can be added. A
plugin or a test that brings its own kind makes its own registry, ``PANELS.adding(kind)``,
and hands it to the window (``MainWindow(panels=...)``); the window refuses one without
every built-in kind (:func:`with_built_ins`): it holds and names them.

The fixed kinds are the panels the window always holds (the charts: one per ``[[charts]]``
table), with their settings in tables of their own (``[[cards]]``, ``[[charts]]``,
``[log]``...), as layouts always had. Their order here is the order the window shows them
in (the View menu's show/hide entries, the side tabs) and, in a tie, takes their turns to
repaint in (the log's new rows first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QSettings

from dashboard.core.events.event import Event
from dashboard.core.monitor import Monitor
from dashboard.core.panels.panelkind import PanelKinds
from dashboard.core.storage.store import EventStore
from dashboard.ui.bus import EventBus
from dashboard.ui.connections import ConnectionManager
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
        log.KIND,
        cards.KIND,
        chart.KIND,
        fields.KIND,
        alerts.KIND,
        rejected.KIND,
        connections.KIND,
        silences.KIND,
        histogram.KIND,
        detail.KIND,
    ]
)

# The window holds a panel of each and names them (its menus, shortcuts and requests reach
# them by name): a registry handed to a window keeps them all, and adds to them.
BUILT_INS = tuple(kind.name for kind in PANELS)


def with_built_ins(kinds: PanelKinds) -> PanelKinds:
    """*kinds*, if it has every built-in kind; ValueError names those it lacks."""
    missing = [name for name in BUILT_INS if name not in kinds]
    if missing:
        raise ValueError(
            f"the window's panel kinds lack the built-in {', '.join(map(repr, missing))}:"
            " the window holds every built-in panel; make the registry with"
            " PANELS.adding(kind, ...)"
        )
    return kinds


@dataclass(frozen=True)
class PanelContext:
    """What a panel is built from: the window's store, bus and monitor, its clock (the
    recording's in a replay window), its settings, the newest events held (bounded) for a
    new panel to show at once, the window's connections, and the panels already built
    that are shown inside another (*parts*, by kind: the log's histogram and detail)."""

    store: EventStore
    bus: EventBus
    monitor: Monitor
    clock: Callable[[], float]
    settings: QSettings
    held: Callable[[], list[Event]]
    connections: ConnectionManager | None = None
    parts: dict[str, Any] = field(default_factory=dict)


class Panel(Protocol):
    """A panel: a QWidget built as ``KIND.widget(context, options)``, with *options* as its
    kind's schema (or its layout tables) read them. A ``[[panels]]`` kind has all four
    methods; a fixed kind has those it needs (the window looks with ``getattr``), and may
    have these too:

    - ``set_options(options)``: show a layout's options (a kind held once: the cards...);
    - ``add_rejected(items, received)``: take in frames that could not be decoded;
    - ``draw_now()``: bring everything on screen up to date at once (else ``take_turn``);
    - ``save_state()``: keep what it remembers between runs (the window is closing);
    - ``tab_text()`` / ``tab_tip()``: its side tab's title (with a count) and tooltip.
    """

    def add_events(self, events: Sequence[Event], by_type: Mapping[str, list[Event]]) -> None:
        """Take in a tick's events (no repaint: that is :meth:`take_turn`)."""

    def take_turn(self) -> float | None:
        """Repaint if there is something new; the seconds until the next turn is wanted,
        or None for the next tick."""

    def reset(self) -> None:
        """Forget every event (a replay seeking back folds them in again)."""

    def options(self) -> dict[str, Any]:
        """The panel's state to save, as its kind's options."""


__all__ = ["BUILT_INS", "PANELS", "Panel", "PanelContext", "with_built_ins"]
