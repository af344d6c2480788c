"""Replay: a recording played into the same sink as a live feed, paced or at full speed.

Events keep their recorded envelope (connection, source, times), so the panels show what
they showed live. A line that cannot be read becomes a Rejected record naming its line
number, and the replay goes on.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from dashboard.core.event import Event, Rejected
from dashboard.core.records import BadLine, open_events_file, read_events
from dashboard.sources.base import ConnectionState, ConnectionStatus, Sink

BATCH = 4096  # events handed over at once at full speed, then the loop gets a turn


class ReplaySource:
    """Plays the recording at *path* into *sink*; *speed* 1.0 is real time, None is as
    fast as possible. ``position`` is the recording's clock: the last played event's
    arrival time."""

    def __init__(
        self,
        path: str | Path,
        sink: Sink,
        speed: float | None = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed is not None and speed <= 0:
            raise ValueError(f"speed must be above 0, not {speed}")
        self.path = Path(path)
        self.sink = sink
        self.speed = speed
        self.clock = clock
        self.name = f"replay {self.path.name}"
        self.status = ConnectionStatus(self.name, str(self.path))
        self.position: float | None = None
        self.played = 0
        self.bad_lines = 0
        self._hold_gc = False

    async def run(self) -> None:
        status = self.status
        status.state = ConnectionState.LIVE
        status.detail = ""
        try:
            with open_events_file(str(self.path)) as stream:
                await self._play(read_events(stream, self.name, rejected=True))
        except OSError as error:
            status.state = ConnectionState.STOPPED
            status.detail = status.last_error = f"cannot read {self.path}: {error}"
            return
        status.state = ConnectionState.STOPPED
        bad = f", {self.bad_lines:,} unreadable lines" if self.bad_lines else ""
        status.detail = f"finished: {self.played:,} events{bad}"

    async def _play(self, items: Iterator[Event | Rejected | BadLine]) -> None:
        batch: list[Event | Rejected] = []
        first: float | None = None
        started = self.clock()
        # Reading makes a few objects per event and keeps them: the cyclic collector would
        # run every few hundred events and look at them all again. Held off for one batch
        # at a time, it runs once per batch instead (replay at full speed: +60%).
        self._hold_gc = gc.isenabled()  # (someone else may have turned it off: leave it so)
        self._gc(False)
        try:
            await self._play_batches(items, batch, first, started)
        finally:
            self._gc(True)
        self._hand_over(batch)

    def _gc(self, on: bool) -> None:
        if self._hold_gc:
            gc.enable() if on else gc.disable()

    async def _play_batches(
        self,
        items: Iterator[Event | Rejected | BadLine],
        batch: list[Event | Rejected],
        first: float | None,
        started: float,
    ) -> None:
        for item in items:
            if isinstance(item, BadLine):
                self.bad_lines += 1
                reason = f"{self.path.name} line {item.number}: {item.reason}"
                batch.append(Rejected(reason, b"", time.time(), self.name, 0))
                continue
            if isinstance(item, Event) and self.speed is not None:
                if first is None:
                    first = item.received
                due = started + (item.received - first) / self.speed
                wait = due - self.clock()
                if wait > 0.001:
                    self._hand_over(batch)
                    self._gc(True)  # never held off while waiting
                    await asyncio.sleep(wait)
                    self._gc(False)
            batch.append(item)
            if len(batch) >= BATCH:
                self._hand_over(batch)
                self._gc(True)  # the collector may run now, once, and the loop gets a turn
                await asyncio.sleep(0)
                self._gc(False)

    def _hand_over(self, batch: list[Event | Rejected]) -> None:
        if not batch:
            return
        events = [item for item in batch if type(item) is Event]
        self.played += len(events)
        if events:
            self.position = events[-1].received
        self.sink.extend(batch)
        batch.clear()
