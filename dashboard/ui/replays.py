"""Recordings being replayed in the window: started from the menu, a drop or --replay."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from dashboard.core.store import EventStore
from dashboard.sources.base import ConnectionState
from dashboard.sources.replay import ReplaySource

log = logging.getLogger(__name__)


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
        self._tasks: dict[ReplaySource, asyncio.Future[None]] = {}

    def open(self, path: str | Path, speed: float | None = 1.0) -> ReplaySource:
        """Start replaying *path* (needs the running asyncio loop)."""
        source = ReplaySource(path, self.store, speed)
        self.sources.append(source)
        task = asyncio.ensure_future(source.run())
        task.add_done_callback(partial(self._ended, source))
        self._tasks[source] = task
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
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _ended(self, source: ReplaySource, task: asyncio.Future[None]) -> None:
        self._tasks.pop(source, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("replay of %s failed", source.path, exc_info=task.exception())
            source.status.state = ConnectionState.STOPPED
            source.status.detail = f"internal error: {task.exception()!r}"
        self.changed.emit()
