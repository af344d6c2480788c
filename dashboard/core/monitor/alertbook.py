"""The alert panel's book: one entry per alert (where it comes from, what, for which key),
however often it repeats, with its state and what the operator did about it.

Alerts come from three places: the feed's own alert events (type ``alert``/``alert.*`` or
severity warning and up), local rules (:mod:`dashboard.core.monitor.rules`) and connection health
(a feed down for too long). A repeat updates its entry (count, last seen, message) instead
of adding a row: a storm of ten thousand alerts from one source is one line that counts.

An alert's identity (what makes two alerts one entry): for a rule, the rule's name and its
group key; for a feed alert, its own name
(:func:`dashboard.core.monitor.feedalerts.feed_alert_name`: ``alertname``,
``labels.alertname``, ``alert_name``, ``alert`` or ``name`` in its data,
else its event type), its event type, its source and its labels (``data.labels``); for
connection health, the connection. So a CPU alert and a memory alert from one service are
two entries, each resolved and acknowledged on its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

import orjson

from dashboard.core.events.event import Event, Severity
from dashboard.core.monitor.feedalerts import (
    AlertConventions,
    Labels,
    alert_message,
    feed_alert_labels,
    feed_alert_name,
    is_recovery,
)
from dashboard.core.monitor.rules import AlertState, Transition

OWN_PREFIX = "dashboard.alert."  # the events the dashboard writes when alerts change
MAX_ENTRIES = 5_000  # alerts kept at once; past it, the one idle longest goes (see _note)
MAX_SILENCES = 200  # silences kept at once (the oldest goes first); ended ones are dropped
NOTE_LIMIT = 300  # characters of a silence's note
Identity = tuple["Origin", str, str, str, Labels]  # origin, event type, name, key, labels


class Origin(Enum):
    FEED = "feed"
    RULE = "rule"
    CONNECTION = "connection"


@dataclass
class AlertEntry:
    origin: Origin
    name: str  # the rule's name, the feed's alert type, or "connection down"
    key: str  # the source, the rule's group key, or the connection
    severity: Severity
    state: AlertState
    message: str
    first_seen: float
    last_seen: float
    count: int = 1
    acknowledged: bool = False
    fired_at: float | None = None  # when it last started firing
    labels: Labels = ()  # a feed alert's labels (data.labels), part of its identity
    event_type: str = ""  # a feed alert's event type
    name_field: str = ""  # where a feed alert's name came from (data.alertname...), if not type

    @property
    def identity(self) -> Identity:
        return (self.origin, self.event_type, self.name, self.key, self.labels)

    @property
    def needs_attention(self) -> bool:
        """Firing and nobody has acknowledged it yet."""
        return self.state is AlertState.FIRING and not self.acknowledged


@dataclass(frozen=True)
class Silence:
    """No new alerts from *name* (and *key*, if given) until *until*; *note* says who
    and why."""

    name: str
    key: str | None
    until: float
    note: str = ""

    def covers(self, entry: AlertEntry, now: float) -> bool:
        return now < self.until and entry.name == self.name and self.key in (None, entry.key)

    @property
    def matcher(self) -> str:
        """What it matches besides the name, in words."""
        return "every key" if self.key is None else f"key = {self.key}"


class BookChange(NamedTuple):
    """An entry entering *state* at *at*; *record* is its alert event as it was then
    (:func:`alert_record`: the message and count of that moment, not of a later one)."""

    entry: AlertEntry
    state: AlertState
    at: float
    severity: Severity  # the entry's, then
    record: dict[str, Any]


class AlertBook:
    """The entries, newest activity first, and the operator's acknowledgements and silences.

    Every change answers the entries that became new or fired again (for notifications).
    """

    def __init__(self, conventions: AlertConventions | None = None) -> None:
        self.conventions = conventions or AlertConventions()
        self.entries: dict[Identity, AlertEntry] = {}
        self.silences: list[Silence] = []
        self.silenced = 0  # alerts not shown because of a silence
        self.forgotten = 0  # entries dropped to keep MAX_ENTRIES
        self.noted = 0  # alerts taken in (changes when anything did)
        self.changes: list[BookChange] = []  # until taken (the monitor takes them each batch)

    # -- what comes in -----------------------------------------------------------------
    def add_feed_events(self, events: Iterable[Event]) -> list[AlertEntry]:
        """The feed's own alerts among *events*; answers the entries that (re)fired."""
        fired: list[AlertEntry] = []
        is_alert = self.conventions.is_alert
        floor = self.conventions.severity or Severity.WARNING
        for event in events:
            if not is_alert(event) or event.type.startswith(OWN_PREFIX):
                continue  # (the dashboard's own alert events tell of alerts already here)
            recovered = is_recovery(event, floor)  # e.g. alert.cpu "back to 70%"
            state = AlertState.RESOLVED if recovered else AlertState.FIRING
            name, name_field = feed_alert_name(event)
            entry = self._note(
                (Origin.FEED, event.type, name, event.source, feed_alert_labels(event)),
                event.severity,
                state,
                alert_message(event),
                event.time,
                name_field=name_field,
            )
            if entry is not None and state is AlertState.FIRING:
                fired.append(entry)
        return fired

    def apply(self, transitions: Iterable[Transition]) -> list[AlertEntry]:
        """Rule state changes; answers the entries that started firing."""
        fired: list[AlertEntry] = []
        for change in transitions:
            identity: Identity = (Origin.RULE, "", change.rule.name, change.key, ())
            if change.state is AlertState.INACTIVE:
                entry = self.entries.get(identity)
                if entry is not None and entry.state is AlertState.PENDING:
                    del self.entries[entry.identity]
                continue
            entry = self._note(
                identity,
                change.rule.severity,
                change.state,
                change.message,
                change.at,
                repeat=False,
            )
            if entry is not None and change.state is AlertState.FIRING:
                fired.append(entry)
        return fired

    def connection(
        self, name: str, down_since: float | None, now: float, after: float
    ) -> list[AlertEntry]:
        """A connection down for *after* seconds fires; back up, it resolves."""
        identity: Identity = (Origin.CONNECTION, "", "connection down", name, ())
        entry = self.entries.get(identity)
        if down_since is None or now - down_since < after:
            if entry is not None and entry.state is AlertState.FIRING and down_since is None:
                self.noted += 1
                entry.state = AlertState.RESOLVED
                entry.last_seen = now
                entry.message = f"{name} is back"
                self._changed(entry, AlertState.RESOLVED, now)
            return []
        if entry is not None and entry.state is AlertState.FIRING:
            return []
        message = f"{name} has been down for {now - down_since:.0f} s"
        noted = self._note(identity, Severity.ERROR, AlertState.FIRING, message, now)
        return [] if noted is None else [noted]

    def _note(
        self,
        identity: Identity,
        severity: Severity,
        state: AlertState,
        message: str,
        at: float,
        repeat: bool = True,
        name_field: str = "",
    ) -> AlertEntry | None:
        """Create or update an entry; None when a silence covers it (then only counted)."""
        entry = self.entries.get(identity)
        if entry is None:  # (not in any state yet: its first firing is a firing)
            origin, event_type, name, key, labels = identity
            entry = AlertEntry(origin, name, key, severity, AlertState.INACTIVE, message, at, at,
                               count=0, labels=labels, event_type=event_type,
                               name_field=name_field)  # fmt: skip
        if any(s.covers(entry, at) for s in self.silences):
            self.silenced += 1
            return None
        self.noted += 1
        changed = state is not entry.state or entry.count == 0
        refired = state is AlertState.FIRING and entry.state is not AlertState.FIRING
        if repeat or refired:  # a rule's alert counts its firings, not its steps
            entry.count += 1
        if refired:
            entry.acknowledged = False  # it came back: it needs looking at again
            entry.fired_at = at
        entry.state, entry.message, entry.last_seen = state, message, at
        entry.severity = (
            max(entry.severity, severity) if state is AlertState.FIRING else entry.severity
        )
        self.entries.pop(identity, None)
        self.entries[identity] = entry  # newest activity last in the dict
        if len(self.entries) > MAX_ENTRIES:  # a feed inventing names or labels
            del self.entries[next(iter(self.entries))]
            self.forgotten += 1
        if changed:
            self._changed(entry, state, at)
        return entry

    def _changed(self, entry: AlertEntry, state: AlertState, at: float) -> None:
        record = alert_record(entry, state, at)
        self.changes.append(BookChange(entry, state, at, entry.severity, record))

    def take_changes(self) -> list[BookChange]:
        """Every state change since the last call, in order."""
        changed, self.changes = self.changes, []
        return changed

    # -- what the operator does --------------------------------------------------------
    def acknowledge(self, entry: AlertEntry) -> None:
        entry.acknowledged = True

    def acknowledge_all(self) -> int:
        waiting = [e for e in self.entries.values() if e.needs_attention]
        for entry in waiting:
            entry.acknowledged = True
        return len(waiting)

    def silence(self, name: str, key: str | None, until: float, note: str = "") -> Silence:
        """Silence *name* (on *key*, or every key) until *until*; one silence per name and
        key (a new one takes the place of the old), at most :data:`MAX_SILENCES`."""
        self.silences = [s for s in self.silences if (s.name, s.key) != (name, key)]
        silence = Silence(name, key, until, note[:NOTE_LIMIT])
        self.silences = [*self.silences, silence][-MAX_SILENCES:]
        return silence

    def unsilence(self, silence: Silence) -> None:
        """End *silence* now (new alerts it covered show again)."""
        self.silences = [s for s in self.silences if s != silence]

    def set_note(self, silence: Silence, note: str) -> Silence:
        """*silence* with who/why *note*; answers the silence that took its place."""
        noted = Silence(silence.name, silence.key, silence.until, note[:NOTE_LIMIT])
        self.silences = [noted if s == silence else s for s in self.silences]
        return noted

    def active_silences(self, now: float) -> list[Silence]:
        """The silences not over at *now*, soonest to end first (ended ones are dropped)."""
        self.silences = [s for s in self.silences if s.until > now]
        return sorted(self.silences, key=lambda s: s.until)

    def silenced_by(self, entry: AlertEntry, now: float) -> Silence | None:
        """The silence that covers *entry* at *now*, if one does (for a muted mark)."""
        return next((s for s in self.silences if s.covers(entry, now)), None)

    def clear_resolved(self) -> int:
        resolved = [i for i, e in self.entries.items() if e.state is AlertState.RESOLVED]
        for identity in resolved:
            del self.entries[identity]
        return len(resolved)

    # -- what the panel shows ----------------------------------------------------------
    def shown(
        self, min_severity: Severity = Severity.DEBUG, states: Iterable[AlertState] = ()
    ) -> list[AlertEntry]:
        """Entries at *min_severity* or worse (in *states*, if given), newest activity first."""
        wanted = set(states)
        return [
            e
            for e in reversed(self.entries.values())
            if e.severity >= min_severity and (not wanted or e.state in wanted)
        ]

    @property
    def unacknowledged(self) -> int:
        return sum(e.needs_attention for e in self.entries.values())


def alert_record(entry: AlertEntry, state: AlertState, at: float) -> dict[str, Any]:
    """The event the dashboard writes when an alert fires or resolves, as an envelope: it
    goes into the store like any event, into the log and into recordings, so that a replay
    shows the alert history as it was. A feed alert's labels are in ``data.labels``."""
    severity = entry.severity if state is AlertState.FIRING else Severity.INFO
    data: dict[str, Any] = {
        "alert": entry.name,
        "origin": entry.origin.value,
        "key": entry.key,
        "message": entry.message,
        "count": entry.count,
    }
    if entry.labels:
        data["labels"] = dict(entry.labels)
    return {
        "type": f"{OWN_PREFIX}{state.value}",
        "time": at,
        "source": entry.key or "dashboard",
        "severity": severity.label,
        "data": data,
    }


# -- silences kept between runs ---------------------------------------------------------
def silences_json(silences: Iterable[Silence]) -> str:
    """The silences as JSON text (the window keeps them in its settings)."""
    return orjson.dumps(
        [{"name": s.name, "key": s.key, "until": s.until, "note": s.note} for s in silences]
    ).decode()


def silences_from_json(text: str, now: float) -> list[Silence]:
    """The silences in *text* (:func:`silences_json`) still running at *now*; what is not
    a silence is left out (settings are a file anyone may edit)."""
    with contextlib.suppress(orjson.JSONDecodeError):
        items = orjson.loads(text)
        if isinstance(items, list):
            return [
                Silence(i["name"], i["key"], float(i["until"]), str(i.get("note", ""))[:NOTE_LIMIT])
                for i in items[-MAX_SILENCES:]
                if isinstance(i, dict)
                and isinstance(i.get("name"), str)
                and (i.get("key") is None or isinstance(i.get("key"), str))
                and isinstance(i.get("until"), int | float)
                and i["until"] > now
            ]
    return []
