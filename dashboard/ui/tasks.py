"""The asyncio tasks that run sources (feeds and replays) on the qasync loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from dashboard.sources.base import ConnectionState, ConnectionStatus

log = logging.getLogger(__name__)


class Runnable(Protocol):
    name: str
    status: ConnectionStatus

    def run(self) -> Coroutine[Any, Any, None]: ...


class SourceTasks:
    """One task per source; a source that dies of an unexpected error is marked stopped
    with the error, and *ended* is called whenever a task ends by itself."""

    def __init__(self, ended: Callable[[], None]) -> None:
        self._ended = ended
        self._tasks: dict[Runnable, asyncio.Future[None]] = {}

    def start(self, source: Runnable) -> None:
        task = asyncio.ensure_future(source.run())
        task.add_done_callback(lambda done: self._finished(source, done))
        self._tasks[source] = task

    def is_running(self, source: Runnable) -> bool:
        task = self._tasks.get(source)
        return task is not None and not task.done()

    def stop(self, source: Runnable) -> None:
        task = self._tasks.pop(source, None)
        if task is not None:
            task.cancel()

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _finished(self, source: Runnable, task: asyncio.Future[None]) -> None:
        if task.cancelled():
            return
        if self._tasks.get(source) is task:
            del self._tasks[source]
        error = task.exception()
        if error is not None:
            log.error("%s stopped on an unexpected error", source.name, exc_info=error)
            source.status.state = ConnectionState.STOPPED
            source.status.detail = f"internal error: {error!r}"
        self._ended()
