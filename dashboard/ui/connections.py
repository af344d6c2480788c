"""The running connections: start, stop, edit and remove sources while the app runs."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from PySide6.QtCore import QObject, Signal

from dashboard.core.store import EventStore
from dashboard.sources import ConnectionSpec, ConnectionState, ReconnectingSource, open_source

log = logging.getLogger("dashboard.ui.connections")


class ConnectionManager(QObject):
    """Owns the sources and their asyncio tasks (on the qasync loop).

    Signals:
        changed(): a connection was added, removed, edited, connected or disconnected.
    """

    changed = Signal()

    def __init__(self, store: EventStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.sources: list[ReconnectingSource] = []
        self._tasks: dict[ReconnectingSource, asyncio.Task[None]] = {}

    # -- what there is -------------------------------------------------------------------
    def names(self) -> list[str]:
        return [s.name for s in self.sources]

    def source(self, name: str) -> ReconnectingSource:
        return next(s for s in self.sources if s.name == name)

    def is_running(self, source: ReconnectingSource) -> bool:
        task = self._tasks.get(source)
        return task is not None and not task.done()

    def live_count(self) -> int:
        return sum(s.status.state is ConnectionState.LIVE for s in self.sources)

    def unique_name(self, wanted: str, ignore: ReconnectingSource | None = None) -> str:
        taken = {s.name for s in self.sources if s is not ignore}
        name, n = wanted, 1
        while name in taken:
            n += 1
            name = f"{wanted}-{n}"
        return name

    # -- changes -------------------------------------------------------------------------
    def add(self, spec: ConnectionSpec, *, start: bool = True) -> ReconnectingSource:
        spec.name = self.unique_name(spec.name)
        source = open_source(spec, self.store)
        self.sources.append(source)
        if start:
            self._start(source)
        self.changed.emit()
        return source

    def connect_source(self, source: ReconnectingSource) -> None:
        if not self.is_running(source):
            source.status.reconnects = 0
            source.status.detail = ""
            self._start(source)
            self.changed.emit()

    def disconnect_source(self, source: ReconnectingSource) -> None:
        task = self._tasks.pop(source, None)
        if task is not None:
            task.cancel()
        source.status.state = ConnectionState.STOPPED
        source.status.detail = "disconnected"
        source.status.retry_at = None
        self.changed.emit()

    def remove(self, source: ReconnectingSource) -> None:
        """Stop it and forget it (the events it delivered stay in the store)."""
        task = self._tasks.pop(source, None)
        if task is not None:
            task.cancel()
        self.sources.remove(source)
        self.changed.emit()

    def replace(self, source: ReconnectingSource, spec: ConnectionSpec) -> ReconnectingSource:
        """Edit: the old source stops, a new one with the new settings takes its place."""
        was_running = self.is_running(source)
        task = self._tasks.pop(source, None)
        if task is not None:
            task.cancel()
        spec.name = self.unique_name(spec.name, ignore=source)
        new = open_source(spec, self.store)
        self.sources[self.sources.index(source)] = new
        if was_running:
            self._start(new)
        self.changed.emit()
        return new

    def start_all(self) -> None:
        for source in self.sources:
            if not self.is_running(source):
                self._start(source)

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, source: ReconnectingSource) -> None:
        source.status.state = ConnectionState.CONNECTING
        task = asyncio.ensure_future(source.run())
        task.add_done_callback(partial(self._ended, source))
        self._tasks[source] = task

    def _ended(self, source: ReconnectingSource, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("%s stopped on an unexpected error", source.name, exc_info=error)
            source.status.state = ConnectionState.STOPPED
            source.status.detail = f"internal error: {error!r}"
        self.changed.emit()
