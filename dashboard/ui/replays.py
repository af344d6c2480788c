"""Recordings being replayed in the window: started from the menu, a drop or --replay."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from dashboard.core.store import EventStore
from dashboard.sources.base import ConnectionState
from dashboard.sources.replay import ReplaySource
from dashboard.ui.tasks import SourceTasks


class ReplayRunner(QObject):
    """Runs ReplaySources on the asyncio loop, into the store like any feed.

    Signals:
        changed(): a replay started or ended.
    """

    changed = Signal()

    def __init__(self, store: EventStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.sources: list[ReplaySource] = []
        self._tasks = SourceTasks(ended=self.changed.emit)

    def open(self, path: str | Path, speed: float | None = 1.0) -> ReplaySource:
        """Start replaying *path* (needs the running asyncio loop)."""
        source = ReplaySource(path, self.store, speed)
        self.sources.append(source)
        self._tasks.start(source)
        self.changed.emit()
        return source

    @property
    def playing(self) -> list[ReplaySource]:
        return [s for s in self.sources if s.status.state is ConnectionState.LIVE]

    def position(self) -> float | None:
        """The newest recording time played so far, if any replay has played anything."""
        positions = [s.position for s in self.sources if s.position is not None]
        return max(positions) if positions else None

    async def aclose(self) -> None:
        await self._tasks.aclose()
