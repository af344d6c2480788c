"""Replay: a recording played into the same sink as a live feed, and steered while it plays.

Events keep their recorded envelope (connection, source, times), so the panels show what
they showed live. The player can pause, change speed, step and seek. Seeking back starts
again from the first line: *rewind* is called so the sink (the store and the panels) can
forget what it had, and every line up to the new position is handed over at full speed.
Folding from the start is what makes the dashboard at 10:42:13 in a replay look the way
it looked live at 10:42:13: cards, chart, alerts and log all saw the same events.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from dashboard.core.events.event import Event, Rejected
from dashboard.sources.base import ConnectionState, ConnectionStatus
from dashboard.sources.recording import Recording

BATCH = 4096  # lines handed over at once at full speed, then the loop gets a turn
MAX_WAIT_S = 0.1  # while waiting for the next event, the clock still moves this often


class EventSink(Protocol):
    """Where a replay puts the events it reads back (the EventStore in the app)."""

    def extend(self, items: Iterable[Event | Rejected]) -> None: ...


class ReplayPlayer:
    """Plays *recording* into *sink*; *speed* 1.0 is real time, None as fast as it goes.

    ``position`` is how many lines have been handed over; ``time`` is the recording's
    clock (what the chart shows as now). Control calls (play, pause, seek...) take effect
    on the running :meth:`run` task at once.
    """

    def __init__(
        self,
        recording: Recording,
        sink: EventSink,
        speed: float | None = 1.0,
        *,
        rewind: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.recording = recording
        self.sink = sink
        self.speed = _checked(speed)
        self.rewind = rewind
        self.clock = clock
        self.name = f"replay {recording.name}"
        self.status = ConnectionStatus(self.name, recording.name)
        self.position = 0
        self.time = recording.start
        self.playing = True
        self.loop = False
        self.seek_progress: float | None = None  # 0..1 while a seek folds events in
        self._target: tuple[int, float | None] | None = None
        self._wake = asyncio.Event()

    # -- control -----------------------------------------------------------------------
    @property
    def at_end(self) -> bool:
        return self.position >= len(self.recording)

    @property
    def played_events(self) -> int:
        return self.recording.events_before(self.position)

    def play(self) -> None:
        if self.at_end and self._target is None:
            self.seek(0)  # play at the end starts again, as media players do
        self.playing = True
        self._poke()

    def pause(self) -> None:
        self.playing = False
        self._poke()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, speed: float | None) -> None:
        self.speed = _checked(speed)
        self._poke()

    def seek(self, position: int, when: float | None = None) -> None:
        """Go to just after line *position* (0: before the first); the clock shows *when*
        if given, else that line's arrival time."""
        position = max(0, min(position, len(self.recording)))
        self._target = (position, when)
        self._poke()

    def seek_time(self, when: float) -> None:
        """Go to the moment *when*: every line that arrived by then has been handed over."""
        when = max(self.recording.start, min(when, self.recording.end))
        self.seek(self.recording.index_at(when), when)

    def step(self, direction: int) -> None:
        """Pause, and play one more event (direction 1) or take the last one back (-1)."""
        self.playing = False
        position = self._target[0] if self._target is not None else self.position
        index = self.recording.event_index(position, direction)
        if index is not None:
            self.seek(index + 1 if direction > 0 else index)
        else:
            self._poke()

    def _poke(self) -> None:
        self._wake.set()

    # -- the task ----------------------------------------------------------------------
    async def run(self) -> None:
        status = self.status
        status.state = ConnectionState.LIVE
        try:
            while True:
                self._wake.clear()
                self._describe()
                if self._target is not None:
                    await self._seek()
                elif self.playing and self.at_end and self.loop and len(self.recording):
                    self.seek(0)
                elif self.playing and not self.at_end:
                    await self._play()
                else:
                    self.playing = False
                    self._describe()
                    await self._wake.wait()
        finally:
            status.state = ConnectionState.STOPPED

    def _describe(self) -> None:
        recording = self.recording
        if self.at_end and not self.playing:
            bad = len(recording.bad)
            note = f", {bad:,} unreadable lines" if bad else ""
            self.status.detail = f"finished: {recording.events:,} events{note}"
        else:
            self.status.detail = "playing" if self.playing else "paused"

    async def _seek(self) -> None:
        assert self._target is not None
        target, when = self._target
        self._target = None
        if target < self.position:
            self.rewind()
            self.position = 0
        start = self.position
        times = self.recording.times
        while self.position < target:
            self._hand_over(min(target, self.position + BATCH))
            self.time = float(times[self.position - 1])
            if self.position < target:
                self.seek_progress = (self.position - start) / (target - start)
                await asyncio.sleep(0)
                if self._target is not None:  # a newer seek takes over from here
                    return
        self.seek_progress = None
        if when is not None:
            self.time = when
        elif not target:
            self.time = self.recording.start

    async def _play(self) -> None:
        """Hand lines over as they fall due, until paused, sought, re-sped or at the end."""
        recording = self.recording
        speed = self.speed
        started, start_time = self.clock(), self.time
        while self.playing and self._target is None and not self.at_end:
            if self._wake.is_set():
                return  # the speed changed: start pacing again from here
            if speed is None:
                self._hand_over(min(len(recording), self.position + BATCH))
                self.time = float(recording.times[self.position - 1])
                await asyncio.sleep(0)
                continue
            now = start_time + (self.clock() - started) * speed
            due = min(recording.index_at(now), self.position + BATCH)
            self.time = min(now, recording.end)
            if due > self.position:
                self._hand_over(due)
                await asyncio.sleep(0)
                continue
            wait = (float(recording.times[self.position]) - now) / speed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(wait, MAX_WAIT_S))

    def _hand_over(self, stop: int) -> None:
        # Reading makes a few objects per event and keeps them: the cyclic collector would
        # run every few hundred events and look at them all again. Held off while a batch
        # is read, it runs once per batch instead (replay at full speed: +60%).
        hold = gc.isenabled()  # (someone else may have turned it off: leave it so)
        if hold:
            gc.disable()
        try:
            items = list(self.recording.items(self.position, stop))
        finally:
            if hold:
                gc.enable()
        self.position = stop
        if items:
            self.sink.extend(items)


def _checked(speed: float | None) -> float | None:
    if speed is not None and not speed > 0:
        raise ValueError(f"speed must be above 0, not {speed}")
    return speed
