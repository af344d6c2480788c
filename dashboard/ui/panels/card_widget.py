"""One metric card: its value fitted to its size, caption, level colour and sparkline, and
its menu (edit, rename, show, style, remove)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from dashboard.core.panels.cardformat import format_value
from dashboard.core.panels.cards import SHOW_CHOICES, STYLE_CHOICES, CardState
from dashboard.ui.card_dialog import CardDialog
from dashboard.ui.elided import ElidedLabel
from dashboard.ui.text import plain_tooltip
from dashboard.ui.theme import Themed, current

CARD_WIDTH = 155  # the narrowest a card gets; columns are as many as fit (8 at 1280 px)
VALUE_POINTS = 22.0  # the figure's size, made smaller (to MIN_VALUE_POINTS) to fit whole
MIN_VALUE_POINTS = 8.0


class Sparkline(QWidget):
    """The card's figure over the last minute or so, as a thin line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[float, float]] = []
        self.colour = current().accent
        self.setFixedHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        if len(self.points) < 2:
            return
        t0, t1 = self.points[0][0], self.points[-1][0]
        values = [v for _, v in self.points]
        low, high = min(values), max(values)
        span_t, span_v = (t1 - t0) or 1.0, (high - low) or 1.0
        w, h = self.width() - 2, self.height() - 3
        line = [
            QPointF(
                1 + (t - t0) / span_t * w, 1 + h - (v - low) / span_v * h if high > low else h / 2
            )
            for t, v in self.points
        ]
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(self.colour), 1.5))
        painter.drawPolyline(line)


class MetricCard(Themed, QFrame):
    """Shows one CardState; call :meth:`refresh` with the window's *now* after a change.

    Signals:
        remove_requested(): the operator asked to remove this card.
        respec_requested(CardSpec): the operator changed what it shows, its format or title.
    """

    remove_requested = Signal()
    respec_requested = Signal(object)  # a CardSpec to show instead

    def __init__(
        self, state: CardState, clock: Callable[[], float], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.clock = clock
        self.setObjectName("metricCard")
        self.title = ElidedLabel(self)
        self.title.setText(state.spec.title)
        self.stale = self._label("")
        self.value = self._label("—")
        font = self.value.font()
        font.setPointSizeF(VALUE_POINTS)
        font.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(font)
        self.value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.trend = self._label("")
        self.sparkline = Sparkline(self)
        # The caption gives way (elided) to the trend beside it: they never overlap.
        self.caption = ElidedLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.stale)
        bottom = QHBoxLayout()
        bottom.addWidget(self.caption, 1)
        bottom.addWidget(self.trend)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.value)
        layout.addWidget(self.sparkline)
        layout.addLayout(bottom)
        self.setToolTip(self.tooltip())
        self.setMinimumWidth(CARD_WIDTH - 10)
        self._level = ""
        self.styled()
        self.refresh()

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def restyle(self) -> None:
        """The current theme's colours (and the level's, which depend on the theme)."""
        muted = current().muted
        self.title.setStyleSheet(f"color: {muted}; font-size: 10pt;")
        self.stale.setStyleSheet(f"color: {current().level_colour('warning')}; font-size: 9pt;")
        self.trend.setStyleSheet(f"color: {muted}; font-size: 9pt;")
        self.caption.setStyleSheet(f"color: {muted}; font-size: 9pt;")
        level, self._level = self._level, ""
        if level:
            self._show_level(level)

    def tooltip(self) -> str:
        spec = self.state.spec
        tip = spec.description or spec.reads()
        return plain_tooltip(f"{tip}\nRight-click to change what it shows, its format or title")

    def refresh(self) -> None:
        now = self.clock()
        state = self.state
        text = state.text(now)
        if text != self.value.text():
            self.value.setText(text)
            self.fit_value()
        caption = state.caption(now)
        if caption != self.caption.text():
            self.caption.setText(caption)
            self.caption.setToolTip(plain_tooltip(caption))
        stale = state.is_stale(now)
        self.stale.setText("● stale" if stale else "")
        level = "muted" if stale else state.level(now)
        self._show_level(level)
        trend = state.trend()
        if trend is None or trend == 0 or state.text_value is not None:
            self.trend.setText("")
        else:
            spec = state.spec
            delta = format_value(abs(trend), spec.style, spec.unit, spec.decimals)
            self.trend.setText(f"{'▲' if trend > 0 else '▼'} {delta}")
        if len(state.history) != len(self.sparkline.points) or (
            state.history and state.history[-1] != self.sparkline.points[-1]
        ):  # (sampled once a second: most refreshes leave it as it is)
            self.sparkline.points = list(state.history)
            self.sparkline.update()

    def _show_level(self, level: str) -> None:
        if level == self._level:
            return
        self._level = level
        theme = current()
        alarming = level in ("warning", "critical")
        colour = theme.text if level == "none" else theme.level_colour(level)
        self.value.setStyleSheet(f"color: {colour};")
        border = theme.level_colour(level) if alarming else theme.border
        width = 2 if alarming else 1
        self.setStyleSheet(
            f"#metricCard {{ background: {theme.panel}; border: {width}px solid {border};"
            " border-radius: 6px; }"
        )
        self.sparkline.colour = colour if alarming else theme.accent
        self.sparkline.update()

    def fit_value(self) -> None:
        """The figure whole: at VALUE_POINTS, or smaller when the card is too narrow."""
        font = self.value.font()
        room = self.value.width() if self.value.width() > 0 else CARD_WIDTH
        points = VALUE_POINTS
        font.setPointSizeF(points)
        while (
            points > MIN_VALUE_POINTS
            and QFontMetrics(font).horizontalAdvance(self.value.text()) > room
        ):
            points = max(MIN_VALUE_POINTS, points - 1.0)
            font.setPointSizeF(points)
        if self.value.font().pointSizeF() != points:
            self.value.setFont(font)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_value()

    def tick(self) -> None:
        self.state.sample(self.clock())
        self.refresh()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu().exec(event.globalPos())

    def menu(self) -> QMenu:
        """Copy, what the card shows, its format, rename, remove."""
        spec = self.state.spec
        menu = QMenu(self)
        menu.addAction("Copy value").triggered.connect(
            lambda: QGuiApplication.clipboard().setText(self.value.text())
        )
        shows = menu.addMenu("Show")
        for show, text in SHOW_CHOICES:
            if show != "count" and not spec.field:
                continue
            action = shows.addAction(text)
            action.setCheckable(True)
            action.setChecked(show == spec.show)
            action.triggered.connect(lambda _on, s=show: self._respec(show=s))
        styles = menu.addMenu("Format")
        for style, text in STYLE_CHOICES:
            action = styles.addAction(text)
            action.setCheckable(True)
            action.setChecked(style == spec.style)
            try:
                dataclasses.replace(spec, style=style)
            except ValueError as error:  # e.g. a duration of "%"
                action.setEnabled(False)
                action.setToolTip(str(error))
            action.triggered.connect(lambda _on, s=style: self._respec(style=s))
        styles.setToolTipsVisible(True)
        menu.addAction("Rename…").triggered.connect(self._rename)
        menu.addAction("Edit…").triggered.connect(self.edit)
        menu.addSeparator()
        menu.addAction("Remove card").triggered.connect(self.remove_requested)
        return menu

    def _respec(self, **changes: object) -> None:
        self.respec_requested.emit(dataclasses.replace(self.state.spec, **changes))

    def edit(self) -> None:
        """Everything about the card in one dialog: thresholds, window, staleness…"""
        dialog = CardDialog(self.state.spec, self)
        if dialog.exec() == CardDialog.DialogCode.Accepted:
            self.respec_requested.emit(dialog.spec())

    def mouseDoubleClickEvent(self, event: object) -> None:
        self.edit()

    def _rename(self) -> None:
        title, ok = QInputDialog.getText(self, "Rename card", "Title:", text=self.state.spec.title)
        if ok and title.strip():
            self._respec(title=title.strip())
