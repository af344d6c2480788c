"""The panels a window holds, built-in or added, in one list, built through the registry.

Every panel is built the same way, ``kind.widget(context, options)``: the kinds held once
(the cards, the log, the alerts...) when the window starts, a kind held many times (the
charts) once per entry of its layout table, and a ``[[panels]]`` kind once per table. The
window's docks place each by its kind's ``place``; the window feeds a tick's events, the
frame turns, a reset for a seek, a layout to show and the layout to save through this one
list, without naming a panel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dashboard.core.events.event import Event, Rejected
from dashboard.core.panels.panelkind import PanelKind, PanelKinds, PanelSpec
from dashboard.ui.panels.registry import PanelContext

if TYPE_CHECKING:
    from dashboard.core.layouts.layoutfile import Layout
    from dashboard.ui.main_window import MainWindow


class PanelHost:
    """Builds, holds and drives *window*'s panels of *kinds*; :attr:`panels` is the one
    list of ``(kind, panel)``, the kinds held once first, in the registry's order."""

    def __init__(self, window: MainWindow, kinds: PanelKinds, context: PanelContext) -> None:
        self.window = window
        self.kinds = kinds
        self.context = context
        self.panels: list[tuple[PanelKind, Any]] = []

    def build(self) -> None:
        """One panel of every kind held once (those shown inside another first: they are
        handed to it in the context), placed by the window's docks in the registry's order."""
        for kind in self.kinds.held_once():
            panel = self._build(kind, kind.read({}))
            if kind.place == "in-log":
                self.context.parts[kind.name] = panel
        order = [k.name for k in self.kinds]
        self.panels.sort(key=lambda held: order.index(held[0].name))
        self.window.docks.place_fixed(self.panels)

    def _build(self, kind: PanelKind, options: Mapping[str, Any]) -> Any:
        panel = kind.widget(self.context, dict(options))
        take_turn = getattr(panel, "take_turn", None)
        if take_turn is not None:
            self.window.pacer.add(take_turn)
        self.panels.append((kind, panel))
        return panel

    def add(self, kind: PanelKind, options: Mapping[str, Any]) -> Any:
        """One more panel of a kind held many times (a chart, a ``[[panels]]`` kind), in
        a dock of its own, showing at once what the events held make of it."""
        panel = self._build(kind, options)
        self.window.docks.place(kind, panel)
        held = self.window.held_events()
        if held:
            panel.add_events(held, by_type(held))
        _draw_now(panel)
        return panel

    def remove(self, panel: Any) -> None:
        kind = self.kind_of(panel)
        self.panels.remove((kind, panel))
        take_turn = getattr(panel, "take_turn", None)
        if take_turn is not None:
            self.window.pacer.remove(take_turn)
        self.window.docks.forget(kind, panel)

    def kind_of(self, panel: Any) -> PanelKind:
        return next(kind for kind, held in self.panels if held is panel)

    def of(self, name: str) -> list[Any]:
        """The panels of kind *name*, in the order they were added."""
        return [panel for kind, panel in self.panels if kind.name == name]

    def first(self, name: str) -> Any:
        return self.of(name)[0]

    def added(self) -> list[tuple[PanelKind, Any]]:
        """The ``[[panels]]`` panels."""
        return [(kind, panel) for kind, panel in self.panels if not kind.fixed]

    # -- every panel in one loop ---------------------------------------------------------
    def _each(self, method: str) -> Iterator[Callable[..., Any]]:
        for _kind, panel in list(self.panels):
            found = getattr(panel, method, None)
            if found is not None:
                yield found

    def add_events(self, events: Sequence[Event], by_type: Mapping[str, list[Event]]) -> None:
        for add_events in self._each("add_events"):
            add_events(events, by_type)

    def add_rejected(self, items: Sequence[Rejected], received: int) -> None:
        for add_rejected in self._each("add_rejected"):
            add_rejected(items, received)
        self.window.docks.retitle()

    def reset(self) -> None:
        for reset in self._each("reset"):
            reset()
        self.window.docks.retitle()

    def draw_now(self) -> None:
        for _kind, panel in self.panels:
            _draw_now(panel)

    def save_state(self) -> None:
        for save_state in self._each("save_state"):
            save_state()

    # -- layouts -----------------------------------------------------------------------
    def apply(self, layout: Layout, whole: bool) -> None:
        """Show *layout*'s panels: each fixed kind's options from its own tables (a kind
        held once keeps what it has when the layout says nothing of it, unless *whole*: a
        layout file says everything), then the ``[[panels]]`` tables."""
        for kind in self.kinds:
            found = kind.layout.read(layout) if kind.layout is not None else []
            if kind.many:
                for panel in self.of(kind.name):
                    self.remove(panel)
                for options in found:
                    self.add(kind, options)
            elif kind.layout is not None and (found or whole):
                self.first(kind.name).set_options(found[0] if found else {})
        for _kind, panel in self.added():
            self.remove(panel)
        for spec in layout.panels:
            self.add(self.kinds.get(spec.kind), spec.options)
        self.window.docks.retitle()

    def layout_fields(self) -> dict[str, Any]:
        """The panels as ``Layout`` fields: each fixed kind's tables, and ``panels``."""
        fields: dict[str, Any] = {}
        for kind in self.kinds:
            if kind.layout is not None:
                fields |= kind.layout.write([panel.options() for panel in self.of(kind.name)])
        fields["panels"] = [PanelSpec(k.name, p.options()) for k, p in self.added()]
        return fields


def _draw_now(panel: Any) -> None:
    """Bring *panel* up to date on screen at once (``draw_now``, else its turn)."""
    draw = getattr(panel, "draw_now", None) or getattr(panel, "take_turn", None)
    if draw is not None:
        draw()


def by_type(events: Sequence[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = {}
    for event in events:
        grouped.setdefault(event.type, []).append(event)
    return grouped
