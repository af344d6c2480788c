"""The replay bar: play/pause, step, speed, a timeline to seek on, go to a typed time, loop.

It steers a :class:`~dashboard.sources.replay.ReplayPlayer` and shows where it is; the
player does the work on the asyncio loop.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyle,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from dashboard.sources.recording import time_in_recording
from dashboard.sources.replay import ReplayPlayer
from dashboard.ui.log_model import clock_text, full_time_text
from dashboard.ui.theme import SEVERITY_COLOURS, Themed, current

SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, None)  # None: max
REFRESH_MS = 100
TIME_BOX_TIP = "Type a time of day (10:42:13.250) or a date and time, then Enter (Ctrl+G)"
JUMP_S = 10.0  # Shift+Left/Right
_AHEAD_ALPHA = 120  # what is still ahead: the muted colour, faded
_MARK_HEIGHT = 6  # alert marks along the top edge


def speed_text(speed: float | None) -> str:
    return "max" if speed is None else f"{speed:g}x"


def duration_text(seconds: float) -> str:
    """``mm:ss``, or ``h:mm:ss`` from an hour on."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Timeline(Themed, QWidget):
    """The recording's event density, alert marks, what has been played and where the
    replay is. Click or drag to choose a moment; it is asked for on release.

    Signals:
        seek_requested(float): go to this moment (epoch seconds).
    """

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(200, 30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.start = self.end = 0.0
        self.position = 0.0
        self._density = np.zeros(0)
        self._alerts = np.zeros(0)
        self._dragging: float | None = None
        self.styled()

    def restyle(self) -> None:
        self.update()  # (the colours are read at paint time)

    def sizeHint(self) -> QSize:
        return QSize(400, 30)

    def set_recording(
        self, start: float, end: float, density: np.ndarray, alerts: np.ndarray
    ) -> None:
        self.start, self.end = start, max(end, start + 1e-6)
        peak = density.max() if len(density) else 0
        self._density = density / peak if peak else density.astype(float)
        self._alerts = alerts
        self.update()

    def set_position(self, when: float) -> None:
        if when != self.position:
            self.position = when
            self.update()

    def _x(self, when: float) -> float:
        return (when - self.start) / (self.end - self.start) * (self.width() - 1)

    def time_at(self, x: float) -> float:
        fraction = min(max(x / max(self.width() - 1, 1), 0.0), 1.0)
        return self.start + fraction * (self.end - self.start)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme = current()  # (read at paint time: the theme may have changed)
        played, ahead = QColor(theme.accent), QColor(theme.muted)
        ahead.setAlpha(_AHEAD_ALPHA)
        width, height = self.width(), self.height()
        painter.fillRect(self.rect(), QColor(theme.panel))
        shown = self._dragging if self._dragging is not None else self.position
        x = self._x(shown)
        bins = len(self._density)
        if bins:  # what has been played in the accent colour, what is ahead muted
            step = width / bins
            room = height - _MARK_HEIGHT - 3
            for i, level in enumerate(self._density):
                if level > 0:
                    bar = max(1.0, level * room)
                    colour = played if (i + 0.5) * step <= x else ahead
                    painter.fillRect(QRectF(i * step, height - bar, step, bar), colour)
        painter.setPen(QPen(QColor(theme.severity[max(theme.severity)]), 1))
        for mark in {round(self._x(t)) for t in self._alerts}:
            painter.drawLine(QPointF(mark, 0), QPointF(mark, _MARK_HEIGHT - 1))
        painter.setPen(QPen(QColor(theme.text), 2))  # where the replay is
        painter.drawLine(QPointF(x, 0), QPointF(x, height))
        painter.setPen(QPen(QColor(theme.border), 1))
        painter.drawRect(0, 0, width - 1, height - 1)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = self.time_at(event.position().x())
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        when = self.time_at(event.position().x())
        if self._dragging is not None:
            self._dragging = when
            self.update()
        QToolTip.showText(event.globalPosition().toPoint(), full_time_text(when), self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging is not None and event.button() == Qt.MouseButton.LeftButton:
            when, self._dragging = self._dragging, None
            self.position = when
            self.update()
            self.seek_requested.emit(when)

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent):
            when = self.time_at(event.position().x())
            QToolTip.showText(event.globalPos(), full_time_text(when), self)
            return True
        return super().event(event)


class ReplayBar(Themed, QWidget):
    """Controls for one replay. Keys (set up by the window): Space plays or pauses,
    Left/Right step one event, Shift+Left/Right jump 10 seconds.

    Signals:
        back_to_live(): the operator asked to leave the replay.
        problem(str): something the operator typed could not be done; says why.
    """

    back_to_live = Signal()
    problem = Signal(str)

    def __init__(self, player: ReplayPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._build_buttons(player)
        self._build_speed_box(player)
        self._build_timeline(player)
        time_column = self._build_time_box()
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setToolTip("Start again from the beginning at the end")
        self.loop_box.toggled.connect(lambda on: setattr(player, "loop", on))
        self._build_where(player)
        self._arrange(time_column)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.styled()
        self.refresh()

    def _build_buttons(self, player: ReplayPlayer) -> None:
        """Live, step back, play or pause, step forward."""
        style = self.style()
        self.live_button = self._button(
            "Live", "Close this replay and go back to the live dashboard", self.back_to_live.emit
        )
        self.live_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.live_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button = self._button(
            "", "Take the last event back (Left)", lambda: player.step(-1)
        )
        self.back_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward))
        self.play_button = self._button("", "Play or pause (Space)", player.toggle)
        self.step_button = self._button("", "Play one more event (Right)", lambda: player.step(1))
        self.step_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))

    def _build_speed_box(self, player: ReplayPlayer) -> None:
        """The speeds offered, and the player's own when it is none of them."""
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Replay speed: times real time, or as fast as it goes")
        for speed in SPEEDS:
            self.speed_box.addItem(speed_text(speed), speed)
        if player.speed not in SPEEDS:
            self.speed_box.addItem(speed_text(player.speed), player.speed)
        self.speed_box.setCurrentIndex(self.speed_box.findData(player.speed))
        self.speed_box.currentIndexChanged.connect(
            lambda i: player.set_speed(self.speed_box.itemData(i))
        )

    def _build_timeline(self, player: ReplayPlayer) -> None:
        recording = player.recording
        self.timeline = Timeline()
        self.timeline.set_recording(
            recording.start,
            recording.end,
            recording.density(240),
            recording.alert_times,
        )
        self.timeline.setToolTip("Click or drag to go to a moment")
        self.timeline.seek_requested.connect(player.seek_time)

    def _build_time_box(self) -> QVBoxLayout:
        """The box to type a time in, over the line saying what was wrong with it."""
        self.time_box = QLineEdit()
        self.time_box.setPlaceholderText("go to 10:42:13")
        self.time_box.setToolTip("Type a time of day (10:42:13.250) or a date and time, then Enter")
        self.time_box.setClearButtonEnabled(True)
        self.time_box.setMaximumWidth(150)
        self.time_box.returnPressed.connect(self._go_to_typed_time)
        self.time_box.textEdited.connect(lambda _text: self._mark_time_box(""))
        self.time_problem = QLabel()  # under the box: what was wrong with what was typed
        self.time_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.time_problem.setWordWrap(True)
        self.time_problem.setMaximumWidth(260)
        self.time_problem.hide()
        time_column = QVBoxLayout()
        time_column.setContentsMargins(0, 0, 0, 0)
        time_column.setSpacing(1)
        time_column.addWidget(self.time_box)
        time_column.addWidget(self.time_problem)
        return time_column

    def _build_where(self, player: ReplayPlayer) -> None:
        """Where the replay is, as wide as its longest text, always: the bar must not jump,
        nor squeeze the window."""
        recording = player.recording
        self.where = QLabel()
        total = recording.events
        length = duration_text(recording.end - recording.start)
        longest = f"00:00:00.000 · {length} / {length} · {total:,} / {total:,} events · paused "
        self.where.setFixedWidth(self.fontMetrics().horizontalAdvance(longest))

    def _arrange(self, time_column: QVBoxLayout) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for widget in (
            self.live_button,
            self.back_button,
            self.play_button,
            self.step_button,
            self.speed_box,
        ):
            layout.addWidget(widget)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.where)
        layout.addLayout(time_column)
        layout.addWidget(self.loop_box)

    def restyle(self) -> None:
        self.time_problem.setStyleSheet(f"color: {current().level_colour('critical')};")
        self._mark_time_box(self.time_problem.text())

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def focus_time_box(self) -> None:
        self.time_box.setFocus()
        self.time_box.selectAll()

    def jump(self, seconds: float) -> None:
        self.player.seek_time(self.player.time + seconds)

    def _go_to_typed_time(self) -> None:
        recording = self.player.recording
        try:
            when = time_in_recording(self.time_box.text(), recording.start, recording.end)
        except ValueError as error:
            text = str(error)
            if "outside" not in text:
                text = f"Not a time: {self.time_box.text().strip()!r} (try 10:42:13)"
            self._mark_time_box(text)
            self.problem.emit(text)
            return
        self._mark_time_box("")
        self.player.seek_time(when)
        self.timeline.setFocus()  # the arrows step again (in the box they move the cursor)

    def _mark_time_box(self, problem: str) -> None:
        """A red frame, and the reason under the box (and as its tooltip), while what was
        typed cannot be done."""
        colour = SEVERITY_COLOURS[max(SEVERITY_COLOURS)]
        self.time_box.setStyleSheet(f"border: 1px solid {colour};" if problem else "")
        self.time_box.setToolTip(problem or TIME_BOX_TIP)
        self.time_problem.setText(problem)
        self.time_problem.setVisible(bool(problem))

    def refresh(self) -> None:
        player = self.player
        icon = (
            QStyle.StandardPixmap.SP_MediaPause
            if player.playing
            else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.timeline.set_position(player.time)
        total = player.recording.events
        if player.seek_progress is not None:
            where = f"seeking… {player.seek_progress:.0%}"
        else:
            recording = player.recording
            elapsed = duration_text(player.time - recording.start)
            length = duration_text(recording.end - recording.start)
            where = (
                f"{clock_text(player.time)} · {elapsed} / {length} · "
                f"{player.played_events:,} / {total:,} events"
            )
            if player.at_end and not player.playing:
                where += " · end"
            elif not player.playing:
                where += " · paused"
        self.where.setText(where)
        self.where.setToolTip(
            f"{full_time_text(player.time)}\n{player.recording.name}: "
            f"{full_time_text(player.recording.start)} to {full_time_text(player.recording.end)}"
        )
