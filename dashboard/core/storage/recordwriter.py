"""Recording: every event and rejected frame, as JSON Lines, safe against a crash.

The file is written as things arrive and flushed at least once a second, so a crash loses
at most the last second and what is on disk is always readable (a cut last line is
tolerated by the reader). A name ending in ``.gz`` is compressed; each flush ends a
deflate block, so even a compressed file can be read up to its last flush.

When writing fails (a full disk...), the recorder stops for good: it raises
:class:`RecordingFailed` saying which file and why, and an uncompressed file is cut back
to its last whole line. Whoever feeds it decides what to tell, once; the feeds it records
are none of its business.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, NoReturn

from dashboard.core.events.event import DecodedBatch, Event, Rejected
from dashboard.core.storage.recordformat import record_line, to_json

FLUSH_EVERY_S = 1.0
_TAIL = 65_536  # read back this much at a time to find the last whole line


class RecordingFailed(OSError):
    """Writing the recording failed; the message says which file and why
    (``cannot write rec.jsonl: No space left on device``)."""


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
        self.error: str | None = None  # why writing failed, once it has
        self._flushed_at = clock()
        self._dirty = False

    @property
    def closed(self) -> bool:
        return self._file.closed

    def extend_batch(self, batch: DecodedBatch) -> None:
        """A source's batch, straight to the file (a recorder is a sink too)."""
        self.extend(batch.items())

    def extend(self, items: Iterable[Event | Rejected]) -> None:
        """Write *items*; raises RecordingFailed when writing fails (then, and after)."""
        if self.error is not None:
            raise RecordingFailed(self.error)
        write = self._file.write
        try:
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
        except OSError as error:
            self._fail(error)
        self.tick()

    def tick(self) -> None:
        """Flush if something waits and the last flush is a second old (call it often)."""
        if self._dirty and self._clock() - self._flushed_at >= FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        if self._file.closed:
            return
        try:
            self._file.flush()
        except OSError as error:
            self._fail(error)
        self._flushed_at = self._clock()
        self._dirty = False

    def close(self) -> None:
        """Write what waits and close; raises RecordingFailed if that last write fails."""
        if not self._file.closed:
            try:
                self._file.close()
            except OSError as error:
                self._fail(error)

    def _fail(self, error: OSError) -> NoReturn:
        """Stop for good: what could not be written is dropped, the file kept up to its last
        whole line, and the failure raised saying which file and why."""
        self.error = f"cannot write {self.path}: {error.strerror or error}"
        self._dirty = False
        with contextlib.suppress(OSError):
            self._file.close()  # (writing what waits fails again: it is dropped)
        if not self.path.name.endswith(".gz"):  # (a compressed file reads up to its flush)
            _cut_to_last_whole_line(self.path)
        raise RecordingFailed(self.error) from error


def _cut_to_last_whole_line(path: Path) -> None:
    """Cut the end of the file at *path* back to its last newline: a full disk may have
    taken half a line. Cutting frees space, so it works on a full disk too."""
    with contextlib.suppress(OSError):
        if not path.is_file():  # /dev/full, a pipe...: nothing to cut
            return
        with path.open("r+b") as file:
            end = file.seek(0, os.SEEK_END)
            while end > 0:
                start = max(0, end - _TAIL)
                file.seek(start)
                newline = file.read(end - start).rfind(b"\n")
                if newline >= 0:
                    file.truncate(start + newline + 1)
                    return
                end = start
            file.truncate(0)
