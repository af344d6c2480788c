"""Panel kinds: what a panel declares about itself, in one place.

A panel module (``dashboard.ui.panels.cards``...) declares a :class:`PanelKind`: its name
(the ``kind`` in a layout's ``[[panels]]`` table), the words the View menu shows, its
options as a declarative schema (the :class:`~dashboard.core.transport.sourcekind.Option` transports
use), how it is built, where the window puts it, and, for a built-in kind with tables of
its own, how those tables become its options and back. The layout loader reads
``[[panels]]`` tables through these declarations; the window builds, feeds, ticks, resets
and saves every panel, built-in or added, through the same registry, and its View menu
reads it, so adding a ``[[panels]]`` kind is one module and one line in
``dashboard.ui.panels.registry``. (The built-in kinds keep their own tables, read in
``dashboard.core.layouts.layoutfile``; their *layout* functions turn them into options.)

This module is plain data, like :mod:`dashboard.core.transport.sourcekind`: the widget
factory is held, not imported (core never imports Qt). Code here that needs the kinds takes a
:class:`PanelKinds` as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dashboard.core.transport.sourcekind import Option

__all__ = ["MANY_PLACES", "PLACES", "LayoutTables", "PanelKind", "PanelKinds", "PanelSpec"]

# Where the window puts a panel of a kind: a dock across the top (the cards), a dock each
# under it, side by side (the charts; a [[panels]] kind may sit there too), the window's
# middle (the log), a tab of the dock on the right (alerts, rejected...), a dock on the
# right under those tabs (the fields; a [[panels]] kind's default), or inside the log,
# built before it (its histogram strip and detail pane).
PLACES = ("top", "under-top", "middle", "side-tab", "right", "in-log")
# Where a kind held many times (the charts, every [[panels]] kind) may be put: each of its
# panels is a dock of its own, beside the charts or on the right. The top dock, the middle,
# the side tabs and the log's parts are the fixed kinds' alone.
MANY_PLACES = ("under-top", "right")

Options = dict[str, Any]


@dataclass(frozen=True)
class LayoutTables:
    """How a fixed kind's panels are kept in a layout's tables of their own (``[[cards]]``,
    ``[log]``...), as two Qt-free functions. *read* takes a ``Layout`` and gives each
    panel's options, one dict per panel (for a kind held once, an empty list: the layout
    says nothing of it); *write* takes the panels' options and gives the ``Layout`` fields
    they are saved as (keyword arguments of ``Layout``)."""

    read: Callable[[Any], list[Options]]
    write: Callable[[list[Options]], dict[str, Any]]


@dataclass(frozen=True)
class PanelKind:
    """One kind of panel. *widget* builds one (a ``dashboard.ui.panels.registry.Panel``):
    ``widget(context, options)``, for every kind, built-in or added. *place* is where the
    window puts it (one of :data:`PLACES`).

    A *fixed* kind is not a ``[[panels]]`` table: the window holds one of it from the start
    (the log, the alerts...), or, if *many*, one per entry of its table (the charts). Its
    state, if any, is kept in a table of its own (*table*, as written: ``[[cards]]``,
    ``[[charts]]``, ``[log]``), read and written through *layout*."""

    name: str
    title: str
    widget: Any = None
    options: tuple[Option, ...] = ()
    description: str = ""
    fixed: bool = False
    table: str = ""
    place: str = "right"
    many: bool = False
    layout: LayoutTables | None = None

    def __post_init__(self) -> None:
        if self.place not in PLACES:
            raise ValueError(f"panel kind {self.name!r}: no place {self.place!r} ({PLACES})")

    @property
    def held_once(self) -> bool:
        """The window builds one panel of this kind when it starts, and keeps it."""
        return self.fixed and not self.many

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def keys(self) -> tuple[str, ...]:
        """The keys a ``[[panels]]`` table of this kind may have."""
        return ("kind", *(o.name for o in self.options))

    def read(self, table: Mapping[str, Any]) -> dict[str, Any]:
        """The options in a ``[[panels]]`` *table* (unknown keys are the caller's to
        refuse), checked; ValueError names the option. Options left out take defaults."""
        found = {}
        for option in self.options:
            value = option.parse(table[option.name]) if option.name in table else None
            found[option.name] = option.default if value is None else value
        return found

    def table_of(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """*options* as a ``[[panels]]`` table: the kind, then what is not the default."""
        written: dict[str, Any] = {"kind": self.name}
        for option in self.options:
            value = options.get(option.name, option.default)
            if value is not None and value != option.default:
                written[option.name] = list(value) if isinstance(value, tuple) else value
        return written


@dataclass(frozen=True)
class PanelSpec:
    """A panel as a layout holds it: its kind and its options (checked against the kind
    when the layout was read with the kinds; as written otherwise)."""

    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)


class PanelKinds:
    """The panel kinds an app knows, by name; ``adding`` makes a new registry with more."""

    def __init__(self, kinds: Iterable[PanelKind]) -> None:
        self._kinds: dict[str, PanelKind] = {}
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"two panel kinds are named {kind.name!r}")
            if not kind.held_once and kind.place not in MANY_PLACES:
                which = "a [[panels]] kind" if not kind.fixed else "a kind held many times"
                raise ValueError(
                    f"panel kind {kind.name!r}: {which} cannot be placed {kind.place!r}"
                    f" (it may be placed: {', '.join(MANY_PLACES)})"
                )
            self._kinds[kind.name] = kind

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[PanelKind]:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def adding(self, *kinds: PanelKind) -> PanelKinds:
        return PanelKinds([*self, *kinds])

    def named(self, name: str) -> PanelKind:
        """The kind called *name*, fixed or not (KeyError if there is none)."""
        return self._kinds[name]

    def get(self, name: str) -> PanelKind:
        """The kind a ``[[panels]]`` table may name; ValueError says which there are."""
        kind = self._kinds.get(name)
        hosted = ", ".join(k.name for k in self if not k.fixed)
        if kind is None:
            raise ValueError(f"kind: no panel kind {name!r} (there are: {hosted or 'none'})")
        if kind.fixed:
            where = f"; its settings are the layout's {kind.table}" if kind.table else ""
            raise ValueError(
                f"kind: the {kind.title} panel is always there, not a [[panels]] table"
                f"{where} (a [[panels]] table may be: {hosted or 'none'})"
            )
        return kind

    def held_once(self) -> list[PanelKind]:
        """The kinds the window builds one of when it starts, those shown inside another
        panel first (the log is built with its histogram strip and detail pane)."""
        once = [k for k in self if k.held_once]
        return sorted(once, key=lambda k: k.place != "in-log")

    def addable(self) -> list[PanelKind]:
        """The kinds an operator can add from the View menu (the fixed ones are there)."""
        return [k for k in self if not k.fixed]
