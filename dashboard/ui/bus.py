"""The frame-rate bus between the store and the panels."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from dashboard.core.storage.store import EventStore

DEFAULT_TICK_MS = 33  # ~30 Hz


class EventBus(QObject):
    """Looks at the store once per frame tick and says what arrived since the last one.

    Never one signal per event: a tick emits at most once per signal, whatever arrived.

    Signals:
        events_appended(start, end): events with ``start <= seq < end`` arrived (the
            oldest of them may already be evicted when a burst overran the store).
        rejected_appended(start, end): the same for rejected frames.
        ticked(): after every tick, for status displays.
    """

    events_appended = Signal(int, int)
    rejected_appended = Signal(int, int)
    ticked = Signal()

    def __init__(
        self, store: EventStore, interval_ms: int = DEFAULT_TICK_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._events_end = store.end_seq
        self._rejected_end = store.rejected_total
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def skip(self) -> None:
        """Say nothing of what the store holds now (after the store was cleared)."""
        self._events_end = self.store.end_seq
        self._rejected_end = self.store.rejected_total

    def flush(self) -> None:
        """Emit what arrived since the last tick (the timer calls this; tests may too)."""
        store = self.store
        end = store.end_seq
        if end != self._events_end:
            start, self._events_end = self._events_end, end
            self.events_appended.emit(start, end)
            store.release(end)  # every panel has taken the batch in
        rejected_end = store.rejected_total
        if rejected_end != self._rejected_end:
            start, self._rejected_end = self._rejected_end, rejected_end
            self.rejected_appended.emit(start, rejected_end)
        self.ticked.emit()
