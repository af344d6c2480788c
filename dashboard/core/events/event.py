"""The event model: what every frame from every source becomes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

# The raw bytes a rejected frame keeps past where it is read (and of a frame over the size
# limit, all that is read): the window shows at most a few hundred characters of one, and
# 10,000 of them whole could be gigabytes.
PREVIEW_BYTES = 4096


class Severity(IntEnum):
    """Ordered severities; unknown names map to INFO."""

    DEBUG = 10
    INFO = 20
    NOTICE = 25
    WARNING = 30
    ERROR = 40
    CRITICAL = 50

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: object, default: Severity | None = None) -> Severity:
        """Read a severity from a name (``warn``, ``ERROR``...) or a number; else *default*."""
        fallback = cls.INFO if default is None else default
        if isinstance(value, str):
            return cls.named(value) or fallback
        if isinstance(value, int | float) and not isinstance(value, bool):
            known = [s for s in cls if s <= value]
            return known[-1] if known else cls.DEBUG
        return fallback

    @classmethod
    def named(cls, name: str) -> Severity | None:
        """The severity a name means (``warn``, ``ERROR``, ``fatal``...), or None."""
        return _SEVERITY_NAMES.get(name.strip().lower())


_SEVERITY_NAMES: dict[str, Severity] = {
    "trace": Severity.DEBUG,
    "debug": Severity.DEBUG,
    "info": Severity.INFO,
    "information": Severity.INFO,
    "informational": Severity.INFO,
    "notice": Severity.NOTICE,
    "warn": Severity.WARNING,
    "warning": Severity.WARNING,
    "error": Severity.ERROR,
    "err": Severity.ERROR,
    "critical": Severity.CRITICAL,
    "crit": Severity.CRITICAL,
    "fatal": Severity.CRITICAL,
    "alert": Severity.CRITICAL,
    "emergency": Severity.CRITICAL,
    "emerg": Severity.CRITICAL,
}


@dataclass(slots=True)
class Event:
    """One decoded event.

    ``seq`` is the local arrival number given by the store (-1 until stored); ``time`` is the
    producer's time when the envelope carries one, else the arrival time (epoch seconds).
    """

    type: str
    time: float
    received: float
    source: str
    severity: Severity
    data: Any
    raw: bytes
    connection: str
    id: str | None = None
    declared_type: str | None = None  # the type the transport named (SSE event:), if any
    seq: int = -1


@dataclass(slots=True)
class Rejected:
    """A frame that could not be decoded: kept with its reason, never dropped silently."""

    reason: str
    raw: bytes
    received: float
    connection: str
    size: int = 0  # the whole frame's bytes, which *raw* may hold only the first of
    id: str | None = None
    seq: int = -1

    @property
    def cut(self) -> bool:
        """Whether *raw* holds only the first bytes of the frame."""
        return len(self.raw) < self.size

    def preview(self) -> Rejected:
        """This frame holding at most its first PREVIEW_BYTES, its size still the whole's:
        what the window keeps (a recording made headless keeps the frame whole)."""
        if len(self.raw) <= PREVIEW_BYTES:
            return self
        size = max(self.size, len(self.raw))
        return replace(self, raw=self.raw[:PREVIEW_BYTES], size=size)


# What a row of a DecodedBatch holds, in order (the store's columns):
# type, time, received, source, severity (its number), data, raw, id, declared type.
Row = tuple[str, float, float, str, int, Any, bytes, "str | None", "str | None"]
SEVERITY_OF: dict[int, Severity] = {int(s): s for s in Severity}


@dataclass(slots=True)
class DecodedBatch:
    """What a source decoded from one read: its events as rows, and the frames rejected.

    No Event object per event: a feed's process sends the rows to the app as columns (one
    marshal), and the store takes them as columns. :meth:`items` makes the objects for a
    sink that wants them.
    """

    connection: str
    rows: list[Row] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def add(self, decoded: Row | Rejected) -> None:
        """A row or a rejected frame, as Decoder.decode_row gives it."""
        if type(decoded) is tuple:
            self.rows.append(decoded)
        else:
            self.rejected.append(decoded)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self.rows) + len(self.rejected)

    def columns(self) -> list[tuple[Any, ...]]:
        """The rows as the store's columns (see Row)."""
        return list(zip(*self.rows, strict=True)) or [() for _ in range(9)]

    def items(self) -> list[Event | Rejected]:
        """The events (then the rejected frames) as objects."""
        events: list[Event | Rejected] = [event_from_row(r, self.connection) for r in self.rows]
        return events + self.rejected


def event_from_row(row: Row, connection: str) -> Event:
    """The Event a row of *connection*'s batch stands for."""
    etype, time, received, source, severity, payload, raw, event_id, declared = row
    return Event(
        etype, time, received, source, SEVERITY_OF[severity], payload, raw, connection,
        event_id, declared,
    )  # fmt: skip
