"""Metric cards: a title, one big figure and a caption saying where it comes from."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from dashboard.core.cards import CardSpec, CardState
from dashboard.core.event import Event
from dashboard.ui.theme import BORDER, MUTED, PANEL, TEXT


class MetricCard(QFrame):
    """Shows one CardState; call :meth:`refresh` after the state changed."""

    def __init__(self, state: CardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("metricCard")
        self.setStyleSheet(
            f"#metricCard {{ background: {PANEL}; border: 1px solid {BORDER};"
            " border-radius: 6px; }"
        )
        self.title = self._label(state.spec.title, f"color: {MUTED}; font-size: 10pt;")
        self.value = self._label("—", f"color: {TEXT}; font-size: 22pt; font-weight: 600;")
        self.caption = self._label("", f"color: {MUTED}; font-size: 9pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        for label in (self.title, self.value, self.caption):
            layout.addWidget(label)
        spec = state.spec
        tip = spec.description or f"{spec.field} of {spec.event_type} events"
        self.setToolTip(f"{tip} ({spec.combine.value} of the newest values)")
        self.setMinimumWidth(170)
        self.refresh()

    def _label(self, text: str, style: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(style)
        return label

    def refresh(self) -> None:
        self.value.setText(self.state.text())
        self.caption.setText(self.state.caption())


class CardsPanel(QWidget):
    """A row of cards; :meth:`add_events` folds a tick's events into all of them."""

    def __init__(self, specs: Sequence[CardSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = [MetricCard(CardState(spec), self) for spec in specs]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        for card in self.cards:
            layout.addWidget(card)

    def add_events(self, by_type: dict[str, list[Event]]) -> None:
        """Fold a tick's events, grouped by type, into the cards that show those types."""
        for card in self.cards:
            events = by_type.get(card.state.spec.event_type)
            if events and card.state.fold(events):
                card.refresh()

    def reset(self) -> None:
        """Back to no value at all (a replay that goes back folds everything again)."""
        for card in self.cards:
            card.state = CardState(card.state.spec)
            card.refresh()

    def card(self, title: str) -> MetricCard:
        return next(c for c in self.cards if c.state.spec.title == title)
