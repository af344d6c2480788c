"""The running connections: start, stop, edit and remove sources while the app runs."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from dashboard.core.layouts.names import unique_name
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.core.transport.sourcekind import SourceKinds
from dashboard.sources import ConnectionState
from dashboard.sources.pool import DEFAULT_READERS, ReaderPool
from dashboard.sources.process import ProcessSource
from dashboard.sources.registry import KINDS
from dashboard.ui.tasks import SourceTasks


class ConnectionManager(QObject):
    """Owns the sources, their asyncio tasks (on the qasync loop) and the pool of
    *readers* reader processes they are read in.

    Signals:
        changed(): a connection was added, removed, edited, connected or disconnected.
    """

    changed = Signal()

    def __init__(
        self,
        store: EventStore,
        parent: QObject | None = None,
        readers: int = DEFAULT_READERS,
        kinds: SourceKinds = KINDS,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.kinds = kinds  # the transports it can open (the dialog and layouts use them too)
        self.pool = ReaderPool(readers, None if kinds is KINDS else kinds)
        self.sources: list[ProcessSource] = []
        self._tasks = SourceTasks(ended=self.changed.emit)

    # -- what there is -------------------------------------------------------------------
    def names(self) -> list[str]:
        return [s.name for s in self.sources]

    def specs(self) -> list[ConnectionSpec]:
        return [s.spec for s in self.sources]

    def source(self, name: str) -> ProcessSource:
        return next(s for s in self.sources if s.name == name)

    def is_running(self, source: ProcessSource) -> bool:
        return self._tasks.is_running(source)

    def live_count(self) -> int:
        return sum(s.status.state is ConnectionState.LIVE for s in self.sources)

    def unique_name(self, wanted: str, ignore: ProcessSource | None = None) -> str:
        return unique_name(wanted, {s.name for s in self.sources if s is not ignore})

    # -- changes -------------------------------------------------------------------------
    def add(self, spec: ConnectionSpec, *, start: bool = True) -> ProcessSource:
        spec.name = self.unique_name(spec.name)
        source = ProcessSource(spec, self.store, self.pool)
        self.sources.append(source)
        if start:
            self._start(source)
        self.changed.emit()
        return source

    def connect_source(self, source: ProcessSource) -> None:
        if not self.is_running(source):
            source.status.reconnects = 0
            source.status.detail = ""
            self._start(source)
            self.changed.emit()

    def disconnect_source(self, source: ProcessSource) -> None:
        self._tasks.stop(source)
        source.status.state = ConnectionState.STOPPED
        source.status.detail = "disconnected"
        source.status.down_since = None  # the operator's choice: nothing to alert about
        source.status.retry_at = None
        self.changed.emit()

    def remove(self, source: ProcessSource) -> None:
        """Stop it and forget it (the events it delivered stay in the store)."""
        self._tasks.stop(source)
        self.sources.remove(source)
        self.changed.emit()

    def replace(self, source: ProcessSource, spec: ConnectionSpec) -> ProcessSource:
        """Edit: the old source stops, a new one with the new settings takes its place."""
        was_running = self.is_running(source)
        self._tasks.stop(source)
        spec.name = self.unique_name(spec.name, ignore=source)
        new = ProcessSource(spec, self.store, self.pool)
        self.sources[self.sources.index(source)] = new
        if was_running:
            self._start(new)
        self.changed.emit()
        return new

    def start_all(self) -> None:
        for source in self.sources:
            if not self.is_running(source):
                self._start(source)

    def prepare(self) -> None:
        """Start the reader processes now, to load while the window is built."""
        self.pool.prepare()

    async def aclose(self) -> None:
        await self._tasks.aclose()
        await self.pool.aclose()

    def _start(self, source: ProcessSource) -> None:
        source.status.state = ConnectionState.CONNECTING
        self._tasks.start(source)
