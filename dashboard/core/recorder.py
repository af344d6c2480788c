"""Recording: every event and rejected frame, as JSON Lines, safe against a crash.

The file is written as things arrive and flushed at least once a second, so a crash loses
at most the last second and what is on disk is always readable (a cut last line is
tolerated by the reader). A name ending in ``.gz`` is compressed; each flush ends a
deflate block, so even a compressed file can be read up to its last flush.
"""

from __future__ import annotations

import base64
import gzip
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from dashboard.core.event import DecodedBatch, Event, Rejected
from dashboard.core.records import record_line, to_json

FLUSH_EVERY_S = 1.0


def rejected_line(item: Rejected) -> bytes:
    """A rejected frame as a record: the reason and the raw bytes (base64)."""
    record = {
        "seq": item.seq,
        "received": item.received,
        "connection": item.connection,
        "id": item.id,
        "rejected": item.reason,
        "size": item.size,
        "raw": base64.b64encode(item.raw).decode("ascii"),
    }
    return to_json(record) + b"\n"


class Recorder:
    """Writes what a sink receives to *path*; also a Sink itself (for headless capture).

    Events that already have a seq (from the store) keep it; others are numbered here, as
    are rejected frames, each in their own sequence like the store does.
    """

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self._clock = clock
        # Open for as long as the recording runs: closed by close(), not by a with block.
        if self.path.name.endswith(".gz"):
            self._file: IO[bytes] = gzip.open(self.path, "wb", compresslevel=6)  # noqa: SIM115
        else:
            self._file = self.path.open("wb")
        self.events = 0
        self.rejected = 0
        self._flushed_at = clock()
        self._dirty = False

    @property
    def closed(self) -> bool:
        return self._file.closed

    def extend_batch(self, batch: DecodedBatch) -> None:
        """A source's batch, straight to the file (a recorder is a sink too)."""
        self.extend(batch.items())

    def extend(self, items: Iterable[Event | Rejected]) -> None:
        write = self._file.write
        for item in items:
            if type(item) is Event:
                if item.seq < 0:
                    item.seq = self.events
                write(record_line(item))
                self.events += 1
            else:
                if item.seq < 0:  # type: ignore[union-attr]
                    item.seq = self.rejected  # type: ignore[union-attr]
                write(rejected_line(item))  # type: ignore[arg-type]
                self.rejected += 1
            self._dirty = True
        self.tick()

    def tick(self) -> None:
        """Flush if something waits and the last flush is a second old (call it often)."""
        if self._dirty and self._clock() - self._flushed_at >= FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        self._file.flush()
        self._flushed_at = self._clock()
        self._dirty = False

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
