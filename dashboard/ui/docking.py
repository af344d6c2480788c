"""The window's docks: each panel where its kind's ``place`` says (a dock across the top, a
dock each under it, the window's middle, a tab of the right dock, a dock on the right),
and the default arrangement of them all, by the same places."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from dashboard.core.panels.panelkind import PanelKind, PanelKinds, PanelSpec
from dashboard.ui.panels.chart import ChartPanel
from dashboard.ui.panels.registry import Panel
from dashboard.ui.side_tabs import SideTabs

if TYPE_CHECKING:
    from dashboard.ui.main_window import MainWindow

VERTICAL = Qt.Orientation.Vertical
HORIZONTAL = Qt.Orientation.Horizontal
TOP = Qt.DockWidgetArea.TopDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
# Charts side by side in the default arrangement; the others are tabs of these (50 charts
# side by side made a window 9,000 pixels wide, each chart's title cut to nothing).
CHARTS_SIDE_BY_SIDE = 4
CARDS_SHARE = 0.3  # of the window's height, at most, for the cards in the default arrangement


def make_dock(window: QMainWindow, name: str, title: str, widget: QWidget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # what saveState knows it by
    dock.setWidget(widget)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    return dock


def dock_of(widget: QWidget) -> QDockWidget:
    dock = widget.parentWidget()
    assert isinstance(dock, QDockWidget)
    return dock


class Docks:
    """Where the window's panels sit. A fixed kind's dock is named after it (``cards``,
    ``fields``; the side tabs' dock after its first tab, ``alerts``); a chart's
    ``chart-N`` and a ``[[panels]]`` panel's ``panel-KIND-N``: what saveState knows them by."""

    def __init__(self, window: MainWindow, kinds: PanelKinds) -> None:
        self.window = window
        self.kinds = kinds
        self.side_tabs = SideTabs()
        self.fixed_docks: list[QDockWidget] = []  # the registry's order: the View menu's
        self.middle: QWidget | None = None
        self.top_dock: QDockWidget | None = None
        self._cards_wanted = 0  # the cards' height the last arrangement asked for
        self.side_dock: QDockWidget | None = None
        self.right_docks: list[QDockWidget] = []  # the kinds held once placed right
        self.under_top_docks: list[QDockWidget] = []  # and those placed under the top

    def place_fixed(self, panels: Sequence[tuple[PanelKind, Any]]) -> None:
        """The kinds held once, in the registry's order: docks across the top first (and
        under it), then the side tabs' dock on the right, the right docks under it (the
        log's middle and its parts are the window's and the log's)."""
        for kind, panel in panels:
            if kind.place == "middle":
                self.middle = panel
            elif kind.place == "side-tab":
                self.side_tabs.add(kind, panel)
                if self.side_dock is None:
                    self.side_dock = make_dock(self.window, kind.name, kind.title, self.side_tabs)
                    self.fixed_docks.append(self.side_dock)
            elif kind.place in ("top", "under-top", "right"):
                dock = make_dock(self.window, kind.name, kind.title, panel)
                self.fixed_docks.append(dock)
                if kind.place == "top":
                    self.top_dock = dock
                elif kind.place == "under-top":
                    self.under_top_docks.append(dock)
                else:
                    self.right_docks.append(dock)
        self._dock_fixed()

    def _dock_fixed(self) -> None:
        window = self.window
        for dock in [d for d in [self.top_dock] if d is not None] + self.under_top_docks:
            window.addDockWidget(TOP, dock)
        above = self.side_dock
        if above is not None:
            window.addDockWidget(RIGHT, above)
        for dock in self.right_docks:
            if above is None:
                window.addDockWidget(RIGHT, dock)
            else:
                window.splitDockWidget(above, dock, VERTICAL)
            above = dock

    def place(self, kind: PanelKind, panel: Any) -> None:
        """A panel of a kind held many times (a chart, a ``[[panels]]`` panel) where its
        kind's place says: under the top dock, or on the right under the fixed ones (the
        registry refuses any other place for these kinds)."""
        index = len(self.window.host.of(kind.name)) - 1
        name = f"{kind.name}-{index}" if kind.fixed else f"panel-{kind.name}-{index}"
        dock = make_dock(self.window, name, kind.title, panel)
        if isinstance(panel, ChartPanel):
            self._title_chart(panel, dock)
        if kind.place == "under-top":
            self.window.addDockWidget(TOP, dock)
            return
        self.window.addDockWidget(RIGHT, dock)
        beside = self.right_docks[-1] if self.right_docks else self.side_dock
        if beside is not None:
            self.window.splitDockWidget(beside, dock, VERTICAL)

    def forget(self, kind: PanelKind, panel: Any) -> None:
        dock = dock_of(panel)
        self.window.removeDockWidget(dock)
        # Nameless until it is gone: restoreState would take it for a new panel's dock.
        dock.setObjectName("")
        dock.deleteLater()
        prefix = f"{kind.name}" if kind.fixed else f"panel-{kind.name}"
        for index, other in enumerate(self.window.host.of(kind.name)):
            dock_of(other).setObjectName(f"{prefix}-{index}")

    def retitle(self) -> None:
        self.side_tabs.retitle()

    def arrange(self) -> None:
        """The default arrangement, by each kind's place: the cards across the top, the
        charts and other panels placed under-top side by side under them (past four, in
        tabs), the log below, the side tabs and fields on its right, the other panels
        placed right under those."""
        window = self.window
        window.restoreState(window.default_arrangement)
        self._arrange_under_top()
        below = self.right_docks[-1] if self.right_docks else self.side_dock
        for dock in self._docks_placed("right"):
            if below is None:
                window.addDockWidget(RIGHT, dock)
            else:
                window.splitDockWidget(below, dock, VERTICAL)
            dock.show()
            below = dock
        self._size_fixed()

    def _docks_placed(self, place: str) -> list[QDockWidget]:
        """The docks of the panels placed *place* that are not a kind held once (those are
        where the default arrangement keeps them)."""
        panels = self.window.host.panels
        return [dock_of(p) for k, p in panels if k.place == place and not k.held_once]

    def _arrange_under_top(self) -> None:
        """Side by side under the cards, CHARTS_SIDE_BY_SIDE of them; each further one a
        tab of the one it would stand under, the first of each column in front."""
        window, previous = self.window, self.top_dock
        docks = self.under_top_docks + self._docks_placed("under-top")
        for index, dock in enumerate(docks):
            if index >= CHARTS_SIDE_BY_SIDE:
                window.tabifyDockWidget(docks[index % CHARTS_SIDE_BY_SIDE], dock)
            elif previous is not None:
                window.splitDockWidget(previous, dock, VERTICAL if index == 0 else HORIZONTAL)
            dock.show()
            previous = dock
        for dock in docks[:CHARTS_SIDE_BY_SIDE]:
            dock.raise_()

    def _size_fixed(self) -> None:
        window, top, side = self.window, self.top_dock, self.side_dock
        under_top = self.under_top_docks + self._docks_placed("under-top")
        if top is not None:
            top.setVisible(bool(window.cards.cards) or not under_top)
        if side is not None:
            window.resizeDocks([side], [440], HORIZONTAL)
            window.resizeDocks([side, *self.right_docks[:1]], [200, 200], VERTICAL)
        if top is not None:
            self._size_cards(top, under_top[:1])

    def _size_cards(self, top: QDockWidget, under: list[QDockWidget]) -> None:
        """Whole rows of cards, as many as fit in CARDS_SHARE of the window; fewer when the
        panels under them leave less room: never a row cut through (the rest scroll)."""
        window, cards = self.window, self.window.cards
        wanted = cards.height_for(int(window.height() * CARDS_SHARE))
        window.resizeDocks([top, *under], [wanted + 20, 250][: 1 + len(under)], VERTICAL)
        self._cards_wanted = wanted  # (an earlier arrangement's check still to come: not its)
        QTimer.singleShot(0, window, lambda: self._whole_rows(top, wanted))  # once laid out

    def _whole_rows(self, top: QDockWidget, wanted: int, again: bool = True) -> None:
        """Once the window has laid the docks out: the cards' dock asked again for the rows
        wanted (a window not yet shown may not have given them), then, if the room is less,
        cut down to the whole rows in what it got."""
        window, cards = self.window, self.window.cards
        got = cards.height()
        if wanted != self._cards_wanted or not window.isVisible() or got == wanted:
            return
        if not again and got == cards.height_for(got):
            return
        rows = wanted if again else cards.height_for(got)
        window.resizeDocks([top], [rows + top.height() - got], VERTICAL)  # and its title bar
        if again:
            QTimer.singleShot(0, window, lambda: self._whole_rows(top, wanted, again=False))

    # -- charts --------------------------------------------------------------------------
    @property
    def charts(self) -> list[ChartPanel]:
        return [p for p in self.window.host.of("chart") if isinstance(p, ChartPanel)]

    def _title_chart(self, chart: ChartPanel, dock: QDockWidget) -> None:
        dock.setWindowTitle(chart.spec.title)
        dock.setTitleBarWidget(chart.bar)  # its title, menu and buttons
        self.window.requests.chart_added(chart)

    # -- [[panels]] panels ---------------------------------------------------------------
    @property
    def panels(self) -> list[tuple[str, Panel]]:
        """(kind, panel) of the ``[[panels]]`` tables."""
        return [(kind.name, panel) for kind, panel in self.window.host.added()]

    def add_panel(self, spec: PanelSpec) -> Panel:
        """Build a panel of a ``[[panels]]`` kind in a dock of its own, under the fields."""
        panel: Panel = self.window.host.add(self.kinds.get(spec.kind), spec.options)
        return panel

    def add_new_panel(self, kind: str) -> None:
        """A panel of *kind* with its default options (the View menu's Add a panel)."""
        self.add_panel(PanelSpec(kind, self.kinds.get(kind).read({}))).show()
