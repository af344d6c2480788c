"""A connection read and decoded in a reader process, handing finished batches to the app.

:class:`ProcessSource` is what the connection manager and the window hold for each
connection (``spec``, ``name``, ``status``, ``checkpoint``, ``run()``), like the source it
stands for. Its :meth:`~ProcessSource.run` opens the connection in a reader of its
:class:`~dashboard.sources.pool.ReaderPool` (:mod:`dashboard.sources.reader` runs the very
same source there) and waits for its end; the pool hands it each frame the reader sends:
the status to mirror, the checkpoint, and a batch as columns for the store, which makes
the Events from them (a fraction of the cost of decoding them).

What a new run needs to carry on where the last one stopped (the SSE last event id, Redis
stream positions) comes back with every batch as the source's checkpoint; it goes with
the next opening, whether the operator connects again or a reader that died is restarted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from dashboard.core.events.event import Rejected
from dashboard.core.storage.store import EventStore
from dashboard.core.transport.connection import ConnectionSpec
from dashboard.sources.base import (
    ConnectionState,
    new_status,
    registered_decoder,
)
from dashboard.sources.pool import ReaderPool, _Reader
from dashboard.sources.reader import END, EVENTS, STATUS_FIELDS

log = logging.getLogger("dashboard.sources.process")


class ProcessSource:
    """The app's side of a connection read in a reader process.

    *pool* is shared by the app's connections; without one, the source has a pool of one
    reader of its own, ended when its run ends. ``pid`` is its reader's while it runs.

    A fresh interpreter takes about a quarter of a second to load what a reader runs:
    :meth:`prepare` starts the pool's readers ahead of :meth:`run` (say while the window
    is being built).
    """

    def __init__(
        self, spec: ConnectionSpec, store: EventStore, pool: ReaderPool | None = None
    ) -> None:
        from dashboard.sources import KINDS  # the package imports this module

        self.pool = ReaderPool(1) if pool is None else pool
        (self.pool.kinds or KINDS).for_url(spec.url)  # ValueError: not a feed it can read
        self.spec = spec
        self.name = spec.name
        self.url = spec.url
        self.store = store
        self.decoder = registered_decoder(spec, store)
        self.status = new_status(spec)
        self.checkpoint: Any = None
        self._own_pool = pool is None
        self.conn_id = 0  # this run's, in the pool
        self._reader: _Reader | None = None
        self._ended: asyncio.Future[None] | None = None
        self._state: tuple[Any, ...] = ()  # the status as last received

    @property
    def pid(self) -> int | None:
        """The pid of the reader process running this connection, while it runs."""
        return None if self._reader is None else self._reader.pid

    def prepare(self) -> None:
        """Start the pool's readers now, to load while the caller does other things."""
        self.pool.prepare()

    def discard(self) -> None:
        """Let a reader of its own, prepared but unused, go: it ends by itself."""
        if self._own_pool and self._ended is None:
            self.pool.discard()

    async def run(self) -> None:
        """Open the connection in a reader and take its batches and status until it ends
        (a stop, or a reader's death unexplained) or this is cancelled."""
        ended = self._ended = asyncio.get_running_loop().create_future()
        self._state = ()  # (the app may have changed the status since: disconnected...)
        try:
            self._reader = self.pool.assign(self)
            await self._reader.open(self)
            await ended
        finally:
            reader, self._reader, self._ended = self._reader, None, None
            if reader is not None and (ended.cancelled() or not ended.done()):
                # cancelled: the operator's choice (a connection that ended is gone already)
                reader.close(self.conn_id)
            if self._own_pool:
                await self.pool.aclose()
                self.pool = ReaderPool(1)  # (a later run gets a new one)

    def start_payload(self) -> tuple[Any, ...]:
        """What the reader needs to open (or resume) this connection."""
        return self.spec, self.status, self.checkpoint

    def take(self, kind: int, state: tuple[Any, ...], checkpoint: Any, payload: Any) -> None:
        """A frame from the reader: the status and checkpoint, and a batch or the end."""
        self.checkpoint = checkpoint
        if state != self._state:  # (most frames: as the one before)
            self._state = state
            status = self.status
            for field, value in zip(STATUS_FIELDS, state, strict=True):
                setattr(status, field, value)
            status.state = ConnectionState(status.state)  # (sent as its value)
        if kind == EVENTS:
            self._store(*payload)
        elif kind == END:
            if self._reader is not None:
                self._reader.connections.pop(self.conn_id, None)
            if self._ended is not None and not self._ended.done():
                self._ended.set_result(None)

    def reader_died(self, how: str) -> None:
        """Its reader ended unexpectedly; the pool opens it again from its checkpoint."""
        self._state = ()
        status = self.status
        status.state = ConnectionState.RECONNECTING
        status.detail = status.last_error = how
        status.retry_at = None
        status.reconnects += 1
        if status.down_since is None:
            status.down_since = time.time()
        log.error("%s: %s", self.name, how)

    def stop(self, why: str) -> None:
        """End the run here, stopped for *why* (its reader cannot be had)."""
        status = self.status
        status.state = ConnectionState.STOPPED
        status.detail = status.last_error = why
        status.retry_at = None
        if status.down_since is None:
            status.down_since = time.time()
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    def _store(self, columns: list[list[Any]], rejected: list[tuple[Any, ...]]) -> None:
        """A batch into the store: its events as the columns they came in, then its
        rejected frames."""
        name = self.name
        if columns[0]:
            self.store.extend_columns(name, columns)
        if rejected:
            self.store.extend(
                Rejected(reason, raw, received, name, size, i)
                for reason, raw, received, size, i in rejected
            )
