"""Metric cards: a title, one big figure coloured by its level, a trend, a sparkline and a
caption saying where the figure comes from; laid out in as many columns as fit, wrapping
to more rows, of which at most two show before the cards scroll (so a seventh card never
takes the charts' room)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QPalette,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.events.event import Event
from dashboard.core.layouts.tables import CARDS
from dashboard.core.panels.cards import CardSpec, CardState
from dashboard.core.panels.panelkind import Options, PanelKind
from dashboard.ui.panels.card_widget import CARD_WIDTH, MetricCard

ROWS_SHOWN = 2  # rows of cards shown before they scroll
CARD_REFRESH_S = 0.2
# Every card, stale or not, this often: windows age and sparklines sample by the clock.
CARD_TICK_S = 0.5


class CardsPanel(QWidget):
    """The cards in a grid of as many columns as fit, in a scroll area that shows up to
    ROWS_SHOWN rows; :meth:`add_events` folds a tick's events into all of them,
    :meth:`tick` lets time pass (windows, staleness, trends).

    Signals:
        changed(): a card was added or removed (the layout has changed).
    """

    changed = Signal()

    def __init__(
        self,
        specs: Sequence[CardSpec],
        clock: Callable[[], float],
        held: Callable[[], Sequence[Event]] = tuple,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.held = held  # the events the store holds: a new card folds them at once
        self._stale_cards: set[MetricCard] = set()  # folded new events, not shown yet
        self._ticked = float("-inf")  # time.monotonic() of the last tick of every card
        self.cards: list[MetricCard] = []
        self.scroll = QScrollArea(self)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sheet = QWidget()  # what scrolls: the grid of cards
        self.grid = QGridLayout(self.sheet)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(10)
        self.scroll.setWidget(self.sheet)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self._columns = 0
        self.setMinimumWidth(CARD_WIDTH)  # not the row's width: the columns follow the width
        self.hint = QLabel(
            "No cards. Double-click a numeric field in the field browser to add one.", self.sheet
        )
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.hint.setContentsMargins(6, 6, 6, 6)
        for spec in specs:
            self._add(spec)
        self._reflow(force=True)

    def specs(self) -> list[CardSpec]:
        return [card.state.spec for card in self.cards]

    def options(self) -> Options:
        return {"cards": tuple(self.specs())}

    def set_options(self, options: Options) -> None:
        """Exactly these cards (a layout's), each folding the events held."""
        for card in list(self.cards):
            self.remove_card(card)
        for spec in options.get("cards", ()):
            self.add_card(spec)

    def _add(self, spec: CardSpec) -> MetricCard:
        card = MetricCard(CardState(spec), self.clock, self)
        card.remove_requested.connect(lambda: self.remove_card(card))
        card.respec_requested.connect(lambda new: self.replace_card(card, new))
        self.cards.append(card)
        return card

    def add_card(self, spec: CardSpec) -> MetricCard:
        """A new card, showing at once what the events held make of it."""
        card = self._add(spec)
        card.state.fold(self.held())
        card.refresh()
        self._reflow(force=True)
        self.changed.emit()
        return card

    def replace_card(self, card: MetricCard, spec: CardSpec) -> None:
        """Show *spec* in *card*'s place, folded again from the events held."""
        card.state = CardState(spec)
        card.state.fold(self.held())
        card.title.setText(spec.title)
        card.setToolTip(card.tooltip())
        card.refresh()
        self.changed.emit()

    def remove_card(self, card: MetricCard) -> None:
        self.cards.remove(card)
        self.grid.removeWidget(card)
        card.deleteLater()
        self._reflow(force=True)
        self.changed.emit()

    def add_events(self, events: Sequence[Event], by_type: dict[str, list[Event]]) -> None:
        """Fold a tick's events into the cards that read them."""
        for card in self.cards:
            wanted = card.state.spec.type
            batch = by_type.get(wanted) if wanted else events
            if batch and card.state.fold(batch, of_type=bool(wanted)):
                self._stale_cards.add(card)

    def take_turn(self) -> float | None:
        """The window's turn for the cards: show what they folded since the last (a few
        times a second: a figure that changes 30 times a second is read no better, and
        costs paint), and twice a second what the clock changes."""
        now = time.monotonic()
        if now - self._ticked >= CARD_TICK_S:
            self._ticked = now
            self.tick()
        elif self._stale_cards:
            self.refresh_now()
        else:
            return None
        return CARD_REFRESH_S

    def refresh_now(self) -> None:
        changed, self._stale_cards = self._stale_cards, set()
        for card in changed:
            if card in self.cards:
                card.refresh()

    def tick(self) -> None:
        """Sample and show every card (what they folded, and what the clock changes)."""
        self._stale_cards.clear()
        for card in self.cards:
            card.tick()

    draw_now = tick

    def reset(self) -> None:
        """Back to no value at all (a replay that goes back folds everything again)."""
        for card in self.cards:
            card.state = CardState(card.state.spec)
            card.refresh()

    def card(self, title: str) -> MetricCard:
        return next(c for c in self.cards if c.state.spec.title == title)

    # -- columns -----------------------------------------------------------------------
    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._reflow()

    def rows(self) -> int:
        return -(-len(self.cards) // self._columns) if self._columns else 0

    def _row_height(self) -> int:
        card = self.cards[0] if self.cards else self.hint
        return card.sizeHint().height()

    def sizeHint(self) -> QSize:
        """Up to ROWS_SHOWN rows; more scroll."""
        rows = max(1, min(self.rows(), ROWS_SHOWN))
        height = rows * self._row_height() + (rows - 1) * self.grid.spacing()
        return QSize(super().sizeHint().width(), height)

    def height_for(self, room: int) -> int:
        """The height of the most whole rows within *room* (one at least, ROWS_SHOWN at
        most): a dock sized to it never shows a row cut in half."""
        row, gap = self._row_height(), self.grid.spacing()
        rows = max(1, min(self.rows(), ROWS_SHOWN, (room + gap) // (row + gap)))
        return rows * row + (rows - 1) * gap

    def minimumSizeHint(self) -> QSize:
        """One row (the rest scroll): cards never take the charts' minimum height."""
        return QSize(CARD_WIDTH, self._row_height())

    def _reflow(self, force: bool = False) -> None:
        width = self.width() - self.scroll.verticalScrollBar().sizeHint().width()
        columns = max(1, min(len(self.cards), width // CARD_WIDTH)) if self.cards else 0
        if columns == self._columns and not force:
            return
        self._columns = columns
        for card in self.cards:
            self.grid.removeWidget(card)
        self.grid.removeWidget(self.hint)
        self.hint.setVisible(not self.cards)
        if not self.cards:
            self.grid.addWidget(self.hint, 0, 0)
            self.setMaximumHeight(self.sizeHint().height())
            return
        for index, card in enumerate(self.cards):
            self.grid.addWidget(card, index // columns, index % columns)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        rows = self.rows()
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(rows, 1)  # the cards keep their height; room is left below
        # Never taller than the rows shown: the dock's spare height goes to the charts.
        self.setMaximumHeight(self.sizeHint().height())
        self.updateGeometry()


KIND = PanelKind(
    name="cards",
    title="Cards",
    widget=lambda context, options: CardsPanel(
        options.get("cards", ()), context.clock, context.held
    ),
    description="metric cards across the top",
    fixed=True,
    table="[[cards]]",
    place="top",
    layout=CARDS,
)
