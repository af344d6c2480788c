"""Recording from the window: what the bus delivers, written as it arrives."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from dashboard.core.storage.recordwriter import Recorder, RecordingFailed
from dashboard.core.storage.store import EventStore
from dashboard.ui.bus import EventBus


class RecordingController(QObject):
    """Starts and stops a Recorder fed by the bus (each tick's events and rejected frames).

    Signals:
        changed(): a recording started or stopped.
        failed(str): writing failed (a full disk...): which file and why, said once; the
            recording has stopped, and the file keeps what was written whole.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, store: EventStore, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.recorder: Recorder | None = None
        bus.events_appended.connect(self._record_events)  # before the bus releases them
        bus.rejected_appended.connect(self._record_rejected)
        bus.ticked.connect(self._tick)

    @property
    def active(self) -> bool:
        return self.recorder is not None

    def start(self, path: str | Path) -> None:
        """Record from now on into *path* (raises OSError if it cannot be written)."""
        self.stop()
        self.recorder = Recorder(path)
        self.changed.emit()

    def stop(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
            self.changed.emit()

    def _record_events(self, start: int, end: int) -> None:
        if self.recorder is not None:
            self._write(lambda r: r.extend(self.store.events(start, end)))

    def _record_rejected(self, start: int, end: int) -> None:
        if self.recorder is not None:
            self._write(lambda r: r.extend(self.store.rejected(start, end)))

    def _tick(self) -> None:
        if self.recorder is not None:
            self._write(Recorder.tick)

    def _write(self, action: Callable[[Recorder], None]) -> None:
        recorder = self.recorder
        assert recorder is not None
        try:
            action(recorder)
        except OSError as error:
            self.recorder = None
            with contextlib.suppress(OSError):
                recorder.close()
            if isinstance(error, RecordingFailed):
                self.failed.emit(str(error))
            else:
                self.failed.emit(f"cannot write {recorder.path}: {error.strerror or error}")
            self.changed.emit()
